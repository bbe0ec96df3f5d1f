"""Benchmark uncoop against the json.loads floor and yamllint, from one run.

    python bench/run.py                 # 200 and 2,000 activities
    python bench/run.py --sizes 200,2000,20000 --write

Every time is the median of --repeat runs, each in a fresh process.  Absolute
times on shared machines are noisy; the ratios inside one run are what hold.
The floor is reading the same records as JSON files and `json.loads`-ing them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".corpus"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PY = sys.executable
AS_OF = "2017-01-01"

FLOOR = """
import json, os, sys, time
t = time.perf_counter()
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        with open(os.path.join(d, f), 'rb') as h:
            json.loads(h.read())
print(time.perf_counter() - t)
"""

CORE = """
import sys, time
from datetime import date
from uncoop.check import validate
t = time.perf_counter()
matrix, problems = validate(sys.argv[1], date(2017, 1, 1))
assert not problems, problems[:3]
print(time.perf_counter() - t)
"""


def corpus(n: int) -> tuple[Path, Path]:
    """The YAML corpus of n activities and its JSON twin, generated once."""
    root = CORPUS / f"matrix-{n}"
    twin = CORPUS / f"json-{n}"
    if not (root / "matrix.yaml").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(n, root)
    if not twin.exists():
        import yaml  # the twin is made with PyYAML: the content is what counts, not the reader

        for path in root.rglob("*.yaml"):
            target = twin / path.relative_to(root).with_suffix(".json")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(yaml.safe_load(path.read_text()), default=str))
    return root, twin


def timed(cmd: list[str], repeat: int, inner: bool = False) -> float:
    """Median seconds: wall time of the process, or the time it prints (inner)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if inner:
            if out.returncode:
                raise SystemExit(f"{cmd} failed:\n{out.stderr}")
            samples.append(float(out.stdout.strip().splitlines()[-1]))
        else:
            samples.append(wall)
    return statistics.median(samples)


def measure(n: int, repeat: int, peers: bool) -> dict:
    root, twin = corpus(n)
    files = sum(1 for _ in root.rglob("*.yaml"))
    row = {"activities": n, "files": files}
    row["floor"] = timed([PY, "-c", FLOOR, str(twin)], repeat, inner=True)
    row["core"] = timed([PY, "-c", CORE, str(root)], repeat, inner=True)
    row["cli"] = timed([PY, "-m", "uncoop", "validate", "--matrix", str(root), "--as-of", AS_OF], repeat)
    if peers and importlib.util.find_spec("yamllint"):
        row["yamllint"] = timed([PY, "-m", "yamllint", "-d", "relaxed", str(root)], 1)
    return row


def table(rows: list[dict], startup: float) -> str:
    out = [f"python -c pass: {startup * 1000:.1f} ms (startup baseline)", "",
           "| activities | files | json.loads floor | uncoop core | × floor | `uncoop validate` | × floor | yamllint | × floor |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lint = r.get("yamllint")
        lint_cells = f"{lint:.2f} s | {lint / r['floor']:.0f}×" if lint else "– | –"
        out.append(f"| {r['activities']:,} | {r['files']:,} | {r['floor'] * 1000:.0f} ms | {r['core'] * 1000:.0f} ms | "
                   f"{r['core'] / r['floor']:.1f}× | {r['cli'] * 1000:.0f} ms | {r['cli'] / r['floor']:.1f}× | {lint_cells} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,2000", help="comma-separated activity counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--no-peers", action="store_true", help="skip yamllint")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    startup = timed([PY, "-c", "pass"], max(args.repeat, 5))
    rows = [measure(int(n), args.repeat, not args.no_peers) for n in args.sizes.split(",")]
    text = table(rows, startup)
    sys.stdout.write(text)
    if args.write:
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
        (HERE / "RESULTS.md").write_text(f"# Benchmark results\n\nMachine: {machine}.  Command: "
                                         f"`python bench/run.py --sizes {args.sizes} --write`.\n\n{text}")


if __name__ == "__main__":
    main()
