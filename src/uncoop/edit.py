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
import typing
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import yamlsrc
from .model import FILE_KINDS
from .schema_errors import _unwrap

BOM = "\ufeff"


class EditError(Exception):
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


def _field_types(model: Any) -> tuple[list[str], dict[str, Any]]:
    hints = typing.get_type_hints(model, include_extras=True)
    names = [f.name for f in dataclasses.fields(model)]
    return names, {name: _unwrap(hints[name]) for name in names}


def _reorder(node: Any, model: Any) -> None:
    """Keys in schema order, recursively; unknown keys keep their place after the known ones."""
    if not isinstance(node, CommentedMap) or not dataclasses.is_dataclass(model):
        return
    names, types = _field_types(model)
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
    return dump_rt(doc, bom, crlf)


def set_field(text: str, path: tuple, value: Any) -> str:
    """Set one value at a key path (keys and list indexes); everything else keeps its bytes.

    The result is read back with uncoop's own reader: if the emitter chose a plain form
    that does not read back as the same value (it happens, e.g. '?0' inside a flow
    mapping), the value is written quoted instead.
    """
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    candidates = [value]
    if isinstance(value, str):
        quoted = DoubleQuotedScalarString if ("\n" in value or "\t" in value) else SingleQuotedScalarString
        candidates.append(quoted(value))
    for candidate in candidates:
        doc, bom, crlf = load_rt(text)
        node = doc
        for part in path[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                raise EditError(f"no '{part}' in {'.'.join(map(str, path))}") from None
        if not isinstance(node, (CommentedMap, CommentedSeq)):
            raise EditError(f"{'.'.join(map(str, path[:-1]))} is not a mapping or list")
        node[path[-1]] = candidate
        out = dump_rt(doc, bom, crlf)
        if _reads_back(out, path, value):
            return out
    raise EditError(f"{'.'.join(map(str, path))}: the value cannot be written so that it reads back the same")


def _reads_back(text: str, path: tuple, value: Any) -> bool:
    data, error = yamlsrc.read(text.encode("utf-8"))
    if error is not None:
        return False
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(value, str):
        return type(data) is str and data == value  # text, not a number, date or boolean
    return data == value


def _scalar(value: str) -> str:
    """A value as house style writes it: plain when YAML 1.2 reads it back as the same text."""
    from .yamlsrc import read

    plain, error = read(f"v: {value}\n".encode())
    if error is None and isinstance(plain, dict) and plain.get("v") == value and type(plain["v"]) is str:
        return value
    return "'" + value.replace("'", "''") + "'"


def new_activity_text(ident: str, area: str, title: str, source: list[int], un: list[str], oic: list[str],
                      start: str, end: str, status: str = "pipeline", partners: list[str] = ()) -> str:
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
    lines += [f"status: {status}", "dates:", f"  planned_start: {_scalar(start)}", f"  planned_end: {_scalar(end)}",
              "# milestones:", "#   - id: M1", "#     title: ...", "#     due: 2015-06"]
    return "\n".join(lines) + "\n"


NARRATIVE_HINTS = ("# narrative: what was done this quarter", "# obstacles: what stood in the way",
                   "# next_steps: what comes next quarter")


def _entry_lines(activity: str, status: str, progress: float, values: dict) -> list[str]:
    status = values.get("status", status)
    progress = values.get("progress", progress)
    lines = [f"  - activity: {activity}", f"    status: {status}", f"    progress: {progress:g}"]
    for name, hint in zip(("narrative", "obstacles", "next_steps"), NARRATIVE_HINTS):
        lines.append(f"    {name}: {_scalar(values[name])}" if name in values else f"    {hint}")
    return lines


def new_update_text(org: str, period: str, submitted: str, entries: list[tuple[str, str, float]],
                    values: dict | None = None) -> str:
    """A new update in house style; `values` maps (activity, field) to what --set gave."""
    values = values or {}
    lines = ["# yaml-language-server: $schema=../../../schemas/update.schema.json",
             f"organization: {org}", f"period: {period}", f"submitted: {submitted}", "entries:"]
    for activity, status, progress in entries:
        mine = {field: v for (act, field), v in values.items() if act == activity}
        lines += _entry_lines(activity, status, progress, mine)
    return "\n".join(lines) + "\n"


def extend_update_text(text: str, entries: list[tuple[str, str, float]]) -> str:
    """Add entries for activities the update does not cover yet; existing ones are untouched."""
    doc, bom, crlf = load_rt(text)
    present = {e.get("activity") for e in doc.get("entries") or [] if isinstance(e, dict)}
    missing = [e for e in entries if e[0] not in present]
    if not missing:
        return text
    if doc.get("entries") is None:
        doc["entries"] = CommentedSeq()
    for activity, status, progress in missing:
        item = CommentedMap()
        item["activity"], item["status"], item["progress"] = activity, status, progress
        doc["entries"].append(item)
    return dump_rt(doc, bom, crlf)


def entry_index(text: str, activity: str) -> int | None:
    doc, _, _ = load_rt(text)
    for i, entry in enumerate(doc.get("entries") or []):
        if isinstance(entry, dict) and entry.get("activity") == activity:
            return i
    return None
