"""The Progress and Evaluation Report (¶53) as data: a typed view of the snapshot.

This module computes everything the report shows (figures, bar positions, rows) so that
templates stay presentation only and users can restyle them (`render.py`, `--templates`).
Every value a template reads is a field of a dataclass or NamedTuple here, checked by mypy.
Output depends only on the Matrix and `as_of` (and SOURCE_DATE_EPOCH when set).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple, overload

from .atomic import read_regular
from .catalogue import RULES, slipping
from .dates import FlexDate, Quarter, quarters
from .health import ON_TRACK, RATINGS, WORDS, Health, HealthReport, late_items, overdue, rate
from .i18n import (
    EN,
    N_,
    STATUS_WORDS,
    Language,
    LText,
    country_name,
    language,
    localized,
    long_date,
    number,
    quarter_text,
    translations,
    when,
)
from .load import Matrix
from .markup import mermaid_text, safe_url
from .notice import PROVENANCE_WORDS, field_marks
from .problem import Problem, Severity, printable, sort_problems
from .records import Adoption, Dates, Meeting, Span
from .slippage import SlipRow
from .state import ActivityState
from .timeline import Snapshot, snapshot
from .vocab import FUNDING_STATUSES, SIDES, STATUSES

SECURED = ("committed", "disbursed")
SLIPPING = slipping()
GANTT_WIDTH, GANTT_LABEL, GANTT_ROW = 720, 70, 22

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
    due: FlexDate
    done: date | None
    overdue: bool


@dataclass
class IndicatorRow:
    title: LText
    unit: LText
    baseline: float | None
    target: float | None
    actual: float | None
    achieved: str | None  # share of the way from baseline to target, in words of the language


class DeliverableRow(NamedTuple):
    title: LText
    due: FlexDate | None


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
    countries: list[str]  # their names in the report's language
    dates: Dates
    milestones: list[MilestoneRow]
    deliverables: list[DeliverableRow]
    indicators: list[IndicatorRow]
    narrative: LText | str
    obstacles: LText | str
    next_steps: LText | str
    last_update: date | None
    reported_by: str | None
    labels: list[str]  # the findings, in words
    links: list[LinkRow]
    health: Rated | None  # None: closed or cancelled
    provenance: str  # confirmed | provisional | illustrative
    marked: bool  # its provenance differs from the document's notice: the only case a † tells something
    not_stated: list[str]  # which fields the final document does not state, in words (notice.field_marks)


class Cards(Sequence[ActivityCard]):
    """An area's activity cards, made as they are read: a report of 20,000 activities never
    holds 20,000 cards at once (the template writes one and lets it go)."""

    def __init__(self, states: list[ActivityState], card: Callable[[ActivityState], ActivityCard]):
        self.states, self.card = states, card

    def __len__(self) -> int:
        return len(self.states)

    def __iter__(self) -> Iterator[ActivityCard]:
        return map(self.card, self.states)

    @overload
    def __getitem__(self, index: int) -> ActivityCard: ...

    @overload
    def __getitem__(self, index: slice) -> list[ActivityCard]: ...

    def __getitem__(self, index: int | slice) -> ActivityCard | list[ActivityCard]:
        if isinstance(index, slice):
            return [self.card(s) for s in self.states[index]]
        return self.card(self.states[index])


@dataclass
class AreaSection:
    id: str
    title: LText
    paragraphs: list[int]
    activities: Sequence[ActivityCard]
    gantt: Gantt
    mermaid: list[MermaidTask]
    health: Rated


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
    rate: int | None  # percent submitted (on time, late or incomplete) of those owed
    incomplete: int = 0  # submitted, but leaving out an activity under way it must report on


@dataclass
class FundingTotal:
    currency: str
    sought: str
    pledged: str
    committed: str
    disbursed: str
    secured: str
    total: str
    gap: str  # the requirement (every line: sought, pledged, committed, disbursed) less what is secured


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
    by_role: dict[str, Compliance] = field(default_factory=dict)  # 'lead' and 'partner' (owing.Duties.role)


@dataclass
class GridRow:
    id: str
    name: LText | str
    side: str
    cells: list[str]


@dataclass
class Grid:
    quarters: list[str]  # in words of the report's language
    rows: list[GridRow]
    periods: list[str]  # the same quarters as written in the Matrix (2014-Q3), for machines


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
class Rated:
    """A rating as the report shows it: symbol and words (never colour alone), and why."""

    rating: str  # on-track | at-risk | off-track, also the CSS class
    symbol: str
    words: str
    reasons: list[str]
    gaps: list[str] = field(default_factory=list)  # evidence gaps, beside the rating


@dataclass
class LateItem:
    """One late thing, as a delegate reads it: what, whose, due when, how late."""

    activity: str
    title: LText
    un: str
    oic: str
    what: str
    due: str
    days: int | None  # None: not a date that passed (progress behind time)


@dataclass
class Institution:
    id: str
    name: LText | str
    side: str
    leads: list[str]
    partners: list[str]
    health: Rated
    on_time: int
    late: int
    missing: int
    owes: list[str]  # quarters whose report is missing, in words
    ref: str  # the id in organizations.yaml (the site names its page after it)
    incomplete: int = 0  # reports filed that leave out an activity under way it must report on


@dataclass
class AreaFunding:
    area: LText
    totals: list[FundingTotal]
    unfunded: list[str]  # activity ids without any funding entry


@dataclass
class Benchmarks:
    measured: int  # activities with at least one indicator
    reported: int  # ... of which an actual value has been reported
    total: int
    without: list[tuple[str, LText]]  # activities without an indicator: id, title


@dataclass
class Decision:
    activity: str
    title: LText
    proposal: str  # close / extend or re-plan / start or drop, in words
    why: str


@dataclass
class DecisionGroup:
    """The draft decisions of one kind, in words: what the meeting is asked to do, and on what."""

    kind: str  # close | re-plan | start | fund | indicators | report
    words: str  # the proposed decision, as a sentence
    items: list[tuple[str, str, str]]  # (id, title or name, why)
    inline: bool = False  # a long list named elsewhere with titles (funding, benchmarks): codes only


@dataclass
class LateGroup:
    """One activity's late items, listed once under it."""

    activity: str
    title: LText
    un: str
    oic: str
    items: list[LateItem]


