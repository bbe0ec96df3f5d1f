"""Commands that publish the Matrix: the Progress and Evaluation Report and the calendar."""

import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .app import Fail, command
from .options import Areas, AsOf, LangOption, MatrixDir, Orgs, PlanAsCommitted, ReportFormat, SideFilter
from .places import repo_root, write_file, write_scope
from .workspace import open_workspace


@command()
def report(
    matrix: MatrixDir = None,
    as_of: AsOf = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="md, html, pdf (A4, needs WeasyPrint: pip install 'uncoop[pdf]') or all (md and html).",
        ),
    ] = ReportFormat.all,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder to write into (default: reports/ beside the matrix directory); '-' for stdout."
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="Folder of your own templates: any of report.md.j2, report.html.j2 or their section partials "
            "(md/*.j2, html/*.j2); what it lacks comes from the shipped set.",
        ),
    ] = None,
    lang: LangOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="Add how far each deadline moved since adoption (from git).")
    ] = False,
    plan_as_committed: PlanAsCommitted = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Say what changed since this date, YYYY-MM-DD (default: the last report in the output folder "
            "before --as-of, else the general meeting that adopted the Matrix).",
        ),
    ] = None,
) -> int:
    """Write the Progress and Evaluation Report (¶53) as Markdown and/or self-contained HTML.

    Same Matrix and --as-of, same bytes: no generation time is printed unless
    SOURCE_DATE_EPOCH is set.  Files are named progress-report-<as-of>.<md|html>.
    """
    from ..render import FORMATS
    from ..report import build_report
    from ..timeline import snapshot

    ws = open_workspace(matrix, as_of, lang, plan_as_committed=plan_as_committed, needs_meta="the report")
    loaded, problems, when, chosen = ws.matrix, ws.problems, ws.as_of, ws.lang
    here = ws.root  # where the report goes, even when the plan is read from an old commit
    if templates is not None and not templates.is_dir():
        raise Fail(f"--templates {templates} is not a directory")
    default_folder = here.absolute().parent / "reports"
    folder = out or default_folder
    start = _since(since, when, default_folder if str(folder) == "-" else folder)
    # the analysis is read from the working tree, like the updates
    view = build_report(loaded, snapshot(loaded, when), chosen, analysis_root=here, problems=problems, since=start)
    hint = (
        f"note: the report has no analysis by the focal points (¶53): write {view.analysis.expected} "
        f"(or one per language, {when.isoformat()}.{chosen}.md)\n"
        if view.analysis is not None and view.analysis.blocks is None
        else ""
    )
    if history:
        view.slippage = _slippage(loaded, when, here)
    formats = list(FORMATS) if fmt is ReportFormat.all else [fmt.value]
    if out is not None and str(out) == "-":
        if len(formats) != 1:
            raise Fail("--out - writes one format: add --format md, html or pdf")
        if formats == ["pdf"]:
            # a PDF is not text: it goes around the log guard, unchanged
            getattr(sys.stdout, "unguarded", sys.stdout).buffer.write(_pdf(view, templates))
        else:
            for chunk in _render(view, formats[0], templates):
                sys.stdout.write(chunk)
        sys.stderr.write(hint)
        return 0
    scope = write_scope(here)
    if out is not None:
        scope = scope.named(out, folder=True)
    suffix = "" if chosen == "en" else f".{chosen}"
    for name in formats:
        path = folder / f"progress-report-{when.isoformat()}{suffix}.{name}"
        data = _pdf(view, templates) if name == "pdf" else (c.encode("utf-8") for c in _render(view, name, templates))
        write_file(path, data, scope)
        sys.stderr.write(f"wrote {path}\n")
    sys.stderr.write(hint)
    return 0


REPORT_NAME = r"progress-report-(\d{4}-\d{2}-\d{2})(?:\.[a-z]{2})?\.(?:md|html|pdf)"


