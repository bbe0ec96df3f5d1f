"""Benchmarks: what the indicators measure (benchmarks.*.j2)."""

from __future__ import annotations

from ..i18n import (
    Language,
    localized,
)
from ..timeline import Snapshot
from .view import Benchmarks


def benchmarks_of(snap: Snapshot, lang: Language) -> Benchmarks:
    """How many activities can be benchmarked (¶54): with an indicator, and with a value reported."""
    measured = [s for s in snap.activities if s.activity.indicators]
    return Benchmarks(
        len(measured),
        sum(1 for s in measured if s.indicators),
        len(snap.activities),
        [(s.activity.id, localized(s.activity.title, lang)) for s in snap.activities if not s.activity.indicators],
    )
