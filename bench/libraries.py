"""Well-kept libraries against uncoop's hand-written parts, measured in one run on one corpus:

    .venv/bin/pip install -q -e ".[bench]" && .venv/bin/python bench/libraries.py [--sizes 2000,20000]

- the cache's decoding: orjson + `codec.py` (today) against msgspec's JSON decoder feeding the same
  codec, with the share of the time that is the codec's own (what a typed msgspec decoder could
  save at best, were the records msgspec Structs instead of dataclasses);
- the cold path's workers: `pool.py` (forked workers, codec values over a pipe) against
  `concurrent.futures.ProcessPoolExecutor` (fork context, same work, results pickled);
- the folder lock: `atomic.locked` (flock on the folder itself) against `filelock.FileLock`.

Ratios are to the hand-written part measured in the same run (these machines are noisy).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from run import corpus  # noqa: E402  (bench/run.py: the same seeded corpora)

from uncoop import atomic  # noqa: E402
from uncoop.parse import parse_record  # noqa: E402
from uncoop.store import (  # noqa: E402
    decode_entry,
    encode_entry,
    pool,
)
from uncoop.store.codec import decode_positions, decode_problems, decode_record  # noqa: E402


def jobs_of(root: Path) -> list[tuple[str, Path, str]]:
    found = [(str(p), p, "activity") for p in sorted((root / "activities").rglob("*.yaml"))]
    return found + [(str(p), p, "update") for p in sorted((root / "updates").rglob("*.yaml"))]


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def held(function) -> int:
    """Bytes still allocated by what `function` returns, kept alive."""
    gc.collect()
    tracemalloc.start()
    kept = function()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return size


def _one(job: tuple[str, Path, str]) -> bytes | None:
    shown, path, kind = job
    record, problems, _ = parse_record(shown, path.read_bytes(), kind)
    return encode_entry(kind, record, problems)


def futures(jobs: list[tuple[str, Path, str]], count: int) -> list:
    with ProcessPoolExecutor(count, mp_context=get_context("fork")) as executor:
        payloads = list(executor.map(_one, jobs, chunksize=max(1, len(jobs) // (count * 8))))
    return [decode_entry(job[2], p) for job, p in zip(jobs, payloads, strict=True) if p is not None]


def codec_rows(n: int, repeat: int) -> list[tuple[str, str]]:
    import msgspec
    import orjson

    jobs = jobs_of(corpus(n)[0])
    payloads = [(job[2], _one(job)) for job in jobs]
    payloads = [(kind, p) for kind, p in payloads if p is not None]
    size = sum(len(p) for _, p in payloads)

    def hand():
        return [decode_entry(kind, p) for kind, p in payloads]

    def parse_only():
        return [orjson.loads(p) for _, p in payloads]

    def msgspec_parse():
        return [msgspec.json.decode(p) for _, p in payloads]

    def msgspec_then_codec():
        out = []
        for kind, p in payloads:
            record, problems, positions = msgspec.json.decode(p)
            out.append((decode_record(kind, record), decode_problems(problems), decode_positions(positions)))
        return out

    base = best(hand, repeat)
    rows = [
        (f"{n:,} activities, {len(payloads):,} entries, {size / 1e6:.1f} MB", ""),
        ("orjson + codec.py (today)", f"{base * 1000:.0f} ms, {held(hand) / 2**20:.0f} MiB held, 1.00×"),
    ]
    for label, function in (
        ("orjson alone (the parse)", parse_only),
        ("msgspec.json alone (the parse)", msgspec_parse),
        ("msgspec.json + codec.py", msgspec_then_codec),
    ):
        spent = best(function, repeat)
        rows.append((label, f"{spent * 1000:.0f} ms, {held(function) / 2**20:.0f} MiB held, {spent / base:.2f}×"))
    return rows


def pool_rows(n: int, repeat: int) -> list[tuple[str, str]]:
    jobs = jobs_of(corpus(n)[0])
    count = max(2, min(os.cpu_count() or 2, 8))
    base = best(lambda: pool.read_many(jobs, count), repeat)
    other = best(lambda: futures(jobs, count), repeat)
    serial = best(lambda: [parse_record(job[0], job[1].read_bytes(), job[2]) for job in jobs], 1)
    return [
        (f"{len(jobs):,} files, {count} workers", ""),
        ("pool.py (fork, codec values over pipes)", f"{base:.2f} s, 1.00×"),
        ("concurrent.futures ProcessPoolExecutor (fork)", f"{other:.2f} s, {other / base:.2f}×"),
        ("one process", f"{serial:.2f} s, {serial / base:.2f}×"),
    ]


def lock_rows(repeat: int) -> list[tuple[str, str]]:
    import filelock

    rounds = 2000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "matrix"
        folder.mkdir()

        def hand():
            for _ in range(rounds):
                with atomic.locked(folder):
                    pass

        def library():
            for _ in range(rounds):
                with filelock.FileLock(folder / ".lock"):
                    pass

        base, other = best(hand, repeat), best(library, repeat)
        left = sorted(p.name for p in folder.iterdir())
    return [
        (f"{rounds:,} acquire/release of one folder", ""),
        ("atomic.locked (flock on the folder)", f"{base * 1e6 / rounds:.1f} µs each, 1.00×, leaves nothing"),
        ("filelock.FileLock", f"{other * 1e6 / rounds:.1f} µs each, {other / base:.2f}×, leaves {left or 'nothing'}"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000", help="corpus sizes for the codec, e.g. 2000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows += codec_rows(n, args.repeat)
    rows += pool_rows(2000, args.repeat)
    rows += lock_rows(args.repeat)
    print("| measured | result |\n| --- | --- |")
    for label, value in rows:
        print(f"| **{label}** | |" if not value else f"| {label} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
