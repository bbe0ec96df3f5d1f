"""The Matrix as an IATI 2.03 activity file: the public convention for development cooperation data.

One `iati-activity` per Matrix activity, saying what happened as well as what was planned.
Choices, each documented in the README:
- identifier: the reporting organisation's prefix, a hyphen, the activity id;
- the status as the reports left it on the export's date (what `uncoop status` counts), 1:1 to
  the ActivityStatus codelist; month and quarter dates expanded to a day (a start to the first
  day, an end to the last day of its month or quarter); actual dates as recorded or else as the
  reports show them, only when they are not after the export's date;
- countries as recipient-country sharing 100 %, else the unspecified developing-countries region;
  activities of the humanitarian area flagged humanitarian;
- leads of both sides and partners are implementing organisations (role 4), funders funding
  (role 1); every UN and OIC body is of type 40 (multilateral);
- sectors from `sector` in areas.yaml, OECD DAC 5-digit purpose codes (vocabulary 1);
- funding summed per currency into budgets of at most a year each, consecutive over the planned
  period, and a transaction per entry pledged (incoming pledge), committed (incoming commitment)
  or disbursed (incoming funds) dated at the planned start, since the Matrix does not date it;
- each indicator is a result (output) with its baseline and, per quarter reported, the target
  and the latest actual value reported for that quarter;
- a Matrix whose data are not confirmed says so in every activity (a description of type 4).
An organisation without `iati_ref` is named, not identified: a warning, never an invented id.
Same Matrix and date, same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import Quarter
from .i18n import EN, Language, language
from .load import Matrix
from .notice import provenance
from .problem import xml_clean_tree
from .records import Activity, Organization
from .state import ActivityState, visible_updates
from .timeline import reported_states
from .vocab import LANGS

VERSION = "2.03"
STATUS_CODES = {
    "pipeline": "1",
    "implementation": "2",
    "finalisation": "3",
    "closed": "4",
    "cancelled": "5",
    "suspended": "6",
}
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"
MULTILATERAL = "40"
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
BUDGET_STATUS = {"sought": "1", "pledged": "1", "committed": "2", "disbursed": "2"}  # indicative, committed
TRANSACTION_TYPE = {"pledged": "13", "committed": "11", "disbursed": "1"}  # incoming pledge, commitment, funds
SECTOR_VOCABULARY = "1"  # OECD DAC CRS purpose codes, 5 digits
RESULT_OUTPUT, MEASURE_UNIT, MEASURE_PERCENT = "1", "1", "2"
DESCRIPTION_GENERAL, DESCRIPTION_OTHER = "1", "4"
REGION_VOCABULARY, UNSPECIFIED_REGION = "1", "998"  # OECD DAC regions: developing countries, unspecified
STARTED = frozenset({"implementation", "finalisation", "closed", "suspended"})  # a report saying work began
ENDED = frozenset({"closed", "cancelled"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Export:
    xml: bytes
    activities: int
    unidentified: list[str]  # organisations named without an IATI identifier


def export(matrix: Matrix, as_of: date, prefix: str, reporting_org: Organization) -> Export:
    """The IATI 2.03 `iati-activities` document of every activity, as known on `as_of`."""
    orgs = {o.value.id: o.value for o in matrix.organizations}
    # the publisher is identified by the prefix wherever it appears
    refs = {ident: org.iati_ref for ident, org in orgs.items()} | {reporting_org.id: prefix}
    sectors = {a.value.id: a.value.sector for a in matrix.areas}
    actuals = _actuals(matrix, as_of)
    states = reported_states(matrix, as_of)
    began, ended = _reported_dates(matrix, as_of)
    notice = _notice(matrix)
    stamp = f"{as_of.isoformat()}T00:00:00Z"
    root = ET.Element("iati-activities", {"version": VERSION, "generated-datetime": stamp})
    root.append(
        ET.Comment(
            " Made by uncoop from the UN-OIC Cooperation Matrix. Month and quarter dates are expanded "
            "to a day: a start to the first day, an end to the last day of its month or quarter. "
        )
    )
    unidentified: set[str] = set()
    records = sorted(matrix.activities, key=lambda r: r.value.id)
    for record in records:
        act = record.value
        attrs = {"last-updated-datetime": stamp, XML_LANG: "en", "default-currency": _currency(act)}
        if act.area == "humanitarian":
            attrs["humanitarian"] = "1"
        activity = ET.SubElement(root, "iati-activity", attrs)
        ET.SubElement(activity, "iati-identifier").text = f"{prefix}-{act.id}"
        _org(activity, "reporting-org", reporting_org, {"type": MULTILATERAL}, unidentified, refs)
        _narratives(ET.SubElement(activity, "title"), act.title)
        _narratives(ET.SubElement(activity, "description", {"type": DESCRIPTION_GENERAL}), act.description or act.title)
        if (act.provenance or notice[0]) != "confirmed" and notice[1] is not None:
            _narratives(ET.SubElement(activity, "description", {"type": DESCRIPTION_OTHER}), notice[1])
        for role, ident in _roles(act):
            org = orgs.get(ident)
            attrs = {"role": role, "type": MULTILATERAL}
            if org is None:
                ET.SubElement(activity, "participating-org", attrs).append(_narrative(ident))
                continue
            _org(activity, "participating-org", org, attrs, unidentified, refs)
        state = states[act.id]
        ET.SubElement(activity, "activity-status", {"code": STATUS_CODES[state.status]})
        _dates(activity, act, state, began.get(act.id), ended.get(act.id), as_of)
        _places(activity, act)
        sector = sectors.get(act.area)
        if sector:
            ET.SubElement(activity, "sector", {"code": sector, "vocabulary": SECTOR_VOCABULARY})
        _funding(activity, act, orgs, unidentified, refs)
        _results(activity, act, actuals.get(act.id, {}))
    ET.indent(xml_clean_tree(root), "  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
    return Export(xml, len(records), sorted(unidentified))


def _currency(act: Activity) -> str:
    currencies = sorted({f.currency for f in act.funding})
    return currencies[0] if len(currencies) == 1 else "USD"


def _texts(value: str | dict[str, str] | None) -> list[tuple[Language, str]]:
    """(language, text) for every language the text has, in the Matrix's order (English first);
    the schema admits no other language."""
    if value is None:
        return []
    if isinstance(value, str):
        return [(EN, value)]
    return [(language(code), value[code]) for code in LANGS if code in value]


def _narrative(text: str, lang: Language = EN) -> ET.Element:
    element = ET.Element("narrative")
    if lang != "en":  # English is the activity's default language (xml:lang on iati-activity)
        element.set(XML_LANG, lang)
    element.text = text
    return element


def _narratives(parent: ET.Element, value: str | dict[str, str] | None) -> ET.Element:
    for lang, text in _texts(value):
        parent.append(_narrative(text, lang))
    return parent


def _org(
    parent: ET.Element, tag: str, org: Organization, attrs: dict, unidentified: set[str], refs: dict[str, str | None]
) -> None:
    ref = refs.get(org.id)
    if ref:
        attrs = {**attrs, "ref": ref}
    else:
        unidentified.add(org.id)
    _narratives(ET.SubElement(parent, tag, attrs), org.name)


def _roles(act: Activity) -> list[tuple[str, str]]:
    """(role code, organisation id), funders first, each pair once, in the Matrix's order."""
    pairs = [(ROLE_FUNDING, f.funder) for f in act.funding]
    pairs += [(ROLE_IMPLEMENTING, o) for o in (*act.leads.un, *act.leads.oic, *act.partners)]
    return list(dict.fromkeys(pairs))