@dataclass
class Changes:
    """What moved between two snapshots of the same plan: the previous report (or general
    meeting) and this one."""

    since: date
    started: list[tuple[str, LText]]
    closed: list[tuple[str, LText]]
    progress: list[tuple[str, LText, str, str]]  # id, title, progress then, progress now
    milestones: list[tuple[str, LText, date]]  # activity id, milestone title, day it was met
    slipped: list[tuple[str, str]]  # activity id, what fell late since


@dataclass
class Analysis:
    """The focal points' analysis (¶53): blocks of escaped text, or None with where to write it."""

    blocks: list[tuple[str, str]] | None  # (kind: heading | item | paragraph, text)
    expected: str  # the file it is read from


@dataclass
class Notice:
    status: str  # confirmed | provisional | illustrative
    words: str  # translated status
    note: LText | str


@dataclass
class ReportView:
    lang: Language
    as_of: date
    generated: str | None
    meta: Meta
    summary: Summary
    areas: list[AreaSection]
    problems: list[Problem]
    grid: Grid
    funding: list[FundingRow]
    annex: list[AnnexRow]
    late: list[LateItem]
    institutions: list[Institution]
    funding_by_area: list[AreaFunding]
    benchmarks: Benchmarks
    decisions: list[Decision]
    notice: Notice
    health_counts: list[tuple[Rated, int]]
    gap_counts: list[tuple[str, int]] = field(default_factory=list)  # evidence gaps, in words, beside
    symbol: str = ""  # the document symbol, as UN documents carry one
    sentences: list[str] = field(default_factory=list)  # the executive summary, in words
    decision_groups: list[DecisionGroup] = field(default_factory=list)
    late_groups: list[LateGroup] = field(default_factory=list)
    abbreviations: list[tuple[str, str]] = field(default_factory=list)  # (as shown, full name)
    changes: Changes | None = None  # since the previous report or general meeting
    marked: bool = False  # some records are marked †: their provenance differs from the notice's
    analysis: Analysis | None = None  # set by the command line, which reads the file
    slippage: list[SlipRow] | None = None  # only with `report --history`
    errors: list[str] = field(default_factory=list)  # validity errors, said up front: what failed is missing

    @property
    def draft(self) -> bool:
        """A draft until the focal points' analysis (¶53) is written: every page says so."""
        return not (self.analysis and self.analysis.blocks)


def _scale(start: date, end: date):
    span = max(1, (end - start).days)
    return lambda d: GANTT_LABEL + round(GANTT_WIDTH * (min(max(d, start), end) - start).days / span, 1)


