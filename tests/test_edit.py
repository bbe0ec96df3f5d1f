"""Editing without losing a byte: fmt, new activity, update, and atomic writes."""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, UNCOOP, edit
from uncoop import yamlsrc
from uncoop.edit import EditError, canonical, set_field

HAND_WRITTEN = """\
# A hand-written activity, out of order, with comments and odd but valid values.
title: "Plan of Action"   # double quotes kept
id: HUM-01
dates:
    planned_end: 2016-Q2
    planned_start: 2014-07
area: humanitarian

# the leads, agreed in Geneva
leads: {oic: [ICHAD], un: [OCHA]}
status: implementation
source: [50]
milestones:
- due: 2015-06
  title: 'NO'
  id: 1.10
- {id: M2, title: "12:30 meeting", due: 2015-Q3}
"""


def changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_canonical_orders_keys_and_keeps_every_comment_and_value():
    out = canonical(HAND_WRITTEN, "activity")
    assert out.splitlines()[1:4] == [
        "id: HUM-01",
        'title: "Plan of Action"   # double quotes kept',
        "area: humanitarian",
    ]
    for comment in ("# A hand-written activity", "# double quotes kept", "# the leads, agreed in Geneva"):
        assert comment in out
    assert "  planned_start: 2014-07\n  planned_end: 2016-Q2" in out  # 2-space indent, schema order
    assert "leads: {un: [OCHA], oic: [ICHAD]}" in out  # flow style kept, keys in schema order
    before, _ = yamlsrc.read(HAND_WRITTEN.encode())
    after, _ = yamlsrc.read(out.encode())
    assert before == after  # same data, key by key
    assert after["milestones"][0]["id"].text == "1.10" and after["milestones"][0]["title"] == "NO"
    assert canonical(out, "activity") == out  # idempotent


def test_bom_and_crlf_survive():
    text = "\ufeff" + "id: HUM-01\r\ntitle: T  # c\r\narea: humanitarian\r\n"
    out = canonical(text, "activity")
    assert out.startswith("\ufeff") and "\r\n" in out and "\n" not in out.replace("\r\n", "")
    assert "# c" in out


def test_a_single_field_edit_changes_one_line():
    house = (REPO / "matrix" / "updates" / "2015-Q2" / "DPA.yaml").read_text()
    edited = set_field(house, ("entries", 1, "progress"), 55)
    assert changed_lines(house, edited) == ["-    progress: 30", "+    progress: 55"]


def test_anchors_are_refused_not_rewritten():
    with pytest.raises(EditError):
        canonical("id: HUM-01\ntitle: &t T\narea: *t\n", "activity")


def test_fmt_check_lists_files_and_leaves_them(matrix_dir, run):
    path = matrix_dir / "activities" / "humanitarian" / "HUM-02.yaml"
    original = (
        path.read_text().replace("id: HUM-02\n", "").replace("area: humanitarian\n", "area: humanitarian\nid: HUM-02\n")
    )
    path.write_text(original)
    result = run("fmt", "--check")
    assert result.exit_code == 1 and result.stdout == "matrix/activities/humanitarian/HUM-02.yaml\n"
    assert path.read_text() == original
    diff = run("fmt", "--dry-run").stdout
    assert "-id: HUM-02" in diff and "+id: HUM-02" in diff and path.read_text() == original
    assert run("fmt").exit_code == 0
    assert path.read_text().startswith("id: HUM-02\n")
    assert run("fmt", "--check").exit_code == 0  # idempotent


def test_fmt_leaves_an_invalid_file_untouched(matrix_dir, run):
    path = matrix_dir / "activities" / "humanitarian" / "HUM-02.yaml"
    bad = path.read_text().replace("status: implementation", "stauts: implementation") + "id2: x\n"
    path.write_text(bad)
    result = run("fmt")
    assert result.exit_code == 1 and "unknown field 'stauts'" in result.stderr
    assert path.read_text() == bad


