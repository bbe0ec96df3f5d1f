"""Commands that read git: what a change does to the plan, and how deadlines moved."""

from __future__ import annotations

import enum
import os
import sys
from datetime import date
from pathlib import Path

import typer

from .app import MATRIX_HELP, Fail, Lang, _run, app, language, resolve_matrix, resolve_today, unknown, unpack


class DiffFormat(str, enum.Enum):
    markdown = "markdown"
    json = "json"


def _load_revision(rev: str | None, root: Path, today: date, tmp: Path):
    """The Matrix at a git revision (None: the working tree), validated and as of today."""
    from ..check import validate as run
    from ..git import GitError, files_at

    if rev is None:
        return run(root, today, Path.cwd())
    try:
        files = files_at(Path.cwd(), rev, root)
    except GitError as exc:
        raise Fail(str(exc)) from None
    target = unpack(files, tmp / f"rev-{len(list(tmp.iterdir()))}" / root.name)
    here = root.absolute().parent
    matrix, problems = run(target, today, target.parent)
    # show paths as they are in the working tree, so findings point at real files
    shown = _display_base(here)
    return matrix, [_rebase(p, shown) for p in problems]


def _display_base(folder: Path) -> str:
    try:
        rel = folder.relative_to(Path.cwd())
    except ValueError:
        return folder.as_posix()
    return "" if rel == Path(".") else rel.as_posix()


def _rebase(problem, prefix: str):
    from dataclasses import replace

    if not prefix:
        return problem
    return replace(problem, location=replace(problem.location, path=f"{prefix}/{problem.location.path}"))


@app.command()
def diff(
    base: str = typer.Argument(..., help="The git revision to compare from, e.g. origin/main."),
    head: str | None = typer.Argument(None, help="The revision to compare to (default: the working tree)."),
    matrix: Path | None = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge findings as of this date (default: today)."),
    fmt: DiffFormat = typer.Option(DiffFormat.markdown, "--format", "-f", help="markdown (for a PR comment) or json."),
    lang: Lang | None = typer.Option(
        None, "--lang", help="Language of titles: en, fr or ar; default: languages.default in matrix.yaml, else en."
    ),
) -> None:
    """Describe what a change does to the plan, between two git revisions.

    Activities added or removed, deadlines moved (days, earlier or later),
    milestones added, dropped or completed, status and lead changes, updates
    submitted, findings that appeared or disappeared.  When
    GITHUB_STEP_SUMMARY is set the Markdown is appended there too.
    """

    def body() -> int:
        import tempfile

        from ..plandiff import plan_diff, to_json, to_markdown
        from ..timeline import snapshot

        root = resolve_matrix(matrix)
        today = date.today()
        when = resolve_today(as_of)
        with tempfile.TemporaryDirectory(prefix="uncoop-diff-") as tmp:
            old, old_problems = _load_revision(base, root, today, Path(tmp))
            new, new_problems = _load_revision(head, root, today, Path(tmp))
        old_snap, new_snap = snapshot(old, when), snapshot(new, when)
        result = plan_diff(
            old,
            new,
            old_snap,
            new_snap,
            old_problems + old_snap.findings,
            new_problems + new_snap.findings,
            language(new, lang),
        )
        head_name = head or "working tree"
        text = (to_json if fmt is DiffFormat.json else to_markdown)(result, base, head_name)
        sys.stdout.write(text)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and fmt is DiffFormat.markdown:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
        from ..problem import Severity

        return int(any(p.severity >= Severity.ERROR for p in new_problems))  # HEAD must be valid

    _run(body)


@app.command()
def history(
    ident: str = typer.Argument(..., metavar="ID", help="The activity id, e.g. HUM-01."),
    matrix: Path | None = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    fmt: DiffFormat = typer.Option(DiffFormat.markdown, "--format", "-f", help="markdown or json."),
) -> None:
    """Show from git how often and how far each deadline of an activity moved."""

    def body() -> int:
        import json

        from ..git import GitError
        from ..plandiff import slippage_markdown

        root = resolve_matrix(matrix)
        found = sorted(root.glob(f"activities/*/{ident}.yaml"))
        if not found:
            raise unknown("no activity", ident, [p.stem for p in root.glob("activities/*/*.yaml")], f" in {root}")
        try:
            slips, revisions, shallow = activity_slips(found[0])
        except GitError as exc:
            raise Fail(str(exc)) from None
        if not revisions:
            raise Fail(f"{found[0]} has no git history yet (commit it first)")
        if fmt is DiffFormat.json:
            doc = {
                "activity": ident,
                "revisions": revisions,
                "shallow": shallow,
                "moves": [
                    {
                        "commit": s.commit,
                        "date": s.day,
                        "subject": s.subject,
                        "deadline": s.what,
                        "old": s.old,
                        "new": s.new,
                        "days": s.days,
                    }
                    for s in slips
                ],
            }
            sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(slippage_markdown(ident, slips, revisions, shallow))
        return 0

    _run(body)


def activity_slips(path: Path) -> tuple[list, int, bool]:
    """(deadline moves, number of revisions, shallow clone?) of one activity file, from git."""
    from ..git import is_shallow, log, show
    from ..plandiff import slippage
    from ..yamlsrc import read

    revisions = log(Path.cwd(), path)
    versions = []
    for rev in revisions:
        value, error = read(show(Path.cwd(), rev.commit, rev.path) or b"")
        versions.append((rev.commit, rev.date, rev.subject, value if error is None else None))
    return slippage(versions), len(revisions), is_shallow(Path.cwd())