def _since(given: str | None, as_of: date, folder: Path) -> date | None:
    """--since, else the as-of date of the last report in the output folder before this one (its
    file names say it), else None: the report then counts from the general meeting that adopted
    the Matrix."""
    import re

    if given is not None:
        try:
            day = date.fromisoformat(given)
        except ValueError:
            raise Fail(f"--since '{given}' is not a date; write YYYY-MM-DD") from None
        if day >= as_of:
            raise Fail(f"--since {given} is not before --as-of {as_of.isoformat()}")
        return day
    try:
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    except OSError:
        names = []
    days = [_day(m.group(1)) for m in (re.fullmatch(REPORT_NAME, n) for n in names) if m]
    return max((d for d in days if d is not None and d < as_of), default=None)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _pdf(view, templates: Path | None) -> bytes:
    from ..render import PdfUnavailable, render_pdf

    try:
        with _template_errors():
            return render_pdf(view, templates)
    except PdfUnavailable as exc:
        raise Fail(
            f"--format pdf needs WeasyPrint: pip install 'uncoop[pdf]' (and Debian's libpango-1.0-0); {exc}"
        ) from None


def _slippage(loaded, until: date, tree: Path) -> list:
    """Deadline moves of every activity committed on or before `until`, from git, for the report's
    history section: a report as of a date does not know of later moves."""
    from ..git import GitError
    from ..slippage import slippage_rows

    try:
        rows, notes = slippage_rows(loaded, Path.cwd(), until, repo_root(tree))
    except GitError as exc:
        raise Fail(f"--history: {exc}") from None
    for note in notes:
        sys.stderr.write(f"uncoop: warning: --history: {note}\n")
    return rows


def _render(view, fmt: str, templates: Path | None):
    """The report's chunks; a template error becomes one line and exit 2 (a half-written file is
    removed by the atomic writer)."""
    from ..render import render_chunks

    with _template_errors():
        yield from render_chunks(view, fmt, templates)


@contextlib.contextmanager
def _template_errors():
    """A user's template failing, or past a limit, is one line and exit 2, for every format."""
    from jinja2 import TemplateError

    from ..render import MEMORY

    try:
        yield
    except (TemplateError, ArithmeticError) as exc:  # the sandbox refuses huge ranges with OverflowError
        lineno, filename = getattr(exc, "lineno", None), getattr(exc, "filename", None)
        where = f"{filename}:{lineno}: " if lineno else ""
        raise Fail(f"template error: {where}{getattr(exc, 'message', None) or exc}") from None
    except MemoryError:
        raise Fail(
            f"template error: the templates needed more than {MEMORY >> 30} GB of memory; that is the limit"
        ) from None


@command()
def calendar(
    matrix: MatrixDir = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the .ics file here (default: standard output).")
    ] = None,
    area: Areas = [],  # noqa: B006 - typer copies list defaults
    org: Orgs = [],  # noqa: B006 - typer copies list defaults
    side: SideFilter = None,
    as_of: AsOf = None,
    lang: LangOption = None,
) -> int:
    """Export milestones, planned ends and quarterly report deadlines as iCalendar.

    All-day events with stable UIDs: re-importing an export updates the
    events instead of duplicating them.
    """
    from ..i18n import localized
    from ..ical import deadlines, to_ical

    ws = open_workspace(matrix, as_of, lang, areas=area, orgs=org)
    loaded, when = ws.matrix, ws.as_of
    orgs = set(org) if org else None
    if side:
        side_orgs = {o.value.id for o in loaded.organizations if o.value.side == side.value}
        orgs = side_orgs if orgs is None else orgs & side_orgs
    title = str(localized(loaded.meta.value.title, ws.lang)) if loaded.meta else "UN-OIC Cooperation Matrix"
    data = to_ical(deadlines(loaded, when, area, orgs, ws.lang), when, title)
    if out is None:
        sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode())
    else:
        write_file(out, data, write_scope(loaded.root).named(out))
        sys.stderr.write(f"wrote {out}\n")
    return 0
