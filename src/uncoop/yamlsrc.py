"""Read one YAML file safely and fast, with YAML 1.2 scalars and positions.

Values are built straight from libyaml's event stream (PyYAML's C parser),
which costs a few times `json.loads`; ruamel's round-trip loader costs ~200x
and is kept for the commands that write.  Building from events, not from a
composed node tree, lets hostile input be refused as it streams by: anchors
and aliases (alias bombs), tags (`!!python/...`), nesting beyond a cap,
duplicate keys and second documents never become Python objects.

Positions are not kept on the happy path.  `positions()` re-reads a file
and maps every key path to its marks, only for files that have problems.

Scalars follow the YAML 1.2 core schema: `NO`, `yes`, `on` stay strings and
`010` is ten.  Dates stay strings (1.2 has no timestamp type) for the schema
to parse with a located error.  Plain numbers keep their source text
(`IntText`, `FloatText`) so an id written `1.10` reads back as "1.10".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

_Parser: Any
try:
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - libyaml missing: same events, slower
    from yaml import SafeLoader as _Parser

MAX_DEPTH = 32
KeyPath = tuple  # of str keys and int indexes


class IntText(int):
    """An int from a plain scalar, remembering how it was written."""

    text: str


class FloatText(float):
    text: str


@dataclass(frozen=True, slots=True)
class YamlError:
    """A problem found while reading: 0-based mark, code and message."""

    line: int
    column: int
    code: str
    message: str
    hint: str = ""


class _Stop(Exception):
    def __init__(self, error: YamlError):
        self.error = error


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = {".inf": "inf", ".Inf": "inf", ".INF": "inf", ".nan": "nan", ".NaN": "nan", ".NAN": "nan"}
_NUMERIC_START = frozenset("0123456789+-.")


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain (unquoted) scalar."""
    if not text or text in _NULLS:
        return None
    first = text[0]
    if first in "tTfF":
        return _BOOLS.get(text, text)
    if first not in _NUMERIC_START:
        return text
    value: int | float
    if _INT.match(text):
        value = IntText(text)
    elif _OCT.match(text):
        value = IntText(text[2:], 8)
    elif _HEX.match(text):
        value = IntText(text[2:], 16)
    elif _FLOAT.match(text):
        value = FloatText(text)
    elif text.lstrip("+-") in _SPECIAL_FLOAT:
        value = FloatText(text[0] + "inf" if text[0] in "+-" else _SPECIAL_FLOAT[text])
    else:
        return text
    value.text = text
    return value


class _Builder:
    """Turns one document's events into dicts, lists and scalars."""

    def __init__(self, text: str, track: bool):
        self.parser = _Parser(text)
        self.track = track
        self.value_marks: dict[KeyPath, tuple[int, int]] = {}
        self.key_marks: dict[KeyPath, tuple[int, int]] = {}

    def fail(self, mark: Any, code: str, message: str, hint: str = "") -> None:
        raise _Stop(YamlError(mark.line, mark.column, code, message, hint))

    def build(self) -> Any:
        get = self.parser.get_event
        get()  # StreamStart
        event = get()
        if type(event) is StreamEndEvent:
            return None
        value = self.document()
        get()  # DocumentEnd
        event = get()
        if type(event) is DocumentStartEvent:
            self.fail(
                event.start_mark,
                "multiple-documents",
                "a second YAML document ('---') in one file",
                "keep one record per file, or remove the extra '---'",
            )
        return value

    def refuse(self, event: Any) -> None:
        """Anchors, aliases and tags: refused wherever they appear."""
        if type(event) is AliasEvent:
            self.fail(
                event.start_mark,
                "yaml-alias",
                f"alias '*{event.anchor}' is not allowed",
                "write the value out in full; anchors and aliases are refused",
            )
        if event.anchor is not None:
            self.fail(
                event.start_mark,
                "yaml-anchor",
                f"anchor '&{event.anchor}' is not allowed",
                "write the value out in full; anchors and aliases are refused",
            )
        if event.tag is not None and event.tag != "!":
            self.fail(
                event.start_mark,
                "yaml-tag",
                f"tag '{event.tag}' is not allowed",
                "remove the tag; uncoop reads plain YAML only",
            )

    def path(self, stack: list) -> KeyPath:
        return tuple(frame[1] if type(frame[0]) is dict else len(frame[0]) for frame in stack)

    def document(self) -> Any:
        """One document's value, built with an explicit stack (no recursion, few calls).

        A frame is [container, key]; a mapping frame whose key is _NEED_KEY awaits a key.
        """
        # events are read untyped: this loop is the reader's hot path
        get: Callable[[], Any] = self.parser.get_event
        track, stack = self.track, cast(list[list[Any]], [])
        while True:
            event = get()
            kind = type(event)
            if stack and stack[-1][1] is _NEED_KEY:
                frame = stack[-1]
                if kind is MappingEndEvent:
                    value = stack.pop()[0]
                else:
                    if kind is not ScalarEvent:
                        self.fail(
                            event.start_mark, "yaml-complex-key", "a key must be a plain text, not a list or mapping"
                        )
                    if event.anchor is not None or event.tag is not None:
                        self.refuse(event)
                    key = event.value
                    if event.style == '"' and _CONTROL.search(key):
                        self.fail(
                            event.start_mark,
                            "control-character",
                            "escaped control character in a double-quoted key",
                            "remove it; a key is plain text",
                        )
                    if key in frame[0]:
                        self.fail(
                            event.start_mark,
                            "duplicate-key",
                            f"key '{key}' appears twice in this mapping",
                            "keep one of them; YAML would silently drop the other",
                        )
                    frame[1] = key
                    if track:
                        self.key_marks[self.path(stack)] = (event.start_mark.line, event.start_mark.column)
                    continue
            elif kind is SequenceEndEvent:
                value = stack.pop()[0]
            else:
                if kind is AliasEvent or event.anchor is not None or event.tag is not None:
                    self.refuse(event)
                if track:
                    self.value_marks[self.path(stack)] = (event.start_mark.line, event.start_mark.column)
                if kind is ScalarEvent:
                    style = event.style
                    if not style:
                        value = resolve_plain(event.value)
                    elif style == '"' and _CONTROL.search(event.value):
                        # escapes such as "\x07" only become control characters once parsed
                        self.fail(
                            event.start_mark,
                            "control-character",
                            "escaped control character in a double-quoted string",
                            "remove it; only tab and line breaks are allowed",
                        )
                    else:
                        value = event.value
                else:
                    if len(stack) >= MAX_DEPTH:
                        self.fail(
                            event.start_mark,
                            "yaml-too-deep",
                            f"nesting deeper than {MAX_DEPTH} levels",
                            "flatten the structure",
                        )
                    stack.append([{}, _NEED_KEY] if kind is MappingStartEvent else [[], None])
                    continue
            if not stack:
                return value
            frame = stack[-1]
            if frame[1] is None:
                frame[0].append(value)
            else:
                frame[0][frame[1]] = value
                frame[1] = _NEED_KEY


