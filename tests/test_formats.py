"""CI formats, read back by their consumers: GitHub workflow commands, SARIF, GitLab Code Quality."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sarif_pydantic

from tests.conftest import edit, git, hum
from uncoop.formats import fingerprint, format_github
from uncoop.problem import Location, Problem, Severity

HUM = "matrix/activities/humanitarian/HUM-01.yaml"
# The Actions toolkit's command syntax: ::name key=value,key=value::message
COMMAND = re.compile(r"^::(?P<name>[a-z]+) (?P<props>[^:]*)::(?P<data>.*)$")


def parse_command(line: str) -> tuple[str, dict, str]:
    """Undo the toolkit's escaping (escapeProperty / escapeData in @actions/core)."""
    match = COMMAND.match(line)
    assert match, line

    def unescape(t: str) -> str:
        return t.replace("%3A", ":").replace("%2C", ",").replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")

    props = dict(p.split("=", 1) for p in match["props"].split(","))
    return match["name"], {k: unescape(v) for k, v in props.items()}, unescape(match["data"])


HUM2 = "matrix/activities/humanitarian/HUM-02.yaml"


def plant(matrix_dir: Path) -> None:
    edit(hum(matrix_dir), "partners: [UNHCR]", "partners: [UNHRC]")
    edit(matrix_dir / "activities" / "humanitarian" / "HUM-02.yaml", "status: implementation", "stauts: implementation")


def test_github_commands_round_trip_through_the_toolkit_grammar():
    hostile = Problem(Location("./matrix/a,b:c.yaml", 3, 4), Severity.WARNING, "stale", "50% done\nnext: x, y", "h")
    line = format_github([hostile]).rstrip("\n")
    assert "\n" not in line
    name, props, data = parse_command(line)
    assert name == "warning"
    assert props == {"file": "matrix/a,b:c.yaml", "line": "3", "col": "4", "title": "stale"}
    assert data == "50% done\\x0anext: x, y (h)"  # one line: a line break in a message is shown, never obeyed


def test_validate_github_format(matrix_dir, run):
    plant(matrix_dir)
    result = run("validate", "--format", "github", "--as-of", "2016-12-31")
    parsed = [parse_command(line) for line in result.stdout.splitlines()]
    assert [(n, p["file"], p["line"], p["col"], p["title"]) for n, p, _ in parsed] == [
        ("error", HUM, "11", "12", "unknown-organization"),
        ("error", HUM2, "8", "1", "unknown-field"),
    ]


def test_sarif_is_read_by_a_sarif_object_model(matrix_dir, run, tmp_path):
    plant(matrix_dir)
    result = run("validate", "--format", "text", "--sarif", str(tmp_path / "out.sarif"), "--as-of", "2016-12-31")
    assert result.exit_code == 1 and result.stdout.count("\n") == 2  # the main format still printed
    doc = json.loads((tmp_path / "out.sarif").read_text())
    log = sarif_pydantic.Sarif.model_validate(doc)
    assert log.version == "2.1.0"
    run0 = doc["runs"][0]
    rule_ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert "unknown-organization" in rule_ids
    first = run0["results"][0]
    assert first["ruleId"] == "unknown-organization" and first["level"] == "error"
    assert rule_ids[first["ruleIndex"]] == "unknown-organization"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": HUM},
        "region": {"startLine": 11, "startColumn": 12},
    }