def gantt(states: list[ActivityState], start: date, end: date, as_of: date, lang: Language) -> Gantt:
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


def _rated(health: Health, gettext: Callable[[str], str], lang: Language = EN) -> Rated:
    def said(r):
        return r.text(lang)

    words = gettext(WORDS[health.rating])
    return Rated(health.rating, health.symbol, words, [said(r) for r in health.reasons], [said(g) for g in health.gaps])


def _activity(
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
        health=_rated(health, gettext, lang) if health else None,
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


def document_symbol(as_of: date) -> str:
    """The report's document symbol: the joint body, the series (Progress and Evaluation Report)
    and the as-of date (year, then month and day, not an ISO date that right-to-left text could
    reorder), so two reports never share one: UN-OIC/PER/2016/0331."""
    return f"UN-OIC/PER/{as_of.year}/{as_of.month:02d}{as_of.day:02d}"


def _summary(snap: Snapshot, lang: Language) -> Summary:
    states = snap.activities
    codes = Counter(f.code for f in snap.findings)
    due = [(s, m) for s in states for m in s.activity.milestones if m.due.end < snap.as_of]
    compliance = {
        side: _compliance(Counter(c.state for row in snap.grid if row.side == side for c in row.cells if c.owed))
        for side in ("un", "oic")
    }
    by_role = {
        role: _compliance(Counter(c.state for row in snap.grid for c in row.cells if c.role == role))
        for role in ("lead", "partner")
    }
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
        funding=_totals(funding, lang),
        by_role=by_role,
    )


def _compliance(cells: Counter[str]) -> Compliance:
    """On time, late, incomplete and missing apart, of the reports owed and past due."""
    filed = cells["submitted"] + cells["late"] + cells["incomplete"]
    owed = filed + cells["missing"]
    rate = round(100 * filed / owed) if owed else None
    return Compliance(owed, cells["submitted"], cells["late"], cells["missing"], rate, cells["incomplete"])


def _totals(sums: dict[str, defaultdict[str, float]], lang: Language) -> list[FundingTotal]:
    return [
        FundingTotal(
            currency=cur,
            sought=number(v["sought"], lang),
            pledged=number(v["pledged"], lang),
            committed=number(v["committed"], lang),
            disbursed=number(v["disbursed"], lang),
            secured=number(sum(v[k] for k in SECURED), lang),
            total=number(sum(v[k] for k in FUNDING_STATUSES), lang),
            gap=number(sum(v[k] for k in FUNDING_STATUSES) - sum(v[k] for k in SECURED), lang),
        )
        for cur, v in sorted(sums.items())
    ]


