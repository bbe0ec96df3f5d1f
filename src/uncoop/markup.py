"""Text from the data inside Markdown, Mermaid and links: the one place it is escaped.

Every Markdown document uncoop writes (the report, `status --format markdown`, `diff`,
`history`, the GitHub job summary) passes data through `md_text` or `md_code`, so a narrative
such as `[Click](https://evil.example) ![x](https://evil.example/p.png)` renders as the text it
is: no link, no image, no HTML, no table cell broken by `|`, no heading or list started by a
line break.  The reporting grid's symbols and legend live here too, so the terminal, status
Markdown and the report show one grid.  Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from .i18n import N_
from .problem import printable
from .vocab import CELL_STATES

# Markdown punctuation that can open a link or image ([), emphasis, code, or end a table cell;
# '(' and '!' are harmless once '[' is escaped
_MD_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*[]|~"})
# '_' only opens emphasis at a word's edge: planned_end stays as written
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# what would start a block at the beginning of a line: heading, list, quote, rule, numbered item
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")
_MD_ENTITY = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# what GitHub's autolink extension would turn into links: scheme://, www., e-mail addresses
_AUTOLINK = re.compile(r"(?i)(:)(//)|\b(www)(\.)|(@)")


def md_text(text: object) -> str:
    """Data text inside Markdown (a paragraph or a table cell): one line, shown literally.

    Keeps a `fallback` mark for text shown in another language than asked (i18n.LText)."""
    fallback = getattr(text, "fallback", None)
    value = printable(" ".join(str(text).split()))
    value = _UNDERSCORE.sub(r"\\_", value.translate(_MD_ENTITY).translate(_MD_ESCAPE))
    value = _AUTOLINK.sub(_break_autolink, value)
    if _BLOCK_START.match(value):
        value = "\\" + value if not value[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", value)
    return f"{value} _({fallback})_" if fallback and value else value


def _break_autolink(match: re.Match) -> str:
    if match.group(1):
        return ":\\/\\/"
    if match.group(3):
        return match.group(3) + "\\."
    return "\\@"


def md_code(text: object) -> str:
    """Data text as a Markdown code span (e.g. a file location), whatever backticks it holds;
    `|` escaped so it cannot end a table cell."""
    value = printable(" ".join(str(text).split())).replace("|", "\\|")
    run = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (run + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


# ':' would end a gantt task title, '#' and ';' start entities or statements, '%' and braces a
# directive (%%{init: ...}%%); one pass, so the '#' of an entity written here stays
_MERMAID = str.maketrans({c: f"#{ord(c)};" for c in "#:;<>%{}"})


def mermaid_text(text: object) -> str:
    """Data text inside a Mermaid gantt line.  Callers start each line with uncoop's own text
    (an activity id), so data never stands where a `title`, `click` or `section` would."""
    return printable(" ".join(str(text).split())).translate(_MERMAID)


_URL_SAFE = "/:?#[]@!$&'()*+,;=%-._~"


def safe_url(url: str) -> str | None:
    """Links from data keep only http, https and mailto (no javascript:, data:, file:), with
    spaces, angle brackets, quotes and non-ASCII percent-encoded so the URL cannot end its
    Markdown `<...>` or HTML attribute early."""
    value = url.strip()
    if not value.lower().startswith(("http://", "https://", "mailto:")):
        return None
    return quote(value, safe=_URL_SAFE.replace("'", "").replace("(", "").replace(")", ""))


@dataclass(frozen=True, slots=True)
class Cell:
    """How one state of a reporting-grid cell is shown: symbols, not words, so the grid reads in
    every language; the legend's word is translated."""

    state: str
    mark: str  # in documents (Markdown, HTML)
    term: str  # in the terminal: one column wide in every font
    style: str  # rich style in the terminal
    word: str  # the legend, marked for translation

    @property
    def md(self) -> str:
        return f"**{self.mark}**" if self.state == "missing" else self.mark


CELLS = {
    cell.state: cell
    for cell in (
        Cell("submitted", "✓", "✓", "green", N_("on time")),
        Cell("late", "⚠", "L", "yellow", N_("late")),
        Cell("missing", "✗", "✗", "bold red", N_("missing")),
        Cell("not-due", "…", "·", "dim", N_("not yet due")),
        Cell("not-required", "–", " ", "", N_("not required")),
    )
}
assert tuple(CELLS) == CELL_STATES, "every grid state needs its symbols"


BLANK = N_("(blank)")  # how the terminal legend names an empty cell


def legend(separator: str = " · ", terminal: bool = False, word=lambda w: w) -> str:
    """'✓ on time · ⚠ late · ...'; `word` translates."""
    return separator.join(
        f"{(cell.term if cell.state != 'not-required' else word(BLANK)) if terminal else cell.mark} {word(cell.word)}"
        for cell in CELLS.values()
    )


def json_bytes(doc: object) -> bytes:
    """A JSON document as uncoop writes every one: two-space indent, UTF-8, a final newline.
    orjson writes it several times faster than the standard library (a status of 100,000
    findings), byte for byte the same for the values uncoop writes."""
    import orjson

    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def json_text(doc: object) -> str:
    return json_bytes(doc).decode()


def json_stream(fields: Iterable[tuple[str, object]]) -> Iterator[bytes]:
    """The same bytes as `json_bytes` of a mapping, written piece by piece: a field whose value
    is an iterator is written item by item, so a list of 100,000 findings is never held twice
    (as values and as one document)."""
    import orjson

    def dumped(value: object, depth: int) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + b"  " * depth)

    yield b"{"
    first = True
    for name, value in fields:
        yield (b"\n  " if first else b",\n  ") + orjson.dumps(name) + b": "
        first = False
        if not isinstance(value, Iterator):
            yield dumped(value, 1)
            continue
        empty = True
        for item in value:
            yield (b"[\n    " if empty else b",\n    ") + dumped(item, 2)
            empty = False
        yield b"[]" if empty else b"\n  ]"
    yield b"\n}\n" if not first else b"}\n"
