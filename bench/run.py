"""Benchmark uncoop against the floor and its peers, from one run, on this machine.

    python bench/run.py                          # 200 and 2,000 activities
    python bench/run.py --sizes 200,2000,20000 --write

For each synthetic Matrix (bench/generate.py, seeded) it times, each in fresh processes and as the
median of --repeat runs: the `json.loads` floor of the same content; `uncoop validate` cold
(--no-cache) and warm (cache filled); `uncoop status --format json` and `uncoop report --format
html` (warm); the in-process cost of rendering the HTML report once loaded; yamllint and
check-jsonschema on the same files (the peers); and peak memory of each uncoop run.  Startup is
measured against `python -c pass` in the same run.  Absolute times on shared machines are noisy:
the ratios within one run are what hold.  Timings are never asserted in tests.
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
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / ".corpus"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PY = sys.executable  # run it as .venv/bin/python bench/run.py: a shell shim would add ~100 ms to every run
BEGIN, END = "<!-- measured by bench/run.py: begin -->\n", "<!-- measured by bench/run.py: end -->"
AS_OF = "2017-01-01"
UNCOOP = [PY, "-m", "uncoop"]

FLOOR = """
import json, os, sys, time
t = time.perf_counter()
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        with open(os.path.join(d, f), 'rb') as h:
            json.loads(h.read())
