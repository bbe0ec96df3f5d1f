"""XLIFF 1.2, the file computer-assisted translation tools exchange: written and read here only.

XLIFF 1.2 rather than 2.0: the CAT tools UN and OIC translators use (Trados, memoQ, OmegaT,
Okapi) and translate-toolkit read and write 1.2 best, and 1.2 carries everything a Matrix text
needs (a unit per text, notes, a maximum width, a context group for the source's hash).

Writing goes through ElementTree, the one XML writer: it escapes every text and attribute.
Reading goes through defusedxml: a DTD, an entity declaration or an external reference is
refused before anything is expanded (no XXE, no billion laughs), and the file's size is capped
before it is parsed.  Every element keeps its line and column, so a refusal says where.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from .i18n import Language
from .problem import xml_clean_tree

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
HASH_CONTEXT = "x-uncoop-source-sha256"
MAX_XLIFF_BYTES = 20 << 20  # the bundled Matrix's complete export is ~1 MB


@dataclass(frozen=True)
class OutUnit:
    """One unit to write: id, source, existing target (or None), notes, maximum width, hash."""

    id: str
    source: str
    target: str | None
    notes: tuple[str, ...]
    max_width: int | None
    source_hash: str


@dataclass(frozen=True)
class InUnit:
    """One unit read back, with where it stands in the XLIFF file (line, column)."""

    id: str
    source: str
    target: str | None
    source_hash: str | None
    line: int
    column: int


@dataclass(frozen=True)
class InFile:
    """A file read back. Its source-language and target-language attributes are kept as written:
    `translation.plan` makes them Languages, or refuses a code uncoop does not write."""

    source_attr: str
    target_attr: str
    units: list[InUnit]


class XliffError(ValueError):
    """The file cannot be read as uncoop's XLIFF; `line`/`column` say where."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def write(files: list[tuple[str, list[OutUnit]]], source_lang: Language, target_lang: Language) -> bytes:
    """The XLIFF document: one <file> per Matrix file (`original` its path), in the order given."""
    ET.register_namespace("", NS)
    root = ET.Element(_q("xliff"), {"version": "1.2"})
    for original, units in files:
        file = ET.SubElement(
            root,
            _q("file"),
            {
                "original": original,
                "source-language": source_lang,
                "target-language": target_lang,
                "datatype": "plaintext",
            },
        )
        body = ET.SubElement(file, _q("body"))
        for unit in units:
            _unit(body, unit)
    ET.indent(xml_clean_tree(root), space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _unit(body: ET.Element, unit: OutUnit) -> None:
    attrs = {"id": unit.id, XML_SPACE: "preserve"}
    if unit.max_width is not None:
        attrs |= {"maxwidth": str(unit.max_width), "size-unit": "char"}
    if unit.target is not None:
        attrs["approved"] = "yes"
    element = ET.SubElement(body, _q("trans-unit"), attrs)
    ET.SubElement(element, _q("source")).text = unit.source
    if unit.target is not None:
        ET.SubElement(element, _q("target"), {"state": "translated"}).text = unit.target
    group = ET.SubElement(element, _q("context-group"), {"purpose": "information"})
    ET.SubElement(group, _q("context"), {"context-type": HASH_CONTEXT}).text = unit.source_hash
    for note in unit.notes:
        ET.SubElement(element, _q("note"), {"from": "uncoop"}).text = note


class _Positions(ET.TreeBuilder):
    """A tree builder that remembers where each element starts (expat's line and column)."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.where: dict[int, tuple[int, int]] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        expat = getattr(self.parser, "parser", None)
        if expat is not None:
            self.where[id(element)] = (expat.CurrentLineNumber, expat.CurrentColumnNumber + 1)
        return element


def read(data: bytes) -> InFile:
    """An XLIFF 1.2 file as uncoop wrote it (and a CAT tool filled), or XliffError saying where."""
    import defusedxml
    from defusedxml.ElementTree import DefusedXMLParser

    if len(data) > MAX_XLIFF_BYTES:
        raise XliffError(f"the file is {len(data):,} bytes, over the {MAX_XLIFF_BYTES:,} an XLIFF of a Matrix needs")
    builder = _Positions()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except defusedxml.DTDForbidden:
        message = "the file declares a DTD; XLIFF needs none and uncoop refuses it (entity attacks)"
        raise XliffError(message, *_expat_at(parser)) from None
    except defusedxml.EntitiesForbidden:
        message = "the file declares entities; uncoop refuses them (billion laughs, XXE)"
        raise XliffError(message, *_expat_at(parser)) from None
    except defusedxml.ExternalReferenceForbidden:
        message = "the file refers to an external resource; uncoop never fetches one"
        raise XliffError(message, *_expat_at(parser)) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise XliffError(f"not well-formed XML: {str(exc).split(':')[0]}", line, column + 1) from None
    return _contents(root, builder.where)


def _expat_at(parser: Any) -> tuple[int, int]:
    """Where expat stopped: the declaration defusedxml refused (its handler raised there)."""
    expat = getattr(parser, "parser", None)
    if expat is None:
        return 1, 1
    return expat.CurrentLineNumber, expat.CurrentColumnNumber + 1


def _contents(root: ET.Element, where: dict[int, tuple[int, int]]) -> InFile:
    def at(element: ET.Element) -> tuple[int, int]:
        return where.get(id(element), (1, 1))

    if root.tag != _q("xliff") or root.get("version") != "1.2":
        raise XliffError("not an XLIFF 1.2 file (uncoop writes and reads XLIFF 1.2)", *at(root))
    files = root.findall(_q("file"))
    if not files:
        raise XliffError("the file holds no <file> element", *at(root))
    languages = {(f.get("source-language") or "", f.get("target-language") or "") for f in files}
    if len(languages) != 1:
        raise XliffError("its <file> elements name different languages; export one language per file", *at(files[0]))
    source_lang, target_lang = languages.pop()
    units = []
    for file in files:
        for element in file.iter(_q("trans-unit")):
            units.append(_in_unit(element, at))
    return InFile(source_lang, target_lang, units)


def _in_unit(element: ET.Element, at: Any) -> InUnit:
    source = element.find(_q("source"))
    target = element.find(_q("target"))
    hashes = [c.text or "" for c in element.iter(_q("context")) if c.get("context-type") == HASH_CONTEXT]
    return InUnit(
        id=element.get("id") or "",
        source="".join(source.itertext()) if source is not None else "",
        target="".join(target.itertext()) if target is not None else None,
        source_hash=hashes[0].strip() if hashes else None,
        line=at(element)[0],
        column=at(element)[1],
    )
