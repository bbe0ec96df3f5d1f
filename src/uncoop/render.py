"""The Progress and Evaluation Report (¶53) rendered by Jinja2 from its typed view (the `report` package).

Templates are looked up in the user's folder first (`--templates DIR`), then in the shipped
set, one file at a time: `report.html.j2` includes a partial per section (`html/summary.html.j2`,
`html/area.html.j2`, ...), so a user replaces the section they want and keeps the rest.  HTML
autoescapes (partials are `*.html.j2`); Markdown escapes data through filters.  Same input, same
bytes.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from .atomic import UnsafeRead, read_below
from .i18n import RTL, STATUS_WORDS, Language, long_date, percent, translations, when
from .markup import CELLS, md_code, md_text, mermaid_text, safe_url
from .report import GANTT_LABEL, GANTT_WIDTH, ReportView
from .view import status_count

FORMATS = {"md": "report.md.j2", "html": "report.html.j2"}

# What a user's templates (--templates) may cost, each limit one clear template error past it.
# The bundled report is about 0.4 MB of HTML and its largest template 12 KB.
TEMPLATE_BYTES = 1 << 20  # one template file
OUTPUT_CHARS = 32 << 20  # the whole document
REPEAT = 1_000_000  # a number handed to an operator, a function or a filter; a repeated string's length
MEMORY = 1 << 30  # what rendering may add to the process (a backstop for what the checks above miss)
SECONDS = 120.0  # processor time a user's templates may spend (the shipped ones take ~2 s at 2,000 activities)


def shipped_templates() -> Path:
    """The templates shipped in the wheel, else (a source checkout) the repository's templates/."""
    shipped = Path(__file__).parent / "templates"
    return shipped if shipped.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def template_folders(user: Path | None = None) -> list[Path]:
    """Where templates are looked up, first match wins: the user's folder (--templates), then the
    shipped set, so a user may replace one section (say `html/summary.html.j2`) and keep the rest."""
    return ([user] if user is not None else []) + [shipped_templates()]


def environment(folders: list[Path], sandboxed: bool = True):
    """The Jinja environment of the report.  Sandboxed whenever a template may be text someone
    else wrote (--templates): it can read the view but never reach Python internals.  The
    shipped templates alone are uncoop's own code and render without the sandbox's checks on
    every attribute (a third of the time of a large report)."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    shipped = FileSystemLoader([str(f) for f in folders[-1:]])
    env = (_budgeted() if sandboxed else Environment)(
        loader=ChoiceLoader([*(_user_folder(f) for f in folders[:-1]), shipped]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "svg", "svg.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters.update(md=md_text, code=md_code, mermaid=mermaid_text, safe_url=safe_url, plain=str)
    if sandboxed:
        env.filters.update({name: _counted(env.filters[name]) for name in _SIZED})
        env.globals["lipsum"] = _counted(env.globals["lipsum"])
    env.globals.update(
        CELLS=CELLS,
        GANTT_WIDTH=GANTT_WIDTH,
        GANTT_LABEL=GANTT_LABEL,
        STATUS_WORDS=STATUS_WORDS,
    )
    return env


def render(view: ReportView, fmt: str, folder: Path | None = None) -> str:
    """The report as text in one format ('md' or 'html'), in the view's language."""
    return "".join(render_chunks(view, fmt, folder))


def render_chunks(view: ReportView, fmt: str, folder: Path | None = None) -> Iterator[str]:
    """The report as a stream of text, so a large one is written without being held whole."""
    env = language_environment(view.lang, fmt, folder)
    rtl = view.lang in RTL
    user = folder is not None
    clock = _Clock(SECONDS if user else None)
    with _memory_budget(user), clock:
        template = env.get_template(FORMATS[fmt])
    pieces = template.generate(r=view, rtl=rtl, dir="rtl" if rtl else "ltr")
    written = 0
    while True:  # ~1 MB at a time: few writes, little held, no Python work per piece
        with _memory_budget(user), clock:
            chunk = "".join(islice(pieces, 20000))
        if not chunk:
            return
        written += len(chunk)
        if user and written > OUTPUT_CHARS:
            from jinja2 import TemplateError

            raise TemplateError(f"the templates wrote more than {OUTPUT_CHARS >> 20} M characters; that is the limit")
        yield chunk


