"""The record cache of one run, and the per-user key that signs it."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .app import AT_END
from .places import key_folder, write_scope

KEY_BYTES = 32

if TYPE_CHECKING:
    from ..atomic import Scope
    from ..store import RecordCache, ShardedCache


def user_secret() -> bytes | None:
    """The per-user signing key: at least 32 random bytes in a 0600 file of the user's own, made
    (atomically) on first use and remade when short, empty or not a private regular file.
    None where no private place exists: the cache is then not used."""
    from ..atomic import Scope, read_regular, remove, write_atomic

    base = key_folder()
    path = base / "cache-key"
    scope = Scope((base.absolute(),))
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        if base.is_symlink() or base.stat().st_uid != os.getuid():
            return None
        if base.stat().st_mode & 0o077:
            os.chmod(base, 0o700)
        info = os.lstat(path) if os.path.lexists(path) else None
        if info is not None and stat.S_ISREG(info.st_mode) and info.st_mode & 0o077 == 0 and info.st_uid == os.getuid():
            secret = read_regular(path, 4096)
            if secret is not None and len(secret) >= KEY_BYTES:
                return secret
        if info is not None and not stat.S_ISREG(info.st_mode):
            remove(path, scope, links=True)  # a link or FIFO where the key belongs is replaced, never followed
        secret = os.urandom(KEY_BYTES)
        write_atomic(path, secret, scope, mode=0o600)
        return secret
    except OSError:
        return None


_warned: set[str] = set()


def warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        sys.stderr.write(f"uncoop: {message}\n")


CACHE_LIMIT = 1 << 30  # bytes; a cache file larger than this is not read


class Cached:
    """The record cache of one run: opened before loading, saved when the command ends.  Its
    file holds plain JSON values the codec rebuilds into records, and is signed; a save that
    fails is said once on stderr and never changes the run's results."""

    def __init__(self, root: Path, disabled: bool):
        self.cache: ShardedCache | None = None
        self.folder: Path | None = None
        self.secret: bytes | None = None
        self.scope: Scope | None = None
        self.refused = False
        AT_END.append(self.save)
        if disabled or os.environ.get("UNCOOP_NO_CACHE"):
            return
        from ..atomic import UnsafeWrite
        from ..store import ShardedCache

        self.secret = user_secret()
        if self.secret is None:
            return
        chosen = os.environ.get("UNCOOP_CACHE_DIR")
        folder = Path(chosen) if chosen else root.absolute().parent / ".uncoop-cache"
        self.scope = write_scope(root).named(folder, folder=True) if chosen else write_scope(root)
        try:
            self.scope.target(folder / "records.cache")
        except UnsafeWrite as exc:
            warn_once(f"cache not used: {exc}")
            return
        self.folder = folder
        self.cache = ShardedCache(self._open)

    def shard_path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"records-{name}.cache"

    def _open(self, name: str) -> RecordCache:
        """One shard, read if it is there and may be read (see atomic.Scope)."""
        from ..atomic import UnsafeWrite, read_regular
        from ..store import RecordCache

        path = self.shard_path(name)
        try:
            assert self.scope is not None and self.secret is not None
            self.scope.target(path)
            blob = read_regular(path, CACHE_LIMIT) or b""
        except UnsafeWrite as exc:
            if not self.refused:  # said once, not once per folder of the Matrix
                warn_once(f"cache not used: {exc}")
            self.refused = True
            return RecordCache()
        shard = RecordCache.loads(blob, self.secret)
        shard.reread = lambda: read_regular(path, CACHE_LIMIT)
        return shard

    def save(self) -> None:
        """Write the shards that changed; a failure is said once and never changes the run's results."""
        if self.cache is None or self.folder is None or self.secret is None or self.scope is None:
            return
        if not self.cache.changed:
            return
        from ..atomic import UnsafeWrite, remove, write_atomic

        try:
            ignore = self.folder / ".gitignore"
            if not os.path.lexists(ignore):
                write_atomic(ignore, b"# uncoop's record cache: safe to delete\n*\n", self.scope)
            for name, shard in self.cache.shards.items():
                if shard.changed:
                    write_atomic(self.shard_path(name), shard.chunks(self.secret), self.scope)
            for old in ("records.cache", "records.pickle"):  # what earlier versions wrote
                remove(self.folder / old, self.scope)
        except (OSError, UnsafeWrite, ValueError, TypeError) as exc:  # ValueError: text no file can hold
            # the run already has its answer; only the next run is slower
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            warn_once(f"cache not saved: {reason}")
