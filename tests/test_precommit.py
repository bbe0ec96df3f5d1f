"""The pre-commit hook, run by pre-commit itself (`try-repo`) in a scratch repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, REPO

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=cwd, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("matrix-repo")
    shutil.copytree(FIXTURE, root / "matrix")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    return root, env


def try_repo(root: Path, env: dict, hook: str = "uncoop-validate") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(REPO), hook, "--all-files"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_passes_on_a_good_edit_and_fails_on_a_bad_one(scratch):
    root, env = scratch
    path = root / "matrix" / "activities" / "humanitarian" / "HUM-01.yaml"
    path.write_text(path.read_text().replace("progress: 30", "progress: 30"))
    path.write_text(path.read_text().replace("partners: [UNHCR]", "partners: [UNHCR, OIC-GS]"))
    good = try_repo(root, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "uncoop validate" in good.stdout and "Passed" in good.stdout
    path.write_text(path.read_text().replace("partners: [UNHCR, OIC-GS]", "partners: [UNHRC]"))
    bad = try_repo(root, env)
    assert bad.returncode == 1
    assert (
        "matrix/activities/humanitarian/HUM-01.yaml:11:12: error[unknown-organization] organization 'UNHRC' "
        "is not in organizations.yaml (did you mean 'UNHCR'?)"
    ) in bad.stdout


def test_fmt_hook_lists_a_file_out_of_house_style(scratch):
    root, env = scratch
    path = root / "matrix" / "activities" / "conflict" / "CPV-01.yaml"
    good = path.read_text()
    assert try_repo(root, env, "uncoop-fmt").returncode == 0
    path.write_text(good.replace("id: CPV-01\n", "").replace("area: conflict\n", "area: conflict\nid: CPV-01\n"))
    bad = try_repo(root, env, "uncoop-fmt")
    assert bad.returncode == 1 and "matrix/activities/conflict/CPV-01.yaml" in bad.stdout
    path.write_text(good)
