"""Editing Matrix files without losing a byte: ruamel.yaml round-trip, in house style.

Everything here is text in, text out; the CLI does the (atomic) writing.  What a
person wrote survives: comments, quote styles, blank lines, flow lists, a UTF-8
BOM and CRLF line endings, and values such as `NO`, `010`, `1.10` or `12:30`
keep their text.  House style is 2-space indentation with list dashes indented
by two, keys in the order of the schema (`model.py`).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import yamlsrc
from .i18n import Language
from .model import FILE_KINDS, record_fields
from .problem import UncoopError

BOM = "\ufeff"


class EditError(UncoopError):
    """The edit cannot be made safely; the file is left as it was."""


def rt_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line: a one-field edit stays a one-line diff
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_duplicate_keys = False
    return yaml


def _split_style(text: str) -> tuple[str, bool, bool]:
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    crlf = "\r\n" in text
    return text.replace("\r\n", "\n"), bom, crlf


def _join_style(text: str, bom: bool, crlf: bool) -> str:
    if crlf:
        text = text.replace("\n", "\r\n")
    return (BOM if bom else "") + text


def load_rt(text: str) -> tuple[Any, bool, bool]:
    """A round-trip document; anchors and merge keys are refused, not silently rewritten."""
    body, bom, crlf = _split_style(text)
    _, error = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    if error is not None:  # anchors, aliases (merge keys need one), tags, duplicates, conflicts...
        raise EditError(f"line {error.line + 1}: {error.message}; not edited")
    try:
        return rt_yaml().load(body), bom, crlf
    except Exception as exc:  # ruamel raises many types; any of them means "do not touch"
        raise EditError(f"cannot be read for editing: {str(exc).splitlines()[0]}") from None


def dump_rt(doc: Any, bom: bool, crlf: bool) -> str:
    out = io.StringIO()
    rt_yaml().dump(doc, out)
    return _join_style(out.getvalue(), bom, crlf)


def _reorder(node: Any, model: Any) -> None:
    """Keys in schema order, recursively; unknown keys keep their place after the known ones."""
    if not isinstance(node, CommentedMap) or not dataclasses.is_dataclass(model):
        return
    types = record_fields(model)
    names = list(types)
    present = [k for k in names if k in node] + [k for k in node if k not in names]
    if list(node.keys()) != present:
        for key in present:
            node.move_to_end(key)
    for key in names:
        child, child_type = node.get(key), types[key]
        if dataclasses.is_dataclass(child_type):
            if isinstance(child, CommentedSeq):
                for item in child:
                    _reorder(item, child_type)
            else:
                _reorder(child, child_type)


def canonical(text: str, kind: str) -> str:
    """The house-style form of a file's text (idempotent)."""
    if not text.strip(BOM).strip():
        return text  # an empty file stays empty rather than becoming "null"
    doc, bom, crlf = load_rt(text)
    _reorder(doc, FILE_KINDS[kind])
    out = dump_rt(doc, bom, crlf)
    changed = _first_difference(text, out)
    if changed is not None:  # the emitter rewrote a value (e.g. 250_000.00, U+2028): keep the file
        raise EditError(f"formatting would change the value at {changed}; the file is left as written")
    return out


def _values(text: str) -> dict:
    """Every value of a file by key path, with its type and (for numbers) its source text."""
    data, _ = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    found: dict = {}
    stack: list = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value))
        else:
            found[path] = (type(value).__name__, getattr(value, "text", value))
    return found


def _first_difference(before: str, after: str) -> str | None:
    old, new = _values(before), _values(after)
    for path in sorted(old.keys() | new.keys(), key=str):
        if old.get(path) != new.get(path):
            return ".".join(map(str, path)) or "the top"
    return None


def set_field(text: str, path: tuple, value: Any) -> str:
    """Set one value at a key path (keys and list indexes), adding the key when it is missing:
    only that value's bytes change, or one key line is inserted (see `splice`)."""
    from .splice import SpliceError, set_value

    _, error = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    if error is not None:
        raise EditError(f"line {error.line + 1}: {error.message}; not edited")
    try:
        return set_value(text, path, value)
    except SpliceError as exc:
        raise EditError(str(exc)) from None


def add_entry(text: str, lines: list[str]) -> str:
    """Append one entry (its `key: value` lines) to the update's block list of entries."""
    from .splice import SpliceError, append_item

    try:
        return append_item(text, ("entries",), lines)
    except (SpliceError, KeyError, IndexError, TypeError) as exc:
        raise EditError(f"cannot add an entry here ({exc}); add it by hand") from None


def _scalar(value: str) -> str:
    """A value as house style writes it: plain when it reads back as the same text, else
    double-quoted on one line (a newline in a title is kept as \\n, never folded)."""
    from .splice import scalar_text

    return scalar_text(value)


