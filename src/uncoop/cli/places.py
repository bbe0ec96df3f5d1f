"""Where a command may write, and the one way it writes: inside the repository holding the
Matrix, never its `.git` nor the cache's signing key, atomically."""

from __future__ import annotations

import os
from pathlib import Path

from .app import Fail


def key_folder() -> Path:
    """The per-user folder of the cache's signing key, outside every repository."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uncoop"


def repo_root(matrix: Path) -> Path:
    """The repository holding the Matrix: the nearest folder upward with a .git, else the Matrix's
    parent.  Lexical and absolute: writes are judged against it."""
    start = Path(os.path.abspath(matrix))
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return start.parent


def write_scope(matrix: Path):
    """Where a command working on this Matrix may write: the repository, never its `.git` (git's
    own configuration and hooks) nor the signing key."""
    from ..atomic import Scope

    repo = repo_root(matrix)
    forbidden = (Path(os.path.realpath(key_folder())), Path(os.path.realpath(repo / ".git")))
    return Scope((repo,), Path(os.path.abspath(matrix)), forbidden)


def write_file(path: Path, data, scope, exclusive: bool = False, edit: bool = False) -> None:
    """Every file a command writes goes through here: inside `scope` (see atomic.Scope), atomic."""
    from ..atomic import write_atomic

    try:
        write_atomic(path, data, scope, exclusive=exclusive, edit=edit)
    except FileExistsError:
        raise Fail(f"{path} already exists; uncoop never overwrites it") from None
