"""The one value every stage reports: a located, coded, one-line finding.

The YAML reader, the schema, the validity checks and the timeline all yield
`Problem`s; every output format reads them.  Standard library only, so any
layer may import it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# C0 and C1 controls, DEL, and the line/paragraph separators some consumers break lines on
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """One line of text that can go to any output: control characters (ESC, CR, LF, ...) are
    shown as escapes, so data can neither colour a terminal nor start a new line in CI logs."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


# What no text field of the Matrix may hold (the reader refuses it: model.Text, model.Prose):
# C0 and C1 controls and DEL; the line and paragraph separators; the bidi embedding, override and
# isolate controls, which reorder what a terminal, a letter or a log shows around them (the
# direction marks LRM, RLM and ALM stay allowed); lone surrogates; Unicode noncharacters, which
# XML 1.0 and spreadsheets refuse.  A multi-line field may also hold LF and tab.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
)
_ODD = "\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff" + _NONCHARACTERS
ODD_IN_LINE = re.compile(f"[\x00-\x0a{_ODD}]")
ODD_IN_PROSE = re.compile(f"[\x00-\x08{_ODD}]")


def odd_character(char: str, multiline: bool = False) -> tuple[str, str]:
    """What a refused character is, and what to do: (its name, a hint)."""
    code = ord(char)
    if char in "\n\r\u2028\u2029\x85\x0b\x0c":
        if multiline:
            return f"line break U+{code:04X}", "break lines with a plain line feed (a new line in the file)"
        return f"line break U+{code:04X}", "write it on one line; line breaks belong in descriptions and narratives"
    if char == "\t":
        return "tab U+0009", "use a space"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return (
            f"bidirectional control U+{code:04X}",
            "remove it; it reorders the text around it (the marks U+200E and U+200F are allowed)",
        )
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"control character U+{code:04X}", "remove it"
    return f"noncharacter U+{code:04X}", "remove it; it is not text"


# XML 1.0 allows tab, LF, CR and the rest of Unicode but for the surrogates and U+FFFE, U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """Text any XML 1.0 writer may put in a file (IATI, XLIFF, the parts of a workbook): what XML
    cannot hold becomes U+FFFD, so a file is never ill-formed (the reader refuses such characters
    in the first place; this keeps each writer safe on its own)."""
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


def xml_clean_tree(root: Any) -> Any:
    """An ElementTree tree with `xml_chars` applied to every text, tail and attribute, in place:
    the one pass each XML writer makes before serialising."""
    for element in root.iter():
        if element.text:
            element.text = xml_chars(element.text)
        if element.tail:
            element.tail = xml_chars(element.tail)
        for name, value in element.attrib.items():
            element.attrib[name] = xml_chars(value)
    return root


class UncoopError(Exception):
    """An expected failure the user can act on (a git revision that does not exist, a write
    refused, an edit that cannot be made): the command line prints its message on one line and
    exits 2.  Mistakes *in the Matrix* are never raised: they are `Problem`s."""


class Severity(enum.IntEnum):
    """Ordered so that `--fail-on` is a comparison."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a file: `path` as shown to the user, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location
    severity: Severity
    code: str
    message: str
    hint: str = ""
    # what the finding is about (e.g. "HUM-01/M2"), stable while lines move and days pass;
    # CI fingerprints use it so a finding keeps its identity from one run to the next
    key: str = ""
    # the message as a template marked for translation and its figures (timeline findings), so
    # `status --lang` and the report can say it in another language; empty: English only
    template: str = ""
    args: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        # messages quote data (ids, titles, file names): every output format gets plain text
        for name in ("message", "hint", "key"):
            object.__setattr__(self, name, printable(getattr(self, name)))

    def said(self, gettext: Callable[[str], str], when: Callable[[object], str]) -> str:
        """The message in another language: `gettext` translates the template, `when` writes a
        date figure; a finding without a template keeps its English message."""
        if not self.template:
            return self.message
        figures = {
            k: when(v)
            if hasattr(v, "year") or hasattr(v, "precision")
            else gettext(v)
            if isinstance(v, str) and v
            else v
            for k, v in self.args
        }
        return printable(gettext(self.template) % figures)

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def as_text(self) -> str:
        text = f"{self.location}: {self.severity.label}[{self.code}] {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict:
        loc = self.location
        return {
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "severity": self.severity.label,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file, line, column; exact duplicates dropped."""
    return sorted(set(problems), key=Problem.sort_key)


def dotted(loc: tuple) -> str:
    """A key path as a reader writes it: `entries[0].milestones_done`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
