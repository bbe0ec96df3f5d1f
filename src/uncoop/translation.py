"""The Matrix's own text out to translators and back: fields, units, checks, coverage.

Every Text field of every record is a `Field` with a stable id naming its file and its place by
ids, never by position (`activities/humanitarian/HUM-01.yaml#milestones.M1.title`,
`updates/2015-Q1/OCHA.yaml#entries.HUM-01.narrative`), so an id still means the same field after
an item is added or the file is reformatted.  Export writes one XLIFF unit per field lacking the
target language (or every field, for revision) with the source's SHA-256; import checks every
unit before anything is written (`plan`), and the command line writes the changes file by file
through the editing path (`apply`).  Text in, text out: no file is read or written here.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .i18n import Language, language
from .load import Loaded, Matrix, _kind_of
from .records import text_fields
from .vocab import LANGS
from .xliff import InFile, InUnit, OutUnit

# fields short by nature: a translation longer than this is refused (and CAT tools warn first)
MAX_WIDTH = {"unit": 80}
# the list items known by an id of their own rather than by their position
ITEM_ID = ("id", "activity")

ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
# characters that reorder or hide text (Trojan Source) and have no place in a Matrix text
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Field:
    """One translatable text: its id, file (relative to the Matrix) and key path in that file."""

    id: str
    file: str
    keys: tuple
    value: str | dict[str, str]
    kind: str  # e.g. "milestone title", in words for the translator
    context: tuple[str, ...]  # notes: what the text belongs to

    def text(self, lang: Language) -> str | None:
        if isinstance(self.value, str):
            return self.value if lang == "en" else None
        return self.value.get(lang)


@dataclass(frozen=True)
class Refusal:
    """Why a unit (or the file) cannot be imported, at its place in the XLIFF file."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def as_text(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: error: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class Change:
    """One value to add (or revise): the field, the language and the translated text."""

    field: Field
    lang: Language
    text: str


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _relative(matrix: Matrix, record: Loaded) -> str:
    real = matrix.files.get(record.path)
    try:
        return Path(real).relative_to(matrix.root).as_posix() if real else record.path
    except ValueError:
        return record.path


def fields(matrix: Matrix) -> list[Field]:
    """Every text field of the Matrix, in file order (matrix.yaml, organisations, areas,
    activities, updates) and record order within a file."""
    m = matrix
    activity_titles = {a.value.id: a.value.title for a in m.activities}
    area_titles = {a.value.id: a.value.title for a in m.areas}
    found: list[Field] = []
    groups: list[tuple[str, list[Loaded[Any]]]] = [
        ("matrix", [m.meta] if m.meta else []),
        ("organization", list(m.organizations)),
        ("area", list(m.areas)),
        ("activity", list(m.activities)),
        ("update", list(m.updates)),
    ]
    for kind, records in groups:
        for record in records:
            file = _relative(m, record)
            segments = tuple(_segment(record.keys, record.value))
            context = _context(kind, record.value, activity_titles, area_titles)
            for keys, names, value in _walk(record.value, (), ()):
                where = ".".join(map(str, segments + names))
                found.append(Field(f"{file}#{where}", file, record.keys + keys, value, _kind(kind, keys), context))
    return found


def _segment(keys: tuple, value: Any) -> Iterator[str]:
    """A record's own place: its list key and its id (organizations.OCHA), never its index."""
    if keys:
        yield str(keys[0])
        yield str(getattr(value, "id", keys[-1]))


def _walk(value: Any, keys: tuple, names: tuple) -> Iterator[tuple[tuple, tuple, Any]]:
    """(key path, id path, text) of every Text inside a record; list items by their id."""
    for name, nested in text_fields(type(value)):
        child = getattr(value, name)
        if child is None:
            continue
        if not nested:
            yield keys + (name,), names + (name,), child
        elif isinstance(child, list):
            for i, item in enumerate(child):
                ident = next((getattr(item, k) for k in ITEM_ID if hasattr(item, k)), i)
                yield from _walk(item, keys + (name, i), names + (name, ident))
        else:
            yield from _walk(child, keys + (name,), names + (name,))


_ITEM_WORDS = {
    "milestones": "milestone",
    "deliverables": "deliverable",
    "indicators": "indicator",
    "funding": "funding mechanism",
    "links": "link",
    "entries": "update",
}


def _kind(kind: str, keys: tuple) -> str:
    """The field in words: 'milestone title', 'update narrative', 'organization name'."""
    names = [k for k in keys if isinstance(k, str)]
    owner = _ITEM_WORDS.get(names[-2], names[-2].replace("_", " ")) if len(names) > 1 else kind
    return f"{owner} {names[-1].replace('_', ' ')}".replace("funding mechanism mechanism", "funding mechanism")


