"""Pydantic validation errors -> located, coded, one-line problems.

Pydantic says *what* is wrong by key path (`loc`); the kept YAML positions
say *where*.  An unknown key points at the key itself, a missing key at the
mapping that lacks it, anything else at the offending value.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from .model import record_fields
from .problem import Location, Problem, dotted
from .rules import finding
from .yamlsrc import Positions

_UNKNOWN = frozenset(("extra_forbidden", "unexpected_keyword_argument"))
_MISSING = frozenset(("missing", "missing_argument"))
_WRONG_TYPE = frozenset(
    (
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "list_type",
        "dict_type",
        "dataclass_type",
        "dataclass_args_type",
        "model_type",
        "int_from_float",
    )
)
_CODES = {"invalid_date": "invalid-date", "invalid_id": "invalid-id"}


def _fields_at(model: Any, loc: tuple) -> list[str]:
    """Field names of the record that `loc` points into, for did-you-mean."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not dataclasses.is_dataclass(current):
            return []
        fields = record_fields(current)
        if part not in fields:
            return []
        current = fields[part]
    return [f.name for f in dataclasses.fields(current)] if dataclasses.is_dataclass(current) else []


def _described(value: Any) -> str:
    if hasattr(value, "text"):
        return value.text
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _one(error: dict, model: Any, path: str, positions: Positions, prefix: tuple) -> Problem:
    kind, loc = error["type"], prefix + tuple(error["loc"])
    if kind in _UNKNOWN:
        name = str(loc[-1])
        fields = _fields_at(model, loc[len(prefix) : -1])
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else (f"allowed: {', '.join(fields)}" if fields else "remove it")
        line, col = positions.find(loc, want_key=True)
        return finding("unknown-field", Location(path, line + 1, col + 1), f"unknown field '{dotted(loc)}'", hint)
    line, col = positions.find(loc if kind not in _MISSING else loc[:-1])
    where = Location(path, line + 1, col + 1)
    if kind in _MISSING:
        return finding("missing-field", where, f"missing required field '{dotted(loc)}'", "add it")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "odd_character":  # a character no text may hold (problem.ODD_IN_LINE)
        ctx = error.get("ctx", {})
        return finding(
            "control-character", where, f"{dotted(loc)}: {ctx.get('what')}{ctx.get('where')}", str(ctx.get("hint"))
        )
    if kind in _CODES:
        return finding(_CODES[kind], where, f"{dotted(loc)}: {message}")
    if kind == "too_short":
        least = error.get("ctx", {}).get("min_length", 1)
        return finding(
            "invalid-value",
            where,
            f"{dotted(loc)}: needs at least {least} entr{'y' if least == 1 else 'ies'}",
        )
    if kind in _WRONG_TYPE:
        wanted = message.removeprefix("Input should be ").removeprefix("a valid ")
        return finding(
            "wrong-type",
            where,
            f"{dotted(loc)}: expected {wanted}, got {_described(error.get('input'))}",
            "quote text values; write numbers without quotes",
        )
    return finding(
        "invalid-value",
        where,
        f"{dotted(loc) or 'file'}: {message[0].lower() + message[1:]} (got {_described(error.get('input'))})",
    )


def _explained_by_typo(errors: list[dict]) -> set[tuple]:
    """Missing fields whose misspelling is also present: the typo's hint says it all."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] in _MISSING}
    explained = set()
    for error in errors:
        if error["type"] in _UNKNOWN:
            loc = tuple(error["loc"])
            for candidate in missing:
                if (
                    candidate[:-1] == loc[:-1]
                    and difflib.SequenceMatcher(None, str(candidate[-1]), str(loc[-1])).ratio() >= 0.6
                ):
                    explained.add(candidate)
    return explained


def schema_problems(exc: Any, model: Any, path: str, positions: Positions, prefix: tuple = ()) -> list[Problem]:
    """`prefix` is where the validated value stands in its file (an entry of a list file)."""
    errors = exc.errors(include_url=False)
    skip = _explained_by_typo(errors)
    return [_one(e, model, path, positions, prefix) for e in errors if tuple(e["loc"]) not in skip]
