"""The report's typed view: every value a template reads is a field of a dataclass or
NamedTuple here, checked by mypy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, overload

from ..catalogue import slipping
from ..dates import FlexDate
from ..i18n import (
    N_,
    Language,
    LText,
)
from ..problem import Problem
from ..records import Adoption, Dates, Meeting, Span
from ..slippage import SlipRow
from ..state import ActivityState

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
