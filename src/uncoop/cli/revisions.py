"""A git revision of the Matrix, read into a temporary folder and loaded like the working tree."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from .app import Fail
from .places import repo_root


def with_plan_as_committed(loaded, problems: list, when: date, today: date) -> tuple:
    """The Matrix with its plan as committed on `when`, and updates as they are now.

    The files of that commit are read into a temporary folder that lives as long as the
    returned Matrix, so findings can still be located in them."""
    import tempfile

    from ..check import validate as run
    from ..git import GitError, files_at, last_commit_on
    from ..load import Matrix

    try:
        commit = last_commit_on(Path.cwd(), when.isoformat(), loaded.root)
        files = files_at(Path.cwd(), commit, loaded.root)
    except GitError as exc:
        raise Fail(f"--plan-as-committed: {exc}") from None
    holder = tempfile.TemporaryDirectory(prefix="uncoop-plan-")
    tmp = Path(holder.name)
    try:  # the same display paths as the working tree's: relative to the repository root
        inside = Path(os.path.abspath(loaded.root)).relative_to(repo_root(loaded.root))
    except ValueError:
        inside = Path(loaded.root.name)
    target = unpack(files, tmp / inside)
    plan, plan_problems = run(target, today, tmp)
    merged = Matrix(
        root=plan.root,
        meta=plan.meta,
        organizations=plan.organizations,
        areas=plan.areas,
        activities=plan.activities,
        updates=loaded.updates,
        files={**loaded.files, **plan.files},
        unloaded_activities=plan.unloaded_activities,
    )
    merged.locator = loaded.locator.merged(plan.locator)
    merged.holds.append(holder)  # the temporary folder is removed with the Matrix
    keep = [p for p in problems if "/updates/" in f"/{p.location.path}"]
    return merged, keep + [p for p in plan_problems if "/updates/" not in f"/{p.location.path}"]


def unpack(files: dict[str, bytes], target: Path) -> Path:
    """Files read from a git revision, written below a fresh temporary `target`.  Names are plain
    relative paths (git.files_at refuses others); "xb" never writes onto something already there
    or through a link."""
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:
            handle.write(data)
    target.mkdir(parents=True, exist_ok=True)
    return target


def load_revision(rev: str | None, root: Path, today: date, tmp: Path):
    """The Matrix at a git revision (None: the working tree), validated and as of today."""
    from ..check import validate as run
    from ..git import files_at

    if rev is None:
        return run(root, today, repo_root(root))
    files = files_at(Path.cwd(), rev, root)  # a GitError reaches the user through the boundary
    target = unpack(files, tmp / f"rev-{len(list(tmp.iterdir()))}" / root.name)
    here = root.absolute().parent
    matrix, problems = run(target, today, target.parent)
    # show paths as they are in the working tree, so findings point at real files
    shown = _display_base(here, repo_root(root))
    return matrix, [_rebase(p, shown) for p in problems]


def _display_base(folder: Path, base: Path) -> str:
    try:
        rel = folder.relative_to(base)
    except ValueError:
        return folder.as_posix()
    return "" if rel == Path(".") else rel.as_posix()


def _rebase(problem, prefix: str):
    from dataclasses import replace

    if not prefix:
        return problem
    return replace(problem, location=replace(problem.location, path=f"{prefix}/{problem.location.path}"))
