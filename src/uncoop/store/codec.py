"""Records as plain values and back: what the cache stores, and all it can ever rebuild.

`encode` turns a record (or a file's list of records) into lists, strings, numbers and None;
`decode` rebuilds it from those without validating again: the cache keys an entry by the
content hash of the file it was validated from, so the values are known good.  Decoding is
driven by the record classes' own field types, never by the data: plain values can only ever
become the fields they were, of the classes named here, so a cache file is data and nothing
it holds can run code.

Dates are day ordinals, a month or quarter ("When") is [text, start, end], a Quarter is
[year, number]; a record is the list of its fields in declaration order.  Decoders are small
functions generated once per class from its fields (setting slots directly, which is what
makes a warm run faster than unpickling).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from datetime import date
from functools import cache
from typing import Any

from .. import records
from ..dates import FlexDate, Quarter
from ..problem import Location, Problem, Severity
from ..records import DAY, PERIOD, WHEN

_new = object.__new__
_fromordinal = date.fromordinal


def _flex(v: list) -> FlexDate:
    o = _new(FlexDate)
    _FLEX_SET[0](o, v[0])
    _FLEX_SET[1](o, _fromordinal(v[1]))
    _FLEX_SET[2](o, _fromordinal(v[2]))
    return o


def _quarter(v: list) -> Quarter:
    o = _new(Quarter)
    _QUARTER_SET[0](o, v[0])
    _QUARTER_SET[1](o, v[1])
    return o


def _setters(cls: type, *names: str) -> list:
    """The slot setters of a frozen dataclass, which bypass its frozen __setattr__."""
    return [vars(cls)[name].__set__ for name in names]


_FLEX_SET = _setters(FlexDate, "text", "start", "end")
_QUARTER_SET = _setters(Quarter, "year", "number")

# the leaf types the schema builds with a validator of its own, by their shape (records.py)
_LEAVES = {
    DAY: ("day", lambda d: d.toordinal(), _fromordinal),
    WHEN: ("flex", lambda f: [f.text, f.start.toordinal(), f.end.toordinal()], _flex),
    PERIOD: ("quarter", lambda q: [q.year, q.number], _quarter),
}  # name in generated code, encode, decode

Codec = tuple[Any, Any]  # (encode, decode source template); None for a value stored as it is


def _codec(hint: Any, scope: dict[str, Any]) -> Codec:
    """How to store one field's value, from its type: an encoding function (None: stored as it
    is) and the decoding as a Python expression template around `{}` (None: used as it is; the
    names it needs are put in `scope`).  Strings and numbers are stored as they are but decoded
    into shared objects, so each side is decided on its own."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        for meta in hint.__metadata__:
            leaf = _LEAVES.get(meta) if isinstance(meta, str) else None
            if leaf is not None:
                name, enc, dec = leaf
                scope[name] = dec
                return enc, name + "({})"
        return _codec(typing.get_args(hint)[0], scope)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            return None, None  # text: a string or a map of language to string
        enc, dec = _codec(args[0], scope)
        return (
            None if enc is None else (lambda v: None if v is None else enc(v)),
            None if dec is None else "(None if (t := {}) is None else " + dec.format("t") + ")",
        )
    if origin is list:
        enc, dec = _codec(typing.get_args(hint)[0], scope)
        return (
            None if enc is None else (lambda v: [enc(x) for x in v]),
            None if dec is None else "[" + dec.format("x") + " for x in {}]",
        )
    if origin is dict:
        enc, dec = _codec(typing.get_args(hint)[1], scope)
        return (
            None if enc is None else (lambda v: {k: enc(x) for k, x in v.items()}),
            None if dec is None else "{{k: " + dec.format("x") + " for k, x in {}.items()}}",
        )
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        name = f"r_{hint.__name__}"
        scope[name] = _decoder(hint)
        return _encoder(hint), name + "({})"
    if hint is str or origin is typing.Literal:
        # ids and states repeat across hundreds of thousands of records: one string object each
        scope["intern"] = sys.intern
        return None, "intern({})"
    if hint is float:
        scope["number"] = _number
        return None, "number({})"
    return None, None


