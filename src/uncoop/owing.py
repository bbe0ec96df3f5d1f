"""Who owes a quarterly progress report, for which quarter and which activities: the one rule.

¶53 of the final document asks "all participating and other relevant institutions" to submit
quarterly progress reports to their respective focal points.  Hence, with the default
`reporting.owed_by: participants`:

- every participating institution (`participant: true` in organizations.yaml, the ¶3-4
  participants) owes a report for every quarter of the Matrix period from `first_period`;
- every institution that leads or partners an activity owes one for each quarter in which the
  activity has started and has not been *reported* closed or cancelled in an earlier quarter
  (its planned end does not stop it: late work is exactly what must be reported on).

`owed_by: involved` drops the first clause; `owed_by: leads` also drops partners.  A report is
due `reporting.due_days` after its quarter ends (a parameter of the Matrix, not a figure of the
final document).  The grid, the findings, the calendar, `uncoop update` and the report all ask
`Duties`; nothing else decides who owes what.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from .dates import Quarter, quarters
from .load import Loaded, Matrix
from .problem import UncoopError
from .records import Activity, MatrixFile, Update
from .vocab import ENDED


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
        self.involved: dict[str, list[Loaded[Activity]]] = {}
        for record in sorted(matrix.activities, key=lambda r: r.value.id):
            act = record.value
            orgs = act.leads.un + act.leads.oic + ([] if owed_by == "leads" else act.partners)
            for org in dict.fromkeys(orgs):
                self.involved.setdefault(org, []).append(record)
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
        return org in self.participants or bool(self.activities(org, quarter))

    def owing(self, quarter: Quarter) -> list[str]:
        """Every institution that owes a report for `quarter`, sorted by id."""
        return sorted(o.value.id for o in self.matrix.organizations if self.owes(o.value.id, quarter))
