"""Who owes a quarterly progress report, for which quarter and which activities: the one rule.

`OWING_RULE` says it in words (the README and `uncoop rules` print it); `Duties` applies it.  The
grid, the findings, the calendar, `uncoop update`, the forms and the report all ask `Duties`;
nothing else decides who owes what.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .dates import Quarter, quarters
from .problem import UncoopError
from .vocab import ENDED

if TYPE_CHECKING:  # annotations only: the catalogue (and so `--help`) imports this module
    from .load import Loaded, Matrix
    from .records import Activity, MatrixFile, Update

# Organs and forums (the Security Council, the Human Rights Council, the OIC Council of Foreign
# Ministers, the IASC...) are serviced by a secretariat that reports on their work.
SERVICED = frozenset({"organ", "inter-agency-body"})

OWING_RULE = """\
¶53 asks "all participating and other relevant institutions" to submit quarterly progress
reports to their focal points; uncoop reads it as a duty to report on work. An institution owes
a report for a quarter when it leads or partners an activity under way that quarter (started,
and not reported closed or cancelled in an earlier quarter; the planned end does not stop the
duty, late work is what most needs reporting), and the report must mention every such activity:
one that leaves any out is incomplete. Organs and forums (kind organ or inter-agency-body) do not
report: their work is reported by the institution named in `reported_by` (else their `parent`;
with neither, themselves), which owes the report instead, as does any institution given a `reported_by`. A participant
(`participant: true`) with nothing under way owes nothing that quarter and is listed as "nothing
under way", not as missing. `reporting.owed_by: leads` drops partners' duties. A report is due
`reporting.due_days` (a parameter of the Matrix, not a figure of the final document) after its
quarter ends, and missing from the day after. Compliance counts on time, late, incomplete and
missing apart, for leads (an institution leading an activity under way) and for partners.
"""


def ended_in(updates: Iterable[Loaded[Update]]) -> dict[str, Quarter]:
    """The first quarter for which a report said each activity was closed or cancelled."""
    found: dict[str, Quarter] = {}
    for update in updates:
        for entry in update.value.entries:
            if entry.status in ENDED:
                period = update.value.period
                if entry.activity not in found or period < found[entry.activity]:
                    found[entry.activity] = period
    return found


def due_date(meta: MatrixFile, quarter: Quarter) -> date:
    return quarter.end + timedelta(days=meta.reporting.due_days)


def reporting_quarters(meta: MatrixFile, until: date | None = None) -> list[Quarter]:
    """The quarters reports are owed for: first_period to the period's end (or `until`)."""
    last = Quarter.of(meta.period.end)
    if until is not None:
        last = min(last, Quarter.of(until))
    return quarters(meta.reporting.first_period, last)


# Institutions x reporting quarters: every grid cell, reminder and form is one of these.  A real
# Matrix has tens of institutions over a biennium (the bundled one 46 x 8 = 368); 50,000 keeps
# `status`, `remind` and the report within seconds (measured in SECURITY.md).
MAX_REPORTING_CELLS = 50_000


def reporting_cells(matrix: Matrix) -> tuple[int, int]:
    """(institutions, reporting quarters of the whole period): the size of the reporting grid."""
    if matrix.meta is None:
        return len(matrix.organizations), 0
    return len(matrix.organizations), len(reporting_quarters(matrix.meta.value))


def over_budget(matrix: Matrix) -> str:
    """'' when the reporting grid is within budget, else what is over it (one sentence)."""
    orgs, span = reporting_cells(matrix)
    if orgs * span <= MAX_REPORTING_CELLS:
        return ""
    return (
        f"{orgs:,} institutions x {span:,} reporting quarters = {orgs * span:,} reports to follow, "
        f"over uncoop's limit of {MAX_REPORTING_CELLS:,}"
    )


def reporting_on(record: Loaded[Activity], quarter: Quarter, ended: dict[str, Quarter]) -> bool:
    """Whether an activity is reported on for `quarter`: started, and not reported ended before."""
    act = record.value
    if act.status in ENDED:  # decided closed or cancelled in the plan itself
        return False
    start = (act.dates.actual_start or act.dates.planned_start).start
    if quarter.end < start:
        return False
    if act.dates.actual_end is not None and act.dates.actual_end.end < quarter.start:
        return False
    last = ended.get(act.id)
    return last is None or quarter <= last


def reporters(matrix: Matrix) -> dict[str, str]:
    """Institution -> the institution whose report covers its work, for those that do not report
    themselves (organs and forums, and any with `reported_by`); followed to the end of a chain."""
    direct: dict[str, str] = {}
    for record in matrix.organizations:
        o = record.value
        target = o.reported_by or (o.parent if o.kind in SERVICED else None)
        if target and target != o.id:
            direct[o.id] = target
    out: dict[str, str] = {}
    for ident, first in direct.items():
        seen, cur = {ident}, first
        while cur in direct and direct[cur] not in seen:  # a loop stops where it closes
            seen.add(cur)
            cur = direct[cur]
        out[ident] = cur
    return out


class Duties:
    """The reporting duties of one Matrix, given the updates visible at the time judged."""

    def __init__(self, matrix: Matrix, updates: Iterable[Loaded[Update]]):
        too_big = over_budget(matrix)
        if too_big:  # `validate` reports it as a finding; this keeps every other caller from minutes of work
            raise UncoopError(f"{too_big}: nothing computed; see `uncoop validate`")
        self.matrix = matrix
        self.meta = matrix.meta.value if matrix.meta else None
        self.ended = ended_in(updates)
        owed_by = self.meta.reporting.owed_by if self.meta else "participants"
        self.reporter = reporters(matrix)
        self.involved: dict[str, list[Loaded[Activity]]] = {}
        self.leading: dict[str, set[str]] = {}  # reporter -> the activities it reports on as a lead
        for record in sorted(matrix.activities, key=lambda r: r.value.id):
            act = record.value
            leads = [self.reporter.get(o, o) for o in act.leads.un + act.leads.oic]
            partners = [] if owed_by == "leads" else [self.reporter.get(o, o) for o in act.partners]
            for org in dict.fromkeys(leads + partners):
                self.involved.setdefault(org, []).append(record)
            for org in leads:
                self.leading.setdefault(org, set()).add(act.id)
        self.participants = {
            o.value.id for o in matrix.organizations if o.value.participant and owed_by == "participants"
        }

    def activities(self, org: str, quarter: Quarter) -> list[Loaded[Activity]]:
        """The activities `org` reports on for `quarter`."""
        return [r for r in self.involved.get(org, ()) if reporting_on(r, quarter, self.ended)]

    def owes(self, org: str, quarter: Quarter) -> bool:
        if self.meta is None:
            return False
        first, last = self.meta.reporting.first_period, Quarter.of(self.meta.period.end)
        if not first <= quarter <= last:
            return False
        return bool(self.activities(org, quarter))

    def idle(self, org: str, quarter: Quarter) -> bool:
        """A participant with nothing under way: listed as such, owing nothing."""
        return org in self.participants and self.reporter.get(org, org) == org and not self.owes(org, quarter)

    def role(self, org: str, quarter: Quarter) -> str:
        """'lead' when `org` reports for `quarter` on an activity it leads, else 'partner' ('' if it owes nothing)."""
        under_way = self.activities(org, quarter)
        if not under_way:
            return ""
        return "lead" if any(r.value.id in self.leading.get(org, ()) for r in under_way) else "partner"

    def owing(self, quarter: Quarter) -> list[str]:
        """Every institution that owes a report for `quarter`, sorted by id."""
        return sorted(o.value.id for o in self.matrix.organizations if self.owes(o.value.id, quarter))
