"""An indicator's values are 0 or more unless it declares `allow_negative: true` (a net change, a
balance): its target, baseline and every value reported for it, whether written by hand, by
`uncoop update --set` or by a returned form."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from tests.conftest import edit, hum

ALLOW = ("    target: 8\n", "    target: 8\n    allow_negative: true\n")


def _tree(root):
    return {p: p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize(
    ("old", "new", "where", "english", "french", "arabic"),
    [
        (
            "    target: 8\n",
            "    target: -4\n",
            "HUM-01.yaml:28:13",
            "HUM-01 indicator I1 has target -4, below zero",
            "HUM-01, indicateur I1\u202f: la cible -4 est inférieure à zéro",
            "HUM-01، المؤشر I1: القيمة المستهدفة -4 أقل من الصفر",
        ),
        (
            "    baseline: 0\n",
            "    baseline: -2\n",
            "HUM-01.yaml:27:15",
            "HUM-01 indicator I1 has baseline -2, below zero",
            "HUM-01, indicateur I1\u202f: la valeur de référence -2 est inférieure à zéro",
            "HUM-01، المؤشر I1: قيمة خط الأساس -2 أقل من الصفر",
        ),
    ],
)
def test_a_negative_plan_value_is_a_located_finding_unless_allowed(
    matrix_dir, run, tmp_path, old, new, where, english, french, arabic
):
    act = hum(matrix_dir)
    edit(act, old, new)
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and f"{where}: error[negative-value] {english}" in result.stdout
    # the report lists the validity errors up front, in its language
    for lang, words in (("en", english), ("fr", french), ("ar", arabic)):
        assert (
            run("report", "--as-of", "2015-02-15", "--lang", lang, "--format", "md", "--out", str(tmp_path)).exit_code
            == 0
        )
        report = next(tmp_path.glob(f"progress-report-2015-02-15{'' if lang == 'en' else '.' + lang}.md")).read_text()
        assert f"{where}: {words}" in report
    act.write_text(re.sub(r"(\n    target: -?\d+\n)", r"\1    allow_negative: true\n", act.read_text(), count=1))
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0


def test_a_negative_reported_value_written_by_update_or_a_return_only_where_allowed(matrix_dir, run, tmp_path):
    before = _tree(matrix_dir)
    refused = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.indicators.I1=-3")
    assert refused.exit_code == 2 and "error[negative-value] HUM-01 indicator I1 reported as -3" in refused.stderr
    assert _tree(matrix_dir) == before  # validated before writing: nothing written
    run("forms", "--period", "2015-Q1", "--org", "OCHA", "--out", str(tmp_path / "forms"))
    book = load_workbook(tmp_path / "forms" / "report-2015-Q1-OCHA.xlsx")
    row = next(r for r in book["Indicators"].iter_rows(min_row=2) if (r[0].value, r[1].value) == ("HUM-01", "I1"))
    row[-1].value = -5
    book.save(tmp_path / "ret.xlsx")
    refused = run("import", str(tmp_path / "ret.xlsx"), "--submitted", "2015-04-10")
    assert refused.exit_code != 0 and "error[negative-value] HUM-01 indicator I1 reported as -5" in refused.output
    assert _tree(matrix_dir) == before
    # the same two once the indicator says it can fall below zero
    edit(hum(matrix_dir), *ALLOW)
    assert run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.indicators.I1=-3").exit_code == 0
    assert "      I1: -3\n" in (matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml").read_text()
    assert run("import", str(tmp_path / "ret.xlsx"), "--submitted", "2015-04-10").exit_code == 0
    assert "I1: -5" in (matrix_dir / "updates" / "2015-Q1" / "OCHA.yaml").read_text()
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
