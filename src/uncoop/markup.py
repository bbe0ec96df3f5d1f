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
from typing import Any
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


# runs of blanks become one space; no-break spaces stay (French puts a narrow one before ; : ! ?)
_BLANKS = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def one_line(text: object) -> str:
    """Text on one line: each run of blanks and line breaks one space, no-break spaces kept."""
    return _BLANKS.sub(" ", str(text)).strip(" ")


def md_text(text: object) -> str:
    """Data text inside Markdown (a paragraph or a table cell): one line, shown literally.

    Keeps a `fallback` mark for text shown in another language than asked (i18n.LText)."""
    fallback = getattr(text, "fallback", None)
    value = printable(one_line(text))
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
    value = printable(one_line(text)).replace("|", "\\|")
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
    return printable(one_line(text)).translate(_MERMAID)


_URL_SAFE = "/:?#[]@!$&'()*+,;=%-._~"


def safe_url(url: str) -> str | None:
    """Links from data keep only http, https and mailto (no javascript:, data:, file:), with
    spaces, angle brackets, quotes and non-ASCII percent-encoded so the URL cannot end its
    Markdown `<...>` or HTML attribute early."""
    value = url.strip()
    if not value.lower().startswith(("http://", "https://", "mailto:")):
        return None
    return quote(value, safe=_URL_SAFE.replace("'", "").replace("(", "").replace(")", ""))


_NOT_IN_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(text: object) -> str:
    """Data inside an e-mail header: one line (a line break would end the header or crash the
    writer), control characters made spaces."""
    return one_line(_NOT_IN_HEADER.sub(" ", str(text)))


def header_address(header: str, name: object, addr_spec: str, policy: Any) -> Any:
    """An address header of one address: `name <addr_spec>`, or the bare address when the header
    as `policy` folds it would not read back as exactly that one address (Python 3.11's folder
    drops the quotes of a long display name, so a name holding ', x@y' would add a recipient)."""
    from email import message_from_bytes
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import default

    shown = header_text(name)
    wanted = Address(display_name=shown, addr_spec=addr_spec)
    alone = EmailMessage(policy=policy)
    alone[header] = wanted
    back = message_from_bytes(bytes(alone), policy=default)[header]
    got: tuple[Any, ...] = tuple(getattr(back, "addresses", ()))
    if len(got) == 1 and got[0].addr_spec == addr_spec and got[0].display_name == shown:
        return wanted
    return Address(addr_spec=addr_spec)


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
        Cell("late", "⚠", "!", "yellow", N_("late")),  # a symbol, not an English letter
        Cell("incomplete", "◐", "~", "yellow", N_("incomplete")),
        Cell("missing", "✗", "✗", "bold red", N_("missing")),
        Cell("not-due", "…", "·", "dim", N_("not yet due")),
        Cell("idle", "○", "○", "dim", N_("nothing under way")),
        Cell("not-required", "–", " ", "", N_("not required")),
    )
}
assert tuple(CELLS) == CELL_STATES, "every grid state needs its symbols"


BLANK = N_("(blank)")  # how the terminal legend names an empty cell


def legend_entries(terminal: bool = False, word=lambda w: w) -> list[str]:
    """['✓ on time', '⚠ late', ...]; `word` translates."""
    return [
        f"{(cell.term if cell.state != 'not-required' else word(BLANK)) if terminal else cell.mark} {word(cell.word)}"
        for cell in CELLS.values()
    ]


def legend(separator: str = " · ", terminal: bool = False, word=lambda w: w) -> str:
    """'✓ on time · ⚠ late · ...'; `word` translates."""
    return separator.join(legend_entries(terminal, word))


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


# --- text to a terminal or a CI log ---------------------------------------------------------

