"""Shared fixtures and helpers: a private copy of the fixture Matrix, a CLI runner, git, golden files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from uncoop.cli import app

# Property tests: 1,000 examples each in CI (CI=true), 100 on a developer's machine; the same
# examples on every run (derandomize), so a failure reproduces.
settings.register_profile("ci", max_examples=1000, derandomize=True, deadline=None)
settings.register_profile("dev", max_examples=100, derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """CI checks what is committed: a run that would rewrite goldens, README tables or samples there
    could never fail, so it is refused (regenerate with tests/regen.py and commit the diff)."""
    if os.environ.get("CI") and os.environ.get("UNCOOP_REGEN"):
        raise pytest.UsageError("UNCOOP_REGEN is refused in CI: run tests/regen.py locally and commit")


FIXTURE = Path(__file__).parent / "fixtures" / "matrix"
REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
# the installed command, run as a user would, whether or not the virtual environment is activated
UNCOOP = str(Path(sys.executable).parent / "uncoop")


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file; fails if it is not there (the fixture changed)."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def hum(matrix_dir: Path) -> Path:
    return matrix_dir / "activities" / "humanitarian" / "HUM-01.yaml"


def once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `build` fills once per test run, however many xdist workers ask for it: the others
    wait on its lock and read what it built.  The folder lives in this run's own temporary
    directory, so nothing built by an earlier run is ever reused."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # parent: the run's, all workers'
    folder = shared / f"once-{name}"
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way is built again
            folder.mkdir()
            build(folder)
            (folder / ".built").write_text("")
    return folder


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; UNCOOP_REGEN=1 rewrites it (review the diff by eye)."""
    path = GOLDEN / name
    if os.environ.get("UNCOOP_REGEN"):
        path.write_text(text)
    assert text == path.read_text()


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache's signing key lives in a per-test folder, never in the user's home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("UNCOOP_NO_CACHE", raising=False)
    monkeypatch.delenv("UNCOOP_CACHE_DIR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def matrix_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the fixture Matrix at tmp/matrix, with tmp as the working directory."""
    target = tmp_path / "matrix"
    shutil.copytree(FIXTURE, target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UNCOOP_MATRIX", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return target


class Run:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, **kwargs):
        return self.runner.invoke(app, list(args), prog_name="uncoop", **kwargs)


@pytest.fixture
def run() -> Run:
    return Run()


def git(cwd: Path, *args: str, input: str | None = None) -> str:
    """git in a scratch repository, with an identity of its own; fails loudly."""
    return subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        input=input,
    ).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


@pytest.fixture
def repo(matrix_dir: Path) -> Path:
    """The fixture Matrix committed in a scratch git repository (the working directory)."""
    root = matrix_dir.parent
    git(root, "init", "-q", "-b", "main")
    commit(root, "adopt the Matrix")
    return root


def cache_shards(repo: Path) -> list[Path]:
    """The record cache's files beside a Matrix (one per folder of it)."""
    return sorted((repo / ".uncoop-cache").glob("records-*.cache"))


# Debian's chromium, driven by Playwright (never a downloaded browser): the browser tests
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
