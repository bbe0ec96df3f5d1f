"""The focal points' analysis, read from the Matrix (analysis.*.j2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..atomic import read_regular
from ..i18n import (
    Language,
)
from ..problem import printable
from .view import Analysis

ANALYSIS_LIMIT = 256 * 1024  # bytes: a few pages of prose


def read_analysis(root: Path, as_of: date, lang: Language) -> Analysis:
    """The focal points' analysis for this report: `analysis/<as-of>.<lang>.md`, else
    `analysis/<as-of>.md`, inside the Matrix.  Read as text and shown as text: headings (`#`),
    items (`-`, `*`) and paragraphs, every character escaped by the templates; a link in it stays
    words.  A file that is a link, leaves the Matrix, is not UTF-8 or is too long is not read."""
    folder = root / "analysis"
    expected = f"{root.name}/analysis/{as_of.isoformat()}.md"
    real_root = root.resolve()
    for name in (f"{as_of.isoformat()}.{lang}.md", f"{as_of.isoformat()}.md"):
        path = folder / name
        if not path.resolve().is_relative_to(real_root):
            continue
        data = read_regular(path, ANALYSIS_LIMIT)
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return Analysis(analysis_blocks(text), expected)
    return Analysis(None, expected)


def analysis_blocks(text: str) -> list[tuple[str, str]]:
    """Markdown-ish text as (heading | item | paragraph, text) blocks; the text is plain.

    >>> analysis_blocks("# Lessons\\n\\nReports came late.\\nMost were short.\\n\\n- Ask earlier\\n")
    [('heading', 'Lessons'), ('paragraph', 'Reports came late. Most were short.'), ('item', 'Ask earlier')]
    """
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = printable(raw.strip())
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            blocks.append(("heading", line.lstrip("#").strip()))
        elif line[:2] in ("- ", "* "):
            flush()
            blocks.append(("item", line[2:].strip()))
        else:
            paragraph.append(line)
    flush()
    return blocks
