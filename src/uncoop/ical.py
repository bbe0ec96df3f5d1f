"""Milestones, planned ends and quarterly report deadlines as an iCalendar file.

All-day VEVENTs (calendars ignore VTODO), one per deadline, with UIDs derived
from the ids so that a re-export updates events instead of duplicating them.
A date of month or quarter precision is placed on the last day of its period,
the day it is judged by.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .i18n import EN, Language, localized, quarter_text, translations, when
from .load import Matrix
from .markup import header_text
from .owing import Duties, due_date, reporting_quarters
from .state import visible_updates
from .vocab import ENDED

NAMESPACE = uuid.UUID("6f1c8a4e-2b0e-5d43-9a57-0c3e6f9b1d20")


@dataclass(frozen=True)
class Deadline:
    key: str  # stable identity, e.g. "milestone/HUM-01/M2"
    day: date
    summary: str
    description: str
    category: str


def deadlines(
    matrix: Matrix, as_of: date, areas: Sequence[str] = (), orgs: set[str] | None = None, lang: Language = EN
) -> list[Deadline]:
    """Every deadline the filters keep, in date order; who owes a quarter's reports is the owing
    rule (`owing.Duties`) given the updates submitted by `as_of`, as in `uncoop status`."""
    found = []
    _ = translations(lang).gettext
    duties = Duties(matrix, visible_updates(matrix, as_of))
    for record in sorted(matrix.activities, key=lambda r: r.value.id):
        act = record.value
        involved = set(act.leads.un + act.leads.oic + act.partners)
        if act.status in ENDED or act.id in duties.ended:
            continue  # decided or reported closed or cancelled: nothing left to schedule
        if areas and act.area not in areas or orgs is not None and not involved & orgs:
            continue
        title = str(localized(act.title, lang))
        leads = _("UN: %(un)s; OIC: %(oic)s") % {"un": ", ".join(act.leads.un), "oic": ", ".join(act.leads.oic)}
        for m in act.milestones:
            found.append(
                Deadline(
                    f"milestone/{act.id}/{m.id}",
                    m.due.end,
                    f"{act.id} {m.id}{_(': ')}{localized(m.title, lang)}",
                    f"{title}\n" + _("Due %(date)s.") % {"date": when(m.due, lang)} + f" {leads}",
                    act.area,
                )
            )
        end = act.dates.planned_end
        found.append(
            Deadline(
                f"planned-end/{act.id}",
                end.end,
                _("%(id)s planned end: %(title)s") % {"id": act.id, "title": title},
                _("Planned end %(date)s.") % {"date": when(end, lang)} + f" {leads}",
                act.area,
            )
        )
    if matrix.meta and not areas:
        meta = matrix.meta.value
        for quarter in reporting_quarters(meta):
            owing = [org for org in duties.owing(quarter) if orgs is None or org in orgs]
            if owing:
                due = due_date(meta, quarter)
                found.append(
                    Deadline(
                        f"report/{quarter}",
                        due,
                        _("Quarterly progress reports for %(quarter)s due")
                        % {"quarter": quarter_text(quarter.year, quarter.number, lang)},
                        _("Reports owed by: %(orgs)s") % {"orgs": ", ".join(owing)},
                        "reporting",
                    )
                )
    return sorted(found, key=lambda d: (d.day, d.key))


def to_ical(items: list[Deadline], as_of: date, title: str) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//uncoop//UN-OIC Cooperation Matrix//EN")
    cal.add("version", "2.0")
    # an X- property is written as given: one line, or the calendar would not be written at all
    cal.add("x-wr-calname", header_text(title))
    stamp = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)  # deterministic, not the clock
    for item in items:
        event = Event()
        event.add("uid", f"{uuid.uuid5(NAMESPACE, item.key)}@uncoop")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("categories", [item.category])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
