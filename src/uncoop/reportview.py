"""The Progress and Evaluation Report (¶53) as data: a typed view of the snapshot.

This module computes everything the report shows (figures, bar positions, rows) so that
templates stay presentation only and users can restyle them (`render.py`, `--templates`).
Every value a template reads is a field of a dataclass or NamedTuple here, checked by mypy.
Output depends only on the Matrix and `as_of` (and SOURCE_DATE_EPOCH when set).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from .dates import Quarter, quarters
from .i18n import N_, LText, localized, number, translations
from .load import Matrix
from .markup import mermaid_text, safe_url
from .model import Adoption, Dates, Meeting, Span
from .problem import Problem
from .rules import slipping
from .slippage import SlipRow
from .timeline import ActivityState, Snapshot
from .vocab import FUNDING_STATUSES, STATUSES

SECURED = ("committed", "disbursed")
SLIPPING = slipping()
GANTT_WIDTH, GANTT_LABEL, GANTT_ROW = 720, 70, 22

# The extractor sees only literal N_("...") calls: each status word is spelt out once here.
STATUS_WORDS = dict(
    zip(
        STATUSES,
        (N_("pipeline"), N_("implementation"), N_("finalisation"), N_("closed"), N_("cancelled"), N_("suspended")),
        strict=True,
    )
)
N_("sought"), N_("pledged"), N_("committed"), N_("disbursed")  # funding statuses, shown translated


class Org(NamedTuple):
    id: str
    name: str


class Tick(NamedTuple):
    x: float
    label: str


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
    ticks: list[Tick]
    today: float | None


class MermaidTask(NamedTuple):
    id: str
    title: str
    tag: str
    start: date
    end: date


@dataclass
class MilestoneRow:
    id: str
    title: LText
    due: str
    done: date | None
    overdue: bool


@dataclass
class IndicatorRow:
    title: LText
    unit: LText
    baseline: float | None
    target: float | None
    actual: float | None


@dataclass
class LinkRow:
    title: LText
    url: str | None  # None: not a link uncoop will write (see markup.safe_url)


@dataclass
class Leads:
    un: list[Org]
    oic: list[Org]


@dataclass
class ActivityCard:
    id: str
    title: LText
    description: LText
    status: str
    progress: float | None
    source: list[int]
    leads: Leads
    partners: list[str]
    dates: Dates
    milestones: list[MilestoneRow]
    indicators: list[IndicatorRow]
    narrative: LText | str
    obstacles: LText | str
    next_steps: LText | str
    last_update: date | None
    reported_by: str | None
    findings: list[str]
    links: list[LinkRow]


@dataclass
class AreaSection:
    id: str
    title: LText
    paragraphs: list[int]
    activities: list[ActivityCard]
    gantt: Gantt
    mermaid: list[MermaidTask]


class FocalPoint(NamedTuple):
    side: str
    organization: str
    name: str
    title: LText


@dataclass
class Meta:
    title: LText
    description: LText
    adopted: Adoption
    place: LText
    source: LText
    period: Span
    focal_points: list[FocalPoint]
    next_meeting: Meeting | None
    next_host: LText | str


@dataclass
class Compliance:
    owed: int
    on_time: int
    late: int
    missing: int
    rate: int | None  # percent submitted (on time or late) of those owed


@dataclass
class FundingTotal:
    currency: str
    sought: str
    pledged: str
    committed: str
    disbursed: str
    secured: str
    total: str


class StatusCount(NamedTuple):
    status: str
    n: int


@dataclass
class Summary:
    activities: int
    by_status: list[StatusCount]
    overdue: int
    off_track: int
    on_time: int
    milestones_total: int
    milestones_due: int
    milestones_met: int
    compliance: dict[str, Compliance]
    funding: list[FundingTotal]


@dataclass
class GridRow:
    id: str
    name: LText | str
    side: str
    cells: list[str]


@dataclass
class Grid:
    quarters: list[str]
    rows: list[GridRow]


@dataclass
class FundingRow:
    activity: str
    mechanism: LText
    funder: str
    amount: str
    currency: str
    status: str


@dataclass
class AnnexRow:
    area: LText | str
    id: str
    title: LText
    un: str
    oic: str
    timeline: str
    source: str


@dataclass
class ReportView:
    lang: str
    as_of: date
    generated: str | None
    meta: Meta
    summary: Summary
    areas: list[AreaSection]
    problems: list[Problem]
    grid: Grid
    funding: list[FundingRow]
    annex: list[AnnexRow]
    slippage: list[SlipRow] | None = None  # only with `report --history`


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
        Tick(x(q.start), str(q.year) if q.number == 1 else f"Q{q.number}")
        for q in quarters(Quarter.of(start), Quarter.of(end))
        if start <= q.start <= end
    ]
    today = x(as_of) if start <= as_of <= end else None
    return Gantt(24 + len(states) * GANTT_ROW + 8, bars, ticks, today)


def _activity(s: ActivityState, names: dict[str, LText], as_of: date, lang: str) -> ActivityCard:
    act, entry = s.activity, s.latest.entry if s.latest else None
    return ActivityCard(
        id=act.id,
        title=localized(act.title, lang),
        description=localized(act.description, lang),
        status=s.status,
        progress=s.progress,
        source=act.source,
        leads=Leads(*([Org(o, names.get(o, o)) for o in getattr(act.leads, side)] for side in ("un", "oic"))),
        partners=act.partners,
        dates=act.dates,
        milestones=[
            MilestoneRow(
                m.id,
                localized(m.title, lang),
                m.due.text,
                s.milestones_done.get(m.id),
                m.id not in s.milestones_done and m.due.end < as_of and not s.ended,
            )
            for m in act.milestones
        ],
        indicators=[
            IndicatorRow(
                localized(i.title, lang), localized(i.unit, lang), i.baseline, i.target, s.indicators.get(i.id)
            )
            for i in act.indicators
        ],
        narrative=localized(entry.narrative, lang) if entry else "",
        obstacles=localized(entry.obstacles, lang) if entry else "",
        next_steps=localized(entry.next_steps, lang) if entry else "",
        last_update=s.last_update,
        reported_by=s.latest.update.value.organization if s.latest else None,
        findings=sorted({f.code for f in s.findings}),
        links=[LinkRow(localized(link.title, lang), safe_url(link.url)) for link in act.links],
    )


def _summary(snap: Snapshot, lang: str) -> Summary:
    states = snap.activities
    codes = Counter(f.code for f in snap.findings)
    due = [(s, m) for s in states for m in s.activity.milestones if m.due.end < snap.as_of]
    compliance = {}
    for side in ("un", "oic"):
        cells = Counter(c.state for row in snap.grid if row.side == side for c in row.cells)
        owed = cells["submitted"] + cells["late"] + cells["missing"]
        rate = round(100 * (cells["submitted"] + cells["late"]) / owed) if owed else None
        compliance[side] = Compliance(owed, cells["submitted"], cells["late"], cells["missing"], rate)
    funding: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in states:
        for f in s.activity.funding:
            funding[f.currency][f.status] += f.amount
    by_status = Counter(s.status for s in states)
    return Summary(
        activities=len(states),
        by_status=[StatusCount(status, by_status[status]) for status in STATUSES if by_status[status]],
        overdue=codes["overdue-activity"],
        off_track=codes["off-track"],
        on_time=sum(1 for s in states if not s.ended and not any(f.code in SLIPPING for f in s.findings)),
        milestones_total=sum(len(s.activity.milestones) for s in states),
        milestones_due=len(due),
        milestones_met=sum(1 for s, m in due if m.id in s.milestones_done),
        compliance=compliance,
        funding=[
            FundingTotal(
                currency=cur,
                sought=number(v["sought"], lang),
                pledged=number(v["pledged"], lang),
                committed=number(v["committed"], lang),
                disbursed=number(v["disbursed"], lang),
                secured=number(sum(v[k] for k in SECURED), lang),
                total=number(sum(v[k] for k in FUNDING_STATUSES), lang),
            )
            for cur, v in sorted(funding.items())
        ],
    )


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
                AreaSection(
                    area.value.id,
                    localized(area.value.title, lang),
                    area.value.paragraphs,
                    [_activity(s, names, snap.as_of, lang) for s in states],
                    gantt(states, span_start, span_end, snap.as_of, lang),
                    [_mermaid_task(s, lang) for s in states],
                )
            )
    slipping = sorted(
        (f for f in snap.findings if f.code in SLIPPING),
        key=lambda f: (f.message.split(" ", 1)[0], f.code, f.message),
    )
    meta = Meta(
        title=localized(meta_file.title, lang),
        description=localized(meta_file.description, lang),
        adopted=meta_file.adopted,
        place=localized(meta_file.adopted.place, lang),
        source=localized(meta_file.adopted.source, lang),
        period=meta_file.period,
        focal_points=[
            FocalPoint(side, fp.organization, names.get(fp.organization, fp.organization), localized(fp.title, lang))
            for side, fp in (("un", meta_file.focal_points.un), ("oic", meta_file.focal_points.oic))
        ],
        next_meeting=meta_file.next_meeting,
        next_host=localized(meta_file.next_meeting.host, lang) if meta_file.next_meeting else "",
    )
    grid = Grid(
        [str(q) for q in snap.quarters],
        [
            GridRow(r.organization, names.get(r.organization, r.organization), r.side, [c.state for c in r.cells])
            for r in snap.grid
        ],
    )
    funding = [
        FundingRow(s.activity.id, localized(f.mechanism, lang), f.funder, number(f.amount, lang), f.currency, f.status)
        for s in snap.activities
        for f in s.activity.funding
    ]
    annex = [
        AnnexRow(
            area=localized(matrix.area_by_id[s.activity.area].value.title, lang)
            if s.activity.area in matrix.area_by_id
            else s.activity.area,
            id=s.activity.id,
            title=localized(s.activity.title, lang),
            un=", ".join(s.activity.leads.un),
            oic=", ".join(s.activity.leads.oic),
            timeline=f"{s.activity.dates.planned_start} – {s.activity.dates.planned_end}",
            source=", ".join(str(p) for p in s.activity.source),
        )
        for s in snap.activities
    ]
    return ReportView(lang, snap.as_of, _generated(), meta, _summary(snap, lang), areas, slipping, grid, funding, annex)


def _mermaid_task(s: ActivityState, lang: str) -> MermaidTask:
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
