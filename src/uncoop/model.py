"""The Matrix's input schema: Pydantic at the boundary, frozen dataclasses inside.

The record classes are plain dataclasses (`records.py`); this module gives them their
validation: the field types their annotations name (Text, Day, OrgId, ...), `extra="forbid"`
(typos are errors) and strict types (`yes` is not 1, `.nan` is not a number).  Only a run that
reads a file afresh imports it: a run served by the cache never pays for Pydantic.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from .dates import FlexDate, Quarter, parse_day
from .problem import ODD_IN_LINE, ODD_IN_PROSE, odd_character
from .vocab import LANGS

# Strictness is per field: strict dataclasses would refuse the dicts we validate.
CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False)


def _written(value: Any) -> Any:
    """A plain number keeps the text it was written as (see yamlsrc.IntText)."""
    return getattr(value, "text", value)


def _clean(text: str, odd: re.Pattern) -> str:
    """The text, or the `odd_character` error naming the first character it may not hold."""
    match = odd.search(text)
    if match:
        what, hint = odd_character(match.group(), odd is ODD_IN_PROSE)
        where = f" at character {match.start() + 1}" if len(text) > 1 else ""
        raise PydanticCustomError(
            "odd_character", "{what}{where}; {hint}", {"what": what, "where": where, "hint": hint}
        )
    return text


def _texts(odd: re.Pattern):
    def check(value: Any) -> str | dict[str, str]:
        value = _written(value)
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("text is empty")
            return _clean(value, odd)
        if isinstance(value, dict) and value:
            for lang, text in value.items():
                if lang not in LANGS:
                    raise ValueError(f"unknown language '{lang}'; use one of {', '.join(LANGS)}")
                if not isinstance(_written(text), str) or not _written(text).strip():
                    raise ValueError(f"the '{lang}' text must be a non-empty string")
                _clean(_written(text), odd)
            return {lang: _written(text) for lang, text in value.items()}
        raise ValueError("expected text, or a map of language to text like {en: ..., fr: ..., ar: ...}")

    return check


def _plain(value: Any) -> Any:
    """A plain string field (a URL, a key) holds one line of text like a title."""
    return _clean(value, ODD_IN_LINE) if isinstance(value, str) else value


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
# The two kinds of text, used by every field that holds words: Text is one line (ids, titles,
# names, units); Prose may hold line feeds and tabs (descriptions, narratives, obstacles, next
# steps, notes).  Neither holds what problem.ODD_IN_LINE / ODD_IN_PROSE name.
Text = Annotated[Any, PlainValidator(_texts(ODD_IN_LINE)), WithJsonSchema(_TEXT_SCHEMA)]
Prose = Annotated[Any, PlainValidator(_texts(ODD_IN_PROSE)), WithJsonSchema(_TEXT_SCHEMA)]
Plain = AfterValidator(_plain)


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


def _country(value: Any) -> str:
    """An ISO 3166-1 alpha-2 code that names a country (pycountry's list of the standard)."""
    import pycountry

    value = _written(value)
    if not isinstance(value, str) or not re.fullmatch("[A-Z]{2}", value):
        raise PydanticCustomError("invalid_id", "a country is an ISO 3166-1 code of two capitals, like 'ML' (Mali)")
    if pycountry.countries.get(alpha_2=value) is None:
        raise PydanticCustomError("invalid_id", f"'{value}' is not an ISO 3166-1 country code; write it like 'ML'")
    return value


Country = Annotated[str, PlainValidator(_country), _pattern("[A-Z]{2}")]

# An e-mail address as a letter's To or From takes it: local@domain, dot-atoms only (no quotes,
# spaces, commas, angle brackets or line breaks: nothing a header could read as a second
# address or a second header), a domain of at least two labels.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+"


def _email(value: Any) -> str:
    value = _written(value)
    if not isinstance(value, str) or len(value) > 254 or not re.fullmatch(_EMAIL, value):
        raise PydanticCustomError("invalid_email", "not an e-mail address; write it like 'name@example.org'")
    return value


Email = Annotated[str, PlainValidator(_email), _pattern(_EMAIL)]


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


# --- the records, validated -----------------------------------------------------

from . import records as _records  # noqa: E402 - the records resolve the names defined above
from .records import *  # noqa: E402,F403 - every record class, for the schema's users

_SCHEMA_NAMES = (
    "Text",
    "Prose",
    "Plain",
    "Day",
    "When",
    "Period",
    "Number",
    "Percent",
    "PositiveInt",
    "Paragraph",
    "OrgId",
    "AreaId",
    "AreaCode",
    "ActivityId",
    "ItemId",
    "Currency",
    "Country",
    "Email",
    "_unique",
)
vars(_records).update({name: globals()[name] for name in _SCHEMA_NAMES}, Field=Field, AfterValidator=AfterValidator)
for _cls in vars(_records).values():
    if isinstance(_cls, type) and _cls.__module__ == _records.__name__:
        _cls.__pydantic_config__ = CONFIG  # type: ignore[attr-defined]


@cache
def validator(cls: type) -> Any:
    """The Pydantic validator of a record class, built on first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


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