class _Clock:
    """Processor time left to a user's templates, spent only while they run: a loop of 10**10 empty
    turns is a template error after SECONDS, not hours (a profiling timer: Unix, main thread)."""

    def __init__(self, seconds: float | None) -> None:
        self.left = seconds
        self.before: Any = None  # the SIGPROF handler to put back

    def __enter__(self) -> None:
        import signal
        import threading

        if self.left is None or threading.current_thread() is not threading.main_thread():
            return
        if self.left <= 0:
            self._expired()
        self.before = signal.signal(signal.SIGPROF, self._expired)
        signal.setitimer(signal.ITIMER_PROF, self.left)

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.before is None:
            return
        left, _ = signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, self.before)
        self.left, self.before = left, None

    def _expired(self, *signal: object) -> None:
        from jinja2 import TemplateError

        self.left = 0.0
        raise TemplateError(f"the templates ran for more than {SECONDS:g} s of processor time; that is the limit")


@contextlib.contextmanager
def _memory_budget(on: bool) -> Iterator[None]:
    """While a user's templates run, the process may grow by MEMORY at most: past it Python
    raises MemoryError, which the command reports as a template error (Linux; elsewhere a no-op)."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            now = int(statm.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError):
        on = False
    if not on:
        yield
        return
    before = resource.getrlimit(resource.RLIMIT_AS)
    cap = now + MEMORY if before[1] == resource.RLIM_INFINITY else min(now + MEMORY, before[1])
    resource.setrlimit(resource.RLIMIT_AS, (cap, before[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, before)


def language_environment(lang: Language, fmt: str = "html", folder: Path | None = None):
    """The environment for documents in one language: its catalog, its dates, its words for
    states and grid cells.  The report and the site both render through it."""
    env = environment(template_folders(folder), sandboxed=folder is not None)
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.globals["_"] = _gettext(translations(lang).gettext, fmt == "html")
    if fmt == "html":
        from markupsafe import Markup, escape

        # a date is one unit in any direction: isolated, so Arabic text never reorders its parts
        def isolated(text: str) -> Markup:
            return Markup(f"<bdi>{escape(text)}</bdi>")

        # dates repeat (a quarter's deadline, the as-of day): each is written once per document
        env.filters.update(
            ldate=functools.cache(lambda d: isolated(long_date(d, lang))),
            when=functools.cache(lambda d: isolated(when(d, lang))),
        )
    else:
        env.filters.update(ldate=lambda d: long_date(d, lang), when=lambda d: when(d, lang))
    env.filters["percent"] = lambda value: percent(value, lang)
    gettext = translations(lang).gettext
    # translated once: these are shown for every activity and every grid cell
    env.globals.update(
        STATUS_T={k: gettext(v) for k, v in STATUS_WORDS.items()},
        CELL_T={k: gettext(c.word) for k, c in CELLS.items()},
        STATUS_N=lambda status, n: status_count(status, n, lang),  # '5 clôturées': the word agrees with n
    )
    return env


def _gettext(translate, html: bool):
    """`_()` in templates: Jinja's newstyle gettext (the message is always a format string, its
    variables escaped in HTML), each message translated once per document rather than per use."""
    from markupsafe import Markup

    cache: dict[str, str] = {}
    plain: dict[str, str] = {}  # messages used without variables, formatted once

    def formatted(message: str, variables: dict) -> str:
        text = cache.get(message)
        if text is None:
            text = cache[message] = Markup(translate(message)) if html else translate(message)
        return text % variables

    def gettext(message: str, **variables: object) -> str:
        if variables:
            return formatted(message, variables)
        done = plain.get(message)
        if done is None:
            done = plain[message] = formatted(message, {})
        return done

    return gettext


class PdfUnavailable(Exception):
    """WeasyPrint, or the system libraries it draws with, are not installed."""


def render_pdf(view: ReportView, folder: Path | None = None) -> bytes:
    """The report as an A4 PDF, from the same HTML: WeasyPrint lays it out with the print styles
    (running header, page numbers, a table of contents with page numbers) and shapes Arabic.
    No request leaves the machine: the HTML is self-contained and nothing else is fetched."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetchingError
    except (ImportError, OSError) as exc:  # OSError: pango or its friends missing
        raise PdfUnavailable(str(exc).splitlines()[0]) from None

    class NoFetch(URLFetcher):
        """A template may name a remote image or a local file: nothing is fetched, the PDF is made without."""

        def fetch(self, url: str, headers: object = None) -> object:
            raise URLFetchingError(f"the report does not fetch {url}")

    # PDF/A-2a: an archival PDF (ISO 19005-2; the report is a record of the cooperation) at level
    # "a", which is tagged (a structure tree, the language, text as Unicode) for screen readers;
    # part 2 keeps the transparency the timelines use, which part 1 forbids.  Title, author (the
    # focal points), subject and keywords come from the HTML's <title> and <meta>.
    return HTML(string=render(view, "html", folder), url_fetcher=NoFetch()).write_pdf(pdf_variant=PDF_VARIANT)