def _dates(
    activity: ET.Element, act: Activity, state: ActivityState, began: date | None, ended: date | None, as_of: date
) -> None:
    """Planned dates as the plan says; actual dates as the Matrix records them or, failing that,
    as the reports show: the start of the first quarter reported under way, and the end of the
    first quarter reported closed or cancelled while the activity still is."""
    d = act.dates
    entries = [(PLANNED_START, d.planned_start.start), (PLANNED_END, d.planned_end.end)]
    start = d.actual_start.start if d.actual_start else began
    if start is not None and start <= as_of:
        entries.append((ACTUAL_START, start))
    end = d.actual_end.end if d.actual_end else (ended if state.status in ENDED else None)
    if end is not None and end <= as_of and (start is None or start <= end):
        entries.append((ACTUAL_END, end))
    for kind, day in sorted(entries):
        ET.SubElement(activity, "activity-date", {"iso-date": day.isoformat(), "type": kind})


def _reported_dates(matrix: Matrix, as_of: date) -> tuple[dict[str, date], dict[str, date]]:
    """activity -> start of the first quarter a report had it under way; -> end of the first
    quarter a report had it closed or cancelled (reports submitted by `as_of`)."""
    began: dict[str, date] = {}
    ended: dict[str, date] = {}
    for update in visible_updates(matrix, as_of):  # oldest quarter first
        u = update.value
        for entry in u.entries:
            if entry.status in STARTED:
                began.setdefault(entry.activity, u.period.start)
            if entry.status in ENDED:
                ended.setdefault(entry.activity, min(u.period.end, as_of))
    return began, ended


def _places(activity: ET.Element, act: Activity) -> None:
    """Recipient countries sharing 100 % equally (the Matrix does not split its work by country),
    or, for an activity that names none, the unspecified developing-countries region."""
    if not act.countries:
        ET.SubElement(
            activity,
            "recipient-region",
            {"code": UNSPECIFIED_REGION, "vocabulary": REGION_VOCABULARY, "percentage": "100"},
        )
        return
    shares = _shares(len(act.countries))
    for code, share in zip(act.countries, shares, strict=True):
        ET.SubElement(activity, "recipient-country", {"code": code, "percentage": share})


