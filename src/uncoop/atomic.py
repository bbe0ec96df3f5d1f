"""Atomic file writes: a reader, or a crash, sees the old file or the new one, never half.

The data goes to a temporary file in the target's directory, is fsynced, and is
renamed over the target (rename is atomic within a directory).  On any failure
the temporary file is removed; if the process is killed outright it cannot be,
so the next write of that file sweeps the leftover (dot-files are never read as
Matrix files in the meantime).  The file's mode is kept, and a symlink is
written through (the link stays a link).  O_TMPFILE + linkat would avoid the
leftover, but linking from /proc/self/fd is refused on the machines this runs on.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterable

PREFIX = ".uncoop-"
SUFFIX = ".tmp"


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sweep(folder: Path, name: str) -> None:
    """Temp files a killed writer left for this file name."""
    for stray in folder.glob(f"{PREFIX}{name}.*{SUFFIX}"):
        try:
            stray.unlink()
        except OSError:
            pass


def write_atomic(path: Path, data: "bytes | Iterable[bytes]", exclusive: bool = False) -> None:
    """Write `data` (bytes, or chunks of bytes) to `path` atomically; with `exclusive`, fail if
    the path exists.  Chunks let a large report stream to disk instead of being built whole."""
    path = Path(path).resolve()  # through a symlink: replace the target, keep the link
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if exclusive and path.exists():
        raise FileExistsError(path)
    mode = _mode(path)
    _sweep(folder, path.name)
    tmp = folder / f"{PREFIX}{path.name}.{secrets.token_hex(6)}{SUFFIX}"
    fd = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        os.fchmod(fd, mode)  # the umask must not narrow the mode the file had
        for chunk in ([data] if isinstance(data, (bytes, bytearray)) else data):
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
        os.fsync(fd)
        if exclusive:
            os.link(tmp, path)  # fails if someone created the file meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
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
