"""Funding by area (funding.*.j2)."""

from __future__ import annotations

from collections import defaultdict

from ..i18n import (
    Language,
    localized,
)
from ..load import Matrix
from ..timeline import Snapshot
from .summary import funding_totals
from .view import AreaFunding


def funding_by_area(matrix: Matrix, snap: Snapshot, lang: Language) -> list[AreaFunding]:
    """Per area: money sought, pledged, committed and disbursed, and the activities with none (¶54)."""
    out = []
    for area in matrix.areas:
        states = [s for s in snap.activities if s.activity.area == area.value.id]
        if not states:
            continue
        sums: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        for s in states:
            for f in s.activity.funding:
                sums[f.currency][f.status] += f.amount
        unfunded = [s.activity.id for s in states if not s.activity.funding]
        out.append(AreaFunding(localized(area.value.title, lang), funding_totals(sums, lang), unfunded))
    return out