_NEED_KEY = object()
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


def decode(data: bytes) -> tuple[str | None, YamlError | None]:
    """UTF-8 text without BOM, or an error that names the byte and shows it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        line_bytes = data[line_start : line_end if line_end >= 0 else len(data)]
        prefix = data[line_start:start].decode("utf-8", "replace")
        shown = line_bytes.decode("cp1252", "replace").strip()[:60]
        return None, YamlError(
            data.count(b"\n", 0, start),
            len(prefix),
            "invalid-utf8",
            f"byte 0x{data[start]:02X} is not valid UTF-8; the line reads {shown!r} as Windows-1252",
            "save the file as UTF-8",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def scan_text(text: str) -> YamlError | None:
    """Refuse what YAML would accept silently: conflict markers, NEL, escaped surrogates.

    Other control characters are refused by libyaml's reader (see `parse`);
    the substring tests keep the regexes off the common path.
    """
    if "<<<<<<<" in text or "=======" in text or ">>>>>>>" in text:
        match = _CONFLICT.search(text)
        if match:
            line, col = _line_col(text, match.start())
            return YamlError(
                line,
                col,
                "merge-conflict",
                f"unresolved git merge-conflict marker '{match.group(1)}'",
                "resolve the conflict and remove the markers",
            )
    if "\x85" in text or "\\u" in text:
        match = _CONTROL.search(text) or _SURROGATE_ESCAPE.search(text)
        if match:
            return _control(text, match.start(), match.group(0))
    return None


def _control(text: str, index: int, char: str) -> YamlError:
    line, col = _line_col(text, index)
    shown = char if len(char) > 1 else f"U+{ord(char):04X}"
    return YamlError(
        line,
        col,
        "control-character",
        f"control character {shown} in the text",
        "remove it; only tab and line breaks are allowed",
    )


def parse(text: str, track: bool = False) -> tuple[Any, YamlError | None, _Builder]:
    builder = _Builder(text, track)
    try:
        return builder.build(), None, builder
    except _Stop as stop:
        return None, stop.error, builder
    except yaml.reader.ReaderError as exc:
        return None, _control(text, exc.position, text[exc.position : exc.position + 1]), builder
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "invalid YAML"
        if exc.context:
            where = exc.context_mark
            started = f" started at {where.line + 1}:{where.column + 1}" if where and where is not mark else ""
            message = f"{message} ({exc.context}{started})"
        return (
            None,
            YamlError(*_at(mark), "yaml-syntax", message, "check indentation, colons and quotes"),
            builder,
        )
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked parser errors are rare
        return None, YamlError(0, 0, "yaml-syntax", str(exc).splitlines()[0]), builder


def _at(mark: Any) -> tuple[int, int]:
    return (mark.line, mark.column) if mark is not None else (0, 0)


def read(data: bytes) -> tuple[Any, YamlError | None]:
    """Bytes of one file to a Python value, or the first problem that stops reading."""
    text, error = decode(data)
    if text is not None and error is None:
        error = scan_text(text)
    if text is None or error is not None:
        return None, error
    value, error, _ = parse(text)
    return value, error


@dataclass
class Positions:
    """Where each key and value of a file starts, 0-based, by key path."""

    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: KeyPath, want_key: bool = False) -> tuple[int, int]:
        """The mark of `path`, else of its nearest ancestor that exists."""
        if want_key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (0, 0))


def positions(data: bytes) -> Positions:
    text, error = decode(data)
    if text is None:
        return Positions()
    _, _, builder = parse(text, track=True)
    return Positions(builder.value_marks, builder.key_marks)
