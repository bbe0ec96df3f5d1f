"""No update for stale_days, counted from the last update or, before any, from the first report
due date at the earliest: an activity cannot be stale before anything was asked of it."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..owing import due_date
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import ActivityState, Judging, Reported, days
from ._example import update
from ._unit import Example, FollowUp

STALE = timeline_rule(
    "stale",
    group="stale",
    label=N_("stale"),
    tally=NP_("%(num)d stale", "%(num)d stale"),
    style="yellow",
    summary="an active activity with no update for stale_days",
    gap=N_("no recent update"),
)

_JANUARY = update("OCHA", "2014-Q4", "2015-01-10", "activity: HUM-01, status: implementation, progress: 30")


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    m, as_of, stale_days = j.m, j.as_of, j.thresholds.stale_days
    start = s.activity.dates.planned_start.start
    if start > as_of:
        return
    first_due = due_date(m.meta.value, m.meta.value.reporting.first_period) if m.meta else start
    since = s.last_update or max(start, first_due)
    age = (as_of - since).days
    if age > stale_days and since <= as_of:
        yield finding(
            STALE,
            m.at(s.record, "id"),
            N_("no update on %(id)s for %(age)s (last update %(last)s; stale after %(limit)s)")
            if s.last_update
            else N_("no update on %(id)s for %(age)s (never reported; stale after %(limit)s)"),
            key=s.activity.id,
            id=s.activity.id,
            age=days(age),
            days=age,
            last=s.last_update,
            limit=stale_days,
        )


FOLLOW_UP = FollowUp(
    order=20,
    rules=(STALE,),
    activity=check,
    examples=(
        Example(STALE, "2015-05-11", "last update 2015-01-10, 121 days before; stale after 120", _JANUARY),
        Example(STALE, "2015-05-10", "last update 120 days before", _JANUARY, finds=False),
        Example(STALE, "2015-03-01", "never reported, first report due 2014-10-30: 122 days", {}),
        Example(STALE, "2014-12-01", "never reported, but the first report was due only 32 days before", {},
                finds=False),
    ),
)  # fmt: skip
