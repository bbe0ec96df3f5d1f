"""One area's section: its activity cards, its Gantt chart and its Mermaid timeline
(templates/*/area.*.j2, activity.html.j2, gantt.html.j2).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..catalogue import RULES
from ..dates import Quarter, quarters
from ..health import WORDS, Health, overdue
from ..i18n import (
    EN,
    STATUS_WORDS,
    Language,
    LText,
    country_name,
    localized,
    number,
    translations,
    when,
)
from ..markup import mermaid_text, safe_url
from ..notice import field_marks
from ..state import ActivityState
from ..vocab import SIDES
from .view import (
    GANTT_LABEL,
    GANTT_ROW,
    GANTT_WIDTH,
    ActivityCard,
    Bar,
    DeliverableRow,
    Gantt,
    IndicatorRow,
    Leads,
    LinkRow,
    MermaidTask,
    MilestoneRow,
    Org,
    Rated,
    Tick,
)


def time_scale(start: date, end: date):
    span = max(1, (end - start).days)
    return lambda d: GANTT_LABEL + round(GANTT_WIDTH * (min(max(d, start), end) - start).days / span, 1)


def gantt(states: list[ActivityState], start: date, end: date, as_of: date, lang: Language) -> Gantt:
    _ = translations(lang).gettext
    x = time_scale(start, end)
    bars = []
    for i, s in enumerate(states):
        d = s.activity.dates
        left, right = x(d.planned_start.start), x(d.planned_end.end)
        width = max(2.0, right - left)
        overdue = any(f.code == "overdue-activity" for f in s.findings)
        progress = s.progress or 0
        title = str(localized(s.activity.title, lang))
        planned = _("Planned %(start)s to %(end)s") % {
            "start": when(d.planned_start, lang),
            "end": when(d.planned_end, lang),
        }
        done = (
            _("%(progress)s%% done") % {"progress": f"{progress:g}"} if s.progress is not None else _("no report yet")
        )
        parts = [planned, _(STATUS_WORDS[s.status]) + _(", ") + done] + ([_("overdue")] if overdue else [])
        label = f"{s.activity.id}{_(': ')}{title}. " + _("; ").join(parts)
        bars.append(
            Bar(
                s.activity.id,
                title,
                left,
                width,
                round(width * progress / 100, 1),
                24 + i * GANTT_ROW,
                overdue,
                s.status,
                label,
            )
        )
    # quarters are lines; only years are written, in digits: text inside the SVG is not shaped
    # by print engines, so it carries no words of the report's language (the caption does)
    ticks = [
        Tick(x(q.start), str(q.year) if q.number == 1 else "")
        for q in quarters(Quarter.of(start), Quarter.of(end))
        if start <= q.start <= end
    ]
    today = x(as_of) if start <= as_of <= end else None
    return Gantt(24 + len(states) * GANTT_ROW + 8, bars, ticks, today)


def rating_of(health: Health, gettext: Callable[[str], str], lang: Language = EN) -> Rated:
    def said(r):
        return r.text(lang)

    words = gettext(WORDS[health.rating])
    return Rated(health.rating, health.symbol, words, [said(r) for r in health.reasons], [said(g) for g in health.gaps])


def activity_card(
    s: ActivityState,
    names: dict[str, LText],
    as_of: date,
    lang: Language,
    health: Health | None,
    provenance: str,
    shown: dict[str, str],
) -> ActivityCard:
    act, entry = s.activity, s.latest.entry if s.latest else None
    gettext = translations(lang).gettext
    late_ids = overdue(s)[1]
    return ActivityCard(
        id=act.id,
        title=localized(act.title, lang),
        description=localized(act.description, lang),
        status=s.status,
        progress=s.progress,
        source=act.source,
        leads=Leads(*([Org(shown.get(o, o), names.get(o, o)) for o in getattr(act.leads, side)] for side in SIDES)),
        partners=[shown.get(o, o) for o in act.partners],
        countries=[country_name(c, lang) for c in act.countries],
        dates=act.dates,
        milestones=[
            MilestoneRow(
                m.id,
                localized(m.title, lang),
                m.due,
                s.milestones_done.get(m.id),
                m.id in late_ids,
            )
            for m in act.milestones
        ],
        deliverables=[DeliverableRow(localized(d.title, lang), d.due) for d in act.deliverables],
        indicators=[
            IndicatorRow(
                localized(i.title, lang),
                localized(i.unit, lang),
                i.baseline,
                i.target,
                s.indicators.get(i.id),
                achieved(i.baseline, i.target, s.indicators.get(i.id), lang),
            )
            for i in act.indicators
        ],
        narrative=localized(entry.narrative, lang) if entry else "",
        obstacles=localized(entry.obstacles, lang) if entry else "",
        next_steps=localized(entry.next_steps, lang) if entry else "",
        last_update=s.last_update,
        reported_by=shown.get(s.latest.update.value.organization, s.latest.update.value.organization)
        if s.latest
        else None,
        labels=[gettext(RULES[code].label) for code in sorted({f.code for f in s.findings}) if RULES[code].label],
        links=[LinkRow(localized(link.title, lang), safe_url(link.url)) for link in act.links],
        health=rating_of(health, gettext, lang) if health else None,
        provenance=record_provenance(s, provenance),
        marked=record_provenance(s, provenance) not in (provenance, "confirmed"),
        not_stated=field_marks(act.field_provenance, lang),
    )


def record_provenance(s: ActivityState, document: str) -> str:
    """An activity's provenance: its own, else its latest update's, else the document's."""
    return s.activity.provenance or (s.latest.update.value.provenance if s.latest else None) or document


def achieved(baseline: float | None, target: float | None, actual: float | None, lang: Language) -> str | None:
    """How far an indicator has come from its baseline to its target, as a percentage: (actual −
    baseline) / (target − baseline).  None when no value is reported or the target is the baseline."""
    if actual is None or target is None:
        return None
    start = baseline or 0
    if target == start:
        return None
    share = 100 * (actual - start) / (target - start)
    return translations(lang).gettext("%(percent)s%%") % {"percent": number(share, lang)}


def mermaid_task(s: ActivityState, lang: Language) -> MermaidTask:
    return MermaidTask(
        s.activity.id.lower().replace("-", ""),
        mermaid_text(f"{s.activity.id} {localized(s.activity.title, lang)}"),
        _mermaid_tag(s),
        s.activity.dates.planned_start.start,
        s.activity.dates.planned_end.end,
    )


def _mermaid_tag(s: ActivityState) -> str:
    if any(f.code == "overdue-activity" for f in s.findings):
        return "crit, "
    return {"closed": "done, ", "implementation": "active, ", "finalisation": "active, "}.get(s.status, "")
