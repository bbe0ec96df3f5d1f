"""The Progress and Evaluation Report (¶53): a view of the snapshot, rendered by Jinja2.

This module computes everything the templates show (figures, bar positions,
escapes) so that templates stay presentation only and users can restyle them
(`--templates DIR`).  HTML autoescapes; Markdown escapes table cells and
Mermaid titles through filters.  Output depends only on the Matrix and
`as_of` (and SOURCE_DATE_EPOCH when set): same input, same bytes.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from .dates import Quarter, quarters
from .i18n import N_, RTL, localized, long_date, number, translations
from .load import Matrix
from .markup import CELLS, md_code, md_text, mermaid_text, safe_url
from .rules import slipping
from .timeline import ActivityState, Snapshot
from .vocab import FUNDING_STATUSES, STATUSES

FORMATS = {"md": "report.md.j2", "html": "report.html.j2"}
SECURED = ("committed", "disbursed")
SLIPPING = slipping()
GANTT_WIDTH, GANTT_LABEL, GANTT_ROW = 720, 70, 22


def templates_dir(override: Path | None = None) -> Path:
    """--templates, else the set shipped in the wheel, else the repository's templates/."""
    if override is not None:
        return override
    shipped = Path(__file__).parent / "templates"
    return shipped if shipped.is_dir() else Path(__file__).resolve().parents[2] / "templates"


# The extractor sees only literal N_("...") calls: each status word is spelt out once here.
STATUS_WORDS = dict(
    zip(
        STATUSES,
        (N_("pipeline"), N_("implementation"), N_("finalisation"), N_("closed"), N_("cancelled"), N_("suspended")),
        strict=True,
    )
)
N_("sought"), N_("pledged"), N_("committed"), N_("disbursed")  # funding statuses, shown translated


@dataclass
class Bar:
    """One activity's row in an area's SVG timeline; positions in px."""

    id: str
    title: str
    x: float
    width: float
    done_width: float
    y: float
    overdue: bool
    status: str
    label: str


@dataclass
class Gantt:
    height: float
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    today: float | None


@dataclass
class ReportView:
    lang: str
    as_of: date
    generated: str | None
    meta: dict
    summary: dict
    areas: list[dict]
    problems: list
    grid: dict
    funding: list[dict]
    annex: list[dict]
    extra: dict = field(default_factory=dict)


def _scale(start: date, end: date):
    span = max(1, (end - start).days)
    return lambda d: GANTT_LABEL + round(GANTT_WIDTH * (min(max(d, start), end) - start).days / span, 1)


def gantt(states: list[ActivityState], start: date, end: date, as_of: date, lang: str) -> Gantt:
    _ = translations(lang).gettext
    x = _scale(start, end)
    bars = []
    for i, s in enumerate(states):
        d = s.activity.dates
        left, right = x(d.planned_start.start), x(d.planned_end.end)
        width = max(2.0, right - left)
        overdue = any(f.code == "overdue-activity" for f in s.findings)
        progress = s.progress or 0
        title = str(localized(s.activity.title, lang))
        label = (
            f"{s.activity.id}: {title}. "
            + _("Planned %(start)s to %(end)s") % {"start": d.planned_start, "end": d.planned_end}
            + f"; {_(STATUS_WORDS[s.status])}, "
            + (
                _("%(progress)s%% done") % {"progress": f"{progress:g}"}
                if s.progress is not None
                else _("no report yet")
            )
            + (f"; {_('overdue')}" if overdue else "")
        )
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
    ticks = [
        (x(q.start), str(q.year) if q.number == 1 else f"Q{q.number}")
        for q in quarters(Quarter.of(start), Quarter.of(end))
        if start <= q.start <= end
    ]
    today = x(as_of) if start <= as_of <= end else None
    return Gantt(24 + len(states) * GANTT_ROW + 8, bars, ticks, today)


