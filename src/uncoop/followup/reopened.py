"""A report puts an activity back under way after an earlier quarter's report ended it."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import ActivityState, Judging, Reported
from ..vocab import ENDED
from ._example import update
from ._unit import Example, FollowUp

AFTER_CLOSE = timeline_rule(
    "status-after-close",
    group="disputed",
    label=N_("reopened"),
    tally=NP_("%(num)d report after closure", "%(num)d reports after closure"),
    style="yellow",
    summary="a report puts an activity back under way after an earlier quarter's report closed or cancelled it",
    gap=N_("its reports disagree or its progress fell"),
)


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    ended: Reported | None = None
    for report in reports:
        status, u = report.entry.status, report.update.value
        if ended is not None and status not in ENDED and u.period > ended.update.value.period:
            yield finding(
                AFTER_CLOSE,
                j.m.at(report.update, "entries", report.index, "status"),
                N_(
                    "%(id)s: %(org)s reports it %(status)s for %(period)s, after %(other)s reported it "
                    "%(was)s for %(previous)s"
                ),
                "if it was reopened, say why in progress_note and agree new dates; else correct one of the reports",
                key=f"{report.entry.activity}/{u.period}/{u.organization}",
                id=report.entry.activity,
                org=u.organization,
                status=status,
                period=u.period,
                other=ended.update.value.organization,
                was=ended.entry.status,
                previous=ended.update.value.period,
            )
        if status in ENDED and ended is None:
            ended = report


def _then(status: str) -> dict[str, str]:
    return {
        **update("OCHA", "2014-Q3", "2014-10-20", "activity: HUM-01, status: closed, progress: 100"),
        **update("ICHAD", "2014-Q4", "2015-01-20", f"activity: HUM-01, status: {status}, progress: 100"),
    }


FOLLOW_UP = FollowUp(
    order=70,
    rules=(AFTER_CLOSE,),
    activity=check,
    ended_too=True,
    examples=(
        Example(AFTER_CLOSE, "2015-02-01", "closed for 2014-Q3, in implementation for 2014-Q4",
                _then("implementation")),
        Example(AFTER_CLOSE, "2015-02-01", "closed for 2014-Q3 and again for 2014-Q4", _then("closed"), finds=False),
    ),
)  # fmt: skip
