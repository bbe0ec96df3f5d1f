"""The Matrix's records: plain frozen dataclasses, what every command works with.

They are declared here without Pydantic, so that a run served from the cache (`codec`) never
imports it; `model` gives the same classes their validation at the input boundary: the names
in these annotations (Text, Day, OrgId, Field, ...) are the schema's, defined in `model.py`,
which resolves them when a file has to be validated.  The annotations are the schema: a field
added here is validated, cached and written in house order without another change.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from .vocab import FieldProvenance, FundingStatus, Lang, MarkableField, Provenance, Side, Status

if TYPE_CHECKING:
    from pydantic import AfterValidator, Field

    from .model import (
        ActivityId,
        AreaCode,
        AreaId,
        Country,
        Currency,
        Day,
        Email,
        ItemId,
        Number,
        OrgId,
        Paragraph,
        Percent,
        Period,
        Plain,
        PositiveInt,
        Prose,
        Text,
        When,
        _unique,
    )

# kw_only: fields stand in house order (the order `uncoop fmt` writes), required or not;
# slots: 28,000 files of records stay small
record = dataclass(frozen=True, kw_only=True, slots=True)


# --- matrix.yaml -------------------------------------------------------------


@record
class Adoption:
    date: Day
    place: Text
    source: Text


@record
class Span:
    start: Day
    end: Day


@record
class Reporting:
    cadence: Literal["quarterly"] = "quarterly"
    first_period: Period
    due_days: PositiveInt = 30
    # who owes a quarterly report (¶53): every participating institution plus every institution
    # involved in an activity (participants), only leads and partners (involved), or only leads
    owed_by: Literal["participants", "involved", "leads"] = "participants"


@record
class FocalPoint:
    organization: OrgId
    title: Text
    contact: Email | None = None  # the From of its reminders (`uncoop remind --format eml`)


@record
class FocalPoints:
    un: FocalPoint
    oic: FocalPoint


@record
class DataNotice:
    """How far the Matrix's data can be relied on: confirmed, provisional (reported, not yet
    checked by the focal points) or illustrative (made up to show the tool at work)."""

    status: Provenance = "confirmed"
    note: Prose | None = None


@record
class Meeting:
    host: Text
    year: Annotated[int, Field(strict=True, ge=1900, le=2200)] | None = None
    date: Day | None = None


@record
class Thresholds:
    due_soon_days: PositiveInt = 30
    stale_days: PositiveInt = 120
    off_track_points: Annotated[float, Field(strict=True, gt=0, le=100)] = 25.0
    # two reports on one activity for one quarter disagree when progress differs by more than this
    conflict_points: Annotated[float, Field(strict=True, gt=0, le=100)] = 20.0


@record
class Languages:
    default: Lang = "en"
    required: Annotated[list[Lang], AfterValidator(_unique)] = field(default_factory=list)


# the layout of the Matrix files this uncoop reads; a Matrix written for a later one says so
MATRIX_FORMAT = 1


@record
class MatrixFile:
    # the Matrix's file format: 1 (a Matrix written for a later uncoop is refused, never misread)
    format: Annotated[int, Field(strict=True, ge=1)] = MATRIX_FORMAT
    title: Text
    description: Prose | None = None
    adopted: Adoption
    period: Span
    reporting: Reporting
    focal_points: FocalPoints
    next_meeting: Meeting | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    languages: Languages = field(default_factory=Languages)
    # per finding code: off, info, warning or error instead of its default (see `uncoop rules`)
    rules: dict[
        Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")], Literal["off", "info", "warning", "error"]
    ] = field(default_factory=dict)
    # every report says this up front when it is not "confirmed"
    provenance: DataNotice = field(default_factory=DataNotice)


# --- organizations.yaml and areas.yaml ---------------------------------------

OrgKind = Literal[
    "secretariat",
    "department",
    "office",
    "fund",
    "programme",
    "specialized-agency",
    "related-organization",
    "research-institute",
    "subsidiary-organ",
    "inter-agency-body",
    "general-secretariat",
    "specialized-institution",
    "subsidiary-institution",
    "affiliated-institution",
    "standing-committee",
    "mission",
    "unit",
    "organ",
    "other",
]


@record
class Organization:
    id: OrgId
    name: Text
    side: Side
    kind: OrgKind
    # a participating institution of the general meeting (¶3-4): owes a report every quarter
    participant: Annotated[bool, Field(strict=True)] = False
    parent: OrgId | None = None
    # whose quarterly report covers its work: an organ or forum (kind organ or inter-agency-body)
    # never reports itself, its secretariat does (`parent` when this is not given); see owing.py
    reported_by: OrgId | None = None
    # `kind` or `reported_by` reasoned from the final document and general knowledge, not stated in it
    inferred: list[Literal["kind", "reported_by"]] = field(default_factory=list)
    acronym: Text | None = None
    url: Annotated[str, Field(strict=True, pattern=r"^https?://\S+$"), Plain] | None = None
    # its IATI organisation identifier (e.g. XM-DAC-41114), for `uncoop export iati`
    iati_ref: Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9]+(?:[-._][A-Za-z0-9]+)+$")] | None = None
    # where its reminders go: the To of `uncoop remind --format eml`
    contact: Email | None = None


@record
class OrganizationsFile:
    organizations: list[Organization]


@record
class Area:
    id: AreaId
    code: AreaCode
    title: Text
    paragraphs: Annotated[list[Paragraph], Field(min_length=1)]
    description: Prose | None = None
    # its OECD DAC CRS purpose code (5 digits), the sector of its activities in the IATI export
    sector: Annotated[str, Field(strict=True, pattern=r"^[0-9]{5}$")] | None = None


@record
class AreasFile:
    areas: list[Area]


# --- activities/<area>/<ID>.yaml ---------------------------------------------


@record
class Leads:
    un: Annotated[list[OrgId], Field(min_length=1), AfterValidator(_unique)]
    oic: Annotated[list[OrgId], Field(min_length=1), AfterValidator(_unique)]


@record
class Dates:
    planned_start: When
    planned_end: When
    actual_start: When | None = None
    actual_end: When | None = None


@record
class Milestone:
    id: ItemId
    title: Text
    due: When


@record
class Deliverable:
    id: ItemId
    title: Text
    due: When | None = None


@record
class Indicator:
    id: ItemId
    title: Text
    unit: Text
    baseline: Number = 0.0
    target: Number
    # a measure that can fall below zero (a net change, a balance): only then may the baseline,
    # the target or a reported value be negative (negative-value)
    allow_negative: Annotated[bool, Field(strict=True)] = False


@record
class Funding:
    mechanism: Text
    funder: OrgId
    amount: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
    currency: Currency
    status: FundingStatus


@record
class Link:
    title: Text
    url: Annotated[str, Field(strict=True, pattern=r"^(https?://|mailto:)\S+$"), Plain]


@record
class Activity:
    id: ActivityId
    title: Text
    area: AreaId
    description: Prose | None = None
    source: Annotated[list[Paragraph], Field(min_length=1)]
    leads: Leads
    partners: Annotated[list[OrgId], AfterValidator(_unique)] = field(default_factory=list)
    # where the work takes place, when the final document names it (ISO 3166-1 alpha-2)
    countries: Annotated[list[Country], AfterValidator(_unique)] = field(default_factory=list)
    # each field the source document does not state: `inferred` (reasoned from it) or
    # `illustrative` (made up); a field not named here is as the document states it
    field_provenance: dict[MarkableField, FieldProvenance] = field(default_factory=dict)
    status: Status
    dates: Dates
    milestones: list[Milestone] = field(default_factory=list)
    deliverables: list[Deliverable] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    provenance: Provenance | None = None  # None: as matrix.yaml's provenance says


# --- updates/<YYYY>-Q<n>/<ORG>.yaml ------------------------------------------


@record
class Entry:
    activity: ActivityId
    status: Status
    progress: Percent
    # why progress is lower than the previous report said (silences progress-regression)
    progress_note: Prose | None = None
    # a "no change since the last report" answer: the quarter of the report whose values it copies
    carried_over_from: Period | None = None
    milestones_done: dict[Annotated[str, Plain], Day] = field(default_factory=dict)
    indicators: dict[Annotated[str, Plain], Number] = field(default_factory=dict)
    narrative: Prose | None = None
    obstacles: Prose | None = None
    next_steps: Prose | None = None


@record
class Update:
    organization: OrgId
    period: Period
    submitted: Day
    entries: list[Entry] = field(default_factory=list)
    provenance: Provenance | None = None  # None: as matrix.yaml's provenance says


# the files that hold a list of records, by kind: (the list's key, the record class)
LIST_FILES = {"organizations": ("organizations", Organization), "areas": ("areas", Area)}

# one schema per kind of vocab.FILE_KINDS, same order
FILE_KINDS = {
    "matrix": MatrixFile,
    "organizations": OrganizationsFile,
    "areas": AreasFile,
    "activity": Activity,
    "update": Update,
}


# --- the records' shapes, read without Pydantic --------------------------------

# The schema's names as plain shapes: a value is text, a day, a month-or-quarter ("when") or a
# quarter ("period"); ids and numbers are what they hold.  The cache (`codec`) and the checks read
# fields through these, so a warm run never imports the schema.
TEXT, DAY, WHEN, PERIOD = "text", "day", "when", "period"
_SHAPES: dict[str, Any] = {
    **dict.fromkeys(("Text", "Prose"), Annotated[Any, TEXT]),
    "Plain": "constraint",
    "Day": Annotated[Any, DAY],
    "When": Annotated[Any, WHEN],
    "Period": Annotated[Any, PERIOD],
    **dict.fromkeys(("Number", "Percent"), float),
    **dict.fromkeys(("PositiveInt", "Paragraph"), int),
    **dict.fromkeys(("OrgId", "AreaId", "AreaCode", "ActivityId", "ItemId", "Currency", "Country", "Email"), str),
    "Field": lambda *args, **kwargs: "constraint",
    "AfterValidator": lambda *args, **kwargs: "constraint",
    "_unique": None,
}


@cache
def shapes(cls: type) -> dict[str, Any]:
    """Field name -> its type, the schema's names read as `_SHAPES`, in declaration order."""
    hints = typing.get_type_hints(cls, globalns={**globals(), **_SHAPES}, include_extras=True)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def shape_of(hint: Any) -> str | None:
    """TEXT, DAY, WHEN or PERIOD for a field type that is one of them (optional or not)."""
    for arg in typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, _UnionType) else (hint,):
        if typing.get_origin(arg) is Annotated:
            for meta in arg.__metadata__:
                if meta in (TEXT, DAY, WHEN, PERIOD):
                    return meta
    return None


_UnionType = type(int | None)


# Texts given only in the languages where they differ: an acronym is the id unless a language
# has its own (DAP for DPA in French), so no language is ever missing from it.
WHERE_DIFFERENT = frozenset({"acronym"})


def text_fields(model: type) -> list[tuple[str, bool]]:
    """(field name, holds records) for a record type: which fields are Text to translate, and
    which nest records.

    Used by the missing-translation check and the translation export to walk every text of a record.
    """
    found = []
    for name, hint in shapes(model).items():
        if shape_of(hint) == TEXT and name not in WHERE_DIFFERENT:
            found.append((name, False))
        elif dataclasses.is_dataclass(_inner(hint)):
            found.append((name, True))
    return found


def _inner(hint: Any) -> Any:
    """The type behind list[...] and X | None."""
    while typing.get_origin(hint) in (list, typing.Union, _UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            return hint
        hint = args[0]
    return hint
