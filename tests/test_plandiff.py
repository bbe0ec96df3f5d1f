"""`uncoop diff` and `uncoop history` on a scripted sequence of commits in a scratch repo."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import commit, edit, git, hum


def test_diff_reports_each_kind_of_change(repo, run):
    m = repo / "matrix"
    edit(hum(m), "planned_end: 2016-Q2", "planned_end: 2016-12")  # +184 days
    edit(hum(m), "    due: 2014-12-31", "    due: 2014-11-30")  # milestone 30 days earlier
    edit(
        hum(m),
        "  - id: M2\n    title: Technical working group formed\n    due: 2015-06\n",
        "  - id: M3\n    title: Policy framework drafted\n    due: 2015-Q4\n",
    )  # M2 dropped, M3 added
    edit(hum(m), "oic: [ICHAD]", "oic: [ICHAD, OIC-GS]")
    cpv = m / "activities" / "conflict" / "CPV-01.yaml"
    edit(cpv, "status: implementation", "status: suspended")
    (m / "activities" / "conflict" / "CPV-02.yaml").write_text(
        cpv.read_text().replace("CPV-01", "CPV-02").replace("Support to the OIC", "Electoral support to the OIC")
    )
    (m / "activities" / "humanitarian" / "HUM-02.yaml").unlink()
    (m / "updates" / "2015-Q1").mkdir()
    (m / "updates" / "2015-Q1" / "OCHA.yaml").write_text(
        "organization: OCHA\nperiod: 2015-Q1\nsubmitted: 2015-04-20\nentries:\n  - activity: HUM-01\n"
        "    status: implementation\n    progress: 40\n    milestones_done:\n      M3: 2015-03-30\n"
    )
    commit(repo, "review of the plan")
    doc = json.loads(run("diff", "HEAD~1", "HEAD", "--format", "json", "--as-of", "2015-05-01").stdout)
    assert doc["activities_added"] == [
        {"id": "CPV-02", "title": "Electoral support to the OIC Peace, Security and Mediation Unit"}
    ]
    assert doc["activities_removed"] == [
        {"id": "HUM-02", "title": "Joint advocacy for the Solutions Strategy for Afghan Refugees"}
    ]
    assert {(d["activity"], d["what"], d["old"], d["new"], d["days"]) for d in doc["deadlines_moved"]} == {
        ("HUM-01", "planned_end", "2016-Q2", "2016-12", 184),
        ("HUM-01", "milestone M1", "2014-12-31", "2014-11-30", -31),
    }
    assert doc["milestones_added"] == ["HUM-01 M3"] and doc["milestones_dropped"] == ["HUM-01 M2"]
    assert doc["milestones_completed"] == ["HUM-01 M3 on 2015-03-30"]
    assert {"activity": "CPV-01", "old": "implementation", "new": "suspended"} in doc["status_changes"]
    assert doc["lead_changes"] == [{"activity": "HUM-01", "side": "oic", "added": ["OIC-GS"], "removed": []}]
    assert doc["updates_submitted"] == [{"organization": "OCHA", "period": "2015-Q1", "submitted": "2015-04-20"}]
    gone = {(f["code"], f["message"].split(" ")[0]) for f in doc["findings_resolved"]}
    assert ("overdue-activity", "HUM-02") in gone  # the removed activity's finding went away
    markdown = run("diff", "HEAD~1", "HEAD", "--as-of", "2015-05-01").stdout
    assert "- HUM-01 planned_end: 2016-Q2 → 2016-12 (184 days later)" in markdown
    assert "- HUM-01 milestone M1: 2014-12-31 → 2014-11-30 (31 days earlier)" in markdown


def test_diff_against_the_working_tree_and_no_change(repo, run):
    assert "No change to the plan" in run("diff", "HEAD").stdout
    edit(hum(repo / "matrix"), "partners: [UNHCR]", "partners: [UNHRC]")
    doc = json.loads(run("diff", "HEAD", "--format", "json").stdout)
    assert [f["code"] for f in doc["findings_new"]] == ["unknown-organization"]
    assert doc["findings_new"][0]["path"] == "matrix/activities/humanitarian/HUM-01.yaml"


def test_diff_errors(repo, run, tmp_path_factory, monkeypatch):
    result = run("diff", "nope")
    assert result.exit_code == 2 and "unknown git revision 'nope'" in result.stderr


def test_history_shows_how_far_each_deadline_moved(repo, run):
    edit(hum(repo / "matrix"), "planned_end: 2016-Q2", "planned_end: 2016-Q4")
    commit(repo, "first extension")
    edit(hum(repo / "matrix"), "planned_end: 2016-Q4", "planned_end: 2017-03")
    edit(hum(repo / "matrix"), "    due: 2015-06", "    due: 2015-09")
    commit(repo, "second extension")
    doc = json.loads(run("history", "HUM-01", "--format", "json").stdout)
    assert doc["revisions"] == 3 and doc["shallow"] is False
    assert [(m["deadline"], m["old"], m["new"], m["days"], m["subject"]) for m in doc["moves"]] == [
        ("planned_end", "2016-Q2", "2016-Q4", 184, "first extension"),
        ("planned_end", "2016-Q4", "2017-03", 90, "second extension"),
        ("milestone M2", "2015-06", "2015-09", 92, "second extension"),
    ]
    text = run("history", "HUM-01").stdout
    assert "- planned_end: moved 2 times, +274 days in all" in text


def test_history_on_a_shallow_clone_says_so(repo, run, tmp_path, monkeypatch):
    edit(hum(repo / "matrix"), "planned_end: 2016-Q2", "planned_end: 2016-Q4")
    commit(repo, "extension")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True)
    monkeypatch.chdir(clone)
    result = run("history", "HUM-01")
    assert result.exit_code == 0 and "shallow clone" in result.stdout
    result = run("diff", "HEAD~1")
    assert result.exit_code == 2 and "shallow clone" in result.stderr


def test_history_of_an_unknown_activity(repo, run):
    result = run("history", "HUM-99")
    assert result.exit_code == 2 and "did you mean" in result.stderr


def test_report_history_section_lists_each_move(repo, run):
    edit(hum(repo / "matrix"), "planned_end: 2016-Q2", "planned_end: 2016-Q4")
    commit_at(repo, "extension", "2015-01-20T10:00:00")
    edit(hum(repo / "matrix"), "planned_end: 2016-Q4", "planned_end: 2017-Q2")
    commit_at(repo, "a later extension", "2015-06-20T10:00:00")
    md = run("report", "--as-of", "2015-02-15", "--history", "--format", "md", "--out", "-").stdout
    section = md.split("## Deadline changes since adoption", 1)[1].split("## ", 1)[0]
    assert "| HUM-01 |" in section and "| planned_end | 2016-Q2 | 2016-Q4 | +184 |" in section
    assert "2017-Q2" not in section  # moved after the as-of date: the report of 15 Feb 2015 cannot know it
    plain = run("report", "--as-of", "2015-02-15", "--format", "md", "--out", "-").stdout
    assert "Deadline changes" not in plain  # without --history the report does not depend on git


@pytest.mark.parametrize(
    "damage",
    [("status: implementation", "stauts: implementation"), ("status: implementation", "status: [implementation")],
)
def test_a_broken_file_is_unreadable_not_removed(repo, run, damage):
    edit(hum(repo / "matrix"), *damage)
    result = run("diff", "HEAD", "--as-of", "2016-03-31")
    assert result.exit_code == 1
    assert (
        "Activities removed" not in result.stdout
        and "Not judged: working tree has files that do not load" in result.stdout
    )
    assert "**Unreadable in working tree: matrix/activities/humanitarian/HUM-01.yaml**" in result.stdout
    doc = json.loads(run("diff", "HEAD", "--as-of", "2016-03-31", "--format", "json").stdout)
    assert doc["activities_removed"] == [] and doc["unreadable"][0]["revision"] == "head"


def commit_at(root: Path, message: str, when: str) -> None:
    """Commit with the author and committer dates of `when`, as history written back then."""
    git(root, "add", "-A")
    env = {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", message],
        cwd=root,
        env={**os.environ, **env},
        check=True,
    )


def test_plan_as_committed_travels_back_in_time(matrix_dir, run):
    """M2 was due 2015-06 in the plan of July 2015; moved to 2015-12 by a commit of August."""
    repo = matrix_dir.parent
    git(repo, "init", "-q", "-b", "main")
    commit_at(repo, "adopt the Matrix", "2014-06-01T10:00:00")
    edit(hum(matrix_dir), "    due: 2015-06\n", "    due: 2015-12\n")
    commit_at(repo, "move M2", "2015-08-01T10:00:00")
    today = json.loads(run("status", "--as-of", "2015-07-15", "--format", "json").stdout)
    then = json.loads(run("status", "--as-of", "2015-07-15", "--format", "json", "--plan-as-committed").stdout)
    overdue = [[f["message"] for f in doc["findings"] if f["code"] == "overdue-milestone"] for doc in (today, then)]
    assert not any("HUM-01 milestone M2" in m for m in overdue[0])
    assert any("HUM-01 milestone M2 was due 2015-06 " in m for m in overdue[1])
    result = run("status", "--as-of", "2014-01-01", "--plan-as-committed")
    assert result.exit_code == 2 and "no commit of matrix on or before 2014-01-01" in result.stderr


def commit_between(root: Path, message: str, authored: str, committed: str) -> None:
    """A commit written on one day and entering the history on a later one (a rebase, a late merge)."""
    git(root, "add", "-A")
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", message],
        cwd=root,
        env={**os.environ, "GIT_AUTHOR_DATE": authored, "GIT_COMMITTER_DATE": committed},
        check=True,
    )


def test_one_clock_the_committer_date_everywhere(matrix_dir, run):
    """A move authored in March 2015 but committed in January 2016 is unknown to a report of June
    2015, in `history`, in `report --history` and in `--plan-as-committed` alike."""
    repo = matrix_dir.parent
    git(repo, "init", "-q", "-b", "main")
    commit_at(repo, "adopt the Matrix", "2014-06-01T10:00:00")
    edit(hum(matrix_dir), "planned_end: 2016-Q2", "planned_end: 2016-Q4")
    commit_between(repo, "extension", "2015-03-10T10:00:00", "2016-01-15T10:00:00")
    moves = json.loads(run("history", "HUM-01", "--format", "json").stdout)["moves"]
    assert [(m["date"], m["old"], m["new"]) for m in moves] == [("2016-01-15", "2016-Q2", "2016-Q4")]
    june = ("report", "--as-of", "2015-06-30", "--history", "--format", "md", "--out", "-")
    for extra in ((), ("--plan-as-committed",)):
        result = run(*june, *extra)
        assert result.exit_code == 0, result.output
        section = result.stdout.split("## Deadline changes since adoption", 1)[1].split("\n## ", 1)[0]
        assert "2016-Q4" not in section  # committed after 30 June 2015
    later = run("report", "--as-of", "2016-03-31", "--history", "--plan-as-committed", "--format", "md", "--out", "-")
    assert later.exit_code == 0, later.output
    section = later.stdout.split("## Deadline changes since adoption", 1)[1].split("\n## ", 1)[0]
    assert "| HUM-01 |" in section and "| planned_end | 2016-Q2 | 2016-Q4 | +184 |" in section
    then = run("report", "--as-of", "2015-06-30", "--plan-as-committed", "--format", "md", "--out", "-")
    assert "hum01, 2014-07-01, 2016-06-30" in then.stdout  # the plan of the time, whatever the author's date says


def test_an_id_renamed_everywhere_is_one_rename_not_new_reports_and_findings(repo, run):
    """OCHA becomes UNOCHA in organizations.yaml, in the activity that names it and in its
    update files (renamed too): nothing was submitted, no finding appeared or went away."""
    m = repo / "matrix"
    for path in [m / "organizations.yaml", *m.rglob("activities/*/*.yaml"), *m.rglob("updates/*/*.yaml")]:
        text = path.read_text()
        if "OCHA" in text:
            path.write_text(
                text.replace("id: OCHA", "id: UNOCHA")
                .replace("[OCHA", "[UNOCHA")
                .replace("organization: OCHA", "organization: UNOCHA")
            )
    for path in list(m.rglob("updates/*/OCHA.yaml")):
        path.rename(path.with_name("UNOCHA.yaml"))
    commit(repo, "OCHA is written UNOCHA")
    doc = json.loads(run("diff", "HEAD~1", "HEAD", "--format", "json", "--as-of", "2015-05-01").stdout)
    assert doc["renamed"] == [{"kind": "organization", "old": "OCHA", "new": "UNOCHA"}]
    assert doc["updates_submitted"] == [] and doc["lead_changes"] == []
    assert doc["findings_new"] == [] and doc["findings_resolved"] == []
    assert "- organization OCHA → UNOCHA" in run("diff", "HEAD~1", "HEAD", "--as-of", "2015-05-01").stdout


def test_a_commit_that_repairs_a_file_claims_nothing_it_reports(repo, run):
    """A YAML typo in an update, then its fix: the fix is a repair, not milestones completed."""
    update = repo / "matrix" / "updates" / "2014-Q4" / "OCHA.yaml"
    good = update.read_text()
    update.write_text(good.replace("entries:", "entries: [", 1))
    commit(repo, "a typo")
    update.write_text(good)
    commit(repo, "the typo fixed")
    doc = json.loads(run("diff", "HEAD~1", "HEAD", "--format", "json", "--as-of", "2015-05-01").stdout)
    assert doc["repaired"] == ["matrix/updates/2014-Q4/OCHA.yaml"]
    assert doc["milestones_completed"] == [] and doc["updates_submitted"] == []
    assert "yaml-syntax" in [f["code"] for f in doc["findings_resolved"]]
    markdown = run("diff", "HEAD~1", "HEAD", "--as-of", "2015-05-01").stdout
    assert "**Repaired (did not load in HEAD\\~1: what they report is not compared)**" in markdown
