"""A report closes an activity at less progress than the quarter before reported: closed is what
was delivered, so the figure cannot fall (a progress_note does not settle it)."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import timeline_rule
from ..state import ActivityState, Judging, Reported
from ._example import update
from ._progress import fell, later_periods
from ._unit import Example, FollowUp

CLOSED_LOWER = timeline_rule(
    "closed-progress-fell",
    group="disputed",
    label=N_("closed lower"),
    tally=NP_("%(num)d closure below earlier progress", "%(num)d closures below earlier progress"),
    style="yellow",
    summary="a report closes an activity at less progress than the previous quarter's report",
    gap=N_("its reports disagree or its progress fell"),
)


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    for before, report in later_periods(reports):
        if report.entry.status == "closed" and report.entry.progress < before.entry.progress:
            yield fell(
                j,
                CLOSED_LOWER,
                before,
                report,
                N_(
                    "%(id)s: %(org)s reports it closed at %(now)s%% for %(period)s, down from "
                    "%(was)s%% for %(previous)s"
                ),
                "report the progress it was closed at, or cancelled if it was abandoned",
            )


def _closed_at(progress: int) -> dict[str, str]:
    return {
        **update("OCHA", "2014-Q3", "2014-10-20", "activity: HUM-01, status: implementation, progress: 45"),
        **update("OCHA", "2014-Q4", "2015-01-20", f"activity: HUM-01, status: closed, progress: {progress}"),
    }


FOLLOW_UP = FollowUp(
    order=80,
    rules=(CLOSED_LOWER,),
    activity=check,
    ended_too=True,
    examples=(
        Example(CLOSED_LOWER, "2015-02-01", "45% for 2014-Q3, closed at 5% for 2014-Q4", _closed_at(5)),
        Example(CLOSED_LOWER, "2015-02-01", "closed at 100% for 2014-Q4", _closed_at(100), finds=False),
    ),
)  # fmt: skip