def test_fmt_is_a_no_op_on_the_bundled_matrix(run, monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("fmt", "--check")
    assert result.exit_code == 0, result.stdout
    assert result.stderr == "0 files would change\n"


def test_new_activity_takes_the_next_free_id_and_never_overwrites(matrix_dir, run):
    result = run(
        "new",
        "activity",
        "--area",
        "humanitarian",
        "--title",
        "Joint training: NO surprises",
        "--lead-un",
        "OCHA",
        "--lead-oic",
        "ICHAD",
        "--start",
        "2015-Q1",
        "--end",
        "2015-12",
    )
    assert result.exit_code == 0, result.stderr
    path = matrix_dir / "activities" / "humanitarian" / "HUM-03.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/activity.schema.json\nid: HUM-03\n")
    assert 'title: "Joint training: NO surprises"' in text
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    again = run(
        "new",
        "activity",
        "--area",
        "humanitarian",
        "--title",
        "Another",
        "--lead-un",
        "OCHA",
        "--lead-oic",
        "ICHAD",
        "--start",
        "2015-Q1",
        "--end",
        "2015-12",
    )
    assert again.exit_code == 0 and (matrix_dir / "activities" / "humanitarian" / "HUM-04.yaml").exists()
    assert path.read_text() == text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--area", "humanitrian"], "unknown area 'humanitrian' (did you mean 'humanitarian'?)"),
        (["--lead-un", "OCAH"], "unknown organization 'OCAH' (did you mean 'OCHA'?)"),
        (["--lead-un", "ICHAD"], "'ICHAD' is on the OIC side, not UN"),
        (["--end", "2013-01"], "the planned end 2013-01 is before the planned start 2014-07-01"),
    ],
)
def test_new_activity_refuses_what_would_be_wrong(matrix_dir, run, args, message):
    base = {"--area": "humanitarian", "--title": "T", "--lead-un": "OCHA", "--lead-oic": "ICHAD"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("new", "activity", *[x for pair in base.items() for x in pair])
    assert result.exit_code == 2 and message in result.stderr
    assert not (matrix_dir / "activities" / "humanitarian" / "HUM-03.yaml").exists()


def test_update_scaffolds_from_the_previous_quarter(matrix_dir, run):
    result = run(
        "update",
        "OCHA",
        "--period",
        "2015-Q1",
        "--submitted",
        "2015-04-12",
        "--set",
        "HUM-01.progress=45",
        "--set",
        "HUM-01.narrative=Second meeting held: 12:30, in Geneva",
    )
    assert result.exit_code == 0, result.stderr
    text = (matrix_dir / "updates" / "2015-Q1" / "OCHA.yaml").read_text()
    assert (
        "  - activity: HUM-01\n    # status and progress carried over from OCHA 2014-Q4: check them\n"
        "    status: implementation\n    progress: 45\n"
    ) in text
    assert '    narrative: "Second meeting held: 12:30, in Geneva"\n    # obstacles:' in text
    value, _ = yamlsrc.read(text.encode())
    assert value["entries"][0]["narrative"] == "Second meeting held: 12:30, in Geneva"
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0


def test_update_prefills_from_any_institution_and_never_invents_entries(matrix_dir, run):
    result = run("update", "UNHCR", "--period", "2014-Q4", "--submitted", "2015-01-20")
    assert result.exit_code == 0, result.stderr
    text = (matrix_dir / "updates" / "2014-Q4" / "UNHCR.yaml").read_text()
    # the activity's latest report, whoever sent it, marked as carried over
    assert (
        "  - activity: HUM-02\n    # status and progress carried over from ICHAD 2014-Q3: check them\n"
        "    status: implementation\n    progress: 50\n"
    ) in text
    assert (
        "  - activity: HUM-01\n    # status and progress carried over from ICHAD 2014-Q3: check them\n"
        "    status: implementation\n    progress: 10\n"
    ) in text
    existing = matrix_dir / "updates" / "2014-Q3" / "ICHAD.yaml"
    before = existing.read_text()
    assert run("update", "ICHAD", "--period", "2014-Q3").exit_code == 0
    assert existing.read_text() == before  # nothing missing: the file is not rewritten
    result = run("update", "ICHAD", "--period", "2014-Q3", "--set", "HUM-02.status=closed", "--dry-run")
    assert changed_lines(
        before, before.replace("status: implementation\n    progress: 50", "status: closed\n    progress: 50")
    ) == [line for line in result.stdout.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_set_on_a_translated_text_keeps_every_language_and_says_which_are_now_stale(matrix_dir, run):
    path = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    edit(path, "    narrative: High-level working group formed; first meeting held in Geneva.\n", "")
    path.write_text(path.read_text() + "    narrative:\n      en: Group formed.\n      fr: Groupe constitué.\n")
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.narrative=Group formed and met.")
    assert result.exit_code == 0 and "the fr text(s) translate the English it replaces" in result.stderr
    assert "      en: Group formed and met.\n      fr: Groupe constitué.\n" in path.read_text()
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.narrative.fr=Groupe constitué, réuni.")
    assert result.exit_code == 0 and "      fr: Groupe constitué, réuni.\n" in path.read_text()
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.narrative.ar=شُكّل الفريق")
    assert result.exit_code == 0 and "      ar: شُكّل الفريق\n" in path.read_text()
    before = path.read_text()
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.next_steps.fr=Réunir le groupe")
    assert result.exit_code == 2 and "give its English first" in result.stderr and path.read_text() == before
    assert "Traceback" not in result.stderr


def test_update_that_would_be_invalid_leaves_the_file(matrix_dir, run):
    path = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    before = path.read_text()
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.progress=140")
    assert result.exit_code == 2 and "progress" in result.stderr and path.read_text() == before
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.status=done")
    assert result.exit_code == 2 and path.read_text() == before
    result = run("update", "OCAH", "--period", "2014-Q4")
    assert result.exit_code == 2 and "did you mean 'OCHA'?" in result.stderr


WRITER = """
import sys
from pathlib import Path
from uncoop.atomic import Scope, write_atomic
path = Path(sys.argv[1])
scope = Scope((path.parent,))
big = 200_000
i = 0
while True:
    i += 1
    write_atomic(path, (str(i % 2) * big).encode(), scope)
"""


@pytest.mark.slow
def test_killing_the_writer_never_leaves_half_a_file(tmp_path):
    target = tmp_path / "update.yaml"
    target.write_bytes(b"0" * 200_000)
    import random

    rng = random.Random(53)
    for _ in range(100):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
        time.sleep(rng.uniform(0.01, 0.08))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        assert data in (b"0" * 200_000, b"1" * 200_000)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "update.yaml"]
    from uncoop.atomic import Scope, write_atomic

    write_atomic(target, b"final", Scope((tmp_path,)))  # the next write sweeps what a killed writer left
    assert [p.name for p in tmp_path.iterdir()] == ["update.yaml"] and target.read_bytes() == b"final"
    assert all(name.startswith(".uncoop-update.yaml.") for name in leftovers)


def test_atomic_write_keeps_mode_and_edits_through_symlinks_inside_the_matrix(tmp_path):
    from uncoop.atomic import Scope, UnsafeWrite, write_atomic

    scope = Scope((tmp_path,), matrix=tmp_path)
    real = tmp_path / "real.yaml"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(link, b"new", scope, edit=True)
    assert link.is_symlink() and real.read_text() == "new" and (real.stat().st_mode & 0o777) == 0o640
    with pytest.raises(UnsafeWrite):  # an output (not an edit of a Matrix file) never follows a link
        write_atomic(link, b"x", scope)
    with pytest.raises(FileExistsError):
        write_atomic(real, b"x", scope, exclusive=True)


@pytest.mark.slow
def test_two_concurrent_updates_of_one_file_both_land(matrix_dir):
    """20 rounds of two `uncoop update` processes editing one file at once: no edit is lost."""
    path = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    env = dict(os.environ, UNCOOP_NO_CACHE="1")
    for round_ in range(20):
        procs = [
            subprocess.Popen(
                [
                    UNCOOP,
                    "update",
                    "OCHA",
                    "--period",
                    "2014-Q4",
                    "--matrix",
                    str(matrix_dir),
                    "--set",
                    f"HUM-01.{field}={field} {round_}",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for field in ("narrative", "obstacles")
        ]
        results = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], results
        value, error = yamlsrc.read(path.read_bytes())
        assert error is None
        entry = value["entries"][0]
        assert (entry["narrative"], entry["obstacles"]) == (f"narrative {round_}", f"obstacles {round_}")
    assert [p.name for p in path.parent.iterdir()] == ["OCHA.yaml"]  # no temporary file left behind


def test_fmt_never_changes_a_value_it_cannot_keep(matrix_dir, run):
    path = matrix_dir / "updates" / "2014-Q3" / "OCHA.yaml"
    text = (
        "organization: OCHA\nperiod: 2014-Q3\nsubmitted: 2014-10-20\nentries:\n- activity: HUM-01\n"
        "  status: implementation\n  progress: 10\n  obstacles: 250_000.00\n  narrative: a\n"
    )
    path.write_text(text)
    result = run("fmt")
    assert result.exit_code == 1 and "would change the value at entries.0.obstacles" in result.stderr
    assert path.read_text() == text


def test_an_entry_is_appended_at_the_lists_own_indentation():
    """An update whose entries are indented under `entries:` gets a new entry at the same column
    (it was once nested under the last entry's keys, which no YAML reader accepts)."""
    from uncoop.edit import add_entry, entry_lines
    from uncoop.yamlsrc import read

    text = (
        "organization: DPA\nperiod: 2015-Q3\nsubmitted: 2015-10-20\n"
        "entries:\n  - activity: CPV-01\n    status: closed\n    progress: 100\n"
    )
    new = add_entry(text, entry_lines("CPV-02", "implementation", 10, None, {}))
    value, error = read(new.encode())
    assert error is None and [e["activity"] for e in value["entries"]] == ["CPV-01", "CPV-02"]
    assert "\n  - activity: CPV-02\n    status: implementation\n" in new


@pytest.mark.parametrize(
    ("setting", "wanted"),
    [
        ("HUM-01.indicators.I9=-4", "error[unknown-indicator] HUM-01 has no indicator 'I9' (did you mean 'I1'?)"),
        ("HUM-01.indicators.I1=-4", "error[negative-value] HUM-01 indicator I1 reported as -4, below zero"),
        ("HUM-01.milestones.M1=2099-01-01", "error[future-date] milestone M1 done 2099-01-01"),
        ("HUM-01.milestones.M7=2015-01-10", "error[unknown-milestone] HUM-01 has no milestone 'M7'"),
        ("HUM-01.narrative=a\tb", "the text holds a tab (U+0009)"),
        ("HUM-01.narrative=bell\x07", "a control character (U+0007)"),
    ],
)
def test_update_that_validate_would_refuse_writes_nothing(matrix_dir, run, setting, wanted):
    def tree() -> dict:
        return {p: p.read_bytes() if p.is_file() else None for p in matrix_dir.parent.rglob("*")}

    before = tree()
    for extra in ((), ("--dry-run",)):
        result = run("update", "OCHA", "--period", "2014-Q4", "--set", setting, *extra)
        assert result.exit_code == 2 and wanted in result.stderr, result.stderr
        assert "nothing was written" in result.stderr.lower() or "left untouched" in result.stderr
        assert "Traceback" not in result.output
        assert tree() == before  # the tree, byte for byte (no temporary file left either)
    # the located finding points into the file as it would have been, not as it is
    if "error[" in wanted:
        assert "matrix/updates/2014-Q4/OCHA.yaml:" in result.stderr


def test_update_of_a_valid_value_still_writes_and_validates(matrix_dir, run):
    path = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    assert run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.indicators.I1=3").exit_code == 0
    assert "      I1: 3\n" in path.read_text()
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    assert run("fmt", "--check").exit_code == 0


def test_negative_indicator_values_only_where_the_indicator_allows_them(matrix_dir, run):
    act = matrix_dir / "activities" / "humanitarian" / "HUM-01.yaml"
    edit(act, "    baseline: 0\n    target: 8\n", "    baseline: -2\n    target: 8\n")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1
    assert "HUM-01.yaml:27:15: error[negative-value] HUM-01 indicator I1 has baseline -2, below zero" in result.stdout
    edit(act, "    target: 8\n", "    target: 8\n    allow_negative: true\n")
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.indicators.I1=-4")
    assert result.exit_code == 0, result.stderr
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0


@pytest.mark.parametrize(
    ("make", "wanted"),
    [
        (lambda m: (m / "activities" / "humanitarian" / "HUM-98.yaml").mkdir(), "this folder is not part of"),
        (lambda m: (m / "activities" / "humanitarian" / "notes.txt").write_text("x"), "uncoop does not read this"),
        (lambda m: (m / "updates" / "2014-Q4" / "old").mkdir(), "this folder is not part of"),
        (lambda m: (m / "drafts").mkdir(), "this folder is not part of"),
    ],
)
def test_what_uncoop_does_not_read_under_the_matrix_is_a_finding(matrix_dir, run, make, wanted):
    make(matrix_dir)
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and "error[unknown-file]" in result.stdout and wanted in result.stdout


def test_a_readme_beside_the_records_is_not_a_finding(matrix_dir, run):
    (matrix_dir / "README.md").write_text("# The Matrix\n")
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
