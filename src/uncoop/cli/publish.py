"""Commands that publish the Matrix: the Progress and Evaluation Report and the calendar."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from .app import (
    AS_OF_HELP,
    MATRIX_HELP,
    PLAN_HELP,
    Fail,
    Lang,
    ReportFormat,
    Side,
    _run,
    app,
    check_filters,
    language,
    load_checked,
    resolve_today,
    with_plan_as_committed,
    write_file,
    write_scope,
)


@app.command()
def report(
    matrix: Path | None = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    fmt: ReportFormat = typer.Option(ReportFormat.all, "--format", "-f", help="md, html or all."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder to write into (default: reports/ beside the matrix directory); '-' for stdout."
    ),
    templates: Path | None = typer.Option(
        None, "--templates", help="Folder with report.md.j2 / report.html.j2 to use instead of the shipped ones."
    ),
    lang: Lang | None = typer.Option(
        None,
        "--lang",
        help="Language of titles and texts: en, fr or ar; default: languages.default in matrix.yaml, else en.",
    ),
    history: bool = typer.Option(False, "--history", help="Add how far each deadline moved since adoption (from git)."),
    plan_as_committed: bool = typer.Option(False, "--plan-as-committed", help=PLAN_HELP),
) -> None:
    """Write the Progress and Evaluation Report (¶53) as Markdown and/or self-contained HTML.

    Same Matrix and --as-of, same bytes: no generation time is printed unless
    SOURCE_DATE_EPOCH is set.  Files are named progress-report-<as-of>.<md|html>.
    """

    def body() -> int:
        from ..render import FORMATS, build_report
        from ..timeline import snapshot

        when = resolve_today(as_of)
        loaded, problems = load_checked(matrix, date.today())
        here = loaded.root  # where the report goes, even when the plan is read from an old commit
        if plan_as_committed:
            loaded, problems = with_plan_as_committed(loaded, problems, when)
        if loaded.meta is None:
            raise Fail("the report needs a valid matrix.yaml")
        if templates is not None and not templates.is_dir():
            raise Fail(f"--templates {templates} is not a directory")
        view = build_report(loaded, snapshot(loaded, when), language(loaded, lang))
        if history:
            view.extra["slippage"] = _slippage(loaded, when)
        formats = list(FORMATS) if fmt is ReportFormat.all else [fmt.value]
        if out is not None and str(out) == "-":
            if len(formats) != 1:
                raise Fail("--out - writes one format: add --format md or --format html")
            for chunk in _render(view, formats[0], templates):
                sys.stdout.write(chunk)
            return 0
        scope = write_scope(here)
        folder = out or here.absolute().parent / "reports"
        if out is not None:
            scope = scope.named(out, folder=True)
        suffix = "" if language(loaded, lang) == "en" else f".{language(loaded, lang)}"
        for name in formats:
            path = folder / f"progress-report-{when.isoformat()}{suffix}.{name}"
            write_file(path, (chunk.encode("utf-8") for chunk in _render(view, name, templates)), scope)
            sys.stderr.write(f"wrote {path}\n")
        return 0

    _run(body)


def _slippage(loaded, until: date) -> list[dict]:
    """Deadline moves of every activity committed on or before `until`, from git, for the report's
    history section: a report as of a date does not know of later moves."""
    from ..git import GitError
    from .history import activity_slips

    rows = []
    for record in sorted(loaded.activities, key=lambda r: r.value.id):
        try:
            slips, _, shallow = activity_slips(loaded.files[record.path])
        except GitError as exc:
            raise Fail(f"--history: {exc}") from None
        rows += [
            {
                "activity": record.value.id,
                "date": s.day,
                "deadline": s.what,
                "old": s.old,
                "new": s.new,
                "days": s.days,
                "shallow": shallow,
            }
            for s in slips
            if s.day <= until.isoformat()
        ]
    return rows


def _render(view, fmt: str, templates: Path | None):
    """The report's chunks; a template error becomes one line and exit 2 (a half-written file is
    removed by the atomic writer)."""
    from jinja2 import TemplateError

    from ..render import render_chunks

    try:
        yield from render_chunks(view, fmt, templates)
    except TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if getattr(exc, "lineno", None) else ""
        raise Fail(f"template error: {where}{exc.message}") from None


@app.command()
def calendar(
    matrix: Path | None = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    out: Path | None = typer.Option(None, "--out", help="Write the .ics file here (default: standard output)."),
    area: list[str] = typer.Option(
        [], "--area", "-a", help="Only these areas (repeatable); leaves out report deadlines."
    ),
    org: str | None = typer.Option(None, "--org", "-o", help="Only what this institution leads, partners or owes."),
    side: Side | None = typer.Option(None, "--side", help="Only what institutions of one side lead or owe."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date stamped on the events (default: today)."),
    lang: Lang | None = typer.Option(
        None, "--lang", help="Language of titles: en, fr or ar; default: languages.default in matrix.yaml, else en."
    ),
) -> None:
    """Export milestones, planned ends and quarterly report deadlines as iCalendar.

    All-day events with stable UIDs: re-importing an export updates the
    events instead of duplicating them.
    """

    def body() -> int:
        from ..ical import deadlines, to_ical
        from ..model import text_in

        today = resolve_today(as_of)
        loaded, problems = load_checked(matrix, date.today())
        check_filters(loaded, area, org)
        orgs = {org} if org else None
        if side:
            side_orgs = {o.value.id for o in loaded.organizations if o.value.side == side.value}
            orgs = side_orgs if orgs is None else orgs & side_orgs
        title = text_in(loaded.meta.value.title, language(loaded, lang)) if loaded.meta else "UN-OIC Cooperation Matrix"
        data = to_ical(deadlines(loaded, today, area, orgs, language(loaded, lang)), today, title)
        if out is None:
            sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode())
        else:
            write_file(out, data, write_scope(loaded.root).named(out))
            sys.stderr.write(f"wrote {out}\n")
        return 0

    _run(body)
