"""What a follow-up check looks at: one activity as its reports left it on a date, and one
institution's report for one quarter, filed or not.

Pure values built from (Matrix, as_of).  The state on D is the plan plus every update
*submitted on or before D*, so any past status is reproduced exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .dates import Quarter
from .vocab import ENDED

if TYPE_CHECKING:  # annotations only: the catalogue (and so `--help`) imports this module
    from .load import Loaded, Matrix
    from .problem import Problem
    from .records import Activity, Entry, Organization, Thresholds, Update


@dataclass(frozen=True, slots=True)
class Reported:
    """One entry of one update, with where it came from."""

    entry: Entry
    update: Loaded[Update]
    index: int

    @property
    def order(self) -> tuple:
        u = self.update.value
        return (u.period, u.submitted, u.organization)


@dataclass(frozen=True, slots=True)
class NextDue:
    """What an activity has due next: one of its milestones, or (milestone "") its planned end."""

    day: date
    milestone: str = ""

    @property
    def what(self) -> str:
        """In the English of JSON and Markdown: 'milestone M2' or 'planned end'."""
        return f"milestone {self.milestone}" if self.milestone else "planned end"


@dataclass
class ActivityState:
    record: Loaded[Activity]
    status: str
    progress: float | None = None
    latest: Reported | None = None
    milestones_done: dict[str, date] = field(default_factory=dict)
    indicators: dict[str, float] = field(default_factory=dict)
    next_due: NextDue | None = None
    findings: list[Problem] = field(default_factory=list)

    @property
    def activity(self) -> Activity:
        return self.record.value

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def last_update(self) -> date | None:
        return self.latest.update.value.submitted if self.latest else None


@dataclass(frozen=True, slots=True)
class Filing:
    """One institution's report for one quarter as the owing rule sees it (owing.Duties)."""

    organization: Loaded[Organization]
    quarter: Quarter
    due: date
    owed: bool
    role: str  # 'lead' or 'partner': how the institution is involved in what it owes
    update: Loaded[Update] | None  # None: not filed (as of the day judged)
    omitted: tuple[str, ...] = ()  # the activities under way it owes a word on and does not mention

    @property
    def org(self) -> str:
        return self.organization.value.id


@dataclass(frozen=True, slots=True)
class Judging:
    """What every follow-up check is given: the Matrix, the day it judges, the thresholds."""

    m: Matrix
    as_of: date
    thresholds: Thresholds


def unsaid(text: str | dict[str, str] | None) -> bool:
    """No text, or one whose every language is blank (a narrative, next steps, obstacles)."""
    texts = text.values() if isinstance(text, dict) else [text or ""]
    return not any(t.strip() for t in texts)


def days(n: int) -> str:
    """The English words of a figure in days (a finding's `late`, `age`; i18n words it per language)."""
    return f"{n} day{'' if n == 1 else 's'}"


def within(n: int) -> str:
    return "today" if n == 0 else f"in {days(n)}"


def visible_updates(matrix: Matrix, as_of: date) -> list[Loaded[Update]]:
    """Updates submitted on or before `as_of`, oldest period first."""
    updates = [u for u in matrix.updates if u.value.submitted <= as_of]
    return sorted(updates, key=lambda u: (u.value.period, u.value.submitted, u.value.organization))


def reports_by_activity(updates: list[Loaded[Update]]) -> dict[str, list[Reported]]:
    by_activity: dict[str, list[Reported]] = {}
    for update in updates:
        for i, entry in enumerate(update.value.entries):
            by_activity.setdefault(entry.activity, []).append(Reported(entry, update, i))
    for reports in by_activity.values():
        reports.sort(key=lambda r: r.order)
    return by_activity


def activity_state(record: Loaded[Activity], reports: list[Reported], as_of: date) -> ActivityState:
    act = record.value
    state = ActivityState(record, act.status)
    for report in reports:  # oldest first: later reports supersede
        state.latest = report
        state.status, state.progress = report.entry.status, report.entry.progress
        for ident, done in report.entry.milestones_done.items():
            state.milestones_done.setdefault(ident, done)
        state.indicators.update(report.entry.indicators)
    if act.dates.actual_end and act.dates.actual_end.end <= as_of and state.status not in ENDED:
        state.status = "closed"
    upcoming = [
        NextDue(m.due.end, m.id) for m in act.milestones if m.id not in state.milestones_done and m.due.end >= as_of
    ]
    if act.dates.planned_end.end >= as_of:
        upcoming.append(NextDue(act.dates.planned_end.end))
    # the earliest; on one day a milestone before the planned end
    soonest = min(upcoming, key=lambda n: (n.day, not n.milestone, n.milestone), default=None)
    state.next_due = soonest if not state.ended else None
    return state