print(time.perf_counter() - t)
"""

RENDER = """
import sys, time
from datetime import date
from uncoop.check import validate
from uncoop.render import render
from uncoop.report import build_report
from uncoop.timeline import snapshot
matrix, problems = validate(sys.argv[1], date(2017, 1, 1))
snapshot(matrix, date(2017, 1, 1))  # finding locations known, as with a warm cache: the rest is the report
t = time.perf_counter()
render(build_report(matrix, snapshot(matrix, date(2017, 1, 1))), "html")
print(time.perf_counter() - t)
"""


def corpus(n: int) -> tuple[Path, Path]:
    """The YAML corpus of n activities and its JSON twin, generated once."""
    root = CORPUS / f"matrix-{n}" / "matrix"
    twin = CORPUS / f"json-{n}"
    made_by = CORPUS / f"matrix-{n}" / "generator"
    generator = (HERE / "generate.py").read_bytes()
    if not (root / "matrix.yaml").exists() or not made_by.exists() or made_by.read_bytes() != generator:
        shutil.rmtree(root.parent, ignore_errors=True)  # made by another version of the generator
        shutil.rmtree(twin, ignore_errors=True)
        generate(n, root)
        made_by.write_bytes(generator)
    if not twin.exists():
        import yaml  # the twin is made with PyYAML: the content is what counts, not the reader

        for path in root.rglob("*.yaml"):
            target = twin / path.relative_to(root).with_suffix(".json")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(yaml.safe_load(path.read_text()), default=str))
    return root, twin


# Every run as an installed package runs: with its modules' bytecode cached (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which would make every run compile uncoop from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB, and stdout of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env or ENV, cwd=REPO)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed")
    return wall, usage.ru_maxrss // 1024, out.decode()


def median(cmd: list[str], repeat: int, inner: bool = False, env: dict | None = None) -> tuple[float, int]:
    samples, peak = [], 0
    for _ in range(repeat):
        wall, rss, out = run_once(cmd, env)
        samples.append(float(out.strip().splitlines()[-1]) if inner else wall)
        peak = max(peak, rss)
    return statistics.median(samples), peak


def peers(root: Path) -> dict:
    """yamllint and check-jsonschema (with uncoop's own schemas) on the same files, once each."""
    found = {}
    if importlib.util.find_spec("yamllint"):
        found["yamllint"] = run_once([PY, "-m", "yamllint", "-d", "relaxed", str(root)])[0]
    checker = shutil.which("check-jsonschema", path=str(Path(PY).parent))
    if checker:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([*UNCOOP, "schema", "--out", tmp], check=True, capture_output=True)
            total = 0.0
            for kind, files in (
                ("activity", sorted(root.glob("activities/*/*.yaml"))),
                ("update", sorted(root.glob("updates/*/*.yaml"))),
            ):
                total += run_once([checker, "--schemafile", f"{tmp}/{kind}.schema.json", *map(str, files)])[0]
            found["check-jsonschema"] = total
    return found


def measure(n: int, repeat: int, with_peers: bool) -> dict:
    root, twin = corpus(n)
    cache_env = dict(ENV, UNCOOP_CACHE_DIR=str(CORPUS / f"cache-{n}"))
    shutil.rmtree(CORPUS / f"cache-{n}", ignore_errors=True)
    row = {"activities": n, "files": sum(1 for _ in root.rglob("*.yaml"))}
    row["floor"], _ = median([PY, "-c", FLOOR, str(twin)], repeat, inner=True)
    base = [*UNCOOP]
    row["cold"], row["cold_mb"] = median(
        [*base, "validate", "--no-cache", "--matrix", str(root), "--as-of", AS_OF], repeat
    )
    run_once([*base, "validate", "--matrix", str(root), "--as-of", AS_OF], cache_env)  # fill the cache
    row["warm"], row["warm_mb"] = median(
        [*base, "validate", "--matrix", str(root), "--as-of", AS_OF], repeat, env=cache_env
    )
    row["status"], row["status_mb"] = median(
        [*base, "status", "--format", "json", "--matrix", str(root), "--as-of", AS_OF], repeat, env=cache_env
    )
    with tempfile.TemporaryDirectory() as out:
        row["report"], row["report_mb"] = median(
            [*base, "report", "--format", "html", "--matrix", str(root), "--as-of", AS_OF, "--out", out],
            repeat,
            env=cache_env,
        )
    row["render"], _ = median([PY, "-c", RENDER, str(root)], max(1, repeat // 2), inner=True)
    if with_peers:
        row.update(peers(root))
    return row


def startup(repeat: int) -> dict:
    subprocess.run([PY, "-m", "compileall", "-q", str(REPO / "src")], check=True, env=ENV)
    env = dict(ENV, UNCOOP_CACHE_DIR=str(CORPUS / "cache-bundled"))
    run_once([*UNCOOP, "status", "--as-of", "2016-03-31"], env)  # fill the cache
    return {
        "pass": median([PY, "-c", "pass"], max(repeat, 7))[0],
        "help": median([*UNCOOP, "--help"], max(repeat, 7))[0],
        "status": median([*UNCOOP, "status", "--as-of", "2016-03-31", "--format", "json"], max(repeat, 7), env=env)[0],
        "status_table": median([*UNCOOP, "status", "--as-of", "2016-03-31"], max(repeat, 7), env=env)[0],
    }


def institutions(counts: list[int], repeat: int) -> str:
    """The reporting grid's budget (institutions x quarters, README/SECURITY.md): the bundled Matrix
    with N participating institutions appended, `status --format json` and `remind` timed against
    the bundled Matrix's `status --format json` in the same run (x = that ratio)."""
    base, _ = median([*UNCOOP, "status", "--no-cache", "--format", "json", "--as-of", "2016-07-01"], repeat)
    lines = [
        f"Institutions x 8 quarters, against the bundled Matrix's status json = {ms(base)}:",
        "",
        "| institutions | cells | status json | × | remind | × | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in counts:
        root = CORPUS / f"institutions-{n}" / "matrix"
        shutil.rmtree(root.parent, ignore_errors=True)
        shutil.copytree(REPO / "matrix", root)
        with (root / "organizations.yaml").open("a") as out:
            for i in range(n):
                out.write(
                    f"  - id: GEN-{i:05d}\n    name:\n      en: Generated {i}\n    side: {('oic', 'un')[i % 2]}\n"
                )
                out.write("    kind: office\n    participant: true\n")
        common = ["--matrix", str(root), "--as-of", "2016-07-01"]
        status, status_mb = median([*UNCOOP, "status", "--no-cache", "--format", "json", *common], repeat)
        remind, remind_mb = median([*UNCOOP, "remind", *common], repeat)
        cells = (root / "organizations.yaml").read_text().count("\n  - id: ") * 8
        lines.append(
            f"| {n:,} | {cells:,} | {ms(status)} | {status / base:.1f}× | {ms(remind)} | {remind / base:.1f}× "
            f"| {max(status_mb, remind_mb)} |"
        )
    return "\n".join(lines) + "\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def table(rows: list[dict], s: dict) -> str:
    out = [
        f"Startup (bundled Matrix, 311 files, warm cache) against `python -c pass` = {ms(s['pass'])}:",
        "",
        "| command | time | × python -c pass | budget |",
        "|---|---:|---:|---:|",
        f"| `uncoop --help` | {ms(s['help'])} | {s['help'] / s['pass']:.1f}× | 6× |",
        f"| `uncoop status --format json` | {ms(s['status'])} | {s['status'] / s['pass']:.1f}× | 15× |",
        f"| `uncoop status` (rich table) | {ms(s['status_table'])} | {s['status_table'] / s['pass']:.1f}× | 15× |",
        "",
        "Synthetic Matrices (× = ratio to the `json.loads` floor of the same content; MB = peak RSS):",
        "",
        "| activities | files | floor | validate cold | × | validate warm | × | status json | report html "
        "| render only | peak MB | yamllint | × | check-jsonschema | × |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:

        def peer(name: str, r: dict = r) -> str:
            return f"{ms(r[name])} | {r[name] / r['floor']:.0f}×" if name in r else "– | –"

        peak = max(r["cold_mb"], r["warm_mb"], r["status_mb"], r["report_mb"])
        out.append(
            f"| {r['activities']:,} | {r['files']:,} | {ms(r['floor'])} | {ms(r['cold'])} | "
            f"{r['cold'] / r['floor']:.1f}× | {ms(r['warm'])} | {r['warm'] / r['floor']:.1f}× | "
            f"{ms(r['status'])} | {ms(r['report'])} | {ms(r['render'])} | {peak} | "
            f"{peer('yamllint')} | {peer('check-jsonschema')} |"
        )
    return "\n".join(out) + "\n"


def targets(rows: list[dict], s: dict) -> str:
    """Every target of the speed issue, measured in this run: met or missed, by how much."""
    by = {r["activities"]: r for r in rows}
    lines = ["| target | measured | verdict |", "|---|---:|---|"]

    def add(name: str, value: float | None, limit: float, unit: str, lower: bool = True) -> None:
        if value is None:
            lines.append(f"| {name} | not measured in this run | – |")
            return
        met = value <= limit if lower else value >= limit
        off = value / limit if lower else limit / value
        verdict = "met" if met else f"missed by {off:.2f}×"
        lines.append(f"| {name} | {value:,.1f}{unit} | {verdict} |")

    small, large = by.get(2000), by.get(20000)
    add("cold `validate`, 2,000 activities ≤ 10× floor", small and small["cold"] / small["floor"], 10, "×")
    add("warm `validate`, 2,000 activities ≤ 3× floor", small and small["warm"] / small["floor"], 3, "×")
    add("warm `status --format json`, bundled ≤ 15× `python -c pass`", s["status"] / s["pass"], 15, "×")
    add("`uncoop --help` ≤ 6× `python -c pass`", s["help"] / s["pass"], 6, "×")
    add("HTML report render only, 2,000 activities ≤ 0.5 s", small and small["render"], 0.5, " s")
    if small and large:
        growth = (large["report"] / large["floor"]) / (small["report"] / small["floor"])
        add("HTML report linear: × floor at 20,000 / × floor at 2,000 ≤ 1.2", growth, 1.2, "")
    for key, name in (
        ("cold_mb", "validate cold"),
        ("warm_mb", "validate warm"),
        ("status_mb", "status json"),
        ("report_mb", "report html"),
    ):
        add(f"peak memory at 20,000, {name} ≤ 300 MiB", large and large[key], 300, " MiB")
    for peer, limit in (("yamllint", 30), ("check-jsonschema", 20)):
        add(
            f"{peer} / uncoop cold `validate`, 2,000 ≥ {limit}×",
            small[peer] / small["cold"] if small and peer in small else None,  # None: peers not run
            limit,
            "×",
            lower=False,
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,2000", help="comma-separated activity counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--peers-up-to",
        type=int,
        default=2000,
        help="run yamllint and check-jsonschema only up to this size (they take minutes beyond)",
    )
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument(
        "--institutions",
        default="",
        help="only the reporting-grid case: comma-separated counts of institutions added to the bundled Matrix",
    )
    args = parser.parse_args()
    if args.institutions:
        sys.stdout.write(institutions([int(n) for n in args.institutions.split(",")], args.repeat))
        return
    s = startup(args.repeat)
    rows = [measure(int(n), args.repeat, int(n) <= args.peers_up_to) for n in args.sizes.split(",")]
    text = table(rows, s) + "\nTargets (from this run):\n\n" + targets(rows, s)
    sys.stdout.write(text)
    if args.write:
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}"
        )
        measured = (
            f"{BEGIN}\nMachine: {machine}.\n\nCommand: `python bench/run.py --sizes {args.sizes} "
            f"--repeat {args.repeat} --write`.\n\n{text}{END}"
        )
        path = HERE / "RESULTS.md"
        old = path.read_text() if path.exists() else f"# Benchmark results\n\n{BEGIN}{END}\n"
        if BEGIN in old and END in old:  # keep the written analysis around the measured block
            new = old[: old.index(BEGIN)] + measured + old[old.index(END) + len(END) :]
        else:
            new = f"# Benchmark results\n\n{measured}\n"
        path.write_text(new)


if __name__ == "__main__":
    main()