# What a CI runner reads as a command in its log: GitHub's `::name ...::`, once the blanks that
# start the line are trimmed, and the older `##[name]` (and Azure's `##vso[`) anywhere in a line.
# The runner breaks lines at LF and CR; the other breaks are counted too, to be safe.
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_COMMAND = re.compile(rf"(?:(?<=[{_BREAKS}])|^)([^\S{_BREAKS}]*)(?=::)|##(?=(?:vso)?\[)", re.IGNORECASE)
# the end of what was written so far that could still become a command with the next write
_UNDECIDED_START = re.compile(r"\A[^\S\n\r]*:?\Z")
_UNDECIDED_END = re.compile(r"##?(?:v(?:s(?:o)?)?)?\Z", re.IGNORECASE)


def log_safe(text: str) -> str:
    """Text for a terminal or a CI log: a line that would start a workflow command gets a
    backslash before its `::` (`\\::error ...`), and `##[` becomes `# #[` (a space, which stays
    valid inside a JSON string; the runner compares culture-sensitively, so an invisible
    character could be ignored and is no cure).  Everything uncoop writes
    to standard output and error passes here (`LogGuard`); only the `github` findings format,
    whose lines are meant as commands and escape their data themselves, goes around it."""
    if "::" not in text and "##" not in text:
        return text
    return _COMMAND.sub(lambda m: m.group(1) + "\\" if m.group(1) is not None else "# #", text)


class LogGuard:
    """A text stream that passes everything written through `log_safe`, line by line, however
    the writes cut the lines (a table drawn piece by piece, a report written in chunks)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._pending = ""
        self._mid_line = False  # what was last passed on ended inside a line
        self._bytes: BytesGuard | None = None

    def write(self, text: str) -> int:
        if self._bytes is not None:
            self._bytes.finish()  # bytes written before this text come first
        self._pending += text
        cut = max(self._pending.rfind("\n"), self._pending.rfind("\r")) + 1
        if cut:
            self._emit(self._pending[:cut])
            self._pending = self._pending[cut:]
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def _emit(self, text: str) -> None:
        # a piece that continues a line is not at a line's start: a letter in front says so
        self._stream.write(log_safe("x" + text)[1:] if self._mid_line else log_safe(text))
        self._mid_line = not text.endswith(("\n", "\r"))

    def flush(self) -> None:
        """Pass on all but a tail that the next write could still turn into a command."""
        pending = self._pending
        undecided = _UNDECIDED_END.search(pending)
        keep = len(undecided.group()) if undecided else 0
        if not self._mid_line and _UNDECIDED_START.match(pending):
            keep = len(pending)
        if len(pending) > keep:
            self._emit(pending[: len(pending) - keep])
            self._pending = pending[len(pending) - keep :]
        self._stream.flush()

    def finish(self) -> Any:
        """Pass on everything (the command is done, or bytes follow); the stream underneath."""
        if self._pending:
            self._emit(self._pending)
            self._pending = ""
        self._stream.flush()
        return self._stream

    @property
    def unguarded(self) -> Any:
        """The stream underneath, for what is meant as commands (the `github` format) or is no
        text at all (a PDF): the caller says so by asking for it."""
        if self._bytes is not None:
            self._bytes.finish()
        return self.finish()

    @property
    def buffer(self) -> BytesGuard:
        """Bytes (JSON, a calendar) are guarded the same way, after the text written before."""
        self.finish()
        if self._bytes is None:
            self._bytes = BytesGuard(self._stream.buffer)
        return self._bytes

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...: the stream's own
        return getattr(self._stream, name)


class _Encoder:
    """Text onto a byte stream, every byte kept (`surrogateescape` round-trips what is not UTF-8)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, text: str) -> None:
        self.raw.write(text.encode("utf-8", "surrogateescape"))

    def flush(self) -> None:
        self.raw.flush()


class BytesGuard:
    """`LogGuard` for bytes: the same lines neutralised, every other byte as written.  Lines are
    cut at LF and CR bytes, which never stand inside a UTF-8 character."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._text = LogGuard(_Encoder(raw))

    def write(self, data: bytes) -> int:
        self._text.write(bytes(data).decode("utf-8", "surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()

    def finish(self) -> Any:
        self._text.finish()
        return self._raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
