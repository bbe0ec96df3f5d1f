"""Decisions for the general meeting (decisions.*.j2)."""

from __future__ import annotations

from ..i18n import (
    Language,
    localized,
    translations,
    when,
)
from ..timeline import Snapshot
from .view import Decision, DecisionGroup, Institution


def decisions_of(snap: Snapshot, lang: Language) -> list[Decision]:
    """What the next general meeting should decide: close what is done, extend or re-plan what
    is late, start or drop what never began."""
    gettext = translations(lang).gettext
    out = []
    for s in snap.activities:
        if s.ended:
            continue
        act, title = s.activity, localized(s.activity.title, lang)
        done = f"{s.progress or 0:g}"
        if act.dates.planned_end.end < snap.as_of:
            ready = (s.progress or 0) >= 90 or s.status == "finalisation"
            proposal = gettext("close") if ready else gettext("extend or re-plan")
            why = gettext("planned to end %(date)s; %(progress)s%% done")
            out.append(
                Decision(act.id, title, proposal, why % {"date": when(act.dates.planned_end, lang), "progress": done})
            )
        elif s.status == "pipeline" and act.dates.planned_start.start < snap.as_of:
            why = gettext("planned to start %(date)s; not started") % {"date": when(act.dates.planned_start, lang)}
            out.append(Decision(act.id, title, gettext("start or drop"), why))
    return out


def decision_groups(
    snap: Snapshot, decisions: list[Decision], institutions: list[Institution], lang: Language
) -> list[DecisionGroup]:
    """The draft decisions in words, grouped as the meeting takes them: close, re-plan, start or
    drop, fund, set indicators, report."""
    gettext = translations(lang).gettext
    kinds = {gettext("close"): "close", gettext("extend or re-plan"): "re-plan", gettext("start or drop"): "start"}
    words = {
        "close": gettext("The meeting may wish to declare the following activities closed:"),
        "re-plan": gettext("The meeting may wish to extend or re-plan the following activities, past their end:"),
        "start": gettext("The meeting may wish to start or drop the following activities, not yet begun:"),
        "fund": gettext("The meeting may wish to identify a funding mechanism (¶54) for the following activities:"),
        "indicators": gettext("The meeting may wish to ask the leads to set indicators (¶54) for:"),
        "report": gettext("The meeting may wish to ask the following institutions to submit their reports (¶53):"),
    }
    items: dict[str, list[tuple[str, str, str]]] = {k: [] for k in words}
    for d in decisions:
        items[kinds.get(d.proposal, "re-plan")].append((d.activity, str(d.title), d.why))
    for s in snap.activities:
        if s.ended:
            continue
        title = str(localized(s.activity.title, lang))
        if not s.activity.funding:
            items["fund"].append((s.activity.id, title, ""))
        if not s.activity.indicators:
            items["indicators"].append((s.activity.id, title, ""))
    for o in institutions:
        if o.owes:
            items["report"].append((o.id, str(o.name), gettext(", ").join(o.owes)))
    inline = ("fund", "indicators")
    return [DecisionGroup(kind, words[kind], items[kind], kind in inline) for kind in words if items[kind]]
