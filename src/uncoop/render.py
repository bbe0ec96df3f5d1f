"""The Progress and Evaluation Report (¶53) rendered by Jinja2 from its typed view (`reportview`).

Templates are looked up in the user's folder first (`--templates DIR`), then in the shipped
set, one file at a time: `report.html.j2` includes a partial per section (`html/summary.html.j2`,
`html/area.html.j2`, ...), so a user replaces the section they want and keeps the rest.  HTML
autoescapes (partials are `*.html.j2`); Markdown escapes data through filters.  Same input, same
bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from .i18n import RTL, long_date, translations, when
from .markup import CELLS, md_code, md_text, mermaid_text, safe_url
from .reportview import GANTT_LABEL, GANTT_WIDTH, STATUS_WORDS, ReportView

FORMATS = {"md": "report.md.j2", "html": "report.html.j2"}


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
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    env = (SandboxedEnvironment if sandboxed else Environment)(
        loader=FileSystemLoader([str(f) for f in folders]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "svg", "svg.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters.update(md=md_text, code=md_code, mermaid=mermaid_text, safe_url=safe_url, plain=str)
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
    template = env.get_template(FORMATS[fmt])
    pieces = template.generate(r=view, rtl=rtl, dir="rtl" if rtl else "ltr")
    while True:  # ~1 MB at a time: few writes, little held, no Python work per piece
        chunk = "".join(islice(pieces, 20000))
        if not chunk:
            return
        yield chunk


def language_environment(lang: str, fmt: str = "html", folder: Path | None = None):
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
    gettext = translations(lang).gettext
    # translated once: these are shown for every activity and every grid cell
    env.globals.update(
        STATUS_T={k: gettext(v) for k, v in STATUS_WORDS.items()}, CELL_T={k: gettext(c.word) for k, c in CELLS.items()}
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
