"""The command line through CliRunner: exit codes and exact output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import edit, hum

HUM = "matrix/activities/humanitarian/HUM-01.yaml"


def test_validate_clean_matrix(matrix_dir: Path, run):
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "0 errors, 0 warnings in 10 files\n"


def _plant_unknown_org(m: Path) -> None:
    edit(hum(m), "partners: [UNHCR]", "partners: [UNHRC]")


def _plant_typo(m: Path) -> None:
    edit(hum(m), "status: implementation", "stauts: implementation")


def _plant_syntax_error(m: Path) -> None:
    edit(hum(m), "source: [50]", "source: [50")


def _plant_duplicate(m: Path) -> None:
    (m / "activities" / "humanitarian" / "HUM-03.yaml").write_text(
        (m / "activities" / "humanitarian" / "HUM-02.yaml").read_text().replace("HUM-02", "HUM-01")
    )


@pytest.mark.parametrize(
    "plant, line",
    [
        (
            _plant_unknown_org,
            f"{HUM}:11:12: error[unknown-organization] organization 'UNHRC' is not in "
            "organizations.yaml (did you mean 'UNHCR'?)",
        ),
        (_plant_typo, f"{HUM}:12:1: error[unknown-field] unknown field 'stauts' (did you mean 'status'?)"),
        (
            _plant_syntax_error,
            f"{HUM}:8:6: error[yaml-syntax] did not find expected ',' or ']' "
            "(while parsing a flow sequence started at 7:9) (check indentation, colons and quotes)",
        ),
        (
            _plant_duplicate,
            "matrix/activities/humanitarian/HUM-03.yaml:1:5: error[duplicate-id] activity id 'HUM-01' "
            f"is already used at {HUM}:1:5",
        ),
    ],
)
def test_each_planted_mistake_gives_one_located_line(matrix_dir: Path, run, plant, line):
    plant(matrix_dir)
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    if plant is _plant_duplicate:  # the copy is also misfiled: a second, honest finding
        assert lines[0] == line and "id-mismatch" in lines[1] and len(lines) == 2
    else:
        assert lines == [line]


def test_all_problems_of_all_files_in_one_sorted_run(matrix_dir: Path, run):
    for plant in (_plant_unknown_org, _plant_duplicate):
        plant(matrix_dir)
    (matrix_dir / "activities" / "conflict" / "CPV-02.yaml").write_text("id: CPV-02\ntitle: [unclosed\n")
    result = run("validate", "--as-of", "2016-12-31")
    keys = [
        (line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2])) for line in result.stdout.splitlines()
    ]
    assert len(keys) == 4 and keys == sorted(keys)


def test_json_format(matrix_dir: Path, run):
    edit(hum(matrix_dir), "partners: [UNHCR]", "partners: [UNHRC]")
    result = run("validate", "--format", "json", "--as-of", "2016-12-31")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["counts"] == {"info": 0, "warning": 0, "error": 1}
    assert doc["problems"][0] == {
        "path": HUM,
        "line": 11,
        "column": 12,
        "severity": "error",
        "code": "unknown-organization",
        "message": "organization 'UNHRC' is not in organizations.yaml",
        "hint": "did you mean 'UNHCR'?",
    }


def test_github_format_is_chosen_on_github_actions(matrix_dir: Path, run, monkeypatch):
    edit(hum(matrix_dir), "partners: [UNHCR]", "partners: [UNHRC]")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.stdout == (
        f"::error file={HUM},line=11,col=12,title=unknown-organization::organization 'UNHRC' "
        "is not in organizations.yaml (did you mean 'UNHCR'?)\n"
    )


def test_fail_on_warning_and_exit_zero(matrix_dir: Path, run):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    update.write_text(update.read_text() + "  - activity: CPV-01\n    status: closed\n    progress: 100\n")
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    assert run("validate", "--as-of", "2016-12-31", "--fail-on", "warning").exit_code == 1
    assert run("validate", "--as-of", "2016-12-31", "--fail-on", "warning", "--exit-zero").exit_code == 0


def test_paths_limit_what_is_reported_not_what_is_checked(matrix_dir: Path, run):
    edit(hum(matrix_dir), "partners: [UNHCR]", "partners: [UNHRC]")
    assert run("validate", "matrix/activities/conflict", "--as-of", "2016-12-31").exit_code == 0
    result = run("validate", HUM, "--as-of", "2016-12-31")
    assert result.exit_code == 1 and result.stdout.count("\n") == 1


def test_matrix_option_and_environment(matrix_dir: Path, run, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith("uncoop: no matrix/ directory with a matrix.yaml found from ")
    assert run("validate", "--matrix", str(matrix_dir), "--as-of", "2016-12-31").exit_code == 0
    monkeypatch.setenv("UNCOOP_MATRIX", str(matrix_dir))
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0


def test_bad_as_of_is_a_usage_error(matrix_dir: Path, run):
    result = run("validate", "--as-of", "2015-02-30")
    assert result.exit_code == 2
    assert result.stderr == "uncoop: --as-of '2015-02-30' is not a date; write YYYY-MM-DD\n"


def test_unknown_option_is_a_usage_error(matrix_dir: Path, run):
    assert run("validate", "--no-such-option").exit_code == 2


def test_hostile_files_never_give_a_traceback(matrix_dir: Path, run):
    folder = matrix_dir / "activities" / "humanitarian"
    (folder / "HUM-05.yaml").write_bytes(b"\xff\xfe" + "id: x\n".encode("utf-16-le"))
    (folder / "HUM-06.yaml").write_text("a: &a [1]\nb: *a\n")
    (folder / "HUM-07.yaml").write_text("[" * 20000)
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    codes = [line.split("[")[1].split("]")[0] for line in result.stdout.splitlines()]
    assert codes == ["invalid-utf8", "yaml-anchor", "yaml-syntax"]


def test_rules_lists_every_code(run):
    result = run("rules")
    assert result.exit_code == 0
    assert "unknown-organization  error" in result.stdout
    assert "overdue-milestone" in result.stdout
    doc = json.loads(run("rules", "--format", "json").stdout)
    assert len({r["code"] for r in doc}) == len(doc) > 40


def test_setup_mistakes_are_one_line_and_exit_2(matrix_dir, run, tmp_path):
    result = run("validate", "nosuch/file.yaml")
    assert result.exit_code == 2 and result.stderr == "uncoop: no such file or directory: nosuch/file.yaml\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("status", "--matrix", str(empty))
    assert result.exit_code == 2 and "does not look like a Matrix" in result.stderr
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    result = run("report", "--as-of", "2015-02-15", "--out", str(blocker / "reports"))
    assert result.exit_code == 2 and result.stderr.startswith("uncoop: cannot write or read")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_version_is_the_package_version(run):
    import tomllib

    from tests.conftest import REPO

    wanted = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"uncoop {wanted}\n"


def test_a_repository_root_given_as_matrix_is_pointed_at_its_matrix(matrix_dir, run):
    result = run("validate", "--matrix", str(matrix_dir.parent))
    assert result.exit_code == 2
    assert f"did you mean --matrix {matrix_dir}?" in result.stderr


def test_no_silent_no_ops(matrix_dir, run):
    area_code = run("status", "--area", "HUM")
    assert area_code.exit_code == 2 and "use --area humanitarian" in area_code.stderr
    nowhere = run("status", "--area", "xyz")
    assert nowhere.exit_code == 2 and "(one of conflict, disarmament, humanitarian)" in nowhere.stderr
    glob = run("history", "*")
    assert glob.exit_code == 2 and "'*' is not an activity id" in glob.stderr
    check = run("schema", "--check")
    assert check.exit_code == 2 and "add --out DIR" in check.stderr and check.stdout == ""
    sarif = run("rules", "--format", "sarif")
    assert sarif.exit_code == 2 and sarif.stdout == ""


def test_an_update_outside_the_reporting_period_says_so(matrix_dir, run):
    result = run("update", "OCHA", "--period", "2017-Q1", "--dry-run")
    assert result.exit_code == 2
    assert "2017-Q1 is outside the Matrix's reporting period" in result.stderr
    assert "expected list" not in result.stderr


def test_a_closed_pipe_ends_quietly_with_exit_0():
    """`uncoop status --format json | head -1`: no "Broken pipe", no traceback, exit 0."""
    import subprocess

    from tests.conftest import REPO, UNCOOP

    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{UNCOOP}' status --as-of 2016-03-31 --format json | head -1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "{\n" and done.stderr == ""


@pytest.mark.parametrize("command", [["status"], ["report", "--format", "md"], ["site", "--no-search", "--lang", "en"]])
def test_a_state_after_the_matrix_period_is_said_unless_a_date_was_asked(matrix_dir: Path, run, tmp_path, command):
    """Run in 2026 on a 2014-2016 Matrix, "today" is years after the period: status, the report and
    the site each say so once, and stay quiet when --as-of names the day."""
    out = ["--out", str(tmp_path / "out")] if command[0] != "status" else []
    quiet = run(*command, *out, "--as-of", "2016-03-31")
    said = run(*command, *out)
    assert said.exit_code == quiet.exit_code and said.exit_code in (0, 1)
    assert said.stderr.count("note: the Matrix period ended") == 1 and "use --as-of" in said.stderr
    assert "period ended" not in quiet.stderr
