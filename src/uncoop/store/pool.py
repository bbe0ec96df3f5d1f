"""Reading many files afresh on every core.

A cold run spends most of its time parsing YAML and validating records, file by file.  With
many files to read and more than one core, the files are split among forked workers; each
parses and validates its share and sends back each record as the cache's plain values
(`codec`), which the parent rebuilds in a fraction of the time the parsing took.  Nothing but
those values crosses the pipe (no pickle), a worker that fails or a value the codec does not
carry just leaves that file to the parent, and the result is the same as reading in one
process: the tests compare them.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MIN_FILES = 400  # below this, forking costs more than it saves
_FRAME = struct.Struct(">II")  # index of the file in the job list, length of its payload
DIGEST = 20  # the payload starts with the digest of the bytes the worker read (the cache's key)


def workers(files: int) -> int:
    """How many processes read `files` files: UNCOOP_WORKERS if set, else the usable cores."""
    if files < MIN_FILES or not hasattr(os, "fork"):
        return 1
    chosen = os.environ.get("UNCOOP_WORKERS", "")
    if chosen.isdigit():
        return max(1, min(int(chosen), 16))
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def read_many(jobs: list[tuple[str, Path, str]], count: int) -> dict[int, tuple[bytes, Any, list]]:
    """(digest of the bytes read, record, problems) for the jobs (display path, path, kind)
    that `count` workers could read, by index; the caller reads whatever is missing itself.
    Workers read the files themselves, so no file's bytes are held for them meanwhile."""
    from ..parse import parse_record  # imported before forking: every worker shares it
    from .cache import encode_entry

    pipes = []
    for share in range(count):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(read_end)
            _work(jobs, share, count, write_end, parse_record, encode_entry)
        os.close(write_end)
        pipes.append((pid, read_end))
    results: dict[int, tuple[bytes, Any, list]] = {}
    for index, payload in _collect(pipes):
        digest, body = payload[:DIGEST], payload[DIGEST:]
        decoded = _decode(jobs[index][2], body)
        if decoded is not None:
            results[index] = (digest, *decoded)
    return results


def _work(jobs: list[tuple[str, Path, str]], share: int, count: int, fd: int, parse_record, encode_entry) -> None:
    status = 1
    try:
        with os.fdopen(fd, "wb", buffering=1 << 16) as out:
            for index in range(share, len(jobs), count):
                shown, path, kind = jobs[index]
                try:
                    data = path.read_bytes()
                except OSError:
                    continue  # the parent reads it and says why it cannot
                record, problems, _ = parse_record(shown, data, kind)
                payload = encode_entry(kind, record, problems)
                if payload is not None:
                    payload = hashlib.blake2b(data, digest_size=DIGEST).digest() + payload
                    out.write(_FRAME.pack(index, len(payload)) + payload)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing the parent's buffers twice


def _collect(pipes: list[tuple[int, int]]) -> Iterator[tuple[int, bytes]]:
    """Every (index, payload) the workers send, read from all pipes at once so none blocks."""
    buffers = {fd: bytearray() for _, fd in pipes}
    selector = selectors.DefaultSelector()
    for _, fd in pipes:
        selector.register(fd, selectors.EVENT_READ)
    open_pipes = len(pipes)
    while open_pipes:
        for key, _ in selector.select():
            chunk = os.read(key.fd, 1 << 20)
            if not chunk:
                selector.unregister(key.fd)
                os.close(key.fd)
                open_pipes -= 1
                continue
            buffer = buffers[key.fd]
            buffer += chunk
            start = 0
            while len(buffer) - start >= _FRAME.size:
                index, length = _FRAME.unpack_from(buffer, start)
                if len(buffer) - start - _FRAME.size < length:
                    break
                yield index, bytes(buffer[start + _FRAME.size : start + _FRAME.size + length])
                start += _FRAME.size + length
            del buffer[:start]
    selector.close()
    for pid, _ in pipes:
        os.waitpid(pid, 0)


def _decode(kind: str, payload: bytes) -> tuple[Any, list] | None:
    from .cache import decode_entry

    entry = decode_entry(kind, payload)
    return entry.record, entry.problems
