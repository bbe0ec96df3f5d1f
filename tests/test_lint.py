"""The code is held to its own standards: ruff (lint and format), mypy, and the layer contracts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.lint
BIN = Path(sys.executable).parent


def tool(*argv: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=cwd, capture_output=True, text=True, env=env)


def test_ruff_finds_nothing():
    done = tool("ruff", "check", "src", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_would_change_nothing():
    done = tool("ruff", "format", "--check", "src", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean():
    done = tool("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_layer_contracts_are_kept():
    done = tool("lint-imports", "--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("model.py", "from .render import render", "uncoop.model is not allowed to import uncoop.render"),
        ("timeline.py", "import typer", "uncoop.timeline is not allowed to import typer"),
        # one layer, two modules that import each other: the cycle contract sees it
        ("cli/places.py", "from . import cached", "No cycles are allowed in uncoop.cli"),
    ],
)
def test_an_import_against_the_layers_breaks_the_contract(tmp_path, module, line, broken):
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    with open(tmp_path / "src" / "uncoop" / module, "a") as handle:
        handle.write(f"\n{line}  # noqa\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "src"))
    done = tool("lint-imports", "--no-cache", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert broken in done.stdout


def test_the_developer_hooks_run_what_ci_runs():
    """.pre-commit-config.yaml is valid and holds the same tools as this module."""
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = (REPO / ".pre-commit-config.yaml").read_text()
    for entry in ("entry: ruff check", "entry: ruff format", "entry: mypy", "entry: lint-imports"):
        assert entry in text


def test_ci_refuses_to_regenerate_what_it_checks():
    env = {**os.environ, "CI": "true", "UNCOOP_REGEN": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--co", "tests/test_rules.py"],
        cwd=Path(__file__).parent.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "UNCOOP_REGEN is refused in CI" in done.stdout + done.stderr
