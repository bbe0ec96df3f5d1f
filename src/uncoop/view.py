"""What `uncoop status` shows: a filtered snapshot, and its JSON and Markdown forms.

Both forms are deterministic (sorted, no clock, no terminal width) so CI and
golden files can compare them byte for byte.  The rich table is in `console`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from .catalogue import counted, groups, tally
from .dates import Quarter
from .health import RATINGS, WORDS, Health, HealthReport, rate
from .i18n import EN, N_, STATUS_WORDS, Language, language, localized
from .load import Matrix
from .markup import CELLS, json_stream, legend, md_code
from .markup import md_text as md_cell
from .notice import notice_line, provenance
from .problem import Problem, sort_problems
from .state import ActivityState
from .timeline import GridRow, Snapshot
from .vocab import STATUSES


@dataclass
class AreaView:
    id: str
    title: str
    activities: list[ActivityState]
    titles: str | dict[str, str] | None = None  # the area's title in every language it has


@dataclass
class StatusView:
    snapshot: Snapshot
    lang: Language
    areas: list[AreaView]
    grid: list[GridRow]
    findings: list[Problem]
    health: HealthReport
    counts: dict = field(default_factory=dict)
    provenance: str = "confirmed"  # the Matrix's: each format says what the data are (notice.py)

    @property
    def quarters(self) -> list[Quarter]:
        return self.snapshot.quarters


def build_view(
    matrix: Matrix,
    snap: Snapshot,
    areas: Sequence[str] = (),
    orgs: Sequence[str] = (),
    side: str | None = None,
    only: Sequence[str] = (),
    lang: Language = EN,
) -> StatusView:
    """Apply the status filters.  Filters narrow what is shown, never what is computed, and the
    summary counts exactly what is shown: with --only, only those findings, in the rows and in the
    counts; with --area, only the institutions working in those areas."""
    lang = language(lang)  # a code given by a caller of the core API becomes the one Language
    chosen = groups()
    wanted = {code for name in only for code in chosen[name]} if only else None

    def keep_activity(state: ActivityState) -> bool:
        act = state.activity
        if areas and act.area not in areas:
            return False
        if orgs and not set(orgs) & {*act.leads.un, *act.leads.oic, *act.partners}:
            return False
        return not wanted or any(f.code in wanted for f in state.findings)

    in_areas = {
        o
        for s in snap.activities
        if s.activity.area in areas
        for o in (*s.activity.leads.un, *s.activity.leads.oic, *s.activity.partners)
    }

    def keep_row(row: GridRow) -> bool:
        if orgs and row.organization not in orgs or side and row.side != side:
            return False
        if areas and row.organization not in in_areas:
            return False
        return not wanted or any(f.code in wanted for f in row.findings)

    def narrowed(findings: list[Problem]) -> list[Problem]:
        return [f for f in findings if f.code in wanted] if wanted else findings

    shown = [replace(s, findings=narrowed(s.findings)) for s in snap.activities if keep_activity(s)]
    rows = [replace(r, findings=narrowed(r.findings)) for r in snap.grid if keep_row(r)]
    findings = [f for s in shown for f in s.findings] + [f for r in rows for f in r.findings]
    area_views = []
    for area in matrix.areas:
        members = [s for s in shown if s.activity.area == area.value.id]
        if members:
            area_views.append(AreaView(area.value.id, localized(area.value.title, lang), members, area.value.title))
    health = rate(snap, [a.value.id for a in matrix.areas])
    view = StatusView(snap, lang, area_views, rows, sort_problems(findings), health, provenance=provenance(matrix))
    view.counts = summary_counts(view)
    return view


def summary_counts(view: StatusView) -> dict:
    """Activities by status, and how many of each timeline finding the view shows (zeros included:
    the keys stay the same from one run to the next)."""
    states = [s for area in view.areas for s in area.activities]
    by_status = Counter(s.status for s in states)
    codes = Counter(f.code for f in view.findings)
    rated = [h.rating for s in states if (h := view.health.activities.get(s.activity.id))]
    return {
        "activities": len(states),
        "by_status": {status: by_status[status] for status in STATUSES if by_status[status]},
        "findings": {rule.code: codes[rule.code] for rule in counted()},
        "health": {r: rated.count(r) for r in RATINGS},
    }


def status_count(status: str, n: int, lang: Language) -> str:
    """'5 closed', '5 clôturées', agreeing in number as the language's plural forms (CLDR) say."""
    from .i18n import translations

    t = translations(lang)
    counts = {
        "pipeline": lambda: t.ngettext("%(num)d pipeline", "%(num)d pipeline", n),
        "implementation": lambda: t.ngettext("%(num)d implementation", "%(num)d implementation", n),
        "finalisation": lambda: t.ngettext("%(num)d finalisation", "%(num)d finalisation", n),
        "closed": lambda: t.ngettext("%(num)d closed", "%(num)d closed", n),
        "cancelled": lambda: t.ngettext("%(num)d cancelled", "%(num)d cancelled", n),
        "suspended": lambda: t.ngettext("%(num)d suspended", "%(num)d suspended", n),
    }
    return counts[status]() % {"num": n}


def summary_line(view: StatusView, lang: Language = EN) -> str:
    """One line: '60 activities (40 implementation, ...); 3 overdue, 1 report late' (findings there are),
    in `lang`."""
    from .i18n import translations

    _ = translations(lang).gettext
    c = view.counts
    comma = _(", ")
    states = comma.join(status_count(status, n, lang) for status, n in c["by_status"].items())
    states = f" ({states})" if states else ""
    found = comma.join(tally(rule, c["findings"][rule.code], lang) for rule in counted() if c["findings"][rule.code])
    rated = comma.join(f"{n} {_(WORDS[r])}" for r, n in c["health"].items() if n)
    states += f" [{rated}]" if rated else ""
    n = c["activities"]
    activities = lang.ngettext("%(num)d activity", "%(num)d activities", n) % {"num": n}
    nothing = _("no timeline findings")
    return f"{activities}{states}{_('; ')}{found or nothing}"


