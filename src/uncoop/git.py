"""Git through its command line: changed files, files at a revision, a file's history.

Every failure becomes a `GitError` with a sentence a user can act on (not a
repository, unknown revision, shallow clone); callers turn it into exit 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .problem import UncoopError, printable
from .run import ProgramError, run

# a tree entry is data from a pull request: its path parts must be plain names
_BAD_PART = re.compile(r"[\x00-\x1f\x7f]")


def _safe_name(name: str) -> bool:
    """A relative path whose every part is a plain name: no '', '.', '..', no control character."""
    parts = name.split("/")
    return not name.startswith("/") and all(p not in ("", ".", "..") and not _BAD_PART.search(p) for p in parts)


class GitError(UncoopError):
    pass


# a repository's own configuration may not start programs either: git would run an fsmonitor
# hook even for a read
_OVERRIDES = ("-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false")


def _start(cwd: Path, args: tuple[str, ...], stdin: bytes | None = None) -> bytes:
    """git with `args` on the repository holding `cwd`, through the program door."""
    try:
        done = run(["git", "-C", str(cwd), *_OVERRIDES, *args], stdin=stdin)
    except ProgramError as exc:
        raise GitError(str(exc)) from None
    if done.code != 0:
        message = done.err.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise GitError(message[0] if message else f"git {' '.join(args)} failed")
    return done.out


def _git(cwd: Path, *args: str, binary: bool = False) -> str | bytes:
    out = _start(cwd, args)
    return out if binary else out.decode("utf-8", "replace")


def toplevel(cwd: Path) -> Path:
    try:
        return Path(str(_git(cwd, "rev-parse", "--show-toplevel")).strip())
    except GitError:
        raise GitError(f"{cwd} is not inside a git repository") from None


def resolve(cwd: Path, ref: str) -> str:
    """The commit a revision names, or a GitError that says the revision is unknown."""
    try:
        return str(_git(cwd, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")).strip()
    except GitError:
        shallow = is_shallow(cwd)
        hint = " (this is a shallow clone: fetch more history, e.g. git fetch --unshallow)" if shallow else ""
        raise GitError(f"unknown git revision '{ref}'{hint}") from None


def is_shallow(cwd: Path) -> bool:
    try:
        return str(_git(cwd, "rev-parse", "--is-shallow-repository")).strip() == "true"
    except GitError:
        return False


def changed_since(cwd: Path, ref: str) -> set[Path]:
    """Absolute paths of files changed since `ref`: committed, staged, unstaged or new."""
    top = toplevel(cwd)
    commit = resolve(cwd, ref)
    names = str(_git(top, "diff", "--name-only", "-z", commit, "--")).split("\0")
    names += str(_git(top, "ls-files", "--others", "--exclude-standard", "-z")).split("\0")
    return {(top / name).resolve() for name in names if name}


def files_at(cwd: Path, rev: str, folder: Path) -> dict[str, bytes]:
    """Every file under `folder` as it was at `rev`, keyed by path relative to `folder`."""
    top = toplevel(cwd)
    commit = resolve(cwd, rev)
    prefix = folder.resolve().relative_to(top.resolve()).as_posix()
    listing = str(_git(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix))
    entries = []
    for line in listing.split("\0"):
        if line:
            meta, name = line.split("\t", 1)
            mode, kind, sha = meta.split()
            if not _safe_name(name):
                raise GitError(
                    f"revision {rev} holds a file named {name!r}, which is not a safe path; refusing to read it"
                )
            if kind == "blob" and not mode.startswith("12"):  # symlinks are not followed into history
                entries.append((name, sha))
    if not entries:
        return {}
    try:
        batch = _start(top, ("cat-file", "--batch"), stdin="".join(f"{sha}\n" for _, sha in entries).encode())
    except GitError:
        raise GitError(f"git cat-file could not read the files of {rev}") from None
    files, pos = {}, 0
    for name, _ in entries:
        try:
            header_end = batch.index(b"\n", pos)
            size = int(batch[pos:header_end].split()[2])
        except (ValueError, IndexError):
            raise GitError(f"git cat-file gave an unexpected answer for {rev}:{name}") from None
        files[name[len(prefix) + 1 :] if prefix != "." else name] = batch[header_end + 1 : header_end + 1 + size]
        pos = header_end + 1 + size + 1
    return files


@dataclass(frozen=True)
class Revision:
    commit: str
    date: str
    subject: str
    path: str  # the file's path in that commit (renames are followed)


def log(cwd: Path, path: Path) -> list[Revision]:
    """Commits that touched `path`, oldest first, following renames.  A commit's date is its
    committer date, the day it entered the history (as `last_commit_on` reads it), not the day
    its author first wrote it: one clock for --plan-as-committed, `history` and `report --history`."""
    top = toplevel(cwd)
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    out = str(_git(top, "log", "--follow", "--name-only", "--format=%x1e%H%x1f%cs%x1f%s", "--", rel))
    revisions = []
    for block in out.split("\x1e"):
        if block.strip():
            head, _, names = block.partition("\n")
            commit, day, subject = head.split("\x1f", 2)
            subject = printable(subject)
            revisions.append(Revision(commit, day, subject, names.strip().splitlines()[0] if names.strip() else rel))
    return list(reversed(revisions))


def show(cwd: Path, commit: str, path: str) -> bytes | None:
    try:
        return _git(toplevel(cwd), "show", f"{commit}:{path}", binary=True)  # type: ignore[return-value]
    except GitError:
        return None


def last_commit_on(cwd: Path, day: str, folder: Path) -> str:
    """The last commit on or before `day` (YYYY-MM-DD, end of day, committer time) that the
    history of `folder` reaches, or a GitError saying there is none."""
    top = toplevel(cwd)
    rel = folder.resolve().relative_to(top.resolve()).as_posix()
    found = str(_git(top, "rev-list", "-1", f"--before={day} 23:59:59", "HEAD", "--", rel)).strip()
    if not found:
        raise GitError(f"no commit of {rel} on or before {day}")
    return found
