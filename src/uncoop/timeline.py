"""The Matrix as of a date: effective state per activity, timeline findings, the reporting grid.

Pure functions of (Matrix, as_of).  The state on D is the plan plus every
update *submitted on or before D*, so any past status is reproduced exactly.
Dates of month or quarter precision count from the end of their period, and
"due on D" is overdue from D+1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from .dates import Quarter
from .i18n import N_
from .load import Loaded, Matrix
from .owing import Duties, due_date, reporting_quarters
from .problem import Problem
from .records import Activity, Entry, Thresholds, Update
from .rules import effective, finding
from .vocab import ENDED, SIDES


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


@dataclass
class ActivityState:
    record: Loaded[Activity]
    status: str
    progress: float | None = None
    latest: Reported | None = None
    milestones_done: dict[str, date] = field(default_factory=dict)
    indicators: dict[str, float] = field(default_factory=dict)
    next_due: tuple[date, str] | None = None
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
class Cell:
    state: str  # one of CELL_STATES
    due: date
    submitted: date | None = None
    owed: bool = False  # whether the owing rule asked for this report
    role: str = ""  # 'lead' or 'partner': how the institution is involved in what it owes (owing.Duties.role)
    omitted: tuple[str, ...] = ()  # the activities under way that the report does not mention


@dataclass
class GridRow:
    organization: str
    side: str
    cells: list[Cell]
    findings: list[Problem] = field(default_factory=list)


@dataclass
class Snapshot:
    as_of: date
    activities: list[ActivityState]
    quarters: list[Quarter]
    grid: list[GridRow]
    findings: list[Problem]


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _in(n: int) -> str:
    return "today" if n == 0 else f"in {_days(n)}"


def visible_updates(matrix: Matrix, as_of: date) -> list[Loaded[Update]]:
    """Updates submitted on or before `as_of`, oldest period first."""
    updates = [u for u in matrix.updates if u.value.submitted <= as_of]
    return sorted(updates, key=lambda u: (u.value.period, u.value.submitted, u.value.organization))


def _reports_by_activity(updates: list[Loaded[Update]]) -> dict[str, list[Reported]]:
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
        (m.due.end, f"milestone {m.id}")
        for m in act.milestones
        if m.id not in state.milestones_done and m.due.end >= as_of
    ]
    if act.dates.planned_end.end >= as_of:
        upcoming.append((act.dates.planned_end.end, "planned end"))
    state.next_due = min(upcoming) if upcoming and not state.ended else None
    return state


@dataclass(frozen=True, slots=True)
class Judging:
    """What every follow-up check is given: the Matrix, the day it judges, the thresholds."""

    m: Matrix
    as_of: date
    thresholds: Thresholds


FollowUp = Callable[[Judging, ActivityState, list[Reported]], Iterator[Problem]]
# (check, runs on ended activities too?), in the order findings are listed
FOLLOW_UPS: list[tuple[FollowUp, bool]] = []


def follow_up(*, ended_too: bool = False) -> Callable[[FollowUp], FollowUp]:
    """Register a check of one activity as of a date.  A new timeline finding is a function
    here plus its line in the catalogue (rules.py); --only, the summary, the terminal and the
    report pick it up from there."""

    def register(check: FollowUp) -> FollowUp:
        FOLLOW_UPS.append((check, ended_too))
        return check

    return register


@follow_up()
def deadlines(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """Milestones and planned ends past due or within the due-soon window.

    HUM-01 M2 due 2015-03-31, not done, as of 2015-06-30 -> overdue-milestone.
    """
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
                "overdue-milestone",
                where,
                N_("%(id)s milestone %(milestone)s was due %(due)s and is not reported done (%(late)s overdue)"),
                key=f"{act.id}/{milestone.id}",
                id=act.id,
                milestone=milestone.id,
                due=milestone.due,
                late=_days((as_of - due).days),
                days=(as_of - due).days,
            )
        elif due <= window_end:
            yield finding(
                "due-soon",
                where,
                N_("%(id)s milestone %(milestone)s is due %(due)s (%(in)s)"),
                key=f"{act.id}/{milestone.id}",
                id=act.id,
                milestone=milestone.id,
                due=milestone.due,
                days=(due - as_of).days,
                **{"in": _in((due - as_of).days)},
            )
    end = act.dates.planned_end.end
    where = m.at(s.record, "dates", "planned_end")
    if end < as_of:
        yield finding(
            "overdue-activity",
            where,
            N_("%(id)s passed its planned end %(end)s %(late)s ago and is still %(status)s"),
            "report it closed, or agree a new planned_end",
            key=act.id,
            id=act.id,
            end=act.dates.planned_end,
            late=_days((as_of - end).days),
            days=(as_of - end).days,
            status=s.status,
        )
    elif end <= window_end:
        yield finding(
            "due-soon",
            where,
            N_("%(id)s is planned to end %(end)s (%(in)s)"),
            key=f"{act.id}/planned_end",
            id=act.id,
            end=act.dates.planned_end,
            days=(end - as_of).days,
            **{"in": _in((end - as_of).days)},
        )


@follow_up()
def stale(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """No update for stale_days, counted from the last update or, before any, from the first
    report due date at the earliest: an activity cannot be stale before anything was asked of it.

    Last update 2015-01-10, as of 2015-06-30, stale_days 120 -> stale.
    """
    m, as_of, stale_days = j.m, j.as_of, j.thresholds.stale_days
    start = s.activity.dates.planned_start.start
    if start > as_of:
        return
    first_due = due_date(m.meta.value, m.meta.value.reporting.first_period) if m.meta else start
    since = s.last_update or max(start, first_due)
    age = (as_of - since).days
    if age > stale_days and since <= as_of:
        yield finding(
            "stale",
            m.at(s.record, "id"),
            N_("no update on %(id)s for %(age)s (last update %(last)s; stale after %(limit)s)")
            if s.last_update
            else N_("no update on %(id)s for %(age)s (never reported; stale after %(limit)s)"),
            key=s.activity.id,
            id=s.activity.id,
            age=_days(age),
            days=age,
            last=s.last_update,
            limit=stale_days,
        )


@follow_up()
def off_track(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """Progress is judged at the end of the period it was reported for, not today: the time since
    the last report is what `stale` measures.

    10% reported at the end of 2015-Q2, when 60% of the planned time had passed -> off-track.
    """
    m, points = j.m, j.thresholds.off_track_points
    if s.latest is None or s.status != "implementation" or s.progress is None:
        return
    dates = s.activity.dates
    start, end = dates.planned_start.start, dates.planned_end.end
    at = s.latest.update.value.period.end
    span = (end - start).days
    if span <= 0 or at <= start:
        return
    expected = min(100.0, 100.0 * (at - start).days / span)
    if expected - s.progress > points:
        where = m.at(s.latest.update, "entries", s.latest.index, "progress")
        yield finding(
            "off-track",
            where,
            N_(
                "%(id)s reported %(progress)s%% at the end of %(period)s, when "
                "%(expected)s%% of its planned time had passed"
            ),
            key=s.activity.id,
            id=s.activity.id,
            progress=f"{s.progress:g}",
            period=s.latest.update.value.period,
            expected=f"{expected:.0f}",
        )


@follow_up(ended_too=True)
def reports_disagree(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """Two institutions report one activity for one quarter differently; found at both entries.

    OCHA 10% and ICHAD 90% for HUM-01 in 2014-Q3 -> conflicting-reports, twice.
    """
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
                    "conflicting-reports",
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


@follow_up(ended_too=True)
def regressions(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """Progress lower than the previous quarter's report, without a progress_note saying why.

    30% for 2014-Q4 after 60% for 2014-Q3, no progress_note -> progress-regression.
    """
    for previous, report in _later_periods(reports):
        closing = report.entry.status == "closed"  # closed_lower says it, note or not
        if report.entry.progress < previous.entry.progress and report.entry.progress_note is None and not closing:
            yield _fell(
                j,
                "progress-regression",
                previous,
                report,
                N_(
                    "%(id)s: %(org)s reports %(now)s%% for %(period)s, down from "
                    "%(was)s%% reported by %(other)s for %(previous)s"
                ),
                "add progress_note: saying why, or correct it",
            )


def _fell(j: Judging, code: str, before: Reported, report: Reported, message: str, hint: str) -> Problem:
    """A finding at the progress of `report`, lower than `before` said."""
    u = report.update.value
    return finding(
        code,
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


def _later_periods(reports: list[Reported]) -> Iterator[tuple[Reported, Reported]]:
    """(earlier, later) pairs of consecutive reports in different quarters, oldest first."""
    previous: Reported | None = None
    for report in reports:
        if previous is not None and report.update.value.period > previous.update.value.period:
            yield previous, report
        if previous is None or report.update.value.period >= previous.update.value.period:
            previous = report


@follow_up(ended_too=True)
def reopened(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """A report puts an activity back under way after an earlier quarter's report ended it.

    HUM-01 reported closed for 2014-Q3, implementation for 2014-Q4 -> status-after-close.
    """
    ended: Reported | None = None
    for report in reports:
        status, u = report.entry.status, report.update.value
        if ended is not None and status not in ENDED and u.period > ended.update.value.period:
            yield finding(
                "status-after-close",
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


@follow_up(ended_too=True)
def closed_lower(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    """A report closes an activity at less progress than the quarter before reported: closed is
    what was delivered, so the figure cannot fall (a progress_note does not settle it).

    HUM-01 45% for 2014-Q3, closed at 5% for 2014-Q4 -> closed-progress-fell.
    """
    for before, report in _later_periods(reports):
        if report.entry.status == "closed" and report.entry.progress < before.entry.progress:
            yield _fell(
                j,
                "closed-progress-fell",
                before,
                report,
                N_(
                    "%(id)s: %(org)s reports it closed at %(now)s%% for %(period)s, down from "
                    "%(was)s%% for %(previous)s"
                ),
                "report the progress it was closed at, or cancelled if it was abandoned",
            )


def reporting_grid(m: Matrix, updates: list[Loaded[Update]], as_of: date) -> tuple[list[Quarter], list[GridRow]]:
    """Institution x quarter: who reported, late, or not at all (¶53; the rule is `owing.Duties`)."""
    if m.meta is None:
        return [], []
    meta = m.meta.value
    span = reporting_quarters(meta, as_of)
    duties = Duties(m, updates)
    filed = {(u.value.organization, u.value.period): u for u in updates}
    rows = []
    for org_record in sorted(m.organizations, key=lambda o: (SIDES.index(o.value.side), o.value.id)):
        org = org_record.value.id
        cells: list[Cell] = []
        problems: list[Problem] = []
        for quarter in span:
            due = due_date(meta, quarter)
            owed = duties.owes(org, quarter)
            role = duties.role(org, quarter)
            update = filed.get((org, quarter))
            if update is not None:
                cells.append(_filed(m, duties, update, due, owed, role, problems))
            elif not owed:
                cells.append(Cell("idle" if duties.idle(org, quarter) else "not-required", due))
            elif due >= as_of:
                cells.append(Cell("not-due", due, owed=True, role=role))
            else:
                cells.append(Cell("missing", due, owed=True, role=role))
                problems.append(
                    finding(
                        "missing-report",
                        m.at(org_record, "id"),
                        N_("%(org)s has not submitted its report for %(quarter)s, due %(due)s"),
                        f"file updates/{quarter}/{org}.yaml",
                        key=f"{org}/{quarter}",
                        org=org,
                        quarter=quarter,
                        due=due,
                    )
                )
        if any(c.state != "not-required" for c in cells):
            rows.append(GridRow(org, org_record.value.side, cells, problems))
    return span, rows


def _filed(
    m: Matrix, duties: Duties, update: Loaded[Update], due: date, owed: bool, role: str, problems: list[Problem]
) -> Cell:
    """The cell of a report that was filed: on time, late, or incomplete (it leaves out an activity
    under way that the institution must report on), with its findings."""
    org, quarter, submitted = update.value.organization, update.value.period, update.value.submitted
    mentioned = {e.activity for e in update.value.entries}
    omitted = tuple(r.value.id for r in duties.activities(org, quarter) if r.value.id not in mentioned)
    if submitted > due:
        problems.append(
            finding(
                "late-report",
                m.at(update, "submitted"),
                N_(
                    "%(org)s's report for %(quarter)s was submitted %(submitted)s, %(late)s after it was due on %(due)s"
                ),
                key=f"{org}/{quarter}",
                org=org,
                quarter=quarter,
                submitted=submitted,
                late=_days((submitted - due).days),
                days=(submitted - due).days,
                due=due,
            )
        )
    if omitted:
        problems.append(
            finding(
                "incomplete-report",
                m.at(update, "entries"),
                N_("%(org)s's report for %(quarter)s does not mention %(activities)s, under way that quarter"),
                f"add an entry for each to updates/{quarter}/{org}.yaml",
                key=f"{org}/{quarter}",
                org=org,
                quarter=quarter,
                activities=", ".join(omitted),
            )
        )
    state = "incomplete" if omitted else "late" if submitted > due else "submitted"
    return Cell(state, due, submitted, owed, role, omitted)


def snapshot(m: Matrix, as_of: date) -> Snapshot:
    """Everything `uncoop status` and the report show, as of a date."""
    judging = Judging(m, as_of, m.meta.value.thresholds if m.meta else Thresholds())
    updates = visible_updates(m, as_of)
    by_activity = _reports_by_activity(updates)
    states = []
    for record in sorted(m.activities, key=lambda r: r.value.id):
        reports = by_activity.get(record.value.id, [])
        state = activity_state(record, reports, as_of)
        for check, ended_too in FOLLOW_UPS:
            if ended_too or not state.ended:
                state.findings.extend(check(judging, state, reports))
        states.append(state)
    span, grid = reporting_grid(m, updates, as_of)
    findings = [f for s in states for f in s.findings] + [f for row in grid for f in row.findings]
    # locations were queued while the findings were made: one parse per file resolves them all
    # ... and matrix.yaml's `rules:` decide which are shown, and how severe
    overrides = m.meta.value.rules if m.meta else {}
    final: dict[int, Problem] = {}
    for original, located in zip(findings, m.resolve(findings), strict=True):
        for kept in effective([located], overrides):
            final[id(original)] = kept
    for state in states:
        state.findings = [final[id(f)] for f in state.findings if id(f) in final]
    for row in grid:
        row.findings = [final[id(f)] for f in row.findings if id(f) in final]
    return Snapshot(as_of, states, span, grid, [final[id(f)] for f in findings if id(f) in final])


def active_entries(m: Matrix, org: str, quarter: Quarter) -> list[tuple[str, str, float, str | None]]:
    """(activity, status, progress, carried from) for each activity `org` reports on for
    `quarter` (the owing rule), pre-filled from the activity's latest report for an earlier
    quarter by any institution (None: from the plan)."""
    earlier = _earlier(m, quarter)
    latest_of = latest_reports(m, quarter)
    result: list[tuple[str, str, float, str | None]] = []
    for record in Duties(m, earlier).activities(org, quarter):
        act = record.value
        latest = latest_of.get(act.id)
        if latest is not None:
            source = f"{latest.update.value.organization} {latest.update.value.period}"
            result.append((act.id, latest.entry.status, latest.entry.progress, source))
        else:
            result.append((act.id, act.status, 0, None))
    return result


def _earlier(m: Matrix, quarter: Quarter) -> list[Loaded[Update]]:
    return sorted(
        (u for u in m.updates if u.value.period < quarter),
        key=lambda u: (u.value.period, u.value.submitted, u.value.organization),
    )


def latest_reports(m: Matrix, quarter: Quarter) -> dict[str, Reported]:
    """Each activity's latest report for a quarter before `quarter`, by any institution: what a
    form pre-fills and what a "no change since the last report" answer copies."""
    return {ident: reports[-1] for ident, reports in _reports_by_activity(_earlier(m, quarter)).items() if reports}


def reported_states(m: Matrix, as_of: date) -> dict[str, ActivityState]:
    """Each activity's status and progress as its reports left them on `as_of` (what `status`
    shows), without judging it: for exports that say what happened."""
    by_activity = _reports_by_activity(visible_updates(m, as_of))
    return {r.value.id: activity_state(r, by_activity.get(r.value.id, []), as_of) for r in m.activities}
