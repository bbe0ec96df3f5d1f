"""A cache of parsed and validated records, keyed by each file's content hash.

Re-running on an unchanged Matrix then costs little more than reading the
files: no YAML parsing, no schema validation.  It can never hide an error:
a file whose bytes changed is read again, and every cross-file check and the
timeline run on every invocation.  The cache is stamped with uncoop's version
and a hash of the package's own source, so any change to uncoop invalidates it.

A cache file can never run code, whatever its bytes: it is read by an unpickler that
admits only uncoop's own record classes, dates and plain containers, so a pickle that
names any other callable (os.system, builtins.eval, ...) is refused and the cache starts
afresh.  As defence in depth the file is also signed (HMAC-SHA256) with a key kept in the
user's own cache directory, outside any repository, so a planted file is not read at all.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import pickle
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__

_MAGIC = b"uncoop-cache-1\n"


class Entry(NamedTuple):
    """What the cache knows of one file's bytes."""

    record: Any  # the validated record(s), or None
    problems: list  # the file's own findings
    positions: dict | None = None  # where key paths are, once a run looked them up


def source_digest(package: Path) -> bytes:
    """A hash of every module of a package, names included."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


@cache
def stamp() -> bytes:
    """uncoop's version and its whole source: records, findings and their severities are all
    decided by that code, so no hand-kept list of modules can miss one."""
    return source_digest(Path(__file__).parent)


# The only names a cache may refer to.  Classes are checked to be defined where they are found,
# so an attribute imported into these modules (a function, os, ...) is never admitted.
_RECORD_MODULES = ("uncoop.model", "uncoop.dates", "uncoop.problem")
_OTHER = {
    ("datetime", "date"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}


class _RecordUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _OTHER:
            return super().find_class(module, name)
        if module in _RECORD_MODULES and name.isidentifier():
            import importlib

            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"the cache names {module}.{name}, which is not a record class")


def safe_loads(body: bytes | memoryview) -> Any:
    """Unpickle data that may only rebuild uncoop's records; anything else raises."""
    return _RecordUnpickler(io.BytesIO(body)).load()


class RecordCache:
    """Entries used by this run are kept; entries of deleted or changed files are dropped on save."""

    def __init__(self, entries: dict | None = None):
        self.old = entries or {}
        self.new: dict = {}
        self.hits = self.misses = 0
        self.dirty = False

    @staticmethod
    def key(shown: str, kind: str, data: bytes) -> tuple:
        return (shown, kind, hashlib.blake2b(data, digest_size=20).digest())

    def get(self, key: tuple) -> Entry | None:
        value = self.old.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self.new[key] = value
        return Entry(*value)

    def put(self, key: tuple, record: Any, problems: list) -> None:
        self.new[key] = (record, problems)  # stored as a plain tuple: the file holds data only

    def positions(self, key: tuple) -> dict | None:
        entry = self.new.get(key)
        return entry[2] if entry is not None and len(entry) > 2 else None

    def keep_positions(self, key: tuple, positions: dict) -> None:
        """Where a file's findings are, once computed, so the next run need not parse it again.
        The dict is shared with the Matrix, which adds to it and sets `dirty`."""
        entry = self.new.get(key)
        if entry is not None:
            self.new[key] = (entry[0], entry[1], positions)
            self.dirty = True

    @property
    def changed(self) -> bool:
        return self.dirty or self.new.keys() != self.old.keys()

    def dumps(self, secret: bytes) -> bytes:
        body = pickle.dumps((stamp(), self.new), protocol=pickle.HIGHEST_PROTOCOL)
        return _MAGIC + hmac.new(secret, body, hashlib.sha256).digest() + body

    @classmethod
    def loads(cls, blob: bytes, secret: bytes) -> RecordCache:
        """A cache from bytes, or an empty one if they are foreign, tampered with or stale."""
        if not blob.startswith(_MAGIC):
            return cls()
        view = memoryview(blob)  # no copy of a cache that can be tens of MB
        mac, body = bytes(view[len(_MAGIC) : len(_MAGIC) + 32]), view[len(_MAGIC) + 32 :]
        if not hmac.compare_digest(mac, hmac.new(secret, body, hashlib.sha256).digest()):
            return cls()
        import gc

        was_enabled = gc.isenabled()
        gc.disable()  # unpickling builds many objects at once; the collector would rescan them all
        try:
            version, entries = safe_loads(body)
        except Exception:  # a cache is disposable: anything odd means start afresh
            return cls()
        finally:
            if was_enabled:
                gc.enable()
        return cls(entries) if version == stamp() and isinstance(entries, dict) else cls()
