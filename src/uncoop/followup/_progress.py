"""What progress-regression and closed-progress-fell share: consecutive quarters' reports, and
the finding at a figure lower than the one before."""

from __future__ import annotations

from collections.abc import Iterator

from ..problem import Problem
from ..rules import Rule, finding
from ..state import Judging, Reported


def later_periods(reports: list[Reported]) -> Iterator[tuple[Reported, Reported]]:
    """(earlier, later) pairs of consecutive reports in different quarters, oldest first."""
    previous: Reported | None = None
    for report in reports:
        if previous is not None and report.update.value.period > previous.update.value.period:
            yield previous, report
        if previous is None or report.update.value.period >= previous.update.value.period:
            previous = report


def fell(j: Judging, rule: Rule, before: Reported, report: Reported, message: str, hint: str) -> Problem:
    """A finding at the progress of `report`, lower than `before` said."""
    u = report.update.value
    return finding(
        rule,
        j.m.at(report.update, "entries", report.index, "progress"),
        message,
        hint,
        key=f"{report.entry.activity}/{u.period}/{u.organization}",
        id=report.entry.activity,
        org=u.organization,
        now=f"{report.entry.progress:g}",
        period=u.period,
        was=f"{before.entry.progress:g}",
        other=before.update.value.organization,
        previous=before.update.value.period,
    )
