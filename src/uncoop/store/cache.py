"""A cache of parsed and validated records, keyed by each file's content hash.

Re-running on an unchanged Matrix then costs little more than reading the
files: no YAML parsing, no schema validation.  It can never hide an error:
a file whose bytes changed is read again, and every cross-file check and the
timeline run on every invocation.  The cache is stamped with uncoop's version
and a hash of the package's own source, so any change to uncoop invalidates it.

A cache file is data: JSON values (`codec`) that can only be rebuilt into the fields of
uncoop's own record classes, so nothing in it can run code, whatever its bytes.  It is also
signed (keyed BLAKE2b) with a key kept in the user's own cache directory, outside any
repository, so a planted or edited file is not read at all: otherwise a pull request could
commit a cache that calls a broken file valid.

Layout: magic, signature, then a header (every file's key and where its entry lies) and the
entries one after another.  An entry is decoded only when its file is read unchanged, and
written back as the same bytes when nothing about it changed.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from .. import __version__

MAGIC = b"uncoop-cache-2\n"
_SIGNATURE = 32


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
def stamp() -> str:
    """uncoop's version and its whole source: records, findings and their severities are all
    decided by that code, so no hand-kept list of modules can miss one."""
    return source_digest(Path(__file__).parent.parent).hex()


def sign(secret: bytes, body: bytes | memoryview) -> bytes:
    """The signature of a cache body: keyed BLAKE2b (`chunks` computes the same piece by piece)."""
    return hashlib.blake2b(body, key=secret[:64], digest_size=_SIGNATURE).digest()


def _dumps(value: Any) -> bytes:
    import orjson

    return orjson.dumps(value)


def _loads(data: bytes | memoryview) -> Any:
    import orjson

    return orjson.loads(data)


Span = tuple[int, int]  # where an entry lies in the cache file's body: start, length


class _Slot:
    """One file's entry in this run: where its bytes lie in the file read, and its values."""

    __slots__ = ("span", "entry", "touched")

    def __init__(self, span: Span | None, entry: Entry | None) -> None:
        self.span, self.entry, self.touched = span, entry, False


class RecordCache:
    """Entries used by this run are kept; entries of deleted or changed files are dropped on save.

    The file read is let go once the Matrix is loaded (`release`): at 20,000 activities it is
    ~75 MB.  A save then reads it again for the entries it keeps unchanged, if it is still the
    very file that was read (same signature), else encodes them afresh."""

    def __init__(self, entries: dict[tuple, Span] | None = None, body: memoryview | None = None, mac: bytes = b""):
        self.old: dict[tuple, Span] = entries or {}
        self.body, self.mac = body, mac
        self.reread: Any = None  # () -> the cache file's bytes now, set by whoever read it
        self.new: dict[tuple, _Slot] = {}
        self.hits = self.misses = 0
        self.dirty = False
        self.read_keys = frozenset(self.old)  # what the file held: `changed` compares, past release

    @staticmethod
    def key(shown: str, kind: str, data: bytes) -> tuple:
        return (shown, kind, hashlib.blake2b(data, digest_size=20).digest())

    def get(self, key: tuple) -> Entry | None:
        span = self.old.get(key)
        if span is None or self.body is None:
            self.misses += 1
            return None
        try:
            entry = decode_entry(key[1], self.body[span[0] : span[0] + span[1]])
        except Exception:  # an entry that does not decode is read afresh
            self.misses += 1
            return None
        self.hits += 1
        self.new[key] = _Slot(span, entry)
        return entry

    def put(self, key: tuple, record: Any, problems: list) -> None:
        self.new[key] = _Slot(None, Entry(record, problems))

    def touch(self, key: tuple) -> None:
        """The positions kept for this file grew: write its entry afresh."""
        slot = self.new.get(key)
        if slot is not None:
            slot.touched = True
            self.dirty = True

    def release(self) -> None:
        """Let go of the file read: every entry this run needs is decoded by now."""
        self.body, self.old = None, {}

    def positions(self, key: tuple) -> dict | None:
        slot = self.new.get(key)
        return slot.entry.positions if slot is not None and slot.entry is not None else None

    def keep_positions(self, key: tuple, positions: dict) -> None:
        """Where a file's findings are, once computed, so the next run need not parse it again.
        The dict is shared with the Matrix, which adds to it and sets `dirty`."""
        slot = self.new.get(key)
        if slot is not None and slot.entry is not None:
            slot.entry = slot.entry._replace(positions=positions)
            slot.touched = True
            self.dirty = True

    @property
    def changed(self) -> bool:
        return self.dirty or self.new.keys() != self.read_keys

    def dumps(self, secret: bytes) -> bytes:
        return b"".join(self.chunks(secret))

    def chunks(self, secret: bytes) -> list[bytes | memoryview]:
        """The cache file as pieces to write one after another: the entries are not copied
        into one buffer (at 20,000 activities that would be ~75 MB twice over)."""
        body = self.body if self.body is not None else self._read_again(secret)
        header, chunks, offset = [], [], 0
        for key, slot in self.new.items():
            if slot.span is not None and not slot.touched and body is not None:
                raw: bytes | memoryview | None = body[slot.span[0] : slot.span[0] + slot.span[1]]
            else:
                raw = _encode(key[1], slot.entry)
            if raw is None:
                continue  # a value the cache does not store: that file is read again next time
            header.append([key[0], key[1], key[2].hex(), offset, len(raw)])
            chunks.append(raw)
            offset += len(raw)
        head = _dumps({"stamp": stamp(), "files": header})
        pieces = [struct.pack(">I", len(head)), head, *chunks]
        signer = hashlib.blake2b(key=secret[:64], digest_size=_SIGNATURE)
        for piece in pieces:
            signer.update(piece)
        return [MAGIC, signer.digest(), *pieces]

    def _read_again(self, secret: bytes) -> memoryview | None:
        """The body of the file this cache was read from, if it is still that file, signed."""
        if self.reread is None or not self.mac:
            return None
        try:
            blob = self.reread()
        except OSError:
            return None
        if not blob or blob[len(MAGIC) : len(MAGIC) + _SIGNATURE] != self.mac:
            return None  # another run saved its own cache meanwhile
        body = memoryview(blob)[len(MAGIC) + _SIGNATURE :]
        return body if hmac.compare_digest(self.mac, sign(secret, body)) else None

    @classmethod
    def loads(cls, blob: bytes, secret: bytes) -> RecordCache:
        """A cache from bytes, or an empty one if they are foreign, tampered with or stale."""
        if not blob.startswith(MAGIC):
            return cls()
        view = memoryview(blob)  # entries are slices of it: no copy of a cache of tens of MB
        mac, body = bytes(view[len(MAGIC) : len(MAGIC) + _SIGNATURE]), view[len(MAGIC) + _SIGNATURE :]
        if not hmac.compare_digest(mac, sign(secret, body)):
            return cls()
        try:
            (size,) = struct.unpack(">I", body[:4])
            head = _loads(body[4 : 4 + size])
            if head["stamp"] != stamp():
                return cls()
            start = 4 + size
            entries = {
                (shown, kind, bytes.fromhex(digest)): (start + offset, length)
                for shown, kind, digest, offset, length in head["files"]
            }
        except Exception:  # a cache is disposable: anything odd means start afresh
            return cls()
        return cls(entries, body, mac)


