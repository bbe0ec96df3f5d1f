"""Edits as splices: change the bytes of one value, or insert one line, and nothing else.

A re-emitter (even a round-trip one) rewrites what it did not need to touch: indentation of a
zero-indent list, `250_000.00` as `0250000.00`, a U+2028 inside a folded scalar.  So `uncoop
update` does not re-emit: it finds the exact span of the value with libyaml's marks and replaces
that span, or inserts one key line in the mapping's own indentation, keeping the file's line
ending.  Every result is read back with uncoop's reader and compared; when a plain form would not
read back as the same value, the value is written double-quoted (always exact, always one line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from . import yamlsrc
from .i18n import Language
from .problem import UncoopError

_Loader: Any
try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

BOM = "\ufeff"


class SpliceError(UncoopError):
    """The edit cannot be made as a splice; the file is left as it was."""


@dataclass
class Node:
    kind: str  # scalar | mapping | sequence
    start: int
    end: int = 0  # where its last scalar ends (the end of its content)
    column: int = 0  # of its first key (a mapping) or its dashes (a block sequence)
    flow: bool = False
    keys: dict[str, Node] = field(default_factory=dict)
    items: list[Node] = field(default_factory=list)


def _tree(text: str) -> Node:
    """The document's nodes with character offsets (libyaml marks count characters)."""
    stack: list[tuple[Node, list]] = []  # (node, [pending key])
    root: Node | None = None
    event: Any
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind in (MappingStartEvent, SequenceStartEvent):
            node = Node(
                "mapping" if kind is MappingStartEvent else "sequence",
                event.start_mark.index,
                flow=bool(event.flow_style),
            )
            if kind is SequenceStartEvent and not node.flow:
                node.column = event.start_mark.column  # a block sequence starts at its first dash
        elif kind is ScalarEvent:
            node = Node("scalar", event.start_mark.index, event.end_mark.index)
            if stack and stack[-1][0].kind == "mapping" and not stack[-1][1]:
                parent = stack[-1][0]
                if not parent.keys:
                    parent.column = event.start_mark.column
                stack[-1][1].append((event.value, node))
                continue
        elif kind in (MappingEndEvent, SequenceEndEvent):
            node, _ = stack.pop()
            if node.flow:
                node.end = event.end_mark.index
            _attach_end(stack, node)
            if not stack:
                root = node
            continue
        else:
            continue
        if stack:
            parent, pending = stack[-1]
            if parent.kind == "sequence":
                if not parent.items and parent.flow:
                    parent.column = event.start_mark.column
                parent.items.append(node)
            else:
                key, key_node = pending.pop()
                parent.keys[key] = node
                node.column = node.column or 0
                parent.end = max(parent.end, key_node.end)
        if node.kind == "scalar":
            _attach_end(stack, node)
            if not stack:
                root = node
        else:
            stack.append((node, []))
    if root is None:
        raise SpliceError("the file holds no data")
    return root


def _attach_end(stack: list, node: Node) -> None:
    if stack:
        parent = stack[-1][0]
        parent.end = max(parent.end, node.end)


def scalar_text(value: Any) -> str:
    """A value as one line of YAML that reads back exactly: numbers in their shortest exact
    form, text plain when that reads back as the same text, else double-quoted."""
    if isinstance(value, bool):
        raise SpliceError("booleans are not Matrix values")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # shortest exact form; 30.0 is written 30, as a person would
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value)
    plain, error = yamlsrc.read(f"v: {text}\n".encode("utf-8", "surrogatepass"))
    if (
        error is None
        and isinstance(plain, dict)
        and type(plain.get("v")) is str
        and plain["v"] == text
        and text == text.strip()
        and "\n" not in text
        and " #" not in text
    ):
        return text
    return quoted(text)


def quoted(text: str) -> str:
    """Double-quoted YAML: JSON's escapes are valid YAML escapes, and the result is one line."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _line_end(text: str, index: int) -> int:
    """The index just past the line break ending the line that holds `index - 1`."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _split_bom(text: str) -> tuple[str, str]:
    return (BOM, text[1:]) if text.startswith(BOM) else ("", text)


def set_value(text: str, path: tuple, value: Any) -> str:
    """`text` with the value at key path `path` set to `value`: one value's bytes replaced, or one
    key line inserted (with any missing parent mappings), and nothing else changed."""
    bom, body = _split_bom(text)
    for candidate in (scalar_text(value), quoted(str(value)) if not isinstance(value, (int, float)) else None):
        if candidate is None:
            continue
        result = bom + _splice(body, path, candidate)
        if _reads_back(result, path, value):
            return result
    raise SpliceError(f"{'.'.join(map(str, path))}: the value cannot be written so that it reads back the same")


