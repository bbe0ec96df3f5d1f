"""Returned forms read back by `uncoop import`: the round trip, and every way a return can be wrong."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook


def test_round_trip_forms_filled_imported_validated_shown_and_idempotent(matrix_dir, run, tmp_path):
    forms = tmp_path / "forms"
    assert run("forms", "--period", "2015-Q1", "--out", str(forms)).exit_code == 0
    returned = []
    for path in sorted(forms.iterdir()):
        book = load_workbook(path)
        report = book["Report"]
        if report.max_row < 2:
            continue
        report["I2"] = "تم عقد الاجتماع الثاني في جدة."  # Arabic text
        report["J2"] = None  # a blank answer
        for row in book["Milestones"].iter_rows(min_row=2):
            if row[0].value == "HUM-01" and row[1].value == "M2":
                row[4].value = datetime(2015, 3, 20)  # a completed milestone
        out = tmp_path / f"filled-{path.name}"
        book.save(out)
        returned.append(str(out))
    assert returned
    result = run("import", *returned, "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    status = json.loads(run("status", "--as-of", "2015-06-01", "--format", "json").stdout)
    hum = next(a for area in status["areas"] for a in area["activities"] if a["id"] == "HUM-01")
    assert hum["milestones_done"]["M2"] == "2015-03-20" and hum["last_update"] == "2015-04-10"
    before = {p: p.read_bytes() for p in (matrix_dir / "updates").rglob("*.yaml")}
    again = run("import", *returned, "--submitted", "2015-04-10")
    assert again.exit_code == 0 and {p: p.read_bytes() for p in (matrix_dir / "updates").rglob("*.yaml")} == before


@pytest.mark.parametrize(
    ("changes", "wanted"),
    [
        ({("Report", "I2"): "=1+1"}, "!Report!I2: error[invalid-value] a formula, not a value"),
        ({("Report", "H2"): "60 %"}, "!Report!H2: error[wrong-type] progress '60 %' is not a number"),
        ({("Report", "H2"): 0.6}, "!Report!H2: error[invalid-value] progress 0.6 is not a percentage"),
        ({("Report", "A3"): "CPV-01"}, "!Report!A3: error[unknown-activity] CPV-01 is not among the activities"),
        ({("Report", "N1"): "extra"}, "!Report!N1: error[invalid-value] the Report sheet has 14 columns"),
        ({("Milestones", "E3"): "20/03/2015"}, "!Milestones!E3: error[invalid-date] '20/03/2015' is not a date cell"),
        (
            {("Milestones", "E3"): 42083},
            "!Milestones!E3: error[invalid-date] '42083' is not a date cell",
        ),  # unformatted
        ({("uncoop", "B2"): "DPA"}, "error[unknown-activity] HUM-01 is not among the activities DPA"),
        (
            {("Report", "B2"): "A better title"},
            "!Report!B2: error[invalid-value] the plan says 'OIC-OCHA Plan of Action'",
        ),
        ({}, "error[empty-file] the return has no answer"),
        ({("uncoop", "B1"): "1"}, "error[invalid-value] the form is version 1; this uncoop reads version 2"),
        (
            {("Report", "H2"): 20},
            "!Report!M2: error[missing-field] HUM-01: progress 20 is below the 30 of the last report (OCHA 2014-Q4) "
            "and no reason is given",
        ),
        ({("Report", "L2"): "maybe"}, "!Report!L2: error[invalid-value] 'maybe' is not an answer to 'no change'"),
        (
            {("Report", "L2"): "yes", ("Report", "H2"): 50},
            "!Report!H2: error[invalid-value] HUM-01 is marked 'no change' but this changes progress to 50",
        ),
        (
            {("Report", "L2"): "yes", ("Milestones", "E3"): datetime(2015, 3, 20)},
            "!Milestones!E3: error[invalid-value] HUM-01 is marked 'no change' but this changes milestones_done",
        ),
        (
            {("Report", "L2"): "yes", ("Indicators", "G2"): 5},
            "!Indicators!G2: error[invalid-value] HUM-01 is marked 'no change' but this changes indicators to 5",
        ),
        ({("Report", "G2"): "en cours"}, "!Report!G2: error[invalid-value] status 'en cours' is not one of pipeline,"),
    ],
)
def test_a_wrong_return_is_located_and_writes_nothing(matrix_dir, run, tmp_path, changes, wanted):
    forms = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(forms))
    book = load_workbook(forms / "report-2015-Q1-OCHA.xlsx")
    for (sheet, cell), value in changes.items():
        book[sheet][cell].value = value
        if isinstance(value, int):
            book[sheet][cell].number_format = "General"  # a bare serial number, not a date cell
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    before = {p: p.read_bytes() for p in matrix_dir.rglob("*") if p.is_file()}
    result = run("import", str(bad), "--submitted", "2015-04-10")
    assert result.exit_code == 1 and wanted in result.stdout, result.stdout
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in matrix_dir.rglob("*") if p.is_file()} == before  # the tree, byte for byte


def test_what_is_not_a_form_is_refused_in_one_line(matrix_dir, run, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    result = run("import", str(junk))
    wanted = f"{junk}: error[unreadable] not a workbook uncoop wrote (BadZipFile)"
    assert result.exit_code == 1 and result.stdout == wanted + " (send back the .xlsx from uncoop forms)\n"


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_workbook_with_broken_xml_is_one_finding_not_an_internal_error(matrix_dir, run, tmp_path, part):
    import zipfile

    forms = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(forms))
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(forms / "report-2015-Q1-OCHA.xlsx") as form, zipfile.ZipFile(broken, "w") as out:
        for info in form.infolist():
            data = form.read(info)
            out.writestr(info, data[: len(data) // 2] if info.filename == part else data)
    result = run("import", str(broken), "--submitted", "2015-04-10")
    assert result.exit_code == 1 and "internal error" not in result.output
    assert result.stdout.startswith(f"{broken}: error[unreadable] not a workbook uncoop wrote (")


def test_merged_cells_and_a_huge_file_are_refused(matrix_dir, run, tmp_path):
    forms = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(forms))
    book = load_workbook(forms / "report-2015-Q1-OCHA.xlsx")
    book["Report"]["I2"] = "done"
    book["Report"].merge_cells("I2:J2")
    merged = tmp_path / "merged.xlsx"
    book.save(merged)
    result = run("import", str(merged), "--submitted", "2015-04-10")
    assert result.exit_code == 1 and "!Report!I2: error[invalid-value] merged cells I2:J2" in result.stdout
    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(b"PK" + b"0" * (6 << 20))
    result = run("import", str(huge))
    assert result.exit_code == 1 and "error[unsafe-path]" in result.stdout and "over the" in result.stdout


def csv_form(run, tmp_path):
    out = tmp_path / "csv"
    assert run("forms", "--period", "2015-Q1", "--org", "OCHA", "--format", "csv", "--out", str(out)).exit_code == 0
    return out / "report-2015-Q1-OCHA.csv"


def answer(path, **answers):
    """Fill the answer column of rows named 'activity/what[/item]'."""
    import csv
    import io

    stamp, body = path.read_text(encoding="utf-8").split("\n", 1)
    rows = list(csv.reader(io.StringIO(body)))
    for cells in rows[1:]:
        key = "/".join(filter(None, (cells[0], cells[2], cells[1])))
        if key in answers:
            cells[-1] = answers[key]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    path.write_text(stamp + "\n" + out.getvalue(), encoding="utf-8")
    return path


def test_the_csv_door_round_trips_and_refuses_what_the_workbook_refuses(matrix_dir, run, tmp_path):
    form = csv_form(run, tmp_path)
    assert form.read_text().startswith("# uncoop form 2, organization=OCHA, period=2015-Q1,")
    answer(
        form, **{"HUM-01/progress": "45", "HUM-01/narrative": "اجتماع ثانٍ في جدة", "HUM-01/milestone/M2": "2015-03-20"}
    )
    result = run("import", str(form), "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    update = (matrix_dir / "updates" / "2015-Q1" / "OCHA.yaml").read_text()
    assert "progress: 45" in update and "M2: 2015-03-20" in update and "اجتماع ثانٍ في جدة" in update
    for bad, wanted in (
        ({"HUM-01/progress": "60 %"}, ":4:5: error[wrong-type] '60 %' is not a number"),
        ({"HUM-01/progress": "0.6"}, ":4:5: error[invalid-value] progress 0.6 is not a percentage"),
        ({"HUM-01/narrative": "=HYPERLINK(1)"}, ":5:5: error[invalid-value] a formula, not a value"),
        ({"HUM-01/milestone/M2": "20/03/2015"}, "error[invalid-date] '20/03/2015' is not a date"),
    ):
        form = answer(csv_form(run, tmp_path), **bad)
        before = {p: p.read_bytes() for p in (matrix_dir / "updates").rglob("*.yaml")}
        refused = run("import", str(form), "--submitted", "2015-04-10")
        assert refused.exit_code == 1 and wanted in refused.stdout, refused.stdout
        assert {p: p.read_bytes() for p in (matrix_dir / "updates").rglob("*.yaml")} == before


def test_csv_cells_from_the_data_cannot_run_in_a_spreadsheet(matrix_dir, run, tmp_path):
    from tests.conftest import edit, hum

    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", "  en: '=HYPERLINK(\"https://evil.example\")'")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_form(run, tmp_path).read_text().split("\n", 1)[1])))
    assert ["HUM-01", "", "status", '\'=HYPERLINK("https://evil.example")', "implementation"] in rows


def test_a_zip_bomb_or_a_workbook_missing_its_sheets_is_refused_in_one_line(matrix_dir, run, tmp_path):
    import zipfile

    from openpyxl import Workbook

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (80 << 20))  # 80 MB unpacked, ~80 KB packed
    result = run("import", str(bomb))
    assert result.exit_code == 1 and "error[unsafe-path]" in result.stdout and "unpacks to" in result.stdout
    thin = Workbook()
    thin.create_sheet("uncoop")
    thin["uncoop"]["A2"], thin["uncoop"]["B2"] = "organization", "OCHA"
    thin["uncoop"]["A3"], thin["uncoop"]["B3"] = "period", "2015-Q1"
    thin.save(tmp_path / "thin.xlsx")
    result = run("import", str(tmp_path / "thin.xlsx"))
    assert result.exit_code == 1 and "error[missing-field]" in result.stdout and "Traceback" not in result.output


def test_import_never_writes_through_a_linked_out_updates_folder(matrix_dir, run, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (matrix_dir / "updates" / "2015-Q1").symlink_to(elsewhere, target_is_directory=True)
    forms = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(forms))
    book = load_workbook(forms / "report-2015-Q1-OCHA.xlsx")
    book["Report"]["I2"] = "done"
    book.save(tmp_path / "ret.xlsx")
    result = run("import", str(tmp_path / "ret.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 2 and list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("sheet", "where", "value", "wanted"),
    [
        ("Milestones", ("HUM-01", "M2"), datetime(2099, 1, 1), "error[future-date] milestone M2 done 2099-01-01"),
        ("Indicators", ("HUM-01", "I1"), -4, "error[negative-value] HUM-01 indicator I1 reported as -4"),
        ("Report", "I2", "a\tb", "the text holds a tab (U+0009)"),
    ],
)
def test_a_return_that_validate_would_refuse_writes_nothing(matrix_dir, run, tmp_path, sheet, where, value, wanted):
    forms = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(forms))
    book = load_workbook(forms / "report-2015-Q1-OCHA.xlsx")
    if isinstance(where, str):
        book[sheet][where].value = value
    else:
        row = next(r for r in book[sheet].iter_rows(min_row=2) if (r[0].value, r[1].value) == where)
        row[-1 if sheet == "Indicators" else 4].value = value
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    before = {p: p.read_bytes() if p.is_file() else None for p in matrix_dir.rglob("*")}
    result = run("import", str(bad), "--submitted", "2015-04-10")
    assert result.exit_code != 0 and wanted in result.output, result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() if p.is_file() else None for p in matrix_dir.rglob("*")} == before


# ---------------------------------------------------------------------------------------------
# Budgets of a returned workbook: past each, one finding naming the file, before the work.
# ---------------------------------------------------------------------------------------------


def _grown(run, tmp_path, name: str, grow) -> Path:
    """The OCHA form for 2015-Q1 as uncoop writes it, changed by `grow(book)`, saved as `name`."""
    forms = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(forms))
    book = load_workbook(forms / "report-2015-Q1-OCHA.xlsx")
    grow(book)
    book.save(tmp_path / name)
    return tmp_path / name


def test_a_return_past_the_row_or_column_budget_is_one_finding(matrix_dir, run, tmp_path):
    from uncoop.returns import MAX_COLUMNS, MAX_ROWS

    def rows(book):
        for r in range(MAX_ROWS + 50):
            book["Indicators"].append([f"X-{r}", "I1"])

    def columns(book):
        book["Report"].cell(2, MAX_COLUMNS + 1, "one cell too far right")

    before = {p: p.read_bytes() for p in (matrix_dir / "updates").rglob("*.yaml")}
    for name, grow, where in (
        ("rows.xlsx", rows, "Indicators sheet goes past row 2,000"),
        ("cols.xlsx", columns, "Report sheet goes past column 30"),
    ):
        result = run("import", str(_grown(run, tmp_path, name, grow)), "--submitted", "2015-04-10")
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stdout.count("\n") == 1 and result.stdout.startswith(
            f"{tmp_path / name}: error[unsafe-path] the {where}"
        )
    assert {p: p.read_bytes() for p in (matrix_dir / "updates").rglob("*.yaml")} == before


def test_a_return_at_the_row_budget_is_still_read(matrix_dir, run, tmp_path):
    from uncoop.returns import MAX_ROWS

    def rows(book):
        book["Report"].cell(MAX_ROWS, 1, "X-99")  # the last row read: an activity not asked about

    result = run("import", str(_grown(run, tmp_path, "edge.xlsx", rows)), "--submitted", "2015-04-10")
    assert result.exit_code == 1 and "unsafe-path" not in result.stdout
    assert f"edge.xlsx!Report!A{MAX_ROWS}: error[unknown-activity] X-99 is not among the activities" in result.stdout


def test_a_zip_of_many_members_is_refused_before_it_is_opened(matrix_dir, run, tmp_path):
    import zipfile

    from uncoop.returns import MAX_MEMBERS

    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(MAX_MEMBERS + 1):
            archive.writestr(f"xl/media/{i}.bin", b"")
    result = run("import", str(many))
    assert result.exit_code == 1
    assert result.stdout == f"{many}: error[unsafe-path] the workbook holds 65 files, over 64\n"
    # a workbook that declares more than 10 MB unpacked (here 11 MB of one repeated byte, ~11 KB sent)
    bomb = tmp_path / "small-bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (11 << 20))
    assert bomb.stat().st_size < 100_000
    result = run("import", str(bomb))
    assert result.exit_code == 1 and "unpacks to 11,534,336 bytes, over 10,485,760" in result.stdout


def test_a_return_whose_sheets_claim_a_hundred_thousand_rows_is_refused(matrix_dir, run, tmp_path):
    import re
    import zipfile

    form = _grown(run, tmp_path, "form.xlsx", lambda book: None)
    claimed = tmp_path / "claimed.xlsx"
    with zipfile.ZipFile(form) as source, zipfile.ZipFile(claimed, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K99999"', data)
            out.writestr(info, data)
    result = run("import", str(claimed), "--submitted", "2015-04-10")
    assert result.exit_code == 1
    assert "goes past row 2,000 or column 30 (its stated dimensions are 99,999 x 11)" in result.stdout


def _tree(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _ocha_return(run, tmp_path, date_cell):
    """OCHA's 2015-Q1 form with one answer, its Cover's date of this report set to `date_cell`."""
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(tmp_path / "forms"))
    book = load_workbook(tmp_path / "forms" / "report-2015-Q1-OCHA.xlsx")
    cover = book.worksheets[0]
    assert cover["A3"].value == "Date of this report" and cover["B3"].protection.locked is False
    assert [v.type for v in cover.data_validations.dataValidation] == ["date"]
    cover["B3"] = date_cell
    book["Report"]["I2"] = "The second meeting was held."
    path = tmp_path / "ret.xlsx"
    book.save(path)
    return path


def test_the_form_s_date_of_this_report_is_the_day_submitted(matrix_dir, run, tmp_path):
    path = _ocha_return(run, tmp_path, datetime(2015, 4, 12))
    result = run("import", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    update = (matrix_dir / "updates" / "2015-Q1" / "OCHA.yaml").read_text()
    assert "submitted: 2015-04-12" in update
    # as the README's cycle says: status as of the quarter's deadline shows the report on time
    status = json.loads(run("status", "--as-of", "2015-06-30", "--format", "json").stdout)
    cells = dict(
        zip(
            status["reporting"]["quarters"],
            next(r["cells"] for r in status["reporting"]["institutions"] if r["id"] == "OCHA"),
            strict=True,
        )
    )
    assert cells["2015-Q1"] == "submitted"
    # --submitted says otherwise: it wins, and the run says it differs from the form
    again = run("import", str(path), "--submitted", "2015-04-20", "--dry-run")
    assert "submitted 2015-04-20 (--submitted), not the form's 2015-04-12" in again.stderr


@pytest.mark.parametrize(
    ("cell", "wanted"),
    [
        (None, "ret.xlsx!Cover!B3: error[missing-field] the return does not give the date of this report"),
        ("last Tuesday", "ret.xlsx!Cover!B3: error[invalid-date] the date of this report 'last Tuesday' is not a date"),
        (
            datetime(2014, 12, 31),
            "ret.xlsx!Cover!B3: error[invalid-date] the date of this report, 2014-12-31, is before",
        ),
        (datetime(2999, 1, 1), "ret.xlsx!Cover!B3: error[invalid-date] the date of this report, 2999-01-01, is after"),
    ],
)
def test_without_a_date_of_this_report_import_refuses_and_writes_nothing(matrix_dir, run, tmp_path, cell, wanted):
    path = _ocha_return(run, tmp_path, cell)
    before = _tree(matrix_dir)
    result = run("import", str(path))
    assert result.exit_code == 1 and wanted in result.stdout, result.stdout + result.stderr
    assert _tree(matrix_dir) == before  # byte for byte: no update, no folder, never today's date


def test_a_csv_return_needs_submitted_and_says_so(matrix_dir, run, tmp_path):
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--format", "csv", "--out", str(tmp_path / "forms"))
    lines = (tmp_path / "forms" / "report-2015-Q1-OCHA.csv").read_text().splitlines()
    filled = [line[: -len('""')] + '"Met in Jeddah."' if ',"narrative",' in line else line for line in lines]
    path = tmp_path / "ret.csv"
    path.write_text("\n".join(filled) + "\n")
    before = _tree(matrix_dir)
    refused = run("import", str(path))
    assert refused.exit_code == 1 and "ret.csv:1:1: error[missing-field]" in refused.stdout
    assert "add --submitted DATE" in refused.stdout and _tree(matrix_dir) == before
    assert run("import", str(path), "--submitted", "2015-04-10").exit_code == 0


# ---------------------------------------------------------------------------------------------
# "No change since the last report", "Why progress fell", and a form in another language.
# ---------------------------------------------------------------------------------------------


def _form(run, tmp_path, org: str, lang: str = "en"):
    run("forms", "--period", "2015-Q1", "--org", org, "--lang", lang, "--out", str(tmp_path / "forms"))
    return load_workbook(tmp_path / "forms" / f"report-2015-Q1-{org}.xlsx")


def _entries(matrix_dir: Path, org: str) -> list[dict]:
    import yaml

    return yaml.safe_load((matrix_dir / "updates" / "2015-Q1" / f"{org}.yaml").read_text())["entries"]


def test_no_change_reports_the_last_report_again_and_a_row_left_as_it_is_reports_nothing(matrix_dir, run, tmp_path):
    """ICHAD's form asks about HUM-01 (last reported by OCHA for 2014-Q4) and HUM-02: "yes" on the
    first, the second left as the form gave it.  The update holds HUM-01 alone, as OCHA's report
    left it, marked as carried over from 2014-Q4; it validates; importing it again changes nothing."""
    book = _form(run, tmp_path, "ICHAD")
    report = book["Report"]
    assert report["L1"].value == "No change since the last report" and report["M1"].value == "Why progress fell"
    assert [report.cell(r, 1).value for r in (2, 3)] == ["HUM-01", "HUM-02"]
    report["L2"], report["I2"] = "yes", "Nothing moved: the experts' travel is still unfunded."
    book.save(tmp_path / "ret.xlsx")
    result = run("import", str(tmp_path / "ret.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    (entry,) = _entries(matrix_dir, "ICHAD")
    assert entry == {
        "activity": "HUM-01",
        "status": "implementation",
        "progress": 30,
        "carried_over_from": "2014-Q4",
        "indicators": {"I1": 2},
        "narrative": "Nothing moved: the experts' travel is still unfunded.",
    }
    assert "carried_over_from: 2014-Q4" in (matrix_dir / "updates" / "2015-Q1" / "ICHAD.yaml").read_text()
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    before = _tree(matrix_dir)
    assert run("import", str(tmp_path / "ret.xlsx"), "--submitted", "2015-04-10").exit_code == 0
    assert _tree(matrix_dir) == before


def test_no_change_is_not_offered_where_nothing_was_reported_before(matrix_dir, run, tmp_path):
    """DPA's CPV-01 has no report yet: its "no change" cell is grey and locked, and a "yes" forced
    into it is refused, located, with nothing written."""
    book = _form(run, tmp_path, "DPA")
    report = book["Report"]
    assert report["F2"].value == "the plan" and report["L2"].protection.locked
    report["L2"] = "yes"
    book.save(tmp_path / "ret.xlsx")
    before = _tree(matrix_dir)
    result = run("import", str(tmp_path / "ret.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "ret.xlsx!Report!L2: error[invalid-value] no change, but no earlier report on this activity" in result.stdout
    assert _tree(matrix_dir) == before


def test_progress_below_the_last_report_is_written_with_its_reason(matrix_dir, run, tmp_path):
    book = _form(run, tmp_path, "OCHA")
    book["Report"]["H2"] = 20  # the last report, OCHA's for 2014-Q4, said 30
    book.save(tmp_path / "fell.xlsx")
    before = _tree(matrix_dir)
    refused = run("import", str(tmp_path / "fell.xlsx"), "--submitted", "2015-04-10")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.stdout.startswith(f"{tmp_path / 'fell.xlsx'}!Report!M2: error[missing-field] HUM-01: progress 20")
    assert _tree(matrix_dir) == before
    book["Report"]["M2"] = "Half of the workshops were postponed to 2015-Q2."
    book.save(tmp_path / "fell.xlsx")
    result = run("import", str(tmp_path / "fell.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    (entry,) = _entries(matrix_dir, "OCHA")
    assert entry["progress"] == 20 and entry["progress_note"] == "Half of the workshops were postponed to 2015-Q2."
    checked = run("validate", "--as-of", "2016-12-31")
    assert checked.exit_code == 0 and "progress-regression" not in checked.stdout


def test_a_french_form_speaks_french_and_its_words_read_back_as_the_values(matrix_dir, run, tmp_path):
    """The legend and the status list are French; "mise en œuvre" (as the list gives it, or typed
    "Mise en oeuvre") reads back as implementation, "suspendue" as suspended, "oui" as yes."""
    book = _form(run, tmp_path, "ICHAD", "fr")
    cover, report = book.worksheets[0], book["Rapport"]
    legend = {row[0].value: row[1].value for row in cover.iter_rows() if row[0].value}
    assert legend["État"] == "en préparation, mise en œuvre, finalisation, clôturée, annulée, suspendue"
    assert legend["Aucun changement depuis le dernier rapport"].startswith("Choisissez «\u202foui\u202f» si rien")
    assert "Raison du recul de l'avancement" in legend and "Cellules blanches" in legend
    assert report["G2"].value == "mise en œuvre" and report["L1"].value == "Aucun changement depuis le dernier rapport"
    statuses = next(v for v in report.data_validations.dataValidation if v.type == "list" and "G2" in str(v.sqref))
    assert statuses.formula1 == '"en préparation,mise en œuvre,finalisation,clôturée,annulée,suspendue"'
    report["I2"] = "Le groupe de travail s'est réuni à Djeddah."  # HUM-01 keeps "mise en œuvre"
    report["G3"], report["I3"] = "suspendue", "En attente de financement."
    book.save(tmp_path / "fr.xlsx")
    result = run("import", str(tmp_path / "fr.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [(e["activity"], e["status"]) for e in _entries(matrix_dir, "ICHAD")] == [
        ("HUM-01", "implementation"),
        ("HUM-02", "suspended"),
    ]
    (matrix_dir / "updates" / "2015-Q1" / "ICHAD.yaml").unlink()
    report["G2"], report["I2"], report["G3"], report["I3"] = "Mise en oeuvre", None, "mise en œuvre", None
    report["L2"] = "OUI"
    book.save(tmp_path / "fr.xlsx")
    result = run("import", str(tmp_path / "fr.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [(e["activity"], e.get("carried_over_from")) for e in _entries(matrix_dir, "ICHAD")] == [
        ("HUM-01", "2014-Q4")
    ]


def test_an_arabic_form_answers_no_change_in_arabic(matrix_dir, run, tmp_path):
    book = _form(run, tmp_path, "OCHA", "ar")
    report = book.worksheets[1]
    assert report["G2"].value == "قيد التنفيذ" and report["L1"].value == "لا تغيير منذ التقرير الأخير"
    report["L2"] = "نعم"
    book.save(tmp_path / "ar.xlsx")
    result = run("import", str(tmp_path / "ar.xlsx"), "--submitted", "2015-04-10")
    assert result.exit_code == 0, result.stdout + result.stderr
    (entry,) = _entries(matrix_dir, "OCHA")
    assert entry["status"] == "implementation" and entry["carried_over_from"] == "2014-Q4"


def test_the_csv_door_answers_no_change_and_why_progress_fell(matrix_dir, run, tmp_path):
    form = csv_form(run, tmp_path)
    text = form.read_text()
    assert '"HUM-01","","no_change","No change since the last report (OCHA 2014-Q4)",""' in text
    assert '"HUM-01","","progress_note","Why progress fell",""' in text
    answer(form, **{"HUM-01/progress": "20"})
    before = _tree(matrix_dir)
    refused = run("import", str(form), "--submitted", "2015-04-10")
    assert refused.exit_code == 1 and ":8:5: error[missing-field] HUM-01: progress 20 is below the 30" in refused.stdout
    assert _tree(matrix_dir) == before
    answer(form, **{"HUM-01/progress_note": "Workshops postponed."})
    assert run("import", str(form), "--submitted", "2015-04-10").exit_code == 0
    assert _entries(matrix_dir, "OCHA")[0]["progress_note"] == "Workshops postponed."
    (matrix_dir / "updates" / "2015-Q1" / "OCHA.yaml").unlink()
    form = answer(csv_form(run, tmp_path), **{"HUM-01/no_change": "yes"})
    assert run("import", str(form), "--submitted", "2015-04-10").exit_code == 0
    assert _entries(matrix_dir, "OCHA")[0]["carried_over_from"] == "2014-Q4"