class ShardedCache:
    """The record cache as one file per folder of the Matrix (a "shard"): files are read folder
    by folder, so a run holds one shard's bytes at a time (at 20,000 activities the cache is
    ~75 MB in all), and a run saves only the shards that changed (a pull request that edits one
    update rewrites that quarter's shard).  `open_shard(name)` gives a shard's cache, read from
    wherever its owner keeps it."""

    def __init__(self, open_shard: Callable[[str], RecordCache]):
        self.open_shard = open_shard
        self.shards: dict[str, RecordCache] = {}
        self.current: RecordCache | None = None

    key = staticmethod(RecordCache.key)

    @staticmethod
    def shard_of(key: tuple) -> str:
        """A shard's name: a digest of the folder of the file, so no name from the data reaches a path."""
        return hashlib.blake2b(key[0].rpartition("/")[0].encode(), digest_size=8).hexdigest()

    def _shard(self, key: tuple) -> RecordCache:
        name = self.shard_of(key)
        shard = self.shards.get(name)
        if shard is None:
            if self.current is not None:
                self.current.release()  # its files are read: the next folder's shard takes its place
            shard = self.shards[name] = self.current = self.open_shard(name)
        return shard

    def get(self, key: tuple) -> Entry | None:
        return self._shard(key).get(key)

    def put(self, key: tuple, record: Any, problems: list) -> None:
        self._shard(key).put(key, record, problems)

    def positions(self, key: tuple) -> dict | None:
        shard = self.shards.get(self.shard_of(key))
        return shard.positions(key) if shard is not None else None

    def keep_positions(self, key: tuple, positions: dict) -> None:
        shard = self.shards.get(self.shard_of(key))
        if shard is not None:
            shard.keep_positions(key, positions)

    def touch(self, key: tuple) -> None:
        shard = self.shards.get(self.shard_of(key))
        if shard is not None:
            shard.touch(key)

    def release(self) -> None:
        for shard in self.shards.values():
            shard.release()

    @property
    def hits(self) -> int:
        return sum(s.hits for s in self.shards.values())

    @property
    def misses(self) -> int:
        return sum(s.misses for s in self.shards.values())

    @property
    def changed(self) -> bool:
        return any(s.changed for s in self.shards.values())


def encode_entry(kind: str, record: Any, problems: list, positions: dict | None = None) -> bytes | None:
    """One file's entry as bytes, or None when a value in it is not one the codec carries."""
    from .codec import NotPlain, encode_positions, encode_problems, encode_record

    try:
        return _dumps([encode_record(kind, record), encode_problems(problems), encode_positions(positions)])
    except (NotPlain, TypeError, ValueError, OverflowError, NameError):
        return None


def _encode(kind: str, entry: Entry | None) -> bytes | None:
    return None if entry is None else encode_entry(kind, *entry)


def decode_entry(kind: str, raw: bytes | memoryview) -> Entry:
    from .codec import decode_positions, decode_problems, decode_record

    record, problems, positions = _loads(raw)
    return Entry(decode_record(kind, record), decode_problems(problems), decode_positions(positions))
