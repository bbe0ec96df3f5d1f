"""The Matrix as of a date: effective state per activity, timeline findings, the reporting grid.

Pure functions of (Matrix, as_of).  The state on D is the plan plus every update *submitted
on or before D*, so any past status is reproduced exactly.  The findings are the follow-up
rules' (followup/), run here over every activity and every institution's quarterly reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .catalogue import effective
from .dates import Quarter
from .followup import UNITS
from .load import Loaded, Matrix
from .owing import Duties, due_date, reporting_quarters
from .problem import Problem
from .records import Thresholds, Update
from .state import (
    ActivityState,
    Filing,
    Judging,
    Reported,
    activity_state,
    reports_by_activity,
    visible_updates,
)
from .vocab import SIDES


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


def reporting_grid(m: Matrix, j: Judging, updates: list[Loaded[Update]]) -> tuple[list[Quarter], list[GridRow]]:
    """Institution x quarter: who reported, late, or not at all (¶53; the rule is `owing.Duties`)."""
    if m.meta is None:
        return [], []
    meta = m.meta.value
    span = reporting_quarters(meta, j.as_of)
    duties = Duties(m, updates)
    filed = {(u.value.organization, u.value.period): u for u in updates}
    checks = [unit.report for unit in UNITS if unit.report is not None]
    rows = []
    for org_record in sorted(m.organizations, key=lambda o: (SIDES.index(o.value.side), o.value.id)):
        org = org_record.value.id
        cells: list[Cell] = []
        problems: list[Problem] = []
        for quarter in span:
            update = filed.get((org, quarter))
            omitted: tuple[str, ...] = ()
            if update is not None:
                mentioned = {e.activity for e in update.value.entries}
                omitted = tuple(r.value.id for r in duties.activities(org, quarter) if r.value.id not in mentioned)
            filing = Filing(
                org_record, quarter, due_date(meta, quarter), duties.owes(org, quarter), duties.role(org, quarter),
                update, omitted,
            )  # fmt: skip
            for check in checks:
                problems.extend(check(j, filing))
            cells.append(_cell(filing, duties, j.as_of))
        if any(c.state != "not-required" for c in cells):
            rows.append(GridRow(org, org_record.value.side, cells, problems))
    return span, rows


def _cell(f: Filing, duties: Duties, as_of: date) -> Cell:
    if f.update is not None:
        submitted = f.update.value.submitted
        state = "incomplete" if f.omitted else "late" if submitted > f.due else "submitted"
        return Cell(state, f.due, submitted, f.owed, f.role, f.omitted)
    if not f.owed:
        return Cell("idle" if duties.idle(f.org, f.quarter) else "not-required", f.due)
    return Cell("not-due" if f.due >= as_of else "missing", f.due, owed=True, role=f.role)


def snapshot(m: Matrix, as_of: date) -> Snapshot:
    """Everything `uncoop status` and the report show, as of a date."""
    judging = Judging(m, as_of, m.meta.value.thresholds if m.meta else Thresholds())
    updates = visible_updates(m, as_of)
    by_activity = reports_by_activity(updates)
    checks = [(unit.activity, unit.ended_too) for unit in UNITS if unit.activity is not None]
    states = []
    for record in sorted(m.activities, key=lambda r: r.value.id):
        reports = by_activity.get(record.value.id, [])
        state = activity_state(record, reports, as_of)
        for check, ended_too in checks:
            if ended_too or not state.ended:
                state.findings.extend(check(judging, state, reports))
        states.append(state)
    span, grid = reporting_grid(m, judging, updates)
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
    return {ident: reports[-1] for ident, reports in reports_by_activity(_earlier(m, quarter)).items() if reports}


def reported_states(m: Matrix, as_of: date) -> dict[str, ActivityState]:
    """Each activity's status and progress as its reports left them on `as_of` (what `status`
    shows), without judging it: for exports that say what happened."""
    by_activity = reports_by_activity(visible_updates(m, as_of))
    return {r.value.id: activity_state(r, by_activity.get(r.value.id, []), as_of) for r in m.activities}
