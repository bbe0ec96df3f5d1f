"""Rebuild everything the repository derives from the code, in the order each step needs:

    .venv/bin/python tests/regen.py [--check]

1. the message catalogs (pybabel extract, then update without fuzzy matching, never a guess, and
   without the messages the code no longer has);
2. the JSON Schemas in schemas/ (`uncoop schema --out schemas`);
3. the sample reports in reports/ (en, fr, ar; md, html, pdf) as of 2016-03-31;
4. the README's generated tables, tests/golden/*, action/constraints.txt and the Arabic
   screenshot: the tests that own them, run with UNCOOP_REGEN=1.

Review the diff by eye before committing it.  `--check` rebuilds nothing and fails when any of
these is stale (what CI does through the tests themselves; CI refuses UNCOOP_REGEN).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCALE = "src/uncoop/locale"
AS_OF = "2016-03-31"
# the tests that write a generated file when UNCOOP_REGEN is set
OWNERS = ["tests/test_readme.py", "tests/test_status.py", "tests/test_report.py", "tests/test_action.py"]
STALE = ["tests/test_i18n.py", "tests/test_schema.py", "tests/test_pdf.py", *OWNERS]


def extract_command(pot: str | Path = f"{LOCALE}/uncoop.pot") -> list[str]:
    """pybabel extract, with uncoop's two markers: N_ (a message) and NP_ (a message and its plural)."""
    extract = [str(BIN / "pybabel"), "extract", "-F", "babel.cfg", "-k", "N_", "-k", "NP_:1,2", "--no-location"]
    return [*extract, "--sort-output", "--project", "uncoop", "--version", "0.1.0", "-o", str(pot), "."]


def catalogs() -> list[list[str]]:
    pybabel = str(BIN / "pybabel")
    update = [
        pybabel,
        "update",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "-i",
        f"{LOCALE}/uncoop.pot",
        "-d",
        LOCALE,
        "-D",
        "uncoop",
    ]
    return [extract_command(), update]


def keep_dates() -> None:
    """pybabel stamps the catalogs with the time of the run: keep the committed stamp, so that a
    catalog whose messages did not change does not change either."""
    for path in sorted((REPO / LOCALE).rglob("*.po*")):
        name = str(path.relative_to(REPO))
        shown = subprocess.run(["git", "show", f"HEAD:{name}"], cwd=REPO, capture_output=True, text=True)
        old = [line for line in shown.stdout.splitlines(True) if line.startswith('"POT-Creation-Date:')]
        if shown.returncode == 0 and old:
            lines = path.read_text(encoding="utf-8").splitlines(True)
            stamped = [old[0] if line.startswith('"POT-Creation-Date:') else line for line in lines]
            path.write_text("".join(stamped), encoding="utf-8")


def samples() -> list[list[str]]:
    uncoop = str(BIN / "uncoop")
    steps = [[uncoop, "schema", "--out", "schemas"]]
    for lang in ("en", "fr", "ar"):
        steps.append([uncoop, "report", "--as-of", AS_OF, "--lang", lang])
        steps.append([uncoop, "report", "--as-of", AS_OF, "--lang", lang, "--format", "pdf"])
    return steps


def main(argv: list[str]) -> int:
    if "--check" in argv:
        tests = [name for name in STALE if (REPO / name).exists()]
        return subprocess.call([sys.executable, "-m", "pytest", "-q", "-n", "auto", *tests], cwd=REPO)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    for step in [*catalogs(), *samples()]:
        print("+", " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step)), flush=True)
        if subprocess.call(step, cwd=REPO, env=env) != 0:
            return 1
        if step[1] == "update":
            keep_dates()
    # the README's tables in one process (two workers rewriting README.md at once would race),
    # then the rest on every core
    readme = [sys.executable, "-m", "pytest", "-q", "-n", "0", "tests/test_readme.py"]
    others = [sys.executable, "-m", "pytest", "-q", "-n", "auto", *OWNERS[1:], "tests/test_browser.py"]
    for owners in (readme, others):
        print("+ UNCOOP_REGEN=1 pytest", " ".join(owners[6:]), flush=True)
        subprocess.call(owners, cwd=REPO, env={**env, "UNCOOP_REGEN": "1"})  # a rewritten file fails once
    print("+ git status --short (review the diff by eye)", flush=True)
    return subprocess.call(["git", "status", "--short"], cwd=REPO)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
