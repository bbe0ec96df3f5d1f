"""Reminders to the institutions that owe something (¶53): text, Markdown and e-mail."""

from __future__ import annotations

import email
import email.policy
import json

import pytest

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
    assert addressed == owing - {"DPA", "OIC-GS"} and quarters  # no focal point writes to itself


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
    owed = [line for line in body.get_content().splitlines() if line.startswith("- T") and "attendu le" in line]
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
    assert addressed == (owing | leads_late) - {"DPA", "OIC-GS"}  # the focal points' own


def _with_contacts(matrix_dir, unhcr_name="Office of the United Nations High Commissioner for Refugees"):
    """UNHCR and both focal points given addresses (the fixture has none)."""
    edit(
        matrix_dir / "organizations.yaml",
        "    name: Office of the United Nations High Commissioner for Refugees\n    side: un\n    kind: programme\n",
        f"    name: {json.dumps(unhcr_name)}\n    side: un\n    kind: programme\n    contact: unhcr@example.org\n",
    )
    edit(
        matrix_dir / "matrix.yaml",
        "    title: Senior Political Officer responsible for the OIC file\n",
        "    title: Senior Political Officer responsible for the OIC file\n    contact: un-fp@example.org\n",
    )


def _letters(run, out, *args):
    result = run("remind", "--as-of", "2015-02-15", "--format", "eml", "--out", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return result, {
        f.name.removeprefix("reminder-2015-02-15-").removesuffix(".eml"): email.message_from_bytes(
            f.read_bytes(), policy=email.policy.default
        )
        for f in out.iterdir()
    }


def test_an_eml_letter_is_a_draft_to_the_institution_from_its_focal_point_naming_its_forms(matrix_dir, run, tmp_path):
    _with_contacts(matrix_dir)
    result, letters = _letters(run, tmp_path / "letters")
    unhcr = letters["UNHCR"]
    assert unhcr["To"].addresses[0].addr_spec == "unhcr@example.org"
    assert unhcr["To"].addresses[0].display_name == "Office of the United Nations High Commissioner for Refugees"
    assert unhcr["From"].addresses[0].addr_spec == "un-fp@example.org"
    assert unhcr["From"].addresses[0].display_name.startswith("Senior Political Officer")
    assert unhcr["X-Unsent"] == "1"
    text = unhcr.get_body(("plain",)).get_content()
    attached = sorted(part.get_filename() for part in unhcr.iter_attachments())
    assert attached == ["report-2014-Q3-UNHCR.xlsx", "report-2014-Q4-UNHCR.xlsx"]
    assert "Attached are the forms to fill in and send back, one per quarter:" in text
    assert all(f"- {name}" in text.splitlines() for name in attached)
    # the names are those `uncoop forms` writes for that institution and quarter
    run("forms", "--period", "2014-Q4", "--org", "UNHCR", "--out", str(tmp_path / "forms"))
    assert [f.name for f in (tmp_path / "forms").iterdir()] == ["report-2014-Q4-UNHCR.xlsx"]
    # an institution without a contact gets a draft with no To, and the run says so
    assert letters["ICHAD"]["To"] is None and letters["ICHAD"]["X-Unsent"] == "1"
    assert "1 letter(s) have no To: no contact in organizations.yaml for ICHAD" in result.stderr
    # the OIC focal point has no address: its letters have no From, said once
    assert letters["ICHAD"]["From"] is None
    assert "letters from the oic focal point have no From" in result.stderr


def test_no_focal_point_writes_to_its_own_institution(matrix_dir, run, tmp_path):
    status = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    owing = {r["id"] for r in status["reporting"]["institutions"] if "missing" in r["cells"]}
    assert {"DPA", "OIC-GS"} <= owing  # both owe: they would be written to by themselves
    result, letters = _letters(run, tmp_path / "letters")
    assert "DPA" not in letters and "OIC-GS" not in letters and "UNHCR" in letters
    assert "no reminder to DPA: it is its focal point's own institution" in result.stderr
    assert "no reminder to OIC-GS" in result.stderr
    text = run("remind", "--as-of", "2015-02-15").stdout
    assert "(DPA)\nFrom:" not in text and "To: Department of Political Affairs" not in text
    # the same address as the focal point's is the focal point too
    _with_contacts(matrix_dir)
    edit(matrix_dir / "organizations.yaml", "contact: unhcr@example.org", "contact: un-fp@example.org")
    result, letters = _letters(run, tmp_path / "again")
    assert "UNHCR" not in letters and "no reminder to UNHCR" in result.stderr


@pytest.mark.parametrize("length", [70, 1000])
def test_a_hostile_name_adds_no_recipient_and_no_header(matrix_dir, run, tmp_path, length):
    # Python 3.11 folds a long quoted name without its quotes: ', evil@...' would become a recipient
    hostile = "A" * length + ', evil@attacker.example, "B" <x@attacker.example> (c) \\'
    _with_contacts(matrix_dir, hostile)
    _, letters = _letters(run, tmp_path / "letters", "--org", "UNHCR")
    to = letters["UNHCR"]["To"]
    assert [a.addr_spec for a in to.addresses] == ["unhcr@example.org"]
    # the name as written while the header stays unfolded; past 998 characters, no name at all
    assert to.addresses[0].display_name == (hostile if length < 900 else "")


def test_a_line_break_in_a_name_never_starts_a_header(tmp_path):
    from datetime import date

    from uncoop.remind import Reminder, email_message

    evil = "UNHCR\r\nBcc: evil@attacker.example\nX-Unsent: 0"
    reminder = Reminder("UNHCR", evil, "un", evil, [("Q3 2014", "30 October 2014")], [], [], [])
    reminder.contact, reminder.sender_contact = "unhcr@example.org", "un-fp@example.org"
    raw = email_message(reminder, date(2015, 2, 15), "en")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None and message.get_all("X-Unsent") == ["1"]
    assert [a.addr_spec for a in message["To"].addresses] == ["unhcr@example.org"]
    assert [a.addr_spec for a in message["From"].addresses] == ["un-fp@example.org"]
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not any(line.startswith((b"Bcc", b"X-Unsent: 0")) for line in head)


def test_a_contact_that_is_not_an_address_is_a_located_error(matrix_dir, run):
    edit(
        matrix_dir / "organizations.yaml",
        "    side: un\n    kind: programme\n",
        "    side: un\n    kind: programme\n    contact: 'unhcr@example.org, evil@attacker.example'\n",
    )
    result = run("validate")
    assert result.exit_code == 1
    assert "organizations.yaml:" in result.stdout and "not an e-mail address" in result.stdout