PDF_VARIANT = "pdf/a-2a"


def _user_folder(folder: Path):
    """Templates from a folder the user named, through the read door: no link anywhere on the way
    (a template folder linking to /etc/passwd or the cache key would print it), regular files of
    at most TEMPLATE_BYTES, UTF-8 or a template error naming the file."""
    from jinja2 import BaseLoader, TemplateError, TemplateNotFound

    class Loader(BaseLoader):
        def get_source(self, environment, template: str):
            try:
                data = read_below(folder, template, TEMPLATE_BYTES)
            except FileNotFoundError:
                raise TemplateNotFound(template) from None
            except (UnsafeRead, OSError) as exc:
                raise TemplateError(f"--templates: {exc}") from None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TemplateError(
                    f"{folder / template}: byte {exc.start} is not UTF-8; save the template as UTF-8"
                ) from None
            return text, str(folder / template), lambda: True

    return Loader()


# the filters and text methods whose numbers are sizes of what they make
_SIZED = ("center", "indent", "wordwrap", "truncate")
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


def _too_big(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > REPEAT


def _refuse(what: str):
    from jinja2.sandbox import SecurityError

    return SecurityError(f"{what} is over the templates' limit of {REPEAT:,}")


def _counted(function):
    """`function` refusing a number over REPEAT (`center(10**9)`, `lipsum(2000000)`)."""

    @functools.wraps(function)  # keeps Jinja's pass_context marks
    def checked(*args, **kwargs):
        if any(_too_big(v) for v in (*args, *kwargs.values())):
            raise _refuse(f"a number given to {getattr(function, '__name__', 'a filter')}")
        return function(*args, **kwargs)

    return checked


def _budgeted():
    """The sandbox with repetition, powers and sizes held to REPEAT: `'a' * 10**9`, `9 ** 9 ** 9`
    or `'x'.center(10**9)` is a one-line error, not gigabytes or minutes (amounts of money are
    numbers like any other: only sizes are limited)."""

    from jinja2.sandbox import SandboxedEnvironment

    class Budgeted(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, int) and abs(right) > 64 and left not in (0, 1, -1):
                raise _refuse("a power")
            if operator == "*" and hasattr(left, "__len__") and isinstance(right, int) and len(left) * right > REPEAT:
                raise _refuse("a repeated text's length")
            if operator == "*" and hasattr(right, "__len__") and isinstance(left, int) and len(right) * left > REPEAT:
                raise _refuse("a repeated text's length")
            return super().call_binop(context, operator, left, right)

        def call(__self, __context, __obj, *args, **kwargs):
            name = getattr(__obj, "__name__", "")
            sized = isinstance(getattr(__obj, "__self__", None), str) and name in _SIZED_METHODS
            if sized and any(_too_big(v) for v in (*args, *kwargs.values())):
                raise _refuse(f"a number given to {name}")
            return super().call(__context, __obj, *args, **kwargs)

    return Budgeted
