"""The institutions' section and the late items: who leads what, who owes what
(institutions.*.j2, slipping.*.j2).
"""

from __future__ import annotations

from collections import Counter

from ..health import ON_TRACK, Health, HealthReport, late_items
from ..i18n import (
    Language,
    LText,
    localized,
    quarter_text,
    translations,
    when,
)
from ..load import Matrix
from ..state import ActivityState
from ..timeline import Snapshot
from .area import rating_of
from .view import Institution, LateGroup, LateItem


def acronyms(matrix: Matrix, lang: Language) -> dict[str, str]:
    """How each institution is written in `lang`: its acronym there (PNUD for UNDP in French)
    when organizations.yaml gives one, else its id."""
    out = {}
    for record in matrix.organizations:
        acronym = record.value.acronym
        if isinstance(acronym, dict) and acronym.get(lang):
            out[record.value.id] = acronym[lang]
        elif isinstance(acronym, str):
            out[record.value.id] = acronym
    return out


def leads_text(s: ActivityState, side: str, shown: dict[str, str], comma: str = ", ") -> str:
    return comma.join(shown.get(o, o) for o in getattr(s.activity.leads, side))


def late_of(snap: Snapshot, lang: Language, shown: dict[str, str]) -> list[LateItem]:
    """Every overdue planned end and milestone (health.late_items), and every activity behind
    time: most late first."""
    gettext = translations(lang).gettext
    comma = gettext(", ")

    def item(s: ActivityState, what: str, due: str, days: int | None) -> LateItem:
        title = localized(s.activity.title, lang)
        return LateItem(
            s.activity.id, title, leads_text(s, "un", shown, comma), leads_text(s, "oic", shown, comma), what, due, days
        )

    items = []
    for late in late_items(snap):
        m = late.milestone
        what = (
            gettext("milestone %(id)s: %(title)s") % {"id": m.id, "title": localized(m.title, lang)}
            if m
            else gettext("the activity's planned end")
        )
        items.append(item(late.state, what, when(late.due, lang), late.days))
    behind = [s for s in snap.activities if not s.ended and any(f.code == "off-track" for f in s.findings)]
    items += [item(s, gettext("progress behind the time elapsed"), "", None) for s in behind]
    return sorted(items, key=lambda i: (-(i.days or 0), i.activity, i.what))


def institutions_of(
    matrix: Matrix,
    snap: Snapshot,
    health: HealthReport,
    names: dict[str, LText],
    lang: Language,
    shown: dict[str, str],
) -> list[Institution]:
    """Each institution that leads, partners or owes reports: what it does, how it reports."""
    gettext = translations(lang).gettext
    leads: dict[str, list[str]] = {}
    partners: dict[str, list[str]] = {}
    for s in snap.activities:
        for org in (*s.activity.leads.un, *s.activity.leads.oic):
            leads.setdefault(org, []).append(s.activity.id)
        for org in s.activity.partners:
            partners.setdefault(org, []).append(s.activity.id)
    rows = {row.organization: row for row in snap.grid}
    out = []
    for record in matrix.organizations:
        org = record.value.id
        row = rows.get(org)
        if org not in leads and org not in partners and row is None:
            continue
        cells = Counter(c.state for c in row.cells) if row else Counter()
        owes = (
            [
                quarter_text(q.year, q.number, lang)
                for q, c in zip(snap.quarters, row.cells, strict=True)
                if c.state == "missing"
            ]
            if row
            else []
        )
        rated = rating_of(health.institutions.get(org) or Health(ON_TRACK), gettext, lang)
        out.append(
            Institution(
                shown.get(org, org),
                names.get(org, org),
                record.value.side,
                leads.get(org, []),
                partners.get(org, []),
                rated,
                cells["submitted"],
                cells["late"],
                cells["missing"],
                owes,
                org,
                cells["incomplete"],
            )
        )
    return out


def late_groups(late: list[LateItem]) -> list[LateGroup]:
    """The late items under their activity, each activity once, the most late first."""
    groups: dict[str, LateGroup] = {}
    for item in late:
        group = groups.get(item.activity)
        if group is None:
            group = groups[item.activity] = LateGroup(item.activity, item.title, item.un, item.oic, [])
        group.items.append(item)
    return list(groups.values())
