"""`uncoop status`: golden files for table, json and markdown; filters; terminal safety."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from tests.conftest import REPO, edit, golden, hum
from uncoop.check import validate
from uncoop.console import render_status, safe
from uncoop.timeline import snapshot
from uncoop.view import build_view

AS_OF = "2015-02-15"


@pytest.mark.parametrize("fmt, name", [("json", "status.json"), ("markdown", "status.md")])
def test_machine_formats_match_golden_files(matrix_dir, run, fmt, name):
    result = run("status", "--as-of", AS_OF, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    golden(name, result.stdout)


def test_table_matches_golden_file_at_80_columns(matrix_dir):
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    out = io.StringIO()
    render_status(build_view(matrix, snapshot(matrix, date.fromisoformat(AS_OF))), out, width=80, color=False)
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80
    golden("status-80.txt", out.getvalue())


def test_wide_table_has_columns(matrix_dir):
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    out = io.StringIO()
    render_status(build_view(matrix, snapshot(matrix, date.fromisoformat(AS_OF))), out, width=140, color=False)
    golden("status-140.txt", out.getvalue())


def test_same_input_same_bytes(matrix_dir, run):
    first = run("status", "--as-of", AS_OF, "--format", "json").stdout
    assert run("status", "--as-of", AS_OF, "--format", "json").stdout == first


def test_filters(matrix_dir, run):
    doc = json.loads(run("status", "--as-of", AS_OF, "--format", "json", "--area", "humanitarian").stdout)
    assert [a["id"] for a in doc["areas"]] == ["humanitarian"]
    doc = json.loads(run("status", "--as-of", AS_OF, "--format", "json", "--org", "UNHCR").stdout)
    assert [x["id"] for a in doc["areas"] for x in a["activities"]] == ["HUM-01", "HUM-02"]
    assert [r["id"] for r in doc["reporting"]["institutions"]] == ["UNHCR"]
    # repeatable, as for remind, forms and calendar: the institutions' activities and rows together
    args = ("status", "--as-of", AS_OF, "--format", "json", "--org", "UNHCR", "--org", "UNODA")
    doc = json.loads(run(*args).stdout)
    assert [x["id"] for a in doc["areas"] for x in a["activities"]] == ["DIS-01", "HUM-01", "HUM-02"]
    assert [r["id"] for r in doc["reporting"]["institutions"]] == ["UNHCR"]  # UNODA owes nothing: DIS-01 is cancelled
    doc = json.loads(run("status", "--as-of", AS_OF, "--format", "json", "--side", "oic").stdout)
    assert [r["id"] for r in doc["reporting"]["institutions"]] == ["ICHAD", "OIC-GS"]
    # never reported: stale 120 days after the first report was due (2014-10-30), not after its start
    doc = json.loads(run("status", "--as-of", AS_OF, "--format", "json", "--only", "stale").stdout)
    assert [x["id"] for a in doc["areas"] for x in a["activities"]] == []
    doc = json.loads(run("status", "--as-of", "2015-03-15", "--format", "json", "--only", "stale").stdout)
    assert [x["id"] for a in doc["areas"] for x in a["activities"]] == ["CPV-01"]
    assert {f["code"] for f in doc["findings"]} == {"stale"}


def test_unknown_filter_values_are_usage_errors(matrix_dir, run):
    result = run("status", "--area", "humanitrian")
    assert result.exit_code == 2 and "did you mean 'humanitarian'?" in result.stderr
    result = run("status", "--org", "OCAH")
    assert result.exit_code == 2 and "did you mean 'OCHA'?" in result.stderr
    assert run("status", "--side", "eu").exit_code == 2


def test_fail_on_warning_and_exit_zero(matrix_dir, run):
    assert run("status", "--as-of", AS_OF, "--format", "json").exit_code == 0
    assert run("status", "--as-of", AS_OF, "--format", "json", "--fail-on", "warning").exit_code == 1
    assert run("status", "--as-of", AS_OF, "--format", "json", "--fail-on", "warning", "--exit-zero").exit_code == 0


def test_markup_and_escape_sequences_in_data_are_shown_literally(matrix_dir):
    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", '  en: "[bold]Plan[/bold] evil [/]"')
    matrix, problems = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    assert problems == []
    out = io.StringIO()
    render_status(build_view(matrix, snapshot(matrix, date(2015, 2, 15))), out, width=100, color=True)
    text = out.getvalue()
    assert "[bold]Plan[/bold]" in text and "[/]" in text


def test_a_bidi_override_never_reaches_the_terminal(matrix_dir):
    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", '  en: "Plan \\u202eevil"')
    _, problems = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    assert [(p.code, p.location.line) for p in problems] == [("control-character", 3)]
    assert "U+202E" in problems[0].message
    assert "\u202e" not in str(safe("Plan \u202eevil"))


def test_no_color_is_respected(matrix_dir, run, monkeypatch):
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    render_status(build_view(matrix, snapshot(matrix, date(2015, 2, 15))), out, width=80)
    assert "\x1b[" not in out.getvalue()


def test_bundled_matrix_grid_slice_checked_by_hand():
    """Against the files in matrix/updates as of 31 March 2016 (see matrix/README.md)."""
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    snap = snapshot(matrix, date(2016, 3, 31))
    rows = {r.organization: [c.state for c in r.cells] for r in snap.grid}
    assert [str(q) for q in snap.quarters][0] == "2014-Q3" and len(snap.quarters) == 7
    assert rows["IIFA"] == ["missing"] * 6 + ["not-due"]  # never reported; CPV-05 never reported ended
    assert rows["UNODA"] == ["late"] * 6 + ["not-due"]  # always late, 2016-Q1 due 2016-04-30
    # DPKO's 2014-Q3 report covers CPV-03 and PSC-01 but not PSC-02, which it partners (under way since 2014-07)
    assert rows["DPKO"][:2] == ["incomplete", "missing"]
    assert rows["SMIIC"][4] == "missing" and rows["ICYF-DC"][2] == "late"
    # PSC-11 passed its planned end (2015-Q2) but is still running: its lead keeps owing reports
    assert rows["OSA-YEMEN"] == ["submitted", "late", "submitted", "missing", "missing", "missing", "not-due"]


FILTERS = [
    (),
    ("--only", "stale"),
    ("--only", "missing"),
    ("--only", "overdue", "--only", "off-track"),
    ("--area", "humanitarian"),
    ("--area", "disarmament", "--only", "late"),
    ("--org", "UNDP"),
    ("--side", "oic", "--only", "missing"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "none")
def test_every_filters_summary_counts_what_it_shows(run, monkeypatch, filters):
    from collections import Counter

    from uncoop.catalogue import groups

    monkeypatch.chdir(REPO)
    doc = json.loads(run("status", "--as-of", "2016-03-31", "--format", "json", *filters).stdout)
    activities = [a for area in doc["areas"] for a in area["activities"]]
    assert doc["summary"]["activities"] == len(activities)
    assert sum(doc["summary"]["by_status"].values()) == len(activities)
    shown = Counter(f["code"] for f in doc["findings"])
    assert {code: n for code, n in doc["summary"]["findings"].items() if n} == dict(shown)
    wanted = {code for i, word in enumerate(filters) if word == "--only" for code in groups()[filters[i + 1]]}
    if wanted:
        assert set(shown) <= wanted
        assert all(set(a["findings"]) <= wanted and a["findings"] for a in activities)
    rows = doc["reporting"]["institutions"]
    if "--side" in filters:
        assert {r["side"] for r in rows} <= {filters[filters.index("--side") + 1]}
    if "missing" in filters:
        assert all("missing" in r["cells"] for r in rows)  # not an institution that was only late
    if "--area" in filters:
        area = filters[filters.index("--area") + 1]
        assert {a["id"].split("-")[0] for a in activities} <= {"HUM", "DIS"}
        assert rows and len(rows) < 40, area  # the institutions working there, not all of them


@pytest.mark.parametrize("width", [60, 80, 140])
def test_the_summary_wraps_between_items_never_inside_one(width):
    import io

    from uncoop.console import render_status

    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    out = io.StringIO()
    render_status(build_view(matrix, snapshot(matrix, date(2016, 3, 31))), out, width=width, color=False)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.split(" ", 1)[0].isdigit())  # after the data notice
    summary = lines[start : lines.index("")]
    assert len(summary) >= 2 and all(len(line) <= width for line in summary)
    for line, following in zip(summary, summary[1:], strict=False):
        assert line.endswith(",") or following.startswith(("(", "[")), (line, following)


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"empty": []},
        {"one": [1]},
        {"a": 1, "b": [], "c": [{"x": [1, 2], "y": {}}, {}], "d": {"k": []}, "e": "é\n\u2028", "f": None},
    ],
)
def test_streamed_json_is_byte_for_byte_the_document(doc):
    """status --format json writes lists item by item; the bytes are those of the whole document."""
    from uncoop.markup import json_bytes, json_stream

    streamed = b"".join(json_stream((k, iter(v) if isinstance(v, list) else v) for k, v in doc.items()))
    assert streamed == json_bytes(doc)


def test_every_small_output_says_when_its_data_are_illustrative(matrix_dir, run, tmp_path):
    """The report has its notice page; status, letters and forms carry one line, in their
    language, and only when matrix.yaml says the data are not confirmed."""
    import json

    import openpyxl

    line = "About the data: illustrative: made up to show how follow-up works, not real data."
    plain = run("status", "--as-of", "2015-02-15").stdout + run("remind", "--as-of", "2015-02-15").stdout
    assert "About the data" not in plain  # the fixture's data are confirmed
    (matrix_dir / "matrix.yaml").write_text(
        (matrix_dir / "matrix.yaml").read_text() + "provenance:\n  status: illustrative\n"
    )
    table = run("status", "--as-of", "2015-02-15").stdout
    assert " ".join(table.split()).count(line) == 1
    markdown = run("status", "--as-of", "2015-02-15", "--format", "markdown", "--lang", "fr").stdout
    assert "> À propos des données\u202f: fictives" in markdown
    assert json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)["provenance"] == "illustrative"
    letters = run("remind", "--as-of", "2015-02-15").stdout
    assert letters.count(line) == letters.count("\nTo: ") + letters.startswith("To: ") > 0
    run("forms", "--period", "2014-Q4", "--org", "OCHA", "--out", str(tmp_path / "f"))
    cover = openpyxl.load_workbook(next((tmp_path / "f").rglob("*.xlsx"))).worksheets[0]
    assert ["About the data", line] in [[c.value for c in row[:2]] for row in cover.iter_rows()]


def _dashboard(run, monkeypatch, lang: str) -> str:
    """The bundled Matrix's dashboard as of the 2016 meeting, at 80 columns."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("COLUMNS", "80")
    return run("status", "--as-of", "2016-03-31", "--lang", lang).stdout


def test_french_counts_agree_in_number_and_the_legend_has_no_english_letter(run, monkeypatch):
    text = _dashboard(run, monkeypatch, "fr")
    summary = " ".join(text.split("\n\n", 1)[0].split())
    assert "5 clôturées" in summary and "1 annulée" in summary and "1 suspendue" in summary
    legend = text.rstrip().rsplit("\n\n", 1)[-1].splitlines()
    assert "! en retard" in " ".join(legend) and " L " not in f" {' '.join(legend)} "
    assert all(len(line) <= 80 for line in legend) and not any(line.startswith("en cours") for line in legend)


def test_a_wrapped_title_goes_on_under_the_title_and_milestones_are_named_by_title(run, monkeypatch):
    lines = _dashboard(run, monkeypatch, "en").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("CPV-05 "))
    assert lines[at + 1].startswith(" " * len("CPV-05 ")) and lines[at + 1].strip()  # not at column 0
    assert all(len(line) <= 80 for line in lines)
    cpv03 = lines[next(i for i, line in enumerate(lines) if line.startswith("CPV-03 ")) :][:4]
    assert "2016-05-31 M4 Desk-to-desk round in Jeddah" in " ".join(" ".join(cpv03).split())
