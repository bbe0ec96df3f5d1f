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

import contextlib
import errno
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
        becomes a root of its own (the folder itself, or the folder holding the named file).  A
        named output folder that is a symlink, or whose real place is inside the Matrix or a
        forbidden place (`.git`, the signing key), is refused: writing there would publish or
        overwrite what the repository itself is made of."""
        lexical = _lexical(path)
        if folder:
            self.check_root(lexical)
        if any(_inside(lexical, root) for root in self.roots):
            return self
        return Scope((*self.roots, lexical if folder else lexical.parent), self.matrix, self.forbidden)

    def check_root(self, folder: Path) -> None:
        """`UnsafeWrite` unless `folder` may be an output folder: not a link, not in the Matrix,
        not in a forbidden place."""
        lexical = _lexical(folder)
        if lexical.is_symlink():
            raise UnsafeWrite(f"{folder} is a symlink; name a real folder to write into (remove the link)")
        real = Path(os.path.realpath(lexical))
        places = list(self.forbidden)
        if self.matrix is not None:
            places.append(Path(os.path.realpath(self.matrix)))
        for place in places:
            if _inside(real, place):
                raise UnsafeWrite(f"{folder} is inside {place}; uncoop does not write its outputs there")

    def target(self, path: Path, edit: bool = False) -> Path:
        """The real file a write of `path` lands on, or `UnsafeWrite` saying why it may not.

        Every folder between the root and the file must be a real folder (no symlink in any
        component, so nothing below the root can lead out of it); the file itself may be a
        symlink only for an edit inside the Matrix that stays inside the Matrix."""
        lexical = _lexical(path)
        root = max((r for r in self.roots if _inside(lexical, r)), key=lambda r: len(r.parts), default=None)
        if root is None:
            raise UnsafeWrite(f"{path} is outside the repository; name an output folder on the command line")
        real_root = Path(os.path.realpath(root))
        matrix = _lexical(self.matrix) if self.matrix is not None else None
        folder = root
        for part in lexical.relative_to(root).parts[:-1]:
            folder = folder / part
            if folder.is_symlink():
                if matrix is not None and _inside(folder, matrix):
                    raise UnsafeWrite(
                        f"{folder} is a symlinked folder inside the Matrix; uncoop does not write through it"
                    )
                raise UnsafeWrite(
                    f"{path} goes through the symlinked folder {folder}; uncoop never writes through a link, "
                    f"which could lead outside {root}"
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
                raise UnsafeWrite(f"{path} would overwrite {place}; choose another path")
        if os.path.lexists(real) and not stat.S_ISREG(os.lstat(real).st_mode):
            raise UnsafeWrite(f"{path} exists and is not a regular file")
        return real

    def open_folder(self, real: Path, create: bool) -> int:
        """A descriptor of the folder holding `real` (a path `target` returned), opened one
        component at a time from the root's real place with O_NOFOLLOW, so a link swapped in
        after `target` looked is not followed either; missing folders are made when `create`."""
        base = max(
            (Path(os.path.realpath(r)) for r in self.roots if _inside(real, Path(os.path.realpath(r)))),
            key=lambda r: len(r.parts),
        )
        if create:
            os.makedirs(base, exist_ok=True)  # a root named on the command line may not exist yet
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in real.relative_to(base).parts[:-1]:
                try:
                    child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    try:
                        os.mkdir(part, 0o777, dir_fd=fd)
                    except FileExistsError:
                        pass
                    child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
                        raise UnsafeWrite(f"{real.parent} changed into a link or a file while uncoop wrote") from None
                    raise
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd


_held: set[str] = set()


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on a folder for a read-modify-write cycle; re-entrant in one process."""
    key = os.path.realpath(folder)
    if key in _held:
        yield
        return
    created = not os.path.isdir(key)
    os.makedirs(key, exist_ok=True)
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held.add(key)
        try:
            yield
        finally:
            _held.discard(key)
            if created:  # an edit refused writes nothing, not even the folder it would have gone in
                with contextlib.suppress(OSError):  # not empty: something was written there
                    os.rmdir(key)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _sweep(fd: int, name: str) -> None:
    """Temp files a killed writer left for this file name (called under the folder's lock)."""
    for entry in os.listdir(fd):
        if entry.startswith(f"{PREFIX}{name}.") and entry.endswith(SUFFIX):
            try:
                if stat.S_ISREG(os.lstat(entry, dir_fd=fd).st_mode):
                    os.unlink(entry, dir_fd=fd)
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
    `exclusive`, fail if the path exists.  Returns the real path written.  Every step after the
    check works on descriptors of folders opened without following links."""
    real = scope.target(path, edit=edit)
    fd_dir = scope.open_folder(real, create=True)
    try:
        with locked(real.parent):
            _write_in(fd_dir, real.name, data, exclusive, mode, path)
        _fsync(fd_dir)
    finally:
        os.close(fd_dir)
    return real


def _write_in(fd_dir: int, name: str, data, exclusive: bool, mode: int | None, shown: Path) -> None:
    try:
        info: os.stat_result | None = os.lstat(name, dir_fd=fd_dir)
    except FileNotFoundError:
        info = None
    if exclusive and info is not None:
        raise FileExistsError(shown)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UnsafeWrite(f"{shown} exists and is not a regular file")
    file_mode = mode if mode is not None else (info.st_mode & 0o7777 if info is not None else _default_mode())
    _sweep(fd_dir, name)
    tmp = f"{PREFIX}{name}.{secrets.token_hex(6)}{SUFFIX}"
    fd = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, file_mode, dir_fd=fd_dir)
        os.fchmod(fd, file_mode)  # the umask must not narrow the mode the file had
        for chunk in [data] if isinstance(data, (bytes, bytearray)) else data:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
        if exclusive:
            os.link(tmp, name, src_dir_fd=fd_dir, dst_dir_fd=fd_dir)  # fails if someone created it meanwhile
            os.unlink(tmp, dir_fd=fd_dir)
        else:
            os.replace(tmp, name, src_dir_fd=fd_dir, dst_dir_fd=fd_dir)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=fd_dir)
        except OSError:
            pass
        raise
    finally:
        if fd is not None:
            os.close(fd)


def remove(path: Path, scope: Scope, links: bool = False) -> bool:
    """Delete the regular file `path` inside `scope` (the delete door): no folder on the way may be
    a link, and a link or anything else at the end is left alone unless `links` (then the link
    itself goes, never what it points to).  True when something was removed; a path the scope
    refuses or that is not there is left alone (False)."""
    try:
        lexical = _lexical(path)
        if links and os.path.islink(lexical):
            real = Path(os.path.realpath(lexical.parent)) / lexical.name
            scope.target(lexical.parent / ".uncoop-probe")  # the folders on the way, as for a write
        else:
            real = scope.target(path)
        fd_dir = scope.open_folder(real, create=False)
    except (UnsafeWrite, FileNotFoundError, NotADirectoryError):
        return False
    try:
        info = os.lstat(real.name, dir_fd=fd_dir)
        if stat.S_ISREG(info.st_mode) or links:
            os.unlink(real.name, dir_fd=fd_dir)
            return True
        return False
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return False
    finally:
        os.close(fd_dir)


def _is_link(name: str, fd_dir: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=fd_dir).st_mode)
    except OSError:
        return False


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


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


class UnsafeRead(UncoopError):
    """A file of a folder the user named that uncoop will not read (a link, not a regular file, too big)."""


def read_below(folder: Path, name: str, limit: int) -> bytes:
    """The bytes of `folder/name` (the read door for folders a user names, such as --templates):
    `folder` itself and every component of `name` are opened without following links, the end must
    be a regular file of at most `limit` bytes.  FileNotFoundError when it is not there;
    `UnsafeRead` saying why for anything else."""
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafeRead(f"{name} is not a plain relative name")
    if os.path.islink(folder):
        raise UnsafeRead(f"{folder} is a symlink; name the real folder")
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            child = _step(fd, part, os.O_RDONLY | (os.O_NONBLOCK if last else os.O_DIRECTORY), folder / name)
            os.close(fd)
            fd = child
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeRead(f"{folder / name} is not a regular file")
        if info.st_size > limit:
            raise UnsafeRead(f"{folder / name} is {info.st_size} bytes, over the limit of {limit}")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def _step(fd: int, part: str, flags: int, shown: Path) -> int:
    """Open `part` below the folder `fd` without following a link."""
    try:
        return os.open(part, flags | os.O_NOFOLLOW, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
            raise UnsafeRead(f"{shown} goes through the symlink {part}; uncoop does not follow links there") from None
        if exc.errno == errno.ENOTDIR:
            raise FileNotFoundError(shown) from None
        raise


def _fsync(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError:
        pass