def _generated() -> str | None:
    """A generation date only when SOURCE_DATE_EPOCH asks for one: reproducible by default."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_report(
    matrix: Matrix,
    snap: Snapshot,
    lang: Language = EN,
    analysis_root: Path | None = None,
    problems: Iterable[Problem] = (),
    since: date | None = None,
) -> ReportView:
    """The report's view of a Matrix that has a valid matrix.yaml (the command line checks).
    The focal points' analysis is read from `analysis_root` (default: the Matrix's folder);
    the validity errors among `problems` are listed at the top, since what failed is left out.
    What changed is told since `since` (default: the general meeting that adopted the Matrix),
    against the same plan: the state of the records as of that day."""
    lang = language(lang)  # a code given by a caller of the core API becomes the one Language
    assert matrix.meta is not None
    meta_file = matrix.meta.value
    names = {o.value.id: localized(o.value.name, lang) for o in matrix.organizations}
    shown = acronyms(matrix, lang)
    gettext = translations(lang).gettext
    health = rate(snap, [a.value.id for a in matrix.areas])
    provenance = meta_file.provenance.status
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
                    Cards(
                        states,
                        lambda s: _activity(
                            s, names, snap.as_of, lang, health.activities.get(s.activity.id), provenance, shown
                        ),
                    ),
                    gantt(states, span_start, span_end, snap.as_of, lang),
                    [_mermaid_task(s, lang) for s in states],
                    _rated(health.areas.get(area.value.id) or Health(ON_TRACK), gettext, lang),
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
            FocalPoint(
                side,
                shown.get(fp.organization, fp.organization),
                names.get(fp.organization, fp.organization),
                localized(fp.title, lang),
            )
            for side, fp in (("un", meta_file.focal_points.un), ("oic", meta_file.focal_points.oic))
        ],
        next_meeting=meta_file.next_meeting,
        next_host=localized(meta_file.next_meeting.host, lang) if meta_file.next_meeting else "",
    )
    grid = Grid(
        [quarter_text(q.year, q.number, lang) for q in snap.quarters],
        [
            GridRow(
                shown.get(r.organization, r.organization),
                names.get(r.organization, r.organization),
                r.side,
                [c.state for c in r.cells],
            )
            for r in snap.grid
        ],
        [str(q) for q in snap.quarters],
    )
    funding = [
        FundingRow(
            s.activity.id,
            localized(f.mechanism, lang),
            str(names.get(f.funder, f.funder)),
            number(f.amount, lang),
            f.currency,
            f.status,
        )
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
            un=_leads(s, "un", shown, gettext(", ")),
            oic=_leads(s, "oic", shown, gettext(", ")),
            timeline=f"{when(s.activity.dates.planned_start, lang)} – {when(s.activity.dates.planned_end, lang)}",
            source=gettext(", ").join(str(p) for p in s.activity.source),
        )
        for s in snap.activities
    ]
    order = {s.activity.id: i for i, s in enumerate(_document_order(matrix, snap))}
    annex.sort(key=lambda row: order[row.id])
    counts = health.counts()
    summary = _summary(snap, lang)
    late = _late(snap, lang, shown)
    institutions = _institutions(matrix, snap, health, names, lang, shown)
    decisions = _decisions(snap, lang)
    start = since or meta_file.adopted.date
    changes = changes_since(snapshot(matrix, start), snap, lang) if start < snap.as_of else None
    return ReportView(
        lang,
        snap.as_of,
        _generated(),
        meta,
        summary,
        areas,
        slipping,
        grid,
        funding,
        annex,
        late=late,
        institutions=institutions,
        funding_by_area=_funding_by_area(matrix, snap, lang),
        benchmarks=_benchmarks(snap, lang),
        decisions=decisions,
        notice=Notice(provenance, gettext(PROVENANCE_WORDS[provenance]), localized(meta_file.provenance.note, lang)),
        health_counts=[(_rated(Health(r), gettext), counts[r]) for r in RATINGS],
        gap_counts=[(gettext(message), n) for message, n in health.gap_counts().items()],
        symbol=document_symbol(snap.as_of),
        sentences=summary_sentences(summary, counts, late, institutions, lang, snap.as_of)
        + ([changes_sentence(changes, lang)] if changes else []),
        changes=changes,
        decision_groups=decision_groups(snap, decisions, institutions, lang),
        late_groups=late_groups(late),
        abbreviations=sorted(
            {(shown.get(o, o), str(n)) for o, n in names.items() if shown.get(o, o) != str(n)},
            key=lambda pair: pair[0].casefold(),
        ),
        marked=any(record_provenance(s, provenance) not in (provenance, "confirmed") for s in snap.activities),
        analysis=read_analysis(analysis_root or matrix.root, snap.as_of, lang),
        errors=error_lines(problems, lang),
    )


def error_lines(problems: Iterable[Problem], lang: Language = EN) -> list[str]:
    """The validity errors as `file:line:col: message` lines, in file order, each message in the
    report's language where its check wrote it for translation (negative-value)."""
    gettext = translations(lang).gettext
    return [
        f"{p.location}: {printable(p.said(gettext, lambda d: when(d, lang)))}"
        for p in sort_problems(p for p in problems if p.severity >= Severity.ERROR)
    ]


def _document_order(matrix: Matrix, snap: Snapshot) -> list[ActivityState]:
    """Activities as the final document lists them: area by area in areas.yaml's order, then by
    the first paragraph each cites, then by id."""
    area_rank = {a.value.id: i for i, a in enumerate(matrix.areas)}
    return sorted(
        snap.activities,
        key=lambda s: (area_rank.get(s.activity.area, len(area_rank)), min(s.activity.source), s.activity.id),
    )


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


def _leads(s: ActivityState, side: str, shown: dict[str, str], comma: str = ", ") -> str:
    return comma.join(shown.get(o, o) for o in getattr(s.activity.leads, side))


