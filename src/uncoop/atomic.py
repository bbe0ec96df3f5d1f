"""Safe, atomic file writes: the only way uncoop puts bytes on disk.

The repository under review is untrusted (a pull request), so every write is checked first
by a `Scope`: the places this run may write (the repository holding the Matrix, and any
folder the user named on the command line), the one folder whose symlinked files may be
edited through (`matrix/`), and the places no output may ever reach (the cache's signing key).
A path that leaves its scope through a symlink, crosses a symlinked folder inside `matrix/`,
or ends in a symlink that is not an edited Matrix file is refused with `UnsafeWrite`.

Writes are atomic: the data goes to a temporary file beside the target, is fsynced, and is
renamed over it, so a reader or a crash sees the old file or the new one, never half.  Writers
in one folder take an exclusive `flock` on that folder, so two editors never interleave and the
sweep of temporary files left by a killed writer never removes a live writer's file.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .problem import UncoopError

PREFIX = ".uncoop-"
SUFFIX = ".tmp"


class UnsafeWrite(UncoopError):
    """A write that would leave the places this run may write."""


def _lexical(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


@dataclass(frozen=True)
class Scope:
    """Where one run may write.  `roots` are lexical absolute folders; `matrix` is the Matrix
    folder (no symlinked folder below it is crossed; its symlinked files may be edited through
    when they stay inside it); `forbidden` are real paths no write may reach."""

    roots: tuple[Path, ...]
    matrix: Path | None = None
    forbidden: tuple[Path, ...] = ()

    def named(self, path: Path, folder: bool = False) -> Scope:
        """This scope plus a place the user named on the command line: a path outside every root
        becomes a root of its own (the folder itself, or the folder holding the named file)."""
        lexical = _lexical(path)
        if any(_inside(lexical, root) for root in self.roots):
            return self
        return Scope((*self.roots, lexical if folder else lexical.parent), self.matrix, self.forbidden)

    def target(self, path: Path, edit: bool = False) -> Path:
        """The real file a write of `path` lands on, or `UnsafeWrite` saying why it may not."""
        lexical = _lexical(path)
        root = max((r for r in self.roots if _inside(lexical, r)), key=lambda r: len(r.parts), default=None)
        if root is None:
            raise UnsafeWrite(f"{path} is outside the repository; name an output folder on the command line")
        real_root = Path(os.path.realpath(root))
        matrix = _lexical(self.matrix) if self.matrix is not None else None
        if matrix is not None and _inside(lexical, matrix):
            folder = matrix
            for part in lexical.relative_to(matrix).parts[:-1]:
                folder = folder / part
                if folder.is_symlink():
                    raise UnsafeWrite(
                        f"{folder} is a symlinked folder inside the Matrix; uncoop does not write through it"
                    )
        if lexical.is_symlink():
            inside_matrix = matrix is not None and _inside(lexical, matrix)
            if not (edit and inside_matrix):
                raise UnsafeWrite(f"{path} is a symlink; uncoop does not write through links (remove it first)")
        real = Path(os.path.realpath(lexical))
        if not _inside(real, real_root):
            raise UnsafeWrite(f"{path} leads through a symlink to {real}, outside {root}")
        if edit and matrix is not None and lexical.is_symlink() and not _inside(real, Path(os.path.realpath(matrix))):
            raise UnsafeWrite(f"{path} is a symlink out of the Matrix; uncoop does not write through it")
        for place in self.forbidden:
            if _inside(real, place):
                raise UnsafeWrite(f"{path} would overwrite uncoop's own {place}; choose another path")
        if real.exists() and not real.is_file():
            raise UnsafeWrite(f"{path} exists and is not a regular file")
        return real


_held: set[str] = set()


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on a folder for a read-modify-write cycle; re-entrant in one process."""
    key = os.path.realpath(folder)
    if key in _held:
        yield
        return
    os.makedirs(key, exist_ok=True)
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held.add(key)
        try:
            yield
        finally:
            _held.discard(key)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sweep(folder: Path, name: str) -> None:
    """Temp files a killed writer left for this file name (called under the folder's lock)."""
    for stray in folder.glob(f"{PREFIX}{name}.*{SUFFIX}"):
        try:
            if stray.is_file() and not stray.is_symlink():
                stray.unlink()
        except OSError:
            pass


def write_atomic(
    path: Path,
    data: bytes | Iterable[bytes | memoryview],
    scope: Scope,
    exclusive: bool = False,
    edit: bool = False,
    mode: int | None = None,
) -> Path:
    """Write `data` (bytes, or chunks of bytes) to `path` atomically, inside `scope`; with
    `exclusive`, fail if the path exists.  Returns the real path written."""
    real = scope.target(path, edit=edit)
    folder = real.parent
    folder.mkdir(parents=True, exist_ok=True)
    scope.target(path, edit=edit)  # again: the folders just made must not have changed what it means
    with locked(folder):
        if exclusive and os.path.lexists(real):
            raise FileExistsError(path)
        file_mode = _mode(real) if mode is None else mode
        _sweep(folder, real.name)
        tmp = folder / f"{PREFIX}{real.name}.{secrets.token_hex(6)}{SUFFIX}"
        fd = None
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, file_mode)
            os.fchmod(fd, file_mode)  # the umask must not narrow the mode the file had
            for chunk in [data] if isinstance(data, (bytes, bytearray)) else data:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
            if exclusive:
                os.link(tmp, real)  # fails if someone created the file meanwhile
                os.unlink(tmp)
            else:
                os.replace(tmp, real)
            _fsync_dir(folder)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        finally:
            if fd is not None:
                os.close(fd)
    return real


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most `limit` bytes, never following a final symlink and
    never blocking on a FIFO; None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
