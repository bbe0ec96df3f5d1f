"""Quarterly report forms: a workbook per institution that owes the quarter."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.conftest import REPO, edit, hum


def test_one_form_per_institution_that_owes_the_quarter(matrix_dir, run, tmp_path):
    status = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    column = status["reporting"]["quarters"].index("2014-Q4")
    owing = sorted(r["id"] for r in status["reporting"]["institutions"] if r["cells"][column] != "not-required")
    out = tmp_path / "forms"
    result = run("forms", "--period", "2014-Q4", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"report-2014-Q4-{org}.xlsx" for org in owing]
    assert "--as-of" not in result.stderr  # forms has none: no note about the period's end


def test_a_form_holds_the_plan_locked_and_the_answers_open_and_carried_over(matrix_dir, run, tmp_path):
    out = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(out))
    book = load_workbook(out / "report-2015-Q1-OCHA.xlsx")
    assert book.sheetnames == ["Cover", "Report", "Milestones", "Indicators", "uncoop"]
    assert book["uncoop"].sheet_state == "veryHidden"
    assert [c.value for c in book["uncoop"]["B"]][:3] == ["2", "OCHA", "2015-Q1"]
    report = book["Report"]
    assert report.protection.sheet
    row = [c.value for c in report[2]]
    assert row[0] == "HUM-01" and row[5] == "OCHA 2014-Q4" and row[6] == "implementation" and row[7] == 30
    assert report.cell(2, 1).protection.locked and not report.cell(2, 7).protection.locked
    milestones = [[c.value for c in r] for r in book["Milestones"].iter_rows(min_row=2)]
    assert ["HUM-01", "M1"] == milestones[0][:2]


def test_data_is_never_a_formula_and_arabic_forms_read_right_to_left(matrix_dir, run, tmp_path):
    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", '  en: \'=HYPERLINK("https://evil.example","x")\'')
    out = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(out), "--lang", "ar")
    book = load_workbook(out / "report-2015-Q1-OCHA.xlsx")
    title = book.worksheets[1].cell(2, 2)
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets[:4])
    assert book.worksheets[0].title == "الغلاف"


def _visible(book):
    return [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_on_each_page(matrix_dir, run, tmp_path):
    from openpyxl.utils import get_column_letter

    run("forms", "--period", "2015-Q1", "--org", "ICHAD", "--out", str(tmp_path / "forms"), "--lang", "ar")
    book = load_workbook(tmp_path / "forms" / "report-2015-Q1-ICHAD.xlsx")
    assert len(_visible(book)) == 4
    for sheet in _visible(book):
        setup = sheet.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and str(setup.paperSize) == sheet.PAPERSIZE_A4
        for col in range(1, sheet.max_column + 1):  # every column a width of its own, not the default
            dimension = sheet.column_dimensions[get_column_letter(col)]
            assert dimension.customWidth and dimension.width >= 10, (sheet.title, col)
    assert [sheet.print_title_rows for sheet in _visible(book)] == [None, "$1:$1", "$1:$1", "$1:$1"]


def test_the_form_stops_what_is_out_of_range_and_says_so_in_its_language(matrix_dir, run, tmp_path):
    """Status from the list, progress a whole number 0-100, "no change" yes or empty, dates as
    dates, values as numbers: each cell's rule stops a wrong entry with a French message."""
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(tmp_path / "forms"), "--lang", "fr")
    book = load_workbook(tmp_path / "forms" / "report-2015-Q1-OCHA.xlsx")
    rules = {
        (sheet.title, str(rule.sqref)): rule
        for sheet in book.worksheets
        for rule in sheet.data_validations.dataValidation
    }
    assert all(rule.showErrorMessage and rule.errorStyle in (None, "stop") for rule in rules.values())
    status = rules["Rapport", "G2"]
    assert status.type == "list" and not status.allow_blank and "mise en œuvre" in status.formula1
    assert status.error == "Choisissez l'état dans la liste."
    progress = rules["Rapport", "H2"]
    assert (progress.type, progress.operator, progress.formula1, progress.formula2) == ("whole", "between", "0", "100")
    assert progress.error == "L'avancement est un nombre entier de 0 à 100."
    no_change = rules["Rapport", "L2"]
    assert no_change.type == "list" and no_change.formula1 == '"oui"' and no_change.allow_blank
    done = rules["Jalons", "E3"]  # M2, not yet reported done
    assert done.type == "date" and done.error.startswith("Saisissez le jour où le jalon a été atteint")
    value = rules["Indicateurs", "G2"]
    assert value.type == "decimal" and value.formula1 == "0" and "nombre positif ou nul" in value.error
    assert rules["Couverture", "B3"].type == "date"