_NUMBERS: dict[float, float] = {}


def _number(value: float) -> float:
    """One float object per value (progress, amounts): most are among a few hundred."""
    if type(value) is not float or value == 0:
        return value  # an int stays an int, as validated; -0.0 keeps its sign
    return _NUMBERS.setdefault(value, value) if len(_NUMBERS) < 100_000 else value


@cache
def _fields(cls: type) -> tuple[list[tuple[str, Codec]], dict[str, Any]]:
    scope: dict[str, Any] = {}
    return [(name, _codec(hint, scope)) for name, hint in records.shapes(cls).items()], scope


@cache
def _encoder(cls: type):
    fields = _fields(cls)[0]

    def encode(record: Any) -> list:
        return [getattr(record, name) if enc is None else enc(getattr(record, name)) for name, (enc, _) in fields]

    return encode


@cache
def _decoder(cls: type):
    """A function building `cls` from its encoded field list, generated once from the class's
    own fields: it sets each slot directly (no validation, no __init__), nested records, lists
    and dates decoded inline, which is what makes a warm run faster than unpickling was."""
    fields, needed = _fields(cls)
    scope: dict[str, Any] = {"new": _new, "cls": cls, **needed}
    lines = ["def build(v):", "    o = new(cls)"]
    for i, (name, (_, dec)) in enumerate(fields):
        scope[f"s{i}"] = vars(cls)[name].__set__
        lines.append(f"    s{i}(o, {(dec or '{}').format(f'v[{i}]')})")
    lines.append("    return o")
    exec("\n".join(lines), scope)  # source made from the class's own field types, never from data
    return scope["build"]


def encode_record(kind: str, record: Any) -> Any:
    if record is None:
        return None
    if kind in records.LIST_FILES:
        enc = _encoder(records.LIST_FILES[kind][1])
        return [[i, None if r is None else enc(r)] for i, r in record]
    return _encoder(records.FILE_KINDS[kind])(record)


def decode_record(kind: str, plain: Any) -> Any:
    if plain is None:
        return None
    if kind in records.LIST_FILES:
        dec = _decoder(records.LIST_FILES[kind][1])
        return [(i, None if r is None else dec(r)) for i, r in plain]
    return _decoder(records.FILE_KINDS[kind])(plain)


class NotPlain(Exception):
    """A value the cache does not store (it is then simply not cached)."""


def _figure(value: Any) -> list:
    if isinstance(value, FlexDate):
        return ["flex", value.text, value.start.toordinal(), value.end.toordinal()]
    if isinstance(value, date):
        return ["day", value.toordinal()]
    if isinstance(value, Quarter):
        return ["quarter", value.year, value.number]
    if value is None or type(value) in (str, int, float, bool):
        return ["plain", value]
    raise NotPlain(type(value).__name__)


def _unfigure(v: list) -> Any:
    kind = v[0]
    if kind == "day":
        return _fromordinal(v[1])
    if kind == "flex":
        return _flex(v[1:])
    if kind == "quarter":
        return _quarter(v[1:])
    return v[1]


def encode_problems(problems: list[Problem]) -> list:
    out = []
    for p in problems:
        if type(p.location) is not Location:
            raise NotPlain("a location not looked up yet")
        loc = p.location
        args = [[name, *_figure(value)] for name, value in p.args]
        out.append(
            [loc.path, loc.line, loc.column, int(p.severity), p.code, p.message, p.hint, p.key, p.template, args]
        )
    return out


def decode_problems(plain: list) -> list[Problem]:
    return [
        Problem(
            Location(path, line, column),
            Severity(severity),
            code,
            message,
            hint,
            key,
            template,
            tuple((a[0], _unfigure(a[1:])) for a in args),
        )
        for path, line, column, severity, code, message, hint, key, template, args in plain
    ]


def encode_positions(positions: dict | None) -> list | None:
    if positions is None:
        return None
    return [[list(keys), want_key, line, column] for (keys, want_key), (line, column) in positions.items()]


def decode_positions(plain: list | None) -> dict | None:
    if plain is None:
        return None
    return {(tuple(keys), want_key): (line, column) for keys, want_key, line, column in plain}