def _splice(body: str, path: tuple, rendered: str) -> str:
    node = _tree(body)
    for depth, part in enumerate(path):
        if node.kind == "sequence" and isinstance(part, int) and part < len(node.items):
            node = node.items[part]
        elif node.kind == "mapping" and part in node.keys:
            node = node.keys[part]
        elif node.kind == "mapping" and isinstance(part, str):
            return _insert(body, node, path[depth:], rendered)
        else:
            raise SpliceError(f"no '{part}' in {'.'.join(map(str, path))}")
    if node.kind != "scalar":
        raise SpliceError(f"{'.'.join(map(str, path))} is a list or mapping, not a value")
    end = node.end
    while end > node.start and body[end - 1] in "\r\n":  # a block scalar's span ends in its line break
        end -= 1
    return body[: node.start] + rendered + body[end:]


def _insert(body: str, mapping: Node, rest: tuple, rendered: str) -> str:
    """Add `rest` (keys, the last one with the value) to a mapping that lacks `rest[0]`."""
    if any(not isinstance(part, str) for part in rest):
        raise SpliceError("only keys can be added")
    if mapping.flow:
        inner = rendered
        for key in reversed(rest[1:]):
            inner = "{" + f"{scalar_text(key)}: {inner}" + "}"
        pair = f"{scalar_text(rest[0])}: {inner}"
        close = mapping.end - 1
        separator = ", " if mapping.keys else ""
        return body[:close] + separator + pair + body[close:]
    if not mapping.keys:
        raise SpliceError("an empty block mapping cannot be extended in place")
    newline = _newline(body)
    indent = " " * mapping.column
    lines = []
    for depth, key in enumerate(rest):
        pad = indent + "  " * depth
        lines.append(f"{pad}{scalar_text(key)}:" + (f" {rendered}" if depth == len(rest) - 1 else ""))
    at = _line_end(body, mapping.end)
    prefix = "" if at == 0 or body[at - 1] == "\n" else newline
    return body[:at] + prefix + newline.join(lines) + newline + body[at:]


def append_item(text: str, path: tuple, lines: list[str]) -> str:
    """Append a block mapping item (given as `key: value` lines) to the block sequence at `path`."""
    bom, body = _split_bom(text)
    node = _tree(body)
    for part in path:
        node = node.keys[part] if node.kind == "mapping" else node.items[part]
    if node.kind != "sequence" or node.flow or not node.items:
        raise SpliceError(f"{'.'.join(map(str, path))} is not a block list with items")
    newline = _newline(body)
    dash = " " * node.column
    first, *others = lines
    block = [f"{dash}- {first}"] + [f"{dash}  {line}" for line in others]
    at = _line_end(body, node.end)
    prefix = "" if at == 0 or body[at - 1] == "\n" else newline
    return bom + body[:at] + prefix + newline.join(block) + newline + body[at:]


def _reads_back(text: str, path: tuple, value: Any) -> bool:
    data, error = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    if error is not None:
        return False
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(value, str):
        return type(data) is str and data == value
    return type(data) is not str and data == value


def text_to_map(text: str, path: tuple, lang: Language, value: str, first: str = "en") -> str:
    """Turn the plain text at `path` into a language map that keeps it as `first` and adds
    `value` as `lang`: the text's own bytes move one level in (re-indented by two, so a folded
    or quoted value keeps its style) and one line is added after it."""
    bom, body = _split_bom(text)
    parent, node = _parent_and_node(body, path)
    if node.kind != "scalar":
        raise SpliceError(f"{'.'.join(map(str, path))} is a list or mapping, not a text")
    start, end = node.start, node.end
    while end > start and body[end - 1] in "\r\n":
        end -= 1
    original = body[start:end]
    if parent.flow:
        rendered = "{" + f"{first}: {original}, {lang}: {scalar_text(value)}" + "}"
        result = bom + body[:start] + rendered + body[end:]
    else:
        newline = _newline(body)
        pad = " " * (parent.column + 2)
        moved = original.replace("\n", "\n  ") if "\n" in original else original
        moved = "\n".join(line.rstrip(" ") if not line.strip() else line for line in moved.split("\n"))
        while start > 0 and body[start - 1] in " \t":
            start -= 1
        added = f"{newline}{pad}{first}: {moved}{newline}{pad}{lang}: {scalar_text(value)}"
        result = bom + body[:start] + added + body[end:]
    data, error = yamlsrc.read(result.encode("utf-8", "surrogatepass"))
    old, _ = yamlsrc.read(text.encode("utf-8", "surrogatepass"))
    try:
        for part in path:
            data, old = data[part], old[part]
    except (KeyError, IndexError, TypeError):
        raise SpliceError(f"{'.'.join(map(str, path))}: the text could not be made a language map") from None
    if error is not None or data != {first: old, lang: value}:
        raise SpliceError(f"{'.'.join(map(str, path))}: the text could not be made a language map; edit it by hand")
    return result


def _parent_and_node(body: str, path: tuple) -> tuple[Node, Node]:
    node = parent = _tree(body)
    for part in path:
        parent = node
        if node.kind == "sequence" and isinstance(part, int) and part < len(node.items):
            node = node.items[part]
        elif node.kind == "mapping" and part in node.keys:
            node = node.keys[part]
        else:
            raise SpliceError(f"no '{part}' in {'.'.join(map(str, path))}")
    return parent, node
