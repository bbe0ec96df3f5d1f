"""Each validity check, on a planted mistake in the fixture Matrix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import edit, hum
from uncoop.check import skeleton, validate
from uncoop.problem import sort_problems

TODAY = date(2016, 12, 31)
HUM = "matrix/activities/humanitarian/HUM-01.yaml"


def found(matrix_dir: Path, today: date = TODAY) -> list[str]:
    _, problems = validate(matrix_dir, today, matrix_dir.parent)
    return [p.as_text() for p in sort_problems(problems)]


def test_fixture_is_clean(matrix_dir: Path):
    assert found(matrix_dir) == []


def test_unknown_organization_with_did_you_mean(matrix_dir: Path):
    edit(hum(matrix_dir), "partners: [UNHCR]", "partners: [UNHRC]")
    assert found(matrix_dir) == [
        f"{HUM}:11:12: error[unknown-organization] organization 'UNHRC' is not in organizations.yaml "
        "(did you mean 'UNHCR'?)"
    ]


def test_lead_on_the_wrong_side(matrix_dir: Path):
    edit(hum(matrix_dir), "oic: [ICHAD]", "oic: [ICHAD, UNHCR]")
    assert found(matrix_dir) == [
        f"{HUM}:10:16: error[wrong-side] 'UNHCR' is on the UN side but listed under oic (move it to the un list)"
    ]


def test_duplicate_activity_id(matrix_dir: Path):
    copy = matrix_dir / "activities" / "humanitarian" / "HUM-03.yaml"
    copy.write_text(hum(matrix_dir).read_text())
    result = found(matrix_dir)
    assert (
        f"matrix/activities/humanitarian/HUM-03.yaml:1:5: error[duplicate-id] activity id 'HUM-01' "
        f"is already used at {HUM}:1:5"
    ) in result
    assert any("[id-mismatch] activity id 'HUM-01' differs from its file name 'HUM-03.yaml'" in r for r in result)


def test_lookalike_organization_ids(matrix_dir: Path):
    orgs = matrix_dir / "organizations.yaml"
    orgs.write_text(
        orgs.read_text() + "  - id: UN0DA\n    name: Fake\n    side: un\n    kind: office\n"
        "  - id: X Y\n    name: Bad\n    side: un\n    kind: office\n"
    )
    assert found(matrix_dir) == [
        "matrix/organizations.yaml:34:9: error[lookalike-id] organization id 'UN0DA' looks like 'UNODA' at "
        "matrix/organizations.yaml:10:9 (ids must be told apart at a glance; rename one)",
        "matrix/organizations.yaml:38:9: error[invalid-id] organizations[8].id: 'X Y' is not a valid organization "
        "id; write it like 'OCHA'",
    ]
    assert skeleton("OCHA") == skeleton("0cha") != skeleton("OCHR")


def test_duplicate_milestone_inside_an_activity(matrix_dir: Path):
    edit(hum(matrix_dir), "  - id: M2", "  - id: M1")
    assert found(matrix_dir) == [f"{HUM}:20:9: error[duplicate-id] milestone id 'M1' appears twice in HUM-01"]


def test_unknown_area(matrix_dir: Path):
    edit(hum(matrix_dir), "area: humanitarian", "area: humanitrian")
    assert (
        f"{HUM}:5:7: error[unknown-area] area 'humanitrian' is not in areas.yaml (did you mean 'humanitarian'?)"
        in found(matrix_dir)
    )


def test_update_references(matrix_dir: Path):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    edit(update, "M1: 2014-12-10", "N1: 2014-12-10")
    edit(update, "I1: 2", "I7: 2")
    path = "matrix/updates/2014-Q4/OCHA.yaml"
    assert found(matrix_dir) == [
        f"{path}:9:7: error[unknown-milestone] HUM-01 has no milestone 'N1' (did you mean 'M1'?)",
        f"{path}:11:7: error[unknown-indicator] HUM-01 has no indicator 'I7' (did you mean 'I1'?)",
    ]


def test_update_for_unknown_or_foreign_activity(matrix_dir: Path):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    text = update.read_text()
    update.write_text(
        text + "  - activity: HUM-11\n    status: closed\n    progress: 100\n"
        "  - activity: CPV-01\n    status: closed\n    progress: 100\n"
    )
    path = "matrix/updates/2014-Q4/OCHA.yaml"
    assert found(matrix_dir) == [
        f"{path}:14:15: error[unknown-activity] activity 'HUM-11' does not exist (did you mean 'HUM-01'?)",
        f"{path}:17:15: warning[not-involved] OCHA neither leads nor partners CPV-01 "
        "(add it as a partner in the activity, or drop the entry)",
    ]


def test_dates_in_the_wrong_order_and_milestones_outside(matrix_dir: Path):
    edit(hum(matrix_dir), "planned_end: 2016-Q2", "planned_end: 2014-06")
    result = found(matrix_dir)
    assert f"{HUM}:15:16: error[date-order] planned_end 2014-06 is before planned_start 2014-07" in result
    assert f"{HUM}:19:10: error[milestone-outside] milestone M1 is due 2014-12-31, outside 2014-07..2014-06" in result


def test_month_precision_is_not_date_order(matrix_dir: Path):
    edit(hum(matrix_dir), "planned_end: 2016-Q2", "planned_end: 2014-07-15")
    result = found(matrix_dir)
    assert not any("date-order" in r for r in result)


def test_update_dates(matrix_dir: Path):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    edit(update, "submitted: 2015-01-25", "submitted: 2014-12-20")
    path = "matrix/updates/2014-Q4/OCHA.yaml"
    result = found(matrix_dir)
    assert f"{path}:3:12: error[early-submission] submitted 2014-12-20, before 2014-Q4 ended on 2014-12-31" in result
    assert f"{path}:9:11: error[future-date] milestone M1 done 2014-12-10, after the report was submitted" not in result


def test_update_for_a_quarter_not_over(matrix_dir: Path):
    path = "matrix/updates/2014-Q4/OCHA.yaml"
    result = found(matrix_dir, today=date(2014, 12, 31))
    assert (
        f"{path}:2:9: error[future-update] 2014-Q4 has not ended on 2014-12-31 (report a quarter once it is over)"
        in result
    )
    assert not any("future-update" in r for r in found(matrix_dir, today=date(2015, 1, 25)))


def test_update_outside_the_matrix_period_and_misfiled(matrix_dir: Path):
    folder = matrix_dir / "updates" / "2014-Q2"
    folder.mkdir()
    (folder / "OCHA.yaml").write_text("organization: OCHA\nperiod: 2014-Q2\nsubmitted: 2014-07-10\n")
    (matrix_dir / "updates" / "2014-Q3" / "UNHCR.yaml").write_text(
        "organization: OCHA\nperiod: 2014-Q3\nsubmitted: 2014-10-10\n"
    )
    result = found(matrix_dir)
    assert (
        "matrix/updates/2014-Q2/OCHA.yaml:2:9: error[period-outside] 2014-Q2 is outside the Matrix period "
        "2014-07-01..2016-06-30"
    ) in result
    assert (
        "matrix/updates/2014-Q3/UNHCR.yaml:1:15: error[id-mismatch] update of 'OCHA' is filed as 'UNHCR.yaml' "
        "(rename the file to OCHA.yaml)"
    ) in result


def test_future_actual_dates(matrix_dir: Path):
    edit(hum(matrix_dir), "  planned_end: 2016-Q2\n", "  planned_end: 2016-Q2\n  actual_start: 2015-01-10\n")
    assert found(matrix_dir, today=date(2015, 1, 9)) == [
        f"{HUM}:16:17: error[future-date] actual_start 2015-01-10 is after 2015-01-09 "
        "(actual dates record what has happened; use planned_* for the future)",
        "matrix/updates/2014-Q4/OCHA.yaml:3:12: error[future-date] submitted 2015-01-25 is after 2015-01-09",
    ]
    assert found(matrix_dir, today=date(2015, 1, 26)) == []


def test_a_matrix_written_for_a_later_format_is_refused_and_one_without_a_format_is_format_1(matrix_dir: Path, run):
    assert "format" not in (matrix_dir / "matrix.yaml").read_text()  # the fixture predates the field
    assert run("validate").exit_code == 0
    edit(matrix_dir / "matrix.yaml", "title: Test", "format: 2\ntitle: Test")
    result = run("validate")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        "matrix/matrix.yaml:2:9: error[invalid-value] the Matrix is in format 2; this uncoop reads format 1 "
        "(upgrade uncoop to a version that reads it: pip install -U uncoop)"
    ) in result.stdout
    edit(matrix_dir / "matrix.yaml", "format: 2", "format: 1")
    assert run("validate").exit_code == 0


def test_a_carry_over_mark_must_repeat_what_its_quarter_said(matrix_dir: Path):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    edit(update, "    progress: 30\n", "    progress: 30\n    carried_over_from: 2014-Q3\n")

    def said() -> list[str]:
        _, problems = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
        return [p.as_text() for p in problems if p.code == "stale-carry-over"]

    assert said() == [
        "matrix/updates/2014-Q4/OCHA.yaml:8:24: warning[stale-carry-over] HUM-01 is marked carried over from "
        "2014-Q3, but no 2014-Q3 report on it gives implementation 30% (remove carried_over_from: the values are "
        "this quarter's own; or give the values it repeats)"
    ]
    edit(update, "    progress: 30\n", "    progress: 10\n")  # what OCHA and ICHAD said for 2014-Q3
    assert said() == []
    edit(update, "carried_over_from: 2014-Q3", "carried_over_from: 2014-Q4")
    assert [line.split("] ", 1)[1][:64] for line in said()] == [
        "HUM-01 is marked carried over from 2014-Q4, not a quarter before"
    ]