def test_forms_refuse_a_bad_quarter_and_say_when_nothing_is_owed(matrix_dir, run, tmp_path):
    bad = run("forms", "--period", "2015-Q5", "--out", str(tmp_path / "f"))
    assert bad.exit_code == 2 and "2015-Q5" in bad.stderr
    none = run("forms", "--period", "2015-Q1", "--org", "UNODA", "--out", str(tmp_path / "f"))
    assert none.exit_code == 0 and "owes a report" in none.stderr


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice: apt-get install libreoffice-calc-nogui")
def test_every_form_opens_in_a_real_spreadsheet_application(run, monkeypatch, tmp_path):
    """LibreOffice converts each bundled 2015-Q3 form to CSV, sheet by sheet; every activity asked is there."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "forms"
    assert run("forms", "--period", "2015-Q3", "--out", str(out)).exit_code == 0
    books = sorted(out.iterdir())
    csv = tmp_path / "csv"
    filters = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1"
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            filters,
            "--outdir",
            str(csv),
            *map(str, books),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for book in books:
        asked = [row[0].value for row in load_workbook(book)["Report"].iter_rows(min_row=2)]
        text = (csv / f"{book.stem}-Report.csv").read_text(encoding="utf-8")
        assert all(f"\n{ident}," in text for ident in asked), book.name
        assert text.startswith("Activity,") and ",No change since the last report,Why progress fell\n" in text
    assert len(books) > 30
    # LibreOffice saves one form again as .xlsx: the print set-up and the rules are what it read
    again = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "again"),
            str(out / "report-2015-Q3-OCHA.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    saved = load_workbook(tmp_path / "again" / "report-2015-Q3-OCHA.xlsx")
    report = saved["Report"]
    assert report.page_setup.orientation == "landscape" and report.page_setup.fitToWidth in (1, "1")
    assert report.print_title_rows == "$1:$1"
    kinds = sorted(rule.type for rule in report.data_validations.dataValidation)
    assert kinds == ["list", "list", "whole"]


def test_round_trip_on_the_bundled_matrix_for_2015_q3(tmp_path, run, monkeypatch):
    """Every institution owing 2015-Q3 fills its form (Arabic text, a blank answer, a milestone done);
    all are imported; the Matrix stays valid and status shows the new facts."""
    from datetime import datetime

    root = tmp_path / "repo"
    shutil.copytree(REPO / "matrix", root / "matrix")
    monkeypatch.chdir(root)
    out = tmp_path / "forms"
    assert run("forms", "--period", "2015-Q3", "--out", str(out)).exit_code == 0
    assert len(list(out.iterdir())) == 38  # the README's worked example says so
    returned, milestone = [], None
    for path in sorted(out.iterdir()):
        book = load_workbook(path)
        if book["Report"].max_row < 2:
            continue
        book["Report"]["I2"] = "تقدم العمل وفق الخطة خلال الربع الثالث."
        book["Report"]["J2"] = None
        for row in book["Milestones"].iter_rows(min_row=2):
            if milestone is None and row[4].value is None and not row[4].protection.locked:
                row[4].value = datetime(2015, 9, 15)
                milestone = (row[0].value, row[1].value)
        book.save(tmp_path / path.name)
        returned.append(str(tmp_path / path.name))
    result = run("import", *returned, "--submitted", "2015-10-20")
    assert result.exit_code == 0, result.stdout + result.stderr
    checked = run("validate", "--as-of", "2016-12-31")
    assert checked.exit_code == 0 and "error[" not in checked.stdout  # the bundled Matrix's ¶54 warnings stay
    doc = json.loads(run("status", "--as-of", "2015-12-31", "--format", "json").stdout)
    activity = next(a for area in doc["areas"] for a in area["activities"] if a["id"] == milestone[0])
    assert activity["milestones_done"][milestone[1]] == "2015-09-15"
    before = {p: p.read_bytes() for p in (root / "matrix").rglob("*.yaml")}
    assert run("import", *returned, "--submitted", "2015-10-20").exit_code == 0
    assert {p: p.read_bytes() for p in (root / "matrix").rglob("*.yaml")} == before
