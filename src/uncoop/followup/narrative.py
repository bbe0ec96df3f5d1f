"""The latest report on an activity under way gives a figure but no word of what was done: ¶54
asks for reports that allow benchmarking and evaluation, and a percentage alone does not.  A
"no change since the last report" answer (carried_over_from) keeps the earlier narrative."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import ActivityState, Judging, Reported, unsaid
from ._example import update
from ._unit import Example, FollowUp

NO_NARRATIVE = timeline_rule(
    "no-narrative",
    group="incomplete",
    label=N_("no narrative"),
    tally=NP_("%(num)d report without narrative", "%(num)d reports without narrative"),
    style="yellow",
    summary="the latest report on an activity under way gives no narrative of what was done",
    gap=N_("its latest report says nothing of what was done"),
)


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    latest = s.latest
    if latest is None or s.status not in ("implementation", "suspended"):
        return
    entry, u = latest.entry, latest.update.value
    if entry.carried_over_from is None and unsaid(entry.narrative):
        yield finding(
            NO_NARRATIVE,
            j.m.at(latest.update, "entries", latest.index, "activity"),
            N_("%(id)s: %(org)s's report for %(period)s gives %(progress)s%% and no narrative of what was done"),
            f"add narrative: to its entry in updates/{u.period}/{u.organization}.yaml",
            key=f"{entry.activity}/{u.period}/{u.organization}",
            id=entry.activity,
            org=u.organization,
            period=u.period,
            progress=f"{entry.progress:g}",
        )


def _said(narrative: str = "") -> dict[str, str]:
    return update("OCHA", "2014-Q3", "2014-10-20", f"activity: HUM-01, status: implementation, progress: 10{narrative}")


FOLLOW_UP = FollowUp(
    order=45,
    rules=(NO_NARRATIVE,),
    activity=check,
    examples=(
        Example(NO_NARRATIVE, "2014-11-01", "OCHA reports 10% for 2014-Q3 and nothing else", _said()),
        Example(NO_NARRATIVE, "2014-11-01", "the same report says what was done",
                _said(", narrative: Terms of reference drafted"), finds=False),
        Example(NO_NARRATIVE, "2014-11-01", "reported closed: nothing more is owed",
                update("OCHA", "2014-Q3", "2014-10-20", "activity: HUM-01, status: closed, progress: 100"),
                finds=False),
    ),
)  # fmt: skip
