"""Shared fixtures: a private copy of the fixture Matrix and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from uncoop.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "matrix"
REPO = Path(__file__).resolve().parent.parent


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
