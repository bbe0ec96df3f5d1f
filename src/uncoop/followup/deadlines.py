"""Milestones and planned ends past due, or due within the due-soon window.

Dates of month or quarter precision count from the end of their period, and "due on D" is
overdue from D+1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import ActivityState, Judging, Reported, days, within
from ._example import update
from ._unit import Example, FollowUp

OVERDUE_ACTIVITY = timeline_rule(
    "overdue-activity",
    group="overdue",
    label=N_("overdue"),
    tally=NP_("%(num)d overdue", "%(num)d overdue"),
    style="bold red",
    summary="past its planned end and not closed or cancelled",
    slipping=True,
)
OVERDUE_MILESTONE = timeline_rule(
    "overdue-milestone",
    group="overdue",
    label=N_("milestone overdue"),
    tally=NP_("%(num)d milestone overdue", "%(num)d milestones overdue"),
    style="red",
    summary="a milestone past its due date and not reported done",
    slipping=True,
)
DUE_SOON = timeline_rule(
    "due-soon",
    group="due-soon",
    label=N_("due soon"),
    tally=NP_("%(num)d due soon", "%(num)d due soon"),
    style="cyan",
    summary="a milestone or planned end within the due-soon window",
)

_M1_DONE = update("OCHA", "2014-Q4", "2015-01-10", "activity: HUM-01, status: implementation, progress: 40, "
                  "milestones_done: {M1: 2014-12-20}")  # fmt: skip


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    m, as_of = j.m, j.as_of
    act = s.activity
    window_end = as_of + timedelta(days=j.thresholds.due_soon_days)
    for i, milestone in enumerate(act.milestones):
        if milestone.id in s.milestones_done:
            continue
        due = milestone.due.end
        where = m.at(s.record, "milestones", i, "due")
        if due < as_of:
            yield finding(
                OVERDUE_MILESTONE,
                where,
                N_("%(id)s milestone %(milestone)s was due %(due)s and is not reported done (%(late)s overdue)"),
                key=f"{act.id}/{milestone.id}",
                id=act.id,
                milestone=milestone.id,
                due=milestone.due,
                late=days((as_of - due).days),
                days=(as_of - due).days,
            )
        elif due <= window_end:
            yield finding(
                DUE_SOON,
                where,
                N_("%(id)s milestone %(milestone)s is due %(due)s (%(in)s)"),
                key=f"{act.id}/{milestone.id}",
                id=act.id,
                milestone=milestone.id,
                due=milestone.due,
                days=(due - as_of).days,
                **{"in": within((due - as_of).days)},
            )
    end = act.dates.planned_end.end
    where = m.at(s.record, "dates", "planned_end")
    if end < as_of:
        yield finding(
            OVERDUE_ACTIVITY,
            where,
            N_("%(id)s passed its planned end %(end)s %(late)s ago and is still %(status)s"),
            "report it closed, or agree a new planned_end",
            key=act.id,
            id=act.id,
            end=act.dates.planned_end,
            late=days((as_of - end).days),
            days=(as_of - end).days,
            status=s.status,
        )
    elif end <= window_end:
        yield finding(
            DUE_SOON,
            where,
            N_("%(id)s is planned to end %(end)s (%(in)s)"),
            key=f"{act.id}/planned_end",
            id=act.id,
            end=act.dates.planned_end,
            days=(end - as_of).days,
            **{"in": within((end - as_of).days)},
        )


FOLLOW_UP = FollowUp(
    order=10,
    rules=(OVERDUE_ACTIVITY, OVERDUE_MILESTONE, DUE_SOON),
    activity=check,
    examples=(
        Example(OVERDUE_ACTIVITY, "2016-01-01", "planned to end 2015-12-31 and still under way the day after", {}),
        Example(OVERDUE_ACTIVITY, "2015-12-31", "on its planned end day it is not yet overdue", {}, finds=False),
        Example(OVERDUE_MILESTONE, "2015-01-01", "M1 was due 2014-12-31 and no report says it is done", {}),
        Example(OVERDUE_MILESTONE, "2015-01-15", "a report says M1 was done", _M1_DONE, finds=False),
        Example(DUE_SOON, "2014-12-01", "M1 is due in 30 days, the due-soon window", {}),
        Example(DUE_SOON, "2014-11-30", "M1 is due in 31 days, beyond the window", {}, finds=False),
    ),
)
