"""Progress lower than the previous quarter's report, without a progress_note saying why."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import timeline_rule
from ..state import ActivityState, Judging, Reported
from ._example import update
from ._progress import fell, later_periods
from ._unit import Example, FollowUp

REGRESSION = timeline_rule(
    "progress-regression",
    group="disputed",
    label=N_("progress fell"),
    tally=NP_("%(num)d progress regression", "%(num)d progress regressions"),
    style="yellow",
    summary="reported progress is lower than the activity's previous report, with no progress_note saying why",
    gap=N_("its reports disagree or its progress fell"),
)


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    for previous, report in later_periods(reports):
        closing = report.entry.status == "closed"  # closed-progress-fell says it, note or not
        if report.entry.progress < previous.entry.progress and report.entry.progress_note is None and not closing:
            yield fell(
                j,
                REGRESSION,
                previous,
                report,
                N_(
                    "%(id)s: %(org)s reports %(now)s%% for %(period)s, down from "
                    "%(was)s%% reported by %(other)s for %(previous)s"
                ),
                "add progress_note: saying why, or correct it",
            )


def _down(note: str = "") -> dict[str, str]:
    return {
        **update("OCHA", "2014-Q3", "2014-10-20", "activity: HUM-01, status: implementation, progress: 60"),
        **update("OCHA", "2014-Q4", "2015-01-20", f"activity: HUM-01, status: implementation, progress: 30{note}"),
    }


FOLLOW_UP = FollowUp(
    order=60,
    rules=(REGRESSION,),
    activity=check,
    ended_too=True,
    examples=(
        Example(REGRESSION, "2015-02-01", "30% for 2014-Q4 after 60% for 2014-Q3, no progress_note", _down()),
        Example(REGRESSION, "2015-02-01", "the same, with a progress_note saying why",
                _down(", progress_note: the first figure counted planned meetings"), finds=False),
    ),
)  # fmt: skip