def new_activity_text(
    ident: str,
    area: str,
    title: str,
    source: list[int],
    un: list[str],
    oic: list[str],
    start: str,
    end: str,
    status: str = "pipeline",
    partners: Sequence[str] = (),
) -> str:
    lines = [
        "# yaml-language-server: $schema=../../../schemas/activity.schema.json",
        f"id: {ident}",
        f"title: {_scalar(title)}",
        f"area: {area}",
        f"source: [{', '.join(str(p) for p in source)}]",
        "leads:",
        f"  un: [{', '.join(un)}]",
        f"  oic: [{', '.join(oic)}]",
    ]
    if partners:
        lines.append(f"partners: [{', '.join(partners)}]")
    lines += [
        f"status: {status}",
        "dates:",
        f"  planned_start: {_scalar(start)}",
        f"  planned_end: {_scalar(end)}",
        "# milestones:",
        "#   - id: M1",
        "#     title: ...",
        "#     due: 2015-06",
    ]
    return "\n".join(lines) + "\n"


NARRATIVE_HINTS = (
    "# narrative: what was done this quarter",
    "# obstacles: what stood in the way",
    "# next_steps: what comes next quarter",
)


def entry_lines(activity: str, status: str, progress: float, source: str | None, values: dict) -> list[str]:
    """One entry of an update, without its dash and indentation.  Values the user did not give
    are carried over from the activity's latest report, and a comment says from which."""
    from .splice import scalar_text

    lines = [f"activity: {activity}"]
    if source and not {"status", "progress"} <= values.keys():
        lines.append(f"# status and progress carried over from {source}: check them")
    lines += [f"status: {values.get('status', status)}", f"progress: {scalar_text(values.get('progress', progress))}"]
    for name in ("progress_note", "carried_over_from"):  # an imported form's reason and no-change answer
        if name in values:
            lines.append(f"{name}: {scalar_text(values[name])}")
    for name, hint in zip(("narrative", "obstacles", "next_steps"), NARRATIVE_HINTS, strict=True):
        lines.append(f"{name}: {scalar_text(values[name])}" if name in values else hint)
    for group in ("milestones_done", "indicators"):
        mine = {k[len(group) + 1 :]: v for k, v in values.items() if k.startswith(group + ".")}
        if mine:
            lines.append(f"{group}:")
            lines += [f"  {key}: {scalar_text(v)}" for key, v in mine.items()]
    return lines


def new_update_text(org: str, period: str, submitted: str, entries: list[tuple], values: dict | None = None) -> str:
    """A new update in house style; `entries` are (activity, status, progress, carried from) and
    `values` maps (activity, field) to what --set gave."""
    values = values or {}
    lines = [
        "# yaml-language-server: $schema=../../../schemas/update.schema.json",
        f"organization: {org}",
        f"period: {period}",
        f"submitted: {submitted}",
        "entries:",
    ]
    for activity, status, progress, source in entries:
        mine = {field: v for (act, field), v in values.items() if act == activity}
        first, *rest = entry_lines(activity, status, progress, source, mine)
        lines += [f"  - {first}"] + [f"    {line}" for line in rest]
    return "\n".join(lines) + "\n"


def entry_index(text: str, activity: str) -> int | None:
    data, error = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    entries = data.get("entries") if error is None and isinstance(data, dict) else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and entry.get("activity") == activity:
            return i
    return None


def next_activity_id(code: str, taken: list[str]) -> str:
    """The next free id of an area: one more than the highest number in use, as wide as the widest.

    >>> next_activity_id("HUM", ["HUM-01", "HUM-07", "CPV-12"])
    'HUM-08'
    >>> next_activity_id("HUM", ["HUM-099"])
    'HUM-100'
    """
    mine = [t.split("-", 1)[1] for t in taken if t.startswith(code + "-")]
    numbers = [int(n) for n in mine if n.isdigit()]
    width = max([2] + [len(n) for n in mine])
    return f"{code}-{max(numbers, default=0) + 1:0{width}d}"


def default_dates(today: date, period: tuple[date, date] | None, start: str | None, end: str | None) -> tuple[str, str]:
    """A new activity's planned start and end: as given, else this month (or the Matrix's first day
    when today is outside its period) to the end of the period.

    >>> default_dates(date(2015, 6, 9), (date(2014, 5, 28), date(2016, 12, 31)), None, None)
    ('2015-06', '2016-12-31')
    >>> default_dates(date(2026, 1, 1), (date(2014, 5, 28), date(2016, 12, 31)), None, "2015-Q4")
    ('2014-05-28', '2015-Q4')
    """
    this_month = f"{today.year}-{today.month:02d}"
    inside = period is None or period[0] <= today <= period[1]
    first = start or (this_month if inside or period is None else period[0].isoformat())
    last = end or (period[1].isoformat() if period else first)
    return first, last


def set_translation(text: str, path: tuple, lang: Language, value: str) -> str:
    """Give the text at `path` its `lang` version: one key line added to a language map (or the
    value replaced when it is there), or a plain (English) text made a map keeping its bytes."""
    from .splice import SpliceError, text_to_map

    data, error = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    if error is not None:
        raise EditError(f"line {error.line + 1}: {error.message}; not edited")
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            raise EditError(f"no {'.'.join(map(str, path))} in the file; export again") from None
    if isinstance(data, dict):
        return set_field(text, (*path, lang), value)
    try:
        return text_to_map(text, path, lang, value)
    except SpliceError as exc:
        raise EditError(str(exc)) from None