def _activity(s: ActivityState, matrix: Matrix, as_of: date, lang: str) -> dict:
    act, entry = s.activity, s.latest.entry if s.latest else None
    names = {o.value.id: localized(o.value.name, lang) for o in matrix.organizations}
    actual = {i.id: s.indicators.get(i.id) for i in act.indicators}
    return {
        "id": act.id,
        "title": localized(act.title, lang),
        "description": localized(act.description, lang),
        "status": s.status,
        "progress": s.progress,
        "source": act.source,
        "leads": {side: [(o, names.get(o, o)) for o in getattr(act.leads, side)] for side in ("un", "oic")},
        "partners": act.partners,
        "dates": act.dates,
        "milestones": [
            {
                "id": m.id,
                "title": localized(m.title, lang),
                "due": m.due.text,
                "done": s.milestones_done.get(m.id),
                "overdue": m.id not in s.milestones_done and m.due.end < as_of and not s.ended,
            }
            for m in act.milestones
        ],
        "indicators": [
            {
                "title": localized(i.title, lang),
                "unit": localized(i.unit, lang),
                "baseline": i.baseline,
                "target": i.target,
                "actual": actual[i.id],
            }
            for i in act.indicators
        ],
        "narrative": localized(entry.narrative, lang) if entry else "",
        "obstacles": localized(entry.obstacles, lang) if entry else "",
        "next_steps": localized(entry.next_steps, lang) if entry else "",
        "last_update": s.last_update,
        "reported_by": s.latest.update.value.organization if s.latest else None,
        "findings": sorted({f.code for f in s.findings}),
        "links": [{"title": localized(link.title, lang), "url": safe_url(link.url)} for link in act.links],
    }


def _summary(matrix: Matrix, snap: Snapshot, lang: str) -> dict:
    states = snap.activities
    codes = Counter(f.code for f in snap.findings)
    due = [(s, m) for s in states for m in s.activity.milestones if m.due.end < snap.as_of]
    compliance = {}
    for side in ("un", "oic"):
        cells = Counter(c.state for row in snap.grid if row.side == side for c in row.cells)
        owed = cells["submitted"] + cells["late"] + cells["missing"]
        compliance[side] = {
            "owed": owed,
            "on_time": cells["submitted"],
            "late": cells["late"],
            "missing": cells["missing"],
            "rate": round(100 * (cells["submitted"] + cells["late"]) / owed) if owed else None,
        }
    funding: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in states:
        for f in s.activity.funding:
            funding[f.currency][f.status] += f.amount
    by_status = Counter(s.status for s in states)
    return {
        "activities": len(states),
        "by_status": [(status, by_status[status]) for status in STATUSES if by_status[status]],
        "overdue": codes["overdue-activity"],
        "off_track": codes["off-track"],
        "on_time": sum(1 for s in states if not s.ended and not any(f.code in SLIPPING for f in s.findings)),
        "milestones_total": sum(len(s.activity.milestones) for s in states),
        "milestones_due": len(due),
        "milestones_met": sum(1 for s, m in due if m.id in s.milestones_done),
        "compliance": compliance,
        "funding": [
            {
                "currency": cur,
                **{k: number(v[k], lang) for k in FUNDING_STATUSES},
                "secured": number(sum(v[k] for k in SECURED), lang),
                "total": number(sum(v.values()), lang),
            }
            for cur, v in sorted(funding.items())
        ],
    }