def _late(snap: Snapshot, lang: Language, shown: dict[str, str]) -> list[LateItem]:
    """Every overdue planned end and milestone (health.late_items), and every activity behind
    time: most late first."""
    gettext = translations(lang).gettext
    comma = gettext(", ")

    def item(s: ActivityState, what: str, due: str, days: int | None) -> LateItem:
        title = localized(s.activity.title, lang)
        return LateItem(
            s.activity.id, title, _leads(s, "un", shown, comma), _leads(s, "oic", shown, comma), what, due, days
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


def _institutions(
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
        rated = _rated(health.institutions.get(org) or Health(ON_TRACK), gettext, lang)
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


def _funding_by_area(matrix: Matrix, snap: Snapshot, lang: Language) -> list[AreaFunding]:
    """Per area: money sought, pledged, committed and disbursed, and the activities with none (¶54)."""
    out = []
    for area in matrix.areas:
        states = [s for s in snap.activities if s.activity.area == area.value.id]
        if not states:
            continue
        sums: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        for s in states:
            for f in s.activity.funding:
                sums[f.currency][f.status] += f.amount
        unfunded = [s.activity.id for s in states if not s.activity.funding]
        out.append(AreaFunding(localized(area.value.title, lang), _totals(sums, lang), unfunded))
    return out


def _benchmarks(snap: Snapshot, lang: Language) -> Benchmarks:
    """How many activities can be benchmarked (¶54): with an indicator, and with a value reported."""
    measured = [s for s in snap.activities if s.activity.indicators]
    return Benchmarks(
        len(measured),
        sum(1 for s in measured if s.indicators),
        len(snap.activities),
        [(s.activity.id, localized(s.activity.title, lang)) for s in snap.activities if not s.activity.indicators],
    )


def _decisions(snap: Snapshot, lang: Language) -> list[Decision]:
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


def _mermaid_task(s: ActivityState, lang: Language) -> MermaidTask:
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


ANALYSIS_LIMIT = 256 * 1024  # bytes: a few pages of prose


def read_analysis(root: Path, as_of: date, lang: Language) -> Analysis:
    """The focal points' analysis for this report: `analysis/<as-of>.<lang>.md`, else
    `analysis/<as-of>.md`, inside the Matrix.  Read as text and shown as text: headings (`#`),
    items (`-`, `*`) and paragraphs, every character escaped by the templates; a link in it stays
    words.  A file that is a link, leaves the Matrix, is not UTF-8 or is too long is not read."""
    folder = root / "analysis"
    expected = f"{root.name}/analysis/{as_of.isoformat()}.md"
    real_root = root.resolve()
    for name in (f"{as_of.isoformat()}.{lang}.md", f"{as_of.isoformat()}.md"):
        path = folder / name
        if not path.resolve().is_relative_to(real_root):
            continue
        data = read_regular(path, ANALYSIS_LIMIT)
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return Analysis(analysis_blocks(text), expected)
    return Analysis(None, expected)


def analysis_blocks(text: str) -> list[tuple[str, str]]:
    """Markdown-ish text as (heading | item | paragraph, text) blocks; the text is plain.

    >>> analysis_blocks("# Lessons\\n\\nReports came late.\\nMost were short.\\n\\n- Ask earlier\\n")
    [('heading', 'Lessons'), ('paragraph', 'Reports came late. Most were short.'), ('item', 'Ask earlier')]
    """
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = printable(raw.strip())
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            blocks.append(("heading", line.lstrip("#").strip()))
        elif line[:2] in ("- ", "* "):
            flush()
            blocks.append(("item", line[2:].strip()))
        else:
            paragraph.append(line)
    flush()
    return blocks


def summary_sentences(
    summary: Summary,
    counts: dict[str, int],
    late: list[LateItem],
    institutions: list[Institution],
    lang: Language,
    as_of: date,
) -> list[str]:
    """The executive summary as a few sentences, each of one fact the meeting needs: where the
    cooperation stands, milestones, who owes reports, what is late.  Counts agree with their
    nouns in every language (ngettext: CLDR plural forms, six in Arabic)."""
    t = translations(lang)
    by_status = dict(summary.by_status)
    closed = by_status.get("closed", 0)
    out = [
        t.ngettext(
            "The Matrix holds %(num)d joint activity: %(closed)d closed, %(on)d on track, %(risk)d at risk"
            " and %(off)d off track.",
            "The Matrix holds %(num)d joint activities: %(closed)d closed, %(on)d on track, %(risk)d at risk"
            " and %(off)d off track.",
            summary.activities,
        )
        % {
            "num": summary.activities,
            "closed": closed,
            "on": counts["on-track"],
            "risk": counts["at-risk"],
            "off": counts["off-track"],
        }
    ]
    if summary.milestones_due:
        out.append(
            t.ngettext(
                "%(met)d of the %(num)d milestone due by %(date)s was met.",
                "%(met)d of the %(num)d milestones due by %(date)s were met.",
                summary.milestones_due,
            )
            % {"met": summary.milestones_met, "num": summary.milestones_due, "date": long_date(as_of, lang)}
        )
    # by acronym, as written throughout and spelled out in the abbreviations; in Arabic, where most
    # acronyms are Latin letters, by name
    owing = [str(o.name) if lang.rtl else o.id for o in institutions if o.owes]
    if owing:
        out.append(
            t.ngettext(
                "%(num)d institution still owes quarterly reports: %(names)s.",
                "%(num)d institutions still owe quarterly reports: %(names)s.",
                len(owing),
            )
            % {"num": len(owing), "names": lang.list(owing) if lang.rtl else t.gettext(", ").join(owing)}
        )
    rates = {side: c.rate for side, c in summary.compliance.items() if c.rate is not None}
    if len(rates) == 2:
        out.append(t.gettext("The UN side submitted %(un)s%% of the reports it owed, the OIC side %(oic)s%%.") % rates)
    ends = sorted({i.activity for i in late if i.what == t.gettext("the activity's planned end")})
    if ends:
        worst = max((i for i in late if i.days is not None), key=lambda i: i.days or 0)
        days = worst.days or 0
        out.append(
            t.ngettext(
                "%(num)d activity is past its planned end and not closed; the most late item is %(id)s, %(delay)s.",
                "%(num)d activities are past their planned end and not closed; the most late item is %(id)s,"
                " %(delay)s.",
                len(ends),
            )
            % {
                "num": len(ends),
                "id": worst.activity,
                "delay": t.ngettext("%(num)d day late", "%(num)d days late", days) % {"num": days},
            }
        )
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


def late_groups(late: list[LateItem]) -> list[LateGroup]:
    """The late items under their activity, each activity once, the most late first."""
    groups: dict[str, LateGroup] = {}
    for item in late:
        group = groups.get(item.activity)
        if group is None:
            group = groups[item.activity] = LateGroup(item.activity, item.title, item.un, item.oic, [])
        group.items.append(item)
    return list(groups.values())


def changes_since(then: Snapshot, now: Snapshot, lang: Language) -> Changes:
    """Activities started and closed, progress moved, milestones met and items fallen late
    between `then` and `now` (two snapshots of one Matrix)."""
    before = {s.activity.id: s for s in then.activities}
    was_late = {(i.state.activity.id, i.milestone.id if i.milestone else "") for i in late_items(then)}
    gettext = translations(lang).gettext
    changes = Changes(then.as_of, [], [], [], [], [])
    for s in now.activities:
        old, title = before.get(s.activity.id), localized(s.activity.title, lang)
        if old is None:
            continue
        began = s.activity.dates.actual_start
        if (old.status == "pipeline" and s.status not in ("pipeline", "cancelled")) or (
            began is not None and then.as_of < began.start <= now.as_of
        ):
            changes.started.append((s.activity.id, title))
        if not old.ended and s.status == "closed":
            changes.closed.append((s.activity.id, title))
        if (s.progress or 0) != (old.progress or 0):
            changes.progress.append((s.activity.id, title, f"{old.progress or 0:g}", f"{s.progress or 0:g}"))
        for m in s.activity.milestones:
            done = s.milestones_done.get(m.id)
            if done is not None and m.id not in old.milestones_done:
                changes.milestones.append((s.activity.id, localized(m.title, lang), done))
    for late in late_items(now):
        m = late.milestone
        if (late.state.activity.id, m.id if m else "") not in was_late:
            what = (
                gettext("milestone %(id)s: %(title)s") % {"id": m.id, "title": localized(m.title, lang)}
                if m
                else gettext("the activity's planned end")
            )
            changes.slipped.append((late.state.activity.id, what))
    changes.slipped.sort()
    return changes


def changes_sentence(c: Changes, lang: Language) -> str:
    """What changed, in one sentence of the executive summary (counts as figures after their
    label, so no noun has to agree with them)."""
    return translations(lang).gettext(
        "Since %(date)s: activities started, %(started)d; closed, %(closed)d; progress reported moved for"
        " %(moved)d; milestones met, %(met)d; items fallen late, %(late)d."
    ) % {
        "date": long_date(c.since, lang),
        "started": len(c.started),
        "closed": len(c.closed),
        "moved": len(c.progress),
        "met": len(c.milestones),
        "late": len(c.slipped),
    }
