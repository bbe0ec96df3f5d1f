"""Each institution's quarterly report (¶53): missing, late, or silent on an activity it owes a
word on.  Who owes what is the owing rule (`owing.Duties`); this judges what was filed."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import Filing, Judging, days
from ._example import update
from ._unit import Example, FollowUp

MISSING = timeline_rule(
    "missing-report",
    group="missing",
    label=N_("report missing"),
    tally=NP_("%(num)d report missing", "%(num)d reports missing"),
    style="bold red",
    summary="a quarterly report owed and past due, not submitted",
)
INCOMPLETE = timeline_rule(
    "incomplete-report",
    group="incomplete",
    label=N_("report incomplete"),
    tally=NP_("%(num)d report incomplete", "%(num)d reports incomplete"),
    style="yellow",
    summary="a quarterly report that leaves out an activity under way that the institution leads or partners",
)
LATE = timeline_rule(
    "late-report",
    group="late",
    label=N_("report late"),
    tally=NP_("%(num)d report late", "%(num)d reports late"),
    style="yellow",
    summary="a quarterly report submitted after its due date",
)


def check(j: Judging, f: Filing) -> Iterator[Problem]:
    if f.update is None:
        if f.owed and f.due < j.as_of:
            yield finding(
                MISSING,
                j.m.at(f.organization, "id"),
                N_("%(org)s has not submitted its report for %(quarter)s, due %(due)s"),
                f"file updates/{f.quarter}/{f.org}.yaml",
                key=f"{f.org}/{f.quarter}",
                org=f.org,
                quarter=f.quarter,
                due=f.due,
            )
        return
    submitted = f.update.value.submitted
    if submitted > f.due:
        yield finding(
            LATE,
            j.m.at(f.update, "submitted"),
            N_("%(org)s's report for %(quarter)s was submitted %(submitted)s, %(late)s after it was due on %(due)s"),
            key=f"{f.org}/{f.quarter}",
            org=f.org,
            quarter=f.quarter,
            submitted=submitted,
            late=days((submitted - f.due).days),
            days=(submitted - f.due).days,
            due=f.due,
        )
    if f.omitted:
        yield finding(
            INCOMPLETE,
            j.m.at(f.update, "entries"),
            N_("%(org)s's report for %(quarter)s does not mention %(activities)s, under way that quarter"),
            f"add an entry for each to updates/{f.quarter}/{f.org}.yaml",
            key=f"{f.org}/{f.quarter}",
            org=f.org,
            quarter=f.quarter,
            activities=", ".join(f.omitted),
        )


_ON_TIME = {
    **update("OCHA", "2014-Q3", "2014-10-30", "activity: HUM-01, status: implementation, progress: 10"),
    **update("ICHAD", "2014-Q3", "2014-10-20", "activity: HUM-01, status: implementation, progress: 10"),
}
_SILENT = update("ICHAD", "2014-Q3", "2014-10-20")

FOLLOW_UP = FollowUp(
    order=40,
    rules=(MISSING, INCOMPLETE, LATE),
    report=check,
    examples=(
        Example(MISSING, "2014-10-31", "no report from OCHA or ICHAD for 2014-Q3, due 2014-10-30", {}),
        Example(MISSING, "2014-10-30", "on the due day nothing is missing yet", {}, finds=False),
        Example(LATE, "2014-11-15", "OCHA's report for 2014-Q3 submitted 2014-10-31, a day after it was due",
                update("OCHA", "2014-Q3", "2014-10-31", "activity: HUM-01, status: implementation, progress: 10")),
        Example(LATE, "2014-11-15", "both reports in by 2014-10-30", _ON_TIME, finds=False),
        Example(INCOMPLETE, "2014-11-15", "ICHAD's report for 2014-Q3 has no entry for HUM-01, which it leads",
                _SILENT),
        Example(INCOMPLETE, "2014-11-15", "each report has an entry for HUM-01", _ON_TIME, finds=False),
    ),
)  # fmt: skip