def _generated() -> str | None:
    """A generation date only when SOURCE_DATE_EPOCH asks for one: reproducible by default."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_report(matrix: Matrix, snap: Snapshot, lang: str = "en") -> ReportView:
    """The report's view of a Matrix that has a valid matrix.yaml (the command line checks)."""
    assert matrix.meta is not None
    meta_file = matrix.meta.value
    names = {o.value.id: localized(o.value.name, lang) for o in matrix.organizations}
    span_start = meta_file.period.start
    span_end = max(meta_file.period.end, snap.as_of, *(s.activity.dates.planned_end.end for s in snap.activities))
    areas = []
    for area in matrix.areas:
        states = [s for s in snap.activities if s.activity.area == area.value.id]
        if states:
            areas.append(
                {
                    "id": area.value.id,
                    "title": localized(area.value.title, lang),
                    "paragraphs": area.value.paragraphs,
                    "activities": [_activity(s, matrix, snap.as_of, lang) for s in states],
                    "gantt": gantt(states, span_start, span_end, snap.as_of, lang),
                    "mermaid": [
                        (
                            s.activity.id.lower().replace("-", ""),
                            mermaid_text(f"{s.activity.id} {localized(s.activity.title, lang)}"),
                            _mermaid_tag(s),
                            s.activity.dates.planned_start.start,
                            s.activity.dates.planned_end.end,
                        )
                        for s in states
                    ],
                }
            )
    slipping = sorted(
        (f for f in snap.findings if f.code in SLIPPING),
        key=lambda f: (f.message.split(" ", 1)[0], f.code, f.message),
    )
    meta = {
        "title": localized(meta_file.title, lang),
        "description": localized(meta_file.description, lang),
        "adopted": meta_file.adopted,
        "place": localized(meta_file.adopted.place, lang),
        "source": localized(meta_file.adopted.source, lang),
        "period": meta_file.period,
        "focal_points": [
            (side, fp.organization, names.get(fp.organization, fp.organization), localized(fp.title, lang))
            for side, fp in (("un", meta_file.focal_points.un), ("oic", meta_file.focal_points.oic))
        ],
        "next_meeting": meta_file.next_meeting,
        "next_host": localized(meta_file.next_meeting.host, lang) if meta_file.next_meeting else "",
    }
    grid = {
        "quarters": [str(q) for q in snap.quarters],
        "rows": [
            {
                "id": r.organization,
                "name": names.get(r.organization, r.organization),
                "side": r.side,
                "cells": [c.state for c in r.cells],
            }
            for r in snap.grid
        ],
    }
    funding = [
        {
            "activity": s.activity.id,
            "mechanism": localized(f.mechanism, lang),
            "funder": f.funder,
            "amount": number(f.amount, lang),
            "currency": f.currency,
            "status": f.status,
        }
        for s in snap.activities
        for f in s.activity.funding
    ]
    annex = [
        {
            "area": localized(matrix.area_by_id[s.activity.area].value.title, lang)
            if s.activity.area in matrix.area_by_id
            else s.activity.area,
            "id": s.activity.id,
            "title": localized(s.activity.title, lang),
            "un": ", ".join(s.activity.leads.un),
            "oic": ", ".join(s.activity.leads.oic),
            "timeline": f"{s.activity.dates.planned_start} – {s.activity.dates.planned_end}",
            "source": ", ".join(str(p) for p in s.activity.source),
        }
        for s in snap.activities
    ]
    return ReportView(
        lang, snap.as_of, _generated(), meta, _summary(matrix, snap, lang), areas, slipping, grid, funding, annex
    )


def _mermaid_tag(s: ActivityState) -> str:
    if any(f.code == "overdue-activity" for f in s.findings):
        return "crit, "
    return {"closed": "done, ", "implementation": "active, ", "finalisation": "active, "}.get(s.status, "")


def environment(folder: Path):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "svg", "svg.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters.update(md=md_text, code=md_code, mermaid=mermaid_text, safe_url=safe_url, plain=str)
    env.globals.update(
        CELLS=CELLS,
        GANTT_WIDTH=GANTT_WIDTH,
        GANTT_LABEL=GANTT_LABEL,
        STATUS_WORDS=STATUS_WORDS,
    )
    return env


def render(view: ReportView, fmt: str, folder: Path | None = None) -> str:
    """The report as text in one format ('md' or 'html'), in the view's language."""
    return "".join(render_chunks(view, fmt, folder))


def render_chunks(view: ReportView, fmt: str, folder: Path | None = None) -> Iterator[str]:
    """The report as a stream of text, so a large one is written without being held whole."""
    env = environment(templates_dir(folder))
    env.install_gettext_translations(translations(view.lang), newstyle=True)
    env.filters.update(ldate=lambda d: long_date(d, view.lang))
    gettext = translations(view.lang).gettext
    # translated once: these are shown for every activity and every grid cell
    env.globals.update(
        STATUS_T={k: gettext(v) for k, v in STATUS_WORDS.items()}, CELL_T={k: gettext(c.word) for k, c in CELLS.items()}
    )
    rtl = view.lang in RTL
    template = env.get_template(FORMATS[fmt])
    buffer: list[str] = []
    size = 0
    for piece in template.generate(r=view, rtl=rtl, dir="rtl" if rtl else "ltr"):
        buffer.append(piece)
        size += len(piece)
        if size > 1 << 20:  # hand over ~1 MB at a time: few writes, little held
            yield "".join(buffer)
            buffer, size = [], 0
    yield "".join(buffer)
