"""Commands that judge the Matrix: validate, status, schema, rules."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from .app import (
    AS_OF_HELP,
    CHANGED_HELP,
    GITLAB_HELP,
    MATRIX_HELP,
    NO_CACHE_HELP,
    PLAN_HELP,
    SARIF_HELP,
    Cached,
    FindingFormat,
    Lang,
    Level,
    LoadProgress,
    Only,
    Side,
    StatusFormat,
    _langs,
    _only_changed,
    _only_paths,
    _run,
    app,
    check_filters,
    default_format,
    emit_findings,
    exit_code,
    language,
    load_checked,
    resolve_matrix,
    resolve_today,
    summary_line,
    with_plan_as_committed,
)


@app.command()
def validate(
    paths: list[Path] = typer.Argument(None, help="Report only findings in these files or folders."),
    matrix: Path | None = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    fmt: FindingFormat | None = typer.Option(
        None,
        "--format",
        "-f",
        help="text, json, github, sarif or gitlab (default: github when GITHUB_ACTIONS=true, else text).",
    ),
    sarif: Path | None = typer.Option(None, "--sarif", help=SARIF_HELP),
    gitlab: Path | None = typer.Option(None, "--gitlab", help=GITLAB_HELP),
    changed_since: str | None = typer.Option(None, "--changed-since", help=CHANGED_HELP),
    fail_on: Level = typer.Option(Level.error, "--fail-on", help="Exit 1 when a finding is at least this severe."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the run itself succeeds."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
    require_lang: str | None = typer.Option(
        None,
        "--require-lang",
        help="Warn (missing-translation) where a text lacks these languages, e.g. fr,ar "
        "(default: languages.required in matrix.yaml).",
    ),
) -> None:
    """Check every file of the Matrix: YAML, schema, ids, references and dates.

    Prints one line per finding, sorted by file, line and column:
    path:line:col: severity[code] message (hint).  All files are loaded and
    cross-checked even when PATHS or --changed-since limit what is reported.
    When GITHUB_STEP_SUMMARY is set, every finding is also appended there.
    """

    def body() -> int:
        from ..check import validate as run
        from ..problem import sort_problems

        root = resolve_matrix(matrix)
        today = resolve_today(as_of)
        langs = _langs(require_lang)
        cached = Cached(root, no_cache)
        bar = LoadProgress(enabled=default_format(fmt) == "text")
        try:
            loaded, problems = run(root, today, Path.cwd(), cached.cache, bar, langs)
        finally:
            bar.close()
        if paths:
            problems = _only_paths(problems, paths)
        if changed_since:
            problems = _only_changed(problems, changed_since)
        problems = sort_problems(problems)
        chosen = default_format(fmt)
        emit_findings(problems, chosen, sarif, gitlab, "uncoop validate", root)
        if chosen == "text":
            sys.stderr.write(summary_line(problems, len(loaded.files)))
        return exit_code(problems, fail_on, exit_zero)

    _run(body)


@app.command()
def status(
    matrix: Path | None = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    area: list[str] = typer.Option([], "--area", "-a", help="Only these areas (repeatable), e.g. humanitarian."),
    org: str | None = typer.Option(None, "--org", "-o", help="Only activities this institution leads or partners."),
    side: Side | None = typer.Option(None, "--side", help="Only reporting rows of one side: un or oic."),
    only: list[Only] = typer.Option([], "--only", help="Only activities with these findings (repeatable)."),
    fmt: StatusFormat = typer.Option(
        StatusFormat.table,
        "--format",
        "-f",
        help="table (terminal); json or markdown (deterministic, never wrapped); github, sarif or gitlab (findings).",
    ),
    sarif: Path | None = typer.Option(None, "--sarif", help=SARIF_HELP),
    gitlab: Path | None = typer.Option(None, "--gitlab", help=GITLAB_HELP),
    changed_since: str | None = typer.Option(None, "--changed-since", help=CHANGED_HELP),
    lang: Lang | None = typer.Option(
        None,
        "--lang",
        help="Language of titles: en, fr or ar (falls back to English); default: languages.default in matrix.yaml, else en.",
    ),
    fail_on: Level = typer.Option(Level.error, "--fail-on", help="Exit 1 when a finding is at least this severe."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the run itself succeeds."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
    plan_as_committed: bool = typer.Option(False, "--plan-as-committed", help=PLAN_HELP),
) -> None:
    """Show what is overdue, due soon, stale, off track or unreported, as of a date.

    The state on a date is the plan plus every update submitted on or before
    it, so --as-of 2015-06-30 shows exactly what uncoop would have said then.
    Timeline findings are warnings: use --fail-on warning to fail CI on them.
    """

    def body() -> int:
        from ..timeline import snapshot
        from ..view import build_view

        # validity is judged today (files that exist now); the timeline as of --as-of
        today = date.today()
        when = resolve_today(as_of)
        loaded, problems = load_checked(matrix, today, no_cache, interactive=fmt is StatusFormat.table)
        if plan_as_committed:
            loaded, problems = with_plan_as_committed(loaded, problems, when)
        check_filters(loaded, area, org)
        view = build_view(
            loaded,
            snapshot(loaded, when),
            area,
            org,
            side.value if side else None,
            [o.value for o in only],
            language(loaded, lang),
        )
        if changed_since:
            view.findings = _only_changed(view.findings, changed_since)
        if fmt is StatusFormat.table:
            from ..console import render_status

            render_status(view, sys.stdout)
        elif fmt in (StatusFormat.json, StatusFormat.markdown):
            from ..view import to_json, to_markdown

            sys.stdout.write((to_json if fmt is StatusFormat.json else to_markdown)(view))
        findings_only = fmt.value if fmt in (StatusFormat.github, StatusFormat.sarif, StatusFormat.gitlab) else ""
        emit_findings(
            view.findings, findings_only, sarif, gitlab, f"uncoop status as of {when.isoformat()}", loaded.root
        )
        return exit_code(problems + view.findings, fail_on, exit_zero)

    _run(body)
