"""Quarterly report forms: a workbook per institution that owes the quarter."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from tests.conftest import edit, hum


def test_one_form_per_institution_that_owes_the_quarter(matrix_dir, run, tmp_path):
    status = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    column = status["reporting"]["quarters"].index("2014-Q4")
    owing = sorted(r["id"] for r in status["reporting"]["institutions"] if r["cells"][column] != "not-required")
    out = tmp_path / "forms"
    result = run("forms", "--period", "2014-Q4", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"report-2014-Q4-{org}.xlsx" for org in owing]


def test_a_form_holds_the_plan_locked_and_the_answers_open_and_carried_over(matrix_dir, run, tmp_path):
    out = tmp_path / "forms"
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(out))
    book = load_workbook(out / "report-2015-Q1-OCHA.xlsx")
    assert book.sheetnames == ["Cover", "Report", "Milestones", "Indicators", "uncoop"]
    assert book["uncoop"].sheet_state == "veryHidden"
    assert [c.value for c in book["uncoop"]["B"]][:3] == ["1", "OCHA", "2015-Q1"]
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


def test_forms_refuse_a_bad_quarter_and_say_when_nothing_is_owed(matrix_dir, run, tmp_path):
    bad = run("forms", "--period", "2015-Q5", "--out", str(tmp_path / "f"))
    assert bad.exit_code == 2 and "2015-Q5" in bad.stderr
    none = run("forms", "--period", "2015-Q1", "--org", "UNODA", "--out", str(tmp_path / "f"))
    assert none.exit_code == 0 and "owes a report" in none.stderr
