"""Commands that judge the Matrix: validate and status."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from .app import command, resolve_today
from .cached import Cached
from .options import (
    Areas,
    AsOf,
    ChangedSince,
    ExitZero,
    FailOn,
    FindingFormat,
    Gitlab,
    LangOption,
    Level,
    MatrixDir,
    NoCache,
    OnlyGroups,
    Orgs,
    PlanAsCommitted,
    Sarif,
    SideFilter,
    StatusFormat,
)
from .output import (
    default_format,
    emit_findings,
    exit_code,
    only_changed,
    only_paths,
    paths_inside,
    required_langs,
    summary_line,
)
from .places import repo_root
from .workspace import LoadProgress, open_workspace, resolve_matrix


@command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Report only findings in these files or folders.")] = None,
    matrix: MatrixDir = None,
    as_of: AsOf = None,
    fmt: Annotated[
        FindingFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json, github, sarif or gitlab (default: github when GITHUB_ACTIONS=true, else text).",
        ),
    ] = None,
    sarif: Sarif = None,
    gitlab: Gitlab = None,
    changed_since: ChangedSince = None,
    fail_on: FailOn = Level.error,
    exit_zero: ExitZero = False,
    no_cache: NoCache = False,
    whole: Annotated[
        bool,
        typer.Option(
            "--whole",
            help="With PATHS: report every finding of the Matrix they belong to, not only theirs (what "
            "the pre-commit hook does: renaming an id in organizations.yaml breaks other files).",
        ),
    ] = False,
    require_lang: Annotated[
        str | None,
        typer.Option(
            "--require-lang",
            help="Warn (missing-translation) where a text lacks these languages, e.g. fr,ar "
            "(default: languages.required in matrix.yaml).",
        ),
    ] = None,
) -> int:
    """Check every file of the Matrix: YAML, schema, ids, references and dates.

    Prints one line per finding, sorted by file, line and column:
    path:line:col: severity[code] message (hint).  All files are loaded and
    cross-checked even when PATHS or --changed-since limit what is reported.
    When GITHUB_STEP_SUMMARY is set, every finding is also appended there.
    """
    from ..check import validate as run
    from ..problem import sort_problems

    root = resolve_matrix(matrix, paths)
    if paths:
        paths_inside(paths, root)
    today = resolve_today(as_of)
    langs = required_langs(require_lang)
    cached = Cached(root, no_cache)
    bar = LoadProgress(enabled=default_format(fmt) == "text")
    try:
        loaded, problems = run(root, today, repo_root(root), cached.cache, bar, langs)
    finally:
        bar.close()
    if paths and not whole:
        problems = only_paths(problems, paths, repo_root(root))
    if changed_since:
        problems = only_changed(problems, changed_since, repo_root(root))
    problems = sort_problems(problems)
    chosen = default_format(fmt)
    emit_findings(problems, chosen, sarif, gitlab, "uncoop validate", root)
    if chosen == "text":
        sys.stderr.write(summary_line(problems, len(loaded.files)))
    return exit_code(problems, fail_on, exit_zero)


@command()
def status(
    matrix: MatrixDir = None,
    as_of: AsOf = None,
    area: Areas = [],  # noqa: B006 - typer copies list defaults
    org: Orgs = [],  # noqa: B006 - typer copies list defaults
    side: SideFilter = None,
    only: OnlyGroups = [],  # noqa: B006
    fmt: Annotated[
        StatusFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (terminal); json or markdown (deterministic, never wrapped); github, sarif or gitlab "
            "(findings).",
        ),
    ] = StatusFormat.table,
    sarif: Sarif = None,
    gitlab: Gitlab = None,
    changed_since: ChangedSince = None,
    lang: LangOption = None,
    fail_on: FailOn = Level.error,
    exit_zero: ExitZero = False,
    no_cache: NoCache = False,
    plan_as_committed: PlanAsCommitted = False,
) -> int:
    """Show what is overdue, due soon, stale, off track or unreported, as of a date.

    The state on a date is the plan plus every update submitted on or before
    it, so --as-of 2015-06-30 shows exactly what uncoop would have said then.
    Timeline findings are warnings: use --fail-on warning to fail CI on them.
    """
    from ..timeline import snapshot
    from ..view import build_view

    # validity is judged today (files that exist now); the timeline as of --as-of
    ws = open_workspace(
        matrix, as_of, lang, no_cache=no_cache, plan_as_committed=plan_as_committed, areas=area, orgs=org,
        interactive=fmt is StatusFormat.table,
    )  # fmt: skip
    loaded, problems, when = ws.matrix, ws.problems, ws.as_of
    side_name = side.value if side else None
    view = build_view(loaded, snapshot(loaded, when), area, org, side_name, [o.value for o in only], ws.lang)
    if changed_since:
        view.findings = only_changed(view.findings, changed_since, repo_root(loaded.root))
    if fmt is StatusFormat.table:
        from ..console import render_status

        render_status(view, sys.stdout)
    elif fmt in (StatusFormat.json, StatusFormat.markdown):
        from ..view import to_json, to_markdown

        if fmt is StatusFormat.json:
            sys.stdout.flush()
            for chunk in to_json(view):
                sys.stdout.buffer.write(chunk)
        else:
            sys.stdout.write(to_markdown(view))
    findings_only = fmt.value if fmt in (StatusFormat.github, StatusFormat.sarif, StatusFormat.gitlab) else ""
    emit_findings(view.findings, findings_only, sarif, gitlab, f"uncoop status as of {when.isoformat()}", loaded.root)
    return exit_code(problems + view.findings, fail_on, exit_zero)