def test_fingerprints_survive_unrelated_lines_moving(matrix_dir, run):
    plant(matrix_dir)

    def prints() -> dict:
        doc = json.loads(run("validate", "--format", "sarif", "--as-of", "2016-12-31").stdout)
        return {
            r["ruleId"]: (
                r["partialFingerprints"]["uncoop/v1"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in doc["runs"][0]["results"]
        }

    before = prints()
    hum(matrix_dir).write_text("# a new comment at the top\n\n" + hum(matrix_dir).read_text())
    after = prints()
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert after["unknown-organization"][1] == before["unknown-organization"][1] + 2


def test_timeline_fingerprints_do_not_change_as_days_pass():
    a = Problem(Location("m.yaml", 5, 1), Severity.WARNING, "stale", "no update for 130 days", key="HUM-01")
    b = Problem(Location("m.yaml", 5, 1), Severity.WARNING, "stale", "no update for 131 days", key="HUM-01")
    assert fingerprint(a) == fingerprint(b)


def test_gitlab_code_quality(matrix_dir, run):
    plant(matrix_dir)
    doc = json.loads(run("validate", "--format", "gitlab", "--as-of", "2016-12-31").stdout)
    assert doc[0] == {
        "description": "unknown-organization: organization 'UNHRC' is not in organizations.yaml",
        "check_name": "unknown-organization",
        "fingerprint": doc[0]["fingerprint"],
        "severity": "major",
        "location": {"path": HUM, "lines": {"begin": 11}},
    }
    assert len({d["fingerprint"] for d in doc}) == len(doc) == 2


def test_step_summary_lists_every_finding(matrix_dir, run, tmp_path, monkeypatch):
    plant(matrix_dir)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run("validate", "--as-of", "2016-12-31")
    text = summary.read_text()
    assert text.startswith("earlier step\n### uncoop validate")
    assert f"| `{HUM}:11:12` | error | `unknown-organization` |" in text


def test_status_findings_in_ci_formats(matrix_dir, run):
    result = run("status", "--as-of", "2015-02-15", "--format", "github")
    names = [parse_command(line)[0] for line in result.stdout.splitlines()]
    assert names and set(names) == {"warning"}


def test_changed_since_reports_only_touched_files(repo, run):
    edit(hum(repo / "matrix"), "partners: [UNHCR]", "partners: [UNHRC]")
    orgs = repo / "matrix" / "organizations.yaml"
    git(repo, "commit", "-qam", "typo")
    result = run("validate", "--changed-since", "HEAD~1", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and result.stdout.startswith(f"{HUM}:11:12:")
    # a finding caused by another file's change is reported only if its own file changed
    orgs.write_text(orgs.read_text().replace("id: UNHCR", "id: UNHCR2"))
    result = run("validate", "--changed-since", "HEAD", "--as-of", "2016-12-31")
    assert "HUM-01.yaml" not in result.stdout and "organizations.yaml" not in result.stdout


def test_changed_since_errors_are_clear(repo, run, tmp_path_factory, monkeypatch):
    result = run("validate", "--changed-since", "no-such-branch")
    assert result.exit_code == 2 and "unknown git revision 'no-such-branch'" in result.stderr
    import shutil

    elsewhere = tmp_path_factory.mktemp("norepo")
    shutil.copytree(repo / "matrix", elsewhere / "matrix")
    monkeypatch.chdir(elsewhere)
    result = run("validate", "--changed-since", "HEAD")
    assert result.exit_code == 2 and "is not inside a git repository" in result.stderr


@pytest.mark.parametrize("name", ["matrix.yml", "tests.yml", "site.yml"])
def test_workflows_are_valid_github_workflows(name):
    import importlib.resources

    import jsonschema
    import yaml

    from tests.conftest import REPO

    schema = json.loads(
        importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("github-workflows.json")
        .read_text()
    )
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    assert list(jsonschema.Draft7Validator(schema).iter_errors(workflow)) == []


def test_paths_are_relative_to_the_repository_whatever_the_working_directory(repo, run, monkeypatch):
    edit(hum(repo / "matrix"), "partners: [UNHCR]", "partners: [UNHRC]")
    git(repo, "commit", "-qam", "typo")
    monkeypatch.chdir(repo / "matrix" / "activities")
    text = run("validate", "--as-of", "2016-12-31").stdout
    assert text.startswith(f"{HUM}:11:12: error[unknown-organization]")
    sarif = json.loads(run("validate", "--as-of", "2016-12-31", "--format", "sarif").stdout)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == HUM
    changed = run("validate", "--as-of", "2016-12-31", "--changed-since", "HEAD~1")
    assert changed.exit_code == 1 and changed.stdout.startswith(f"{HUM}:11:12:")
    only = run("validate", "--as-of", "2016-12-31", "humanitarian/HUM-01.yaml")
    assert only.stdout.startswith(f"{HUM}:11:12:")


def test_the_site_workflow_builds_the_site_and_the_iati_file_in_a_matrix_only_repository(repo, run):
    """Its uncoop steps, run as written (the IATI prefix set), in a repository that holds a Matrix."""
    import shlex

    import yaml

    from tests.conftest import REPO

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "site.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    commands = [s["run"] for s in steps if s.get("run", "").startswith("uncoop ")]
    assert len(commands) == 2
    for line in commands:
        args = shlex.split(line.replace("$IATI_PREFIX", "XM-EXAMPLE"))[1:]
        result = run(*args)
        assert result.exit_code == 0, result.output
    assert (repo / "_site" / "en" / "activities").is_dir() and (repo / "_site" / "pagefind").is_dir()
    assert (repo / "_site" / "matrix.iati.xml").read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_site"


def test_the_action_restores_key_and_records_as_two_entries_so_a_new_runner_is_warm(repo, run, tmp_path, monkeypatch):
    """What the action does, on two runners: the signing key and the records are separate cache
    entries (records never bring their own key); both restored on a fresh machine give a warm run."""
    import shutil

    import yaml

    from tests.conftest import REPO

    action = yaml.safe_load((REPO / "action.yml").read_text())
    steps = action["runs"]["steps"]
    restores = [s for s in steps if s.get("uses", "").startswith("actions/cache/restore")]
    assert [s["with"]["path"] for s in restores] == [
        "${{ runner.temp }}/uncoop-key",
        "${{ runner.temp }}/uncoop-records",
    ]
    assert restores[0]["with"]["key"] != restores[1]["with"]["key"]
    saves = [s for s in steps if s.get("uses", "").startswith("actions/cache/save")]
    assert saves and all("github.event_name == 'push'" in s["if"] for s in saves)  # pull requests only read
    check = next(s for s in steps if s.get("name", "").startswith("Check the Matrix"))
    assert check["env"]["XDG_CACHE_HOME"].endswith("/uncoop-key")
    assert check["env"]["UNCOOP_CACHE_DIR"].endswith("/uncoop-records")

    first = tmp_path / "runner-1"
    monkeypatch.setenv("XDG_CACHE_HOME", str(first / "uncoop-key"))
    monkeypatch.setenv("UNCOOP_CACHE_DIR", str(first / "uncoop-records"))
    cold = run("validate", "--as-of", "2016-12-31", "--format", "json")
    second = tmp_path / "runner-2"
    for name in ("uncoop-key", "uncoop-records"):  # what the two cache entries restore
        shutil.copytree(first / name, second / name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(second / "uncoop-key"))
    monkeypatch.setenv("UNCOOP_CACHE_DIR", str(second / "uncoop-records"))
    saved = {p.name: p.read_bytes() for p in (second / "uncoop-records").glob("records-*.cache")}
    assert saved
    warm = run("validate", "--as-of", "2016-12-31", "--format", "json")
    assert warm.stdout == cold.stdout and warm.exit_code == cold.exit_code
    assert {p.name: p.read_bytes() for p in (second / "uncoop-records").glob("records-*.cache")} == saved
    assert not (repo / ".uncoop-cache").exists()  # nothing in the checkout