def _shares(n: int) -> list[str]:
    """n percentages of two decimals summing to exactly 100, the last taking the remainder."""
    each = 10000 // n
    cents = [each] * (n - 1) + [10000 - each * (n - 1)]
    return [f"{c // 100}.{c % 100:02d}" if c % 100 else str(c // 100) for c in cents]


def _notice(matrix: Matrix) -> tuple[str, str | dict[str, str] | None]:
    """The Matrix's provenance and the note that says what in it is not real data."""
    meta = matrix.meta.value if matrix.meta else None
    return provenance(matrix), meta.provenance.note if meta is not None and meta.provenance is not None else None


def _value(parent: ET.Element, amount: float, currency: str, day: date) -> None:
    value = ET.SubElement(parent, "value", {"currency": currency, "value-date": day.isoformat()})
    value.text = f"{amount:.2f}"


def _funding(
    activity: ET.Element,
    act: Activity,
    orgs: dict[str, Organization],
    unidentified: set[str],
    refs: dict[str, str | None],
) -> None:
    start, end = act.dates.planned_start.start, act.dates.planned_end.end
    for currency in sorted({f.currency for f in act.funding}):
        entries = [f for f in act.funding if f.currency == currency]
        status = "2" if all(BUDGET_STATUS[f.status] == "2" for f in entries) else "1"
        total = round(sum(f.amount for f in entries) * 100)
        for (first, last), cents in _yearly(start, end, total):
            budget = ET.SubElement(activity, "budget", {"type": "1", "status": status})
            ET.SubElement(budget, "period-start", {"iso-date": first.isoformat()})
            ET.SubElement(budget, "period-end", {"iso-date": last.isoformat()})
            _value(budget, cents / 100, currency, first)
    for f in act.funding:
        if f.status not in TRANSACTION_TYPE:
            continue
        transaction = ET.SubElement(activity, "transaction")
        ET.SubElement(transaction, "transaction-type", {"code": TRANSACTION_TYPE[f.status]})
        ET.SubElement(transaction, "transaction-date", {"iso-date": start.isoformat()})
        _value(transaction, f.amount, f.currency, start)
        _narratives(ET.SubElement(transaction, "description"), f.mechanism)
        funder = orgs.get(f.funder)
        if funder is not None:
            _org(transaction, "provider-org", funder, {"type": MULTILATERAL}, unidentified, refs)


def _yearly(start: date, end: date, cents: int) -> list[tuple[tuple[date, date], int]]:
    """The planned period cut into consecutive periods of at most a year (IATI: a budget covers
    at most twelve months), the amount shared by days, in cents, the last period taking the
    remainder so the parts add up to the whole."""
    periods = []
    first = start
    while first <= end:
        following = _add_year(first)
        last = min(following - timedelta(days=1), end)
        periods.append((first, last))
        first = following
    days = (end - start).days + 1
    shares = [cents * ((b - a).days + 1) // days for a, b in periods]
    shares[-1] += cents - sum(shares)
    return list(zip(periods, shares, strict=True))


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _actuals(matrix: Matrix, as_of: date) -> dict[str, dict[str, dict[Quarter, float]]]:
    """activity -> indicator -> quarter -> the value reported last for that quarter (by `as_of`)."""
    out: dict[str, dict[str, dict[Quarter, float]]] = {}
    for update in visible_updates(matrix, as_of):  # oldest first: a later report overrides
        u = update.value
        for entry in u.entries:
            for ident, value in entry.indicators.items():
                out.setdefault(entry.activity, {}).setdefault(ident, {})[u.period] = value
    return out


def _results(activity: ET.Element, act: Activity, actuals: dict[str, dict[Quarter, float]]) -> None:
    for ind in act.indicators:
        result = ET.SubElement(activity, "result", {"type": RESULT_OUTPUT})
        _narratives(ET.SubElement(result, "title"), ind.title)
        measure = MEASURE_PERCENT if _is_percent(ind.unit) else MEASURE_UNIT
        indicator = ET.SubElement(result, "indicator", {"measure": measure})
        _narratives(ET.SubElement(indicator, "title"), ind.title)
        _narratives(ET.SubElement(indicator, "description"), ind.unit)
        baseline_year = str(act.dates.planned_start.start.year)
        ET.SubElement(indicator, "baseline", {"year": baseline_year, "value": _num(ind.baseline)})
        for quarter, value in sorted(actuals.get(ind.id, {}).items()):
            period = ET.SubElement(indicator, "period")
            ET.SubElement(period, "period-start", {"iso-date": quarter.start.isoformat()})
            ET.SubElement(period, "period-end", {"iso-date": quarter.end.isoformat()})
            ET.SubElement(period, "target", {"value": _num(ind.target)})
            ET.SubElement(period, "actual", {"value": _num(value)})


def _is_percent(unit: str | dict[str, str]) -> bool:
    return any(text.strip() in ("%", "percent", "per cent") for _, text in _texts(unit))


def _num(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"
