"""The pre-commit hooks, run by pre-commit itself in a scratch repository.

Most tests run the hooks of `.pre-commit-hooks.yaml` as a local `language: system` hook (the
uncoop installed here), which needs no package index and takes a second.  One test, marked
`network`, lets `pre-commit try-repo` build the hook's own environment from this repository,
as a user's machine would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE, REPO, git

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
BAD = (
    "matrix/activities/humanitarian/HUM-01.yaml:11:12: error[unknown-organization] organization 'UNHRC' "
    "is not in organizations.yaml (did you mean 'UNHCR'?)"
)


def local_config() -> str:
    """The published hooks, word for word, as `repo: local` hooks on the installed uncoop."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        assert hook.pop("language") == "python"
        hook["language"] = "system"
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def hook_repo(tmp_path: Path, matrix_at: str = "matrix") -> tuple[Path, dict]:
    """A scratch git repository holding the fixture Matrix at `matrix_at`, with the hooks configured."""
    root = tmp_path / "matrix-repo"
    shutil.copytree(FIXTURE, root / matrix_at)
    (root / ".pre-commit-config.yaml").write_text(local_config())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return root, env


@pytest.fixture
def scratch(tmp_path: Path) -> tuple[Path, dict]:
    return hook_repo(tmp_path)


def run_hook(root: Path, env: dict, hook: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PRE_COMMIT, "run", hook, "--all-files"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_hook_passes_on_a_good_edit_and_fails_on_a_bad_one(scratch):
    root, env = scratch
    path = root / "matrix" / "activities" / "humanitarian" / "HUM-01.yaml"
    path.write_text(path.read_text().replace("partners: [UNHCR]", "partners: [UNHCR, OIC-GS]"))
    good = run_hook(root, env, "uncoop-validate")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "uncoop validate" in good.stdout and "Passed" in good.stdout
    path.write_text(path.read_text().replace("partners: [UNHCR, OIC-GS]", "partners: [UNHRC]"))
    bad = run_hook(root, env, "uncoop-validate")
    assert bad.returncode == 1
    assert BAD in bad.stdout


def test_fmt_hook_lists_a_file_out_of_house_style(scratch):
    root, env = scratch
    path = root / "matrix" / "activities" / "conflict" / "CPV-01.yaml"
    good = path.read_text()
    assert run_hook(root, env, "uncoop-fmt").returncode == 0
    path.write_text(good.replace("id: CPV-01\n", "").replace("area: conflict\n", "area: conflict\nid: CPV-01\n"))
    bad = run_hook(root, env, "uncoop-fmt")
    assert bad.returncode == 1 and "matrix/activities/conflict/CPV-01.yaml" in bad.stdout


def test_hooks_skip_files_outside_the_matrix(scratch):
    root, env = scratch
    (root / "notes.yaml").write_text("not: [a, matrix, file\n")
    git(root, "add", "notes.yaml")
    done = run_hook(root, env, "uncoop-validate")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.network
@pytest.mark.slow
def test_try_repo_builds_the_hook_from_this_repository(scratch):
    """What a user's `pre-commit` does: install uncoop from the repository into the hook's own
    environment (needs the package index), then run it."""
    root, env = scratch
    path = root / "matrix" / "activities" / "humanitarian" / "HUM-01.yaml"
    path.write_text(path.read_text().replace("partners: [UNHCR]", "partners: [UNHRC]"))
    env = dict(env, PATH=os.environ.get("PATH", ""))  # the hook must bring its own uncoop
    done = subprocess.run(
        [*PRE_COMMIT, "try-repo", str(REPO), "uncoop-validate", "--all-files"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert BAD in done.stdout


def test_renaming_an_id_fails_on_the_files_that_still_use_it(scratch):
    root, env = scratch
    orgs = root / "matrix" / "organizations.yaml"
    orgs.write_text(orgs.read_text().replace("  - id: UNHCR\n", "  - id: UNHCR-NEW\n"))
    done = run_hook(root, env, "uncoop-validate")
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if "error[unknown-organization]" in line]
    assert [line.split(":")[0] for line in lines] == [
        "matrix/activities/humanitarian/HUM-01.yaml",
        "matrix/activities/humanitarian/HUM-02.yaml",
    ]  # files the commit did not touch, each finding once, sorted
    assert len(lines) == len(set(lines))


def test_a_matrix_anywhere_in_the_repository_is_found(tmp_path):
    root, env = hook_repo(tmp_path, "data/matrix")
    for hook in ("uncoop-validate", "uncoop-fmt"):
        done = run_hook(root, env, hook)
        assert done.returncode == 0, done.stdout + done.stderr
    path = root / "data" / "matrix" / "activities" / "humanitarian" / "HUM-01.yaml"
    path.write_text(path.read_text().replace("partners: [UNHCR]", "partners: [UNHRC]"))
    bad = run_hook(root, env, "uncoop-validate")
    assert bad.returncode == 1 and "data/matrix/activities/humanitarian/HUM-01.yaml:11:12:" in bad.stdout
