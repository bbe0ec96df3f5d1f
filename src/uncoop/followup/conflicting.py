"""Two institutions report one activity for one quarter differently; found at both entries."""

from __future__ import annotations

from collections.abc import Iterator

from ..dates import Quarter
from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import ActivityState, Judging, Reported
from ._example import update
from ._unit import Example, FollowUp

CONFLICTING = timeline_rule(
    "conflicting-reports",
    group="disputed",
    label=N_("reports disagree"),
    tally=NP_("%(num)d conflicting report", "%(num)d conflicting reports"),
    style="yellow",
    summary="two reports on one activity for one quarter disagree on status, or on progress by over conflict_points",
    gap=N_("its reports disagree or its progress fell"),
)


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    m, points = j.m, j.thresholds.conflict_points
    by_period: dict[Quarter, list[Reported]] = {}
    for report in reports:
        by_period.setdefault(report.update.value.period, []).append(report)
    for period, same in by_period.items():
        first = same[0]
        for other in same[1:]:
            a, b = first.entry, other.entry
            if a.status == b.status and abs(a.progress - b.progress) <= points:
                continue
            orgs = (first.update.value.organization, other.update.value.organization)
            for report, org in ((first, orgs[0]), (other, orgs[1])):
                yield finding(
                    CONFLICTING,
                    m.at(report.update, "entries", report.index, "status"),
                    N_(
                        "%(id)s for %(period)s: %(a)s reports %(a_status)s "
                        "%(a_progress)s%%, %(b)s reports %(b_status)s %(b_progress)s%%"
                    ),
                    "the focal point should settle which is right",
                    key=f"{a.activity}/{period}/{org}",
                    id=a.activity,
                    period=period,
                    a=orgs[0],
                    a_status=a.status,
                    a_progress=f"{a.progress:g}",
                    b=orgs[1],
                    b_status=b.status,
                    b_progress=f"{b.progress:g}",
                )


def _both(ocha: int, ichad: int, ichad_status: str = "implementation") -> dict[str, str]:
    return {
        **update("OCHA", "2014-Q3", "2014-10-20", f"activity: HUM-01, status: implementation, progress: {ocha}"),
        **update("ICHAD", "2014-Q3", "2014-10-22", f"activity: HUM-01, status: {ichad_status}, progress: {ichad}"),
    }


FOLLOW_UP = FollowUp(
    order=50,
    rules=(CONFLICTING,),
    activity=check,
    ended_too=True,
    examples=(
        Example(CONFLICTING, "2014-11-01", "OCHA reports 10% and ICHAD 90% for 2014-Q3", _both(10, 90)),
        Example(CONFLICTING, "2014-11-01", "same progress, but ICHAD reports it suspended", _both(10, 10, "suspended")),
        Example(CONFLICTING, "2014-11-01", "10% and 20%: within conflict_points", _both(10, 20), finds=False),
    ),
)  # fmt: skip
