"""Reminders to the institutions that owe something (¶53): text, Markdown and e-mail."""

from __future__ import annotations

import email
import email.policy
import json

from tests.conftest import edit


def test_a_letter_says_which_reports_are_missing_and_what_is_late(matrix_dir, run):
    result = run("remind", "--as-of", "2015-02-15", "--org", "UNHCR")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("To: Office of the United Nations High Commissioner for Refugees (UNHCR)\n")
    assert "Date: 15 February 2015" in text
    assert "We have not yet received your report for:\n- Q3 2014, due 30 October 2014\n" in text
    assert "HUM-02 Joint advocacy for the Solutions Strategy for Afghan Refugees: the activity's planned end" in text


def test_reminders_follow_the_owing_rule_of_status(matrix_dir, run):
    status = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    quarters = status["reporting"]["quarters"]
    owing = {r["id"] for r in status["reporting"]["institutions"] if "missing" in r["cells"]}
    import re

    letters = ("\n" + run("remind", "--as-of", "2015-02-15").stdout).split("\nTo: ")[1:]
    addressed = {
        re.search(r"\(([^)]+)\)$", letter.splitlines()[0]).group(1)
        for letter in letters
        if "not yet received" in letter
    }
    assert addressed == owing and quarters


def test_markdown_escapes_the_data_and_eml_is_a_message_per_institution(matrix_dir, run, tmp_path):
    edit(
        matrix_dir / "organizations.yaml",
        "name: Islamic Cooperation and Humanitarian Affairs Department",
        "name: '[x](https://evil.example) Islamic Cooperation and Humanitarian Affairs Department'",
    )
    md = run("remind", "--as-of", "2015-02-15", "--format", "markdown", "--org", "ICHAD").stdout
    assert "[x](https" not in md and "\\[x\\]" in md
    out = tmp_path / "letters"
    result = run("remind", "--as-of", "2015-02-15", "--format", "eml", "--out", str(out), "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    files = sorted(out.iterdir())
    assert [f.name for f in files][0].startswith("reminder-2015-02-15-")
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Content-Language"] == "fr" and message["Subject"].startswith("Rapport trimestriel")
    assert message["Date"] == "Sun, 15 Feb 2015 00:00:00 +0000"
    body = message.get_body(("plain",))
    assert "Nous n'avons pas encore reçu votre rapport" in body.get_content()
    attached = [part.get_filename() for part in message.iter_attachments()]
    owed = [line for line in body.get_content().splitlines() if line.startswith("- T")]
    assert attached and len(attached) == len(owed) and all(name.endswith(".xlsx") for name in attached)
    again = tmp_path / "again"
    run("remind", "--as-of", "2015-02-15", "--format", "eml", "--out", str(again), "--lang", "fr")
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted(again.iterdir())]  # deterministic


def test_eml_needs_a_folder_and_nothing_owed_says_so(matrix_dir, run):
    result = run("remind", "--as-of", "2015-02-15", "--format", "eml")
    assert result.exit_code == 2 and "add --out DIR" in result.stderr
    quiet = run("remind", "--as-of", "2014-07-01")
    assert quiet.exit_code == 0 and "nothing is owed as of 2014-07-01" in quiet.stderr and quiet.stdout == ""


def test_as_of_the_2016_meeting_one_letter_per_institution_that_owes(run, monkeypatch):
    import re

    from tests.conftest import REPO

    monkeypatch.chdir(REPO)
    status = json.loads(run("status", "--as-of", "2016-03-31", "--format", "json").stdout)
    owing = {r["id"] for r in status["reporting"]["institutions"] if "missing" in r["cells"]}
    leads_late = set()
    for area in status["areas"]:
        for a in area["activities"]:
            if {"overdue-activity", "overdue-milestone"} & set(a["findings"]):
                leads_late |= set(a["leads"]["un"]) | set(a["leads"]["oic"])
    text = run("remind", "--as-of", "2016-03-31").stdout
    addressed = {re.search(r"\(([^)]+)\)$", line).group(1) for line in text.splitlines() if line.startswith("To: ")}
    assert addressed == owing | leads_late
