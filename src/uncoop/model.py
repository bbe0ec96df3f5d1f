"""The Matrix's input schema: Pydantic at the boundary, frozen dataclasses inside.

Every record type is a Pydantic *dataclass*: validated with `extra="forbid"`
(typos are errors) and strict types (`yes` is not 1, `.nan` is not a number),
then used everywhere else as a plain frozen dataclass.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from .dates import FlexDate, Quarter, parse_day
from .vocab import LANGS, FundingStatus, Lang, Provenance, Side, Status

# Strictness is per field: strict dataclasses would refuse the dicts we validate.
CONFIG = ConfigDict(
    extra="forbid", allow_inf_nan=False, defer_build=True
)  # built on first use: a warm cache never needs it
# kw_only: fields stand in house order (the order `uncoop fmt` writes), required or not
record = dataclass(config=CONFIG, frozen=True, kw_only=True, slots=True)  # slots: 28,000 files of records stay small


def _written(value: Any) -> Any:
    """A plain number keeps the text it was written as (see yamlsrc.IntText)."""
    return getattr(value, "text", value)


def _text(value: Any) -> str | dict[str, str]:
    value = _written(value)
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("text is empty")
        return value
    if isinstance(value, dict) and value:
        for lang, text in value.items():
            if lang not in LANGS:
                raise ValueError(f"unknown language '{lang}'; use one of {', '.join(LANGS)}")
            if not isinstance(_written(text), str) or not _written(text).strip():
                raise ValueError(f"the '{lang}' text must be a non-empty string")
        return {lang: _written(text) for lang, text in value.items()}
    raise ValueError("expected text, or a map of language to text like {en: ..., fr: ..., ar: ...}")


_TEXT_SCHEMA = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {lang: {"type": "string", "minLength": 1} for lang in LANGS},
        },
    ]
}
Text = Annotated[Any, PlainValidator(_text), WithJsonSchema(_TEXT_SCHEMA)]


def _ident(pattern: str, what: str, example: str) -> PlainValidator:
    regex = re.compile(pattern)

    def check(value: Any) -> str:
        value = _written(value)
        if not isinstance(value, str):
            raise PydanticCustomError("invalid_id", f"{what} must be text like '{example}'")
        if not regex.fullmatch(value):
            raise PydanticCustomError("invalid_id", f"'{value}' is not a valid {what}; write it like '{example}'")
        return value

    return PlainValidator(check)


def _pattern(pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": f"^{pattern}$"})


_ORG, _AREA, _CODE = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", r"[A-Z]{2,5}"
_ACTIVITY, _ITEM, _CURRENCY = r"[A-Z]{2,5}-[0-9]{2,4}", r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*", r"[A-Z]{3}"
OrgId = Annotated[str, _ident(_ORG, "organization id", "OCHA"), _pattern(_ORG)]
AreaId = Annotated[str, _ident(_AREA, "area id", "humanitarian"), _pattern(_AREA)]
AreaCode = Annotated[str, _ident(_CODE, "area code", "HUM"), _pattern(_CODE)]
ActivityId = Annotated[str, _ident(_ACTIVITY, "activity id", "HUM-01"), _pattern(_ACTIVITY)]
ItemId = Annotated[str, _ident(_ITEM, "id", "M1"), _pattern(_ITEM)]
Currency = Annotated[str, _ident(_CURRENCY, "ISO 4217 currency code", "USD"), _pattern(_CURRENCY)]


def _schema_string(pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern})


def _dated(parse, kind: type, example: str):
    """A validator that raises `invalid_date` so the loader can code it."""

    def check(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if not isinstance(value, (str, date)):
            raise PydanticCustomError("invalid_date", f"expected a date like {example}")
        try:
            return parse(value)
        except ValueError as exc:
            raise PydanticCustomError("invalid_date", str(exc)) from None

    return check


_flex = _dated(FlexDate.parse, FlexDate, "2015-06-30, 2015-06 or 2015-Q2")
_day = _dated(parse_day, date, "2015-06-30")
_quarter = _dated(Quarter.parse, Quarter, "2015-Q1")


When = Annotated[Any, PlainValidator(_flex), _schema_string(r"^\d{4}-(\d{2}(-\d{2})?|Q[1-4])$")]
Day = Annotated[Any, PlainValidator(_day), _schema_string(r"^\d{4}-\d{2}-\d{2}$")]
Period = Annotated[Any, PlainValidator(_quarter), _schema_string(r"^\d{4}-Q[1-4]$")]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Percent = Annotated[float, Field(strict=True, ge=0, le=100)]
PositiveInt = Annotated[int, Field(strict=True, ge=1, le=3650)]
Paragraph = Annotated[int, Field(strict=True, ge=1, le=999)]


def _unique(items: list) -> list:
    seen = set()
    for item in items:
        if item in seen:
            raise ValueError(f"'{item}' is listed twice")
        seen.add(item)
    return items


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


OWED_BY = ("participants", "involved", "leads")


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


@record
class FocalPoints:
    un: FocalPoint
    oic: FocalPoint


@record
class DataNotice:
    """How far the Matrix's data can be relied on: confirmed, provisional (reported, not yet
    checked by the focal points) or illustrative (made up to show the tool at work)."""

    status: Provenance = "confirmed"
    note: Text | None = None


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
    required: Annotated[list[Lang], AfterValidator(_unique)] = Field(default_factory=list)


@record
class MatrixFile:
    title: Text
    description: Text | None = None
    adopted: Adoption
    period: Span
    reporting: Reporting
    focal_points: FocalPoints
    next_meeting: Meeting | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    languages: Languages = Field(default_factory=Languages)
    # per finding code: off, info, warning or error instead of its default (see `uncoop rules`)
    rules: dict[
        Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")], Literal["off", "info", "warning", "error"]
    ] = Field(default_factory=dict)
    # every report says this up front when it is not "confirmed"
    provenance: DataNotice = Field(default_factory=DataNotice)


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
    acronym: Text | None = None
    url: Annotated[str, Field(strict=True, pattern=r"^https?://\S+$")] | None = None
    # its IATI organisation identifier (e.g. XM-DAC-41114), for `uncoop export iati`
    iati_ref: Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9]+(?:[-._][A-Za-z0-9]+)+$")] | None = None


@record
class OrganizationsFile:
    organizations: list[Organization]


@record
class Area:
    id: AreaId
    code: AreaCode
    title: Text
    paragraphs: Annotated[list[Paragraph], Field(min_length=1)]
    description: Text | None = None
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
    url: Annotated[str, Field(strict=True, pattern=r"^(https?://|mailto:)\S+$")]


@record
class Activity:
    id: ActivityId
    title: Text
    area: AreaId
    description: Text | None = None
    source: Annotated[list[Paragraph], Field(min_length=1)]
    leads: Leads
    partners: Annotated[list[OrgId], AfterValidator(_unique)] = Field(default_factory=list)
    status: Status
    dates: Dates
    milestones: list[Milestone] = Field(default_factory=list)
    deliverables: list[Deliverable] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    funding: list[Funding] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    provenance: Provenance | None = None  # None: as matrix.yaml's provenance says


# --- updates/<YYYY>-Q<n>/<ORG>.yaml ------------------------------------------


@record
class Entry:
    activity: ActivityId
    status: Status
    progress: Percent
    # why progress is lower than the previous report said (silences progress-regression)
    progress_note: Text | None = None
    milestones_done: dict[str, Day] = Field(default_factory=dict)
    indicators: dict[str, Number] = Field(default_factory=dict)
    narrative: Text | None = None
    obstacles: Text | None = None
    next_steps: Text | None = None


@record
class Update:
    organization: OrgId
    period: Period
    submitted: Day
    entries: list[Entry] = Field(default_factory=list)
    provenance: Provenance | None = None  # None: as matrix.yaml's provenance says


# one schema per kind of vocab.FILE_KINDS, same order
FILE_KINDS = {
    "matrix": MatrixFile,
    "organizations": OrganizationsFile,
    "areas": AreasFile,
    "activity": Activity,
    "update": Update,
}


def text_fields(model: type) -> list[tuple[str, bool]]:
    """(field name, holds records) for a record type: which fields are Text, and which nest records.

    Used by the missing-translation check to walk every text of a record.
    """
    import dataclasses
    import typing

    found = []
    for name, hint in typing.get_type_hints(model, include_extras=True).items():
        if _is_text(hint):
            found.append((name, False))
        elif dataclasses.is_dataclass(record_type(hint)):
            found.append((name, True))
    return found


def _is_text(hint: Any) -> bool:
    import typing

    if typing.get_origin(hint) is typing.Union:
        return any(_is_text(arg) for arg in typing.get_args(hint))
    return typing.get_origin(hint) is Annotated and any(
        getattr(meta, "func", None) is _text for meta in hint.__metadata__
    )


def record_type(hint: Any) -> Any:
    """The type behind Annotated[...], list[...] and X | None: a record class, or the plain type.

    >>> record_type(list[Milestone] | None) is Milestone
    True
    """
    import types
    import typing

    while True:
        origin = typing.get_origin(hint)
        if origin is Annotated:
            hint = typing.get_args(hint)[0]
        elif origin in (list, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            if not args or (origin is not list and len(args) != 1):
                return hint
            hint = args[0]
        else:
            return hint


def record_fields(model: Any) -> dict[str, Any]:
    """Field name -> record_type of it, in the record's (house) order."""
    import dataclasses
    import typing

    hints = typing.get_type_hints(model, include_extras=True)
    return {f.name: record_type(hints[f.name]) for f in dataclasses.fields(model)}
