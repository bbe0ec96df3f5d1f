"""Commands that read git: what a change does to the plan, and how deadlines moved."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .app import Fail, command, resolve_today, today
from .options import AsOf, DiffFormat, LangOption, MatrixDir
from .revisions import load_revision
from .workspace import language, resolve_matrix, unknown


@command()
def diff(
    base: Annotated[str, typer.Argument(help="The git revision to compare from, e.g. origin/main.")],
    head: Annotated[str | None, typer.Argument(help="The revision to compare to (default: the working tree).")] = None,
    matrix: MatrixDir = None,
    as_of: AsOf = None,
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="markdown (for a PR comment) or json.")
    ] = DiffFormat.markdown,
    lang: LangOption = None,
) -> int:
    """Describe what a change does to the plan, between two git revisions.

    Activities added or removed, deadlines moved (days, earlier or later),
    milestones added, dropped or completed, status and lead changes, updates
    submitted, findings that appeared or disappeared.  When
    GITHUB_STEP_SUMMARY is set the Markdown is appended there too.
    """
    import tempfile

    from ..plandiff import plan_diff, to_json, to_markdown
    from ..timeline import snapshot

    root = resolve_matrix(matrix)
    day = today()
    when = resolve_today(as_of)
    with tempfile.TemporaryDirectory(prefix="uncoop-diff-") as tmp:
        old, old_problems = load_revision(base, root, day, Path(tmp))
        new, new_problems = load_revision(head, root, day, Path(tmp))
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


@command()
def history(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The activity id, e.g. HUM-01.")],
    matrix: MatrixDir = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="markdown or json.")] = DiffFormat.markdown,
) -> int:
    """Show from git how often and how far each deadline of an activity moved."""

    import re

    from ..slippage import activity_slips, slippage_markdown

    root = resolve_matrix(matrix)
    if not re.fullmatch(r"[A-Z]{2,5}-[0-9]{2,4}", ident):
        raise Fail(f"'{ident}' is not an activity id; write it like HUM-01")
    found = sorted(root.glob(f"activities/*/{ident}.yaml"))
    if not found:
        raise unknown("no activity", ident, [p.stem for p in root.glob("activities/*/*.yaml")], f" in {root}")
    told = activity_slips(Path.cwd(), found[0])  # GitError: the boundary says it
    slips, revisions, shallow = told.slips, told.revisions, told.shallow
    if told.note:
        sys.stderr.write(f"uncoop: warning: {ident}: {told.note}\n")
    if not revisions:
        raise Fail(f"{found[0]} has no git history yet (commit it first)")
    if fmt is DiffFormat.json:
        doc = {
            "activity": ident,
            "revisions": revisions,
            "revisions_read": told.read,
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
        from ..markup import json_text

        sys.stdout.write(json_text(doc))
    else:
        sys.stdout.write(slippage_markdown(ident, slips, revisions, shallow, note=told.note))
    return 0
