"""Start-up stays cheap: `uncoop --help` imports nothing heavy; progress bars only where they help."""

from __future__ import annotations

import io
import subprocess
import sys

from uncoop.cli import LoadProgress

HEAVY = (
    "uncoop.parse",
    "jinja2",
    "rich",
    "pydantic",
    "yaml",
    "ruamel",
    "icalendar",
    "uncoop.model",
    "uncoop.load",
    "uncoop.render",
    "uncoop.timeline",
    "uncoop.console",
)


def imported_by(*argv: str, count: list | None = None) -> set[str]:
    """The heavy modules a run imports; `count` gets how many modules it imported in all."""
    code = (
        "import sys; sys.argv = ['uncoop', *sys.argv[1:]]\n"
        "from uncoop.cli import app\n"
        "try:\n    app(prog_name='uncoop')\nexcept SystemExit:\n    pass\n"
        f"print('IMPORTED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
        "print('COUNT:' + str(len(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    line = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED:")][-1]
    if count is not None:
        count.append(int([line for line in done.stderr.splitlines() if line.startswith("COUNT:")][-1][6:]))
    return set(filter(None, line.removeprefix("IMPORTED:").split(",")))


def test_help_imports_nothing_heavy():
    count: list[int] = []
    assert imported_by("--help", count=count) == set()
    assert count[0] < 190  # 165 with Python 3.11 and Typer 0.28: the interpreter's own ~35, Typer's ~100


def test_a_warm_status_imports_neither_yaml_nor_the_schema(matrix_dir):
    """Served by the cache: no YAML parser, no Pydantic, no schema; a cold run needs them (the check sees)."""
    args = ("status", "--matrix", str(matrix_dir), "--as-of", "2015-02-15", "--format", "json")
    cold = imported_by(*args)
    assert {"uncoop.parse", "uncoop.model", "pydantic", "yaml"} <= cold
    count: list[int] = []
    warm = imported_by(*args, count=count)
    assert warm & {"uncoop.parse", "uncoop.model", "pydantic", "yaml", "ruamel", "jinja2", "rich"} == set()
    assert count[0] < 360  # 325: what --help imports, the core, orjson and the standard library's


def test_rules_needs_no_schema_or_renderer():
    assert imported_by("rules") & {"jinja2", "rich", "yaml", "uncoop.model", "uncoop.render"} == set()


def test_json_status_does_not_load_rich_or_jinja(matrix_dir):
    found = imported_by("status", "--matrix", str(matrix_dir), "--as-of", "2015-02-15", "--format", "json")
    assert "rich" not in found and "jinja2" not in found and "uncoop.console" not in found


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_for_large_matrices(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", FakeTTY())
    small = LoadProgress(enabled=True)
    small(0, 300)
    assert small.bar is None
    large = LoadProgress(enabled=True)
    large(0, 20000)
    large(64, 20000)
    assert large.bar is not None and large.bar.tasks[0].completed == 64
    large.close()
    machine = LoadProgress(enabled=False)
    machine(0, 20000)
    assert machine.bar is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    piped = LoadProgress(enabled=True)
    piped(0, 20000)
    assert piped.bar is None