def leads_of(state: ActivityState, side: str) -> str:
    return ", ".join(getattr(state.activity.leads, side))


def finding_text(problem: Problem, lang: Language) -> str:
    """A finding's message in `lang` (timeline findings are templates; others stay English)."""
    if lang == "en":
        return problem.message
    from .i18n import translations, when

    return problem.said(translations(lang).gettext, lambda d: when(d, lang))


def label_text(code: str, lang: Language) -> str:
    """A finding's few words (its label in the catalogue) in `lang`."""
    from .catalogue import RULES
    from .i18n import translations

    label = RULES[code].label or code
    return label if lang == "en" else translations(lang).gettext(label)


def health_text(view: StatusView, state: ActivityState) -> str:
    """'✗ off track', '▲ at risk', '✓ on track', or '' for a closed or cancelled activity."""
    from .i18n import translations

    health = view.health.activities.get(state.activity.id)
    return f"{health.symbol} {translations(view.lang).gettext(WORDS[health.rating])}" if health else ""


def next_due_text(state: ActivityState) -> str:
    return f"{state.next_due.day.isoformat()} ({state.next_due.what})" if state.next_due else ""


def _activity_json(state: ActivityState, lang: Language, health: Health | None) -> dict:
    act = state.activity
    return {
        "id": act.id,
        "title": str(localized(act.title, lang)),
        "title_lang": localized(act.title, lang).fallback or lang,
        "leads": {"un": act.leads.un, "oic": act.leads.oic},
        "status": state.status,
        "progress": state.progress,
        "last_update": state.last_update.isoformat() if state.last_update else None,
        "next_due": {"date": state.next_due.day.isoformat(), "what": state.next_due.what} if state.next_due else None,
        "milestones_done": {k: v.isoformat() for k, v in sorted(state.milestones_done.items())},
        "findings": sorted({f.code for f in state.findings}),
        "health": None
        if health is None
        else {
            "rating": health.rating,
            "reasons": [{"kind": r.kind, "text": r.text()} for r in health.reasons],
            "gaps": [{"kind": g.kind, "text": g.text()} for g in health.gaps],
        },
    }


def to_json(view: StatusView) -> Iterator[bytes]:
    """The status as JSON, written piece by piece (`markup.json_stream`): at 20,000 activities
    and 100,000 findings it is ~150 MB, never held whole."""
    return json_stream(
        [
            ("as_of", view.snapshot.as_of.isoformat()),
            ("provenance", view.provenance),
            ("summary", view.counts),
            (
                "areas",
                (
                    {
                        "id": a.id,
                        "title": a.title,
                        "activities": [
                            _activity_json(s, view.lang, view.health.activities.get(s.activity.id))
                            for s in a.activities
                        ],
                    }
                    for a in view.areas
                ),
            ),
            (
                "findings",
                (
                    {**f.as_dict(), "text": finding_text(f, view.lang)} if view.lang != "en" else f.as_dict()
                    for f in view.findings
                ),
            ),
            (
                "reporting",
                {
                    "quarters": [str(q) for q in view.quarters],
                    "institutions": [
                        {"id": r.organization, "side": r.side, "cells": [c.state for c in r.cells]} for r in view.grid
                    ],
                },
            ),
        ]
    )


def to_markdown(view: StatusView) -> str:
    from .i18n import translations

    _ = translations(view.lang).gettext
    title = _("Matrix status as of %(date)s") % {"date": view.snapshot.as_of.isoformat()}
    out = [f"# {title}", "", summary_line(view, view.lang), ""]
    notice = notice_line(view.provenance, view.lang)
    if notice:
        out[2:2] = [f"> {md_cell(notice)}", ""]
    heads = (
        N_("Activity"),
        N_("UN lead"),
        N_("OIC lead"),
        N_("Status"),
        N_("Health"),
        N_("Progress"),
        N_("Next due"),
        N_("Findings"),
    )
    for area in view.areas:
        out += [
            f"## {md_cell(area.title)}",
            "",
            "| " + " | ".join(_(h) for h in heads) + " |",
            "| --- | --- | --- | --- | --- | ---: | --- | --- |",
        ]
        for s in area.activities:
            progress = "" if s.progress is None else f"{s.progress:g}%"
            codes = _(", ").join(label_text(code, view.lang) for code in sorted({f.code for f in s.findings}))
            out.append(
                f"| {s.activity.id} {md_cell(localized(s.activity.title, view.lang))} | {md_cell(leads_of(s, 'un'))} "
                f"| {md_cell(leads_of(s, 'oic'))} | {_(STATUS_WORDS[s.status])} | {health_text(view, s)} | {progress} "
                f"| {next_due_text(s)} | {codes} |"
            )
        out.append("")
    if view.findings:
        out += ["## " + _("Findings"), ""]
        out += [f"- {md_code(f.location)} **{f.code}**: {md_cell(finding_text(f, view.lang))}" for f in view.findings]
        out.append("")
    if view.grid:
        out += [
            "## " + _("Quarterly reports (¶53)"),
            "",
            "| " + _("Institution") + " | " + _("Side") + " | " + " | ".join(str(q) for q in view.quarters) + " |",
            "| --- | --- | " + " | ".join("---" for _ in view.quarters) + " |",
        ]
        out += [
            f"| {r.organization} | {r.side.upper()} | " + " | ".join(CELLS[c.state].md for c in r.cells) + " |"
            for r in view.grid
        ]
        out += ["", legend(word=_), ""]
    return "\n".join(out)