def _english(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _context(kind: str, value: Any, activities: dict, areas: dict) -> tuple[str, ...]:
    if kind == "activity":
        return (f"Activity {value.id}: {_english(value.title)}", f"Area: {_english(areas.get(value.area))}")
    if kind == "update":
        return (f"Quarterly update of {value.organization} for {value.period}",)
    if kind == "organization":
        return (f"Institution {value.id} ({value.side.upper()} side): {_english(value.name)}",)
    if kind == "area":
        return (f"Area {value.id} ({value.code}): {_english(value.title)}",)
    return ("The Matrix itself (matrix.yaml)",)


def _update_notes(field: Field, activities: dict) -> tuple[str, ...]:
    """An update entry's notes name its activity, so a narrative is read against its title."""
    if ".yaml#entries." not in field.id or not field.file.startswith("updates/"):
        return field.context
    activity = field.id.split("#entries.", 1)[1].rsplit(".", 1)[0]
    title = activities.get(activity)
    return (*field.context, f"Activity {activity}: {_english(title)}" if title else f"Activity {activity}")


def export_units(
    matrix: Matrix, source: Language, target: Language, only_missing: bool
) -> tuple[list[tuple[str, list[OutUnit]]], int]:
    """The units of an export by file (in file order) and the number of fields without a
    `source` text, which cannot be exported and are counted, never skipped silently."""
    activities = {a.value.id: a.value.title for a in matrix.activities}
    by_file: dict[str, list[OutUnit]] = {}
    without_source = 0
    for field in fields(matrix):
        text, existing = field.text(source), field.text(target)
        if only_missing and existing is not None:
            continue
        if text is None:
            without_source += 1
            continue
        notes = (f"Field: {field.kind}", *_update_notes(field, activities))
        width = MAX_WIDTH.get(field.keys[-1])
        unit = OutUnit(field.id, text, existing, notes, width, source_hash(text))
        by_file.setdefault(field.file, []).append(unit)
    return list(by_file.items()), without_source


def wrong_script(text: str, lang: Language) -> str | None:
    """Why `text` cannot be `lang` by its letters, or None: Arabic needs Arabic letters, and
    French or English written mostly in Arabic letters is a text pasted into the wrong unit."""
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    arabic = sum(1 for c in letters if any(lo <= ord(c) <= hi for lo, hi in ARABIC_BLOCKS))
    if lang == "ar" and letters and not arabic:
        return "an Arabic translation without a single Arabic letter"
    if lang != "ar" and arabic * 2 > len(letters):
        return f"a {lang} translation written in Arabic letters"
    return None


def _bad_character(text: str) -> str | None:
    for c in text:
        if c in BIDI_CONTROLS:
            return f"U+{ord(c):04X} (a bidirectional control that can hide or reorder text)"
        if unicodedata.category(c) == "Cc" and c not in "\n\t":
            return f"U+{ord(c):04X} (a control character)"
    return None


def plan(matrix: Matrix, doc: InFile, shown: str, seen: set[str] | None = None) -> tuple[list[Change], list[Refusal]]:
    """What importing `doc` would change, and every reason it may not: all units are checked
    before anything is written, so one bad unit leaves every file as it was.  `seen` is shared
    by the files of one import, so a unit given twice (in one file or two) is refused, never
    decided silently by the order of the files."""
    refusals: list[Refusal] = []
    source, target = doc.source_attr, doc.target_attr

    def refuse(unit: InUnit | None, message: str, hint: str = "") -> None:
        line, column = (unit.line, unit.column) if unit else (1, 1)
        refusals.append(Refusal(shown, line, column, message, hint))

    for lang, what in ((source, "source-language"), (target, "target-language")):
        if lang not in LANGS:
            refuse(None, f"{what} '{lang}' is not a Matrix language", f"use one of {', '.join(LANGS)}")
    if source == target:
        refuse(None, f"source and target language are both '{source}'")
    if refusals:
        return [], refusals
    known = {f.id: f for f in fields(matrix)}
    changes: list[Change] = []
    seen = set() if seen is None else seen
    for unit in doc.units:
        change = _check_unit(unit, known, language(source), language(target), seen, refuse)
        if change is not None:
            changes.append(change)
    return ([] if refusals else changes), refusals


def _check_unit(unit: InUnit, known: dict, source: Language, target: Language, seen: set, refuse: Any) -> Change | None:
    field = known.get(unit.id)
    if field is None:
        refuse(unit, f"unit '{unit.id}' names no text of this Matrix", "export again from the current Matrix")
        return None
    if unit.id in seen:
        refuse(unit, f"unit '{unit.id}' appears twice")
        return None
    seen.add(unit.id)
    current = field.text(source)
    if unit.source_hash is None:
        refuse(unit, f"unit '{unit.id}' carries no source hash", "import files made by `uncoop translation export`")
        return None
    if current is None or source_hash(current) != unit.source_hash:
        refuse(
            unit,
            f"the {source} text of '{unit.id}' has changed since the export",
            "export again and translate the new text",
        )
        return None
    if unit.target is None:
        return None  # not translated yet: counted by the caller, never written
    text = unit.target
    if not text.strip():
        refuse(unit, f"unit '{unit.id}' has an empty target", "translate it, or remove its <target>")
        return None
    bad = _bad_character(text)
    why = bad and f"the target of '{unit.id}' holds {bad}"
    why = why or (wrong_script(text, target) and f"the target of '{unit.id}' is {wrong_script(text, target)}")
    width = MAX_WIDTH.get(field.keys[-1])
    if not why and width is not None and len(text) > width:
        why = f"the target of '{unit.id}' is {len(text)} characters long, over the {width} its field allows"
    if why:
        refuse(unit, why)
        return None
    if text != text.strip():
        text = text.strip()
    if field.text(target) == text:
        return None  # already there: importing twice changes nothing
    return Change(field, target, text)


def untranslated(doc: InFile) -> int:
    return sum(1 for unit in doc.units if unit.target is None)


def coverage(matrix: Matrix) -> dict[str, tuple[int, int]]:
    """Per language, (fields that have it, text fields in all): how complete each language is."""
    found = fields(matrix)
    return {code: (sum(1 for f in found if f.text(language(code)) is not None), len(found)) for code in LANGS}


def kind_of(name: str) -> str:
    """The schema of a Matrix file from its path relative to the Matrix ('activity', ...)."""
    return _kind_of(tuple(name.split("/"))) or "activity"
