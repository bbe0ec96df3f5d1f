"""Timeline findings pinned at their boundaries, on the fixture Matrix."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURE, edit, hum
from uncoop.check import validate
from uncoop.timeline import snapshot


def findings(matrix_dir: Path, as_of: date, code: str | None = None) -> list[str]:
    matrix, problems = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    assert problems == []
    snap = snapshot(matrix, as_of)
    return sorted(f.as_text() for f in snap.findings if code is None or f.code == code)


def state(matrix_dir: Path, as_of: date, ident: str):
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    return next(s for s in snapshot(matrix, as_of).activities if s.activity.id == ident)


HUM = "matrix/activities/humanitarian/HUM-01.yaml"


@pytest.mark.parametrize(
    "as_of, overdue", [(date(2015, 6, 29), False), (date(2015, 6, 30), False), (date(2015, 7, 1), True)]
)
def test_month_precision_milestone_is_overdue_from_the_day_after_the_month(matrix_dir, as_of, overdue):
    lines = [line for line in findings(matrix_dir, as_of, "overdue-milestone") if "HUM-01 milestone M2" in line]
    assert bool(lines) is overdue
    if overdue:
        assert lines == [
            f"{HUM}:22:10: warning[overdue-milestone] HUM-01 milestone M2 was due 2015-06 and is "
            "not reported done (1 day overdue)"
        ]


@pytest.mark.parametrize(
    "as_of, soon",
    [(date(2015, 5, 30), False), (date(2015, 5, 31), True), (date(2015, 6, 30), True), (date(2015, 7, 1), False)],
)
def test_due_soon_window_is_thirty_days(matrix_dir, as_of, soon):
    lines = [line for line in findings(matrix_dir, as_of, "due-soon") if "HUM-01 milestone M2" in line]
    assert bool(lines) is soon


@pytest.mark.parametrize("as_of, overdue", [(date(2016, 6, 30), False), (date(2016, 7, 1), True)])
def test_quarter_precision_planned_end(matrix_dir, as_of, overdue):
    lines = findings(matrix_dir, as_of, "overdue-activity")
    assert any("HUM-01 passed its planned end 2016-Q2 1 day ago" in line for line in lines) is overdue


def test_day_precision_due_date(matrix_dir):
    # DIS-01 is cancelled: make it active to see its day-precision milestone (2014-12-15)
    edit(matrix_dir / "activities" / "disarmament" / "DIS-01.yaml", "status: cancelled", "status: implementation")
    assert not any(
        "DIS-01 milestone M1" in line for line in findings(matrix_dir, date(2014, 12, 15), "overdue-milestone")
    )
    assert any("DIS-01 milestone M1" in line for line in findings(matrix_dir, date(2014, 12, 16), "overdue-milestone"))


def test_cancelled_activity_is_never_overdue(matrix_dir):
    assert not any("DIS-01" in line for line in findings(matrix_dir, date(2016, 12, 31)))


def test_update_submitted_after_as_of_is_ignored(matrix_dir):
    before = state(matrix_dir, date(2015, 1, 24), "HUM-01")
    after = state(matrix_dir, date(2015, 1, 25), "HUM-01")
    assert (before.progress, before.milestones_done) == (10, {})
    assert (after.progress, after.milestones_done) == (30, {"M1": date(2014, 12, 10)})
    assert any("HUM-01 milestone M1" in line for line in findings(matrix_dir, date(2015, 1, 24), "overdue-milestone"))
    assert not any(
        "HUM-01 milestone M1" in line for line in findings(matrix_dir, date(2015, 1, 25), "overdue-milestone")
    )


def test_reported_status_supersedes_the_plan(matrix_dir):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    edit(update, "    status: implementation\n    progress: 30", "    status: closed\n    progress: 100")
    s = state(matrix_dir, date(2016, 12, 31), "HUM-01")
    assert s.status == "closed" and s.next_due is None
    assert not any("HUM-01" in line for line in findings(matrix_dir, date(2016, 12, 31)))


# never reported: counted from the first report due date (2014-10-30), not from the planned start
@pytest.mark.parametrize("as_of, stale", [(date(2015, 2, 27), False), (date(2015, 2, 28), True)])
def test_stale_after_stale_days_without_an_update(matrix_dir, as_of, stale):
    lines = [line for line in findings(matrix_dir, as_of, "stale") if "CPV-01" in line]
    assert bool(lines) is stale
    if stale:
        assert lines == [
            "matrix/activities/conflict/CPV-01.yaml:1:5: warning[stale] no update on CPV-01 for "
            "121 days (never reported; stale after 120)"
        ]


def test_missing_report_is_found_the_day_after_it_was_due(matrix_dir):
    assert not any(
        "DPA has not submitted" in line for line in findings(matrix_dir, date(2014, 10, 30), "missing-report")
    )
    lines = [line for line in findings(matrix_dir, date(2014, 10, 31), "missing-report") if "DPA" in line]
    assert lines == [
        "matrix/organizations.yaml:2:9: warning[missing-report] DPA has not submitted its report for "
        "2014-Q3, due 2014-10-30 (file updates/2014-Q3/DPA.yaml)"
    ]


def test_late_report(matrix_dir):
    assert findings(matrix_dir, date(2014, 11, 15), "late-report") == [
        "matrix/updates/2014-Q3/ICHAD.yaml:3:12: warning[late-report] ICHAD's report for 2014-Q3 was submitted "
        "2014-11-15, 16 days after it was due on 2014-10-30"
    ]
    assert findings(matrix_dir, date(2014, 11, 14), "late-report") == []


def test_off_track_compares_progress_with_time_elapsed_at_the_report(matrix_dir):
    assert findings(matrix_dir, date(2015, 2, 1), "off-track") == []
    edit(hum(matrix_dir), "planned_end: 2016-Q2", "planned_end: 2015-03")
    edit(hum(matrix_dir), "due: 2015-06", "due: 2015-03")
    assert findings(matrix_dir, date(2015, 2, 1), "off-track") == [
        "matrix/updates/2014-Q4/OCHA.yaml:7:15: warning[off-track] HUM-01 reported 30% at the end of 2014-Q4, "
        "when 67% of its planned time had passed"
    ]


def test_reporting_grid_cells(matrix_dir):
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    snap = snapshot(matrix, date(2015, 2, 15))
    assert [str(q) for q in snap.quarters] == ["2014-Q3", "2014-Q4", "2015-Q1"]
    rows = {r.organization: [c.state for c in r.cells] for r in snap.grid}
    assert rows == {
        "DPA": ["missing", "missing", "not-due"],
        "OCHA": ["submitted", "submitted", "not-due"],
        "UNHCR": ["missing", "missing", "not-due"],  # HUM-02 ended on plan, never reported ended
        "ICHAD": ["late", "missing", "not-due"],
        "OIC-GS": ["missing", "missing", "not-due"],
    }
    assert [r.organization for r in snap.grid] == ["DPA", "OCHA", "UNHCR", "ICHAD", "OIC-GS"]


def test_conflicting_reports_are_found_at_both_entries(matrix_dir):
    edit(matrix_dir / "updates" / "2014-Q3" / "ICHAD.yaml", "    progress: 10", "    progress: 90")
    lines = findings(matrix_dir, date(2015, 2, 15), "conflicting-reports")
    assert lines == [
        "matrix/updates/2014-Q3/ICHAD.yaml:6:13: warning[conflicting-reports] HUM-01 for 2014-Q3: OCHA reports "
        "implementation 10%, ICHAD reports implementation 90% (the focal point should settle which is right)",
        "matrix/updates/2014-Q3/OCHA.yaml:6:13: warning[conflicting-reports] HUM-01 for 2014-Q3: OCHA reports "
        "implementation 10%, ICHAD reports implementation 90% (the focal point should settle which is right)",
    ]
    edit(matrix_dir / "updates" / "2014-Q3" / "ICHAD.yaml", "    progress: 90", "    progress: 30")
    assert findings(matrix_dir, date(2015, 2, 15), "conflicting-reports") == []  # within 20 points


def test_progress_regression_unless_a_note_says_why(matrix_dir):
    update = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    edit(update, "    progress: 30", "    progress: 5")
    lines = findings(matrix_dir, date(2015, 2, 15), "progress-regression")
    assert lines == [
        "matrix/updates/2014-Q4/OCHA.yaml:7:15: warning[progress-regression] HUM-01: OCHA reports 5% "
        "for 2014-Q4, down from 10% reported by ICHAD for 2014-Q3 (add progress_note: saying why, "
        "or correct it)"
    ]
    edit(update, "    progress: 5", "    progress: 5\n    progress_note: the working group was dissolved and re-formed")
    assert findings(matrix_dir, date(2015, 2, 15), "progress-regression") == []


def _closed_in_2014_q3(matrix_dir: Path) -> Path:
    """Both leads report HUM-01 closed at 45% for 2014-Q3; OCHA's 2014-Q4 report follows."""
    for org in ("OCHA", "ICHAD"):
        update = matrix_dir / "updates" / "2014-Q3" / f"{org}.yaml"
        edit(update, "    status: implementation", "    status: closed")
        edit(update, "    progress: 10", "    progress: 45")
    return matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"


def test_a_report_after_closure_is_a_contradiction_not_a_new_state_of_affairs(matrix_dir):
    later = _closed_in_2014_q3(matrix_dir)
    edit(later, "    progress: 30", "    progress: 50")
    assert findings(matrix_dir, date(2015, 2, 15), "status-after-close") == [
        "matrix/updates/2014-Q4/OCHA.yaml:6:13: warning[status-after-close] HUM-01: OCHA reports it implementation "
        "for 2014-Q4, after OCHA reported it closed for 2014-Q3 (if it was reopened, say why in progress_note "
        "and agree new dates; else correct one of the reports)"
    ]
    assert findings(matrix_dir, date(2014, 12, 31), "status-after-close") == []  # before the later report
    edit(later, "    status: implementation", "    status: closed")
    assert findings(matrix_dir, date(2015, 2, 15), "status-after-close") == []


def test_closing_below_earlier_progress_is_found_even_with_a_note(matrix_dir):
    later = _closed_in_2014_q3(matrix_dir)
    edit(later, "    status: implementation", "    status: closed")
    edit(later, "    progress: 30", "    progress: 5\n    progress_note: scope reduced")
    expected = [
        "matrix/updates/2014-Q4/OCHA.yaml:7:15: warning[closed-progress-fell] HUM-01: OCHA reports it closed at 5% "
        "for 2014-Q4, down from 45% for 2014-Q3 (report the progress it was closed at, or cancelled if it was "
        "abandoned)"
    ]
    assert findings(matrix_dir, date(2015, 2, 15), "closed-progress-fell") == expected
    assert findings(matrix_dir, date(2015, 2, 15), "progress-regression") == []  # said once, not twice
    edit(later, "    progress: 5", "    progress: 45")
    assert findings(matrix_dir, date(2015, 2, 15), "closed-progress-fell") == []


def test_contradictions_are_evidence_gaps_and_leave_delivery_alone(matrix_dir):
    from uncoop.health import rate

    later = _closed_in_2014_q3(matrix_dir)
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    before = rate(snapshot(matrix, date(2015, 2, 15)), [])
    edit(later, "    progress: 30", "    progress: 50")  # reopened: still implementation
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    after = rate(snapshot(matrix, date(2015, 2, 15)), [])
    assert after.activities["HUM-01"].rating == before.activities["HUM-01"].rating
    assert "its reports disagree or its progress fell" in [g.message for g in after.activities["HUM-01"].gaps]


def test_rules_in_matrix_yaml_turn_codes_off_on_or_up(matrix_dir, run):
    edit(
        matrix_dir / "matrix.yaml",
        "thresholds:",
        "rules:\n  stale: off\n  missing-report: error\n  no-indicators: warning\nthresholds:",
    )
    doc = json.loads(run("status", "--as-of", "2015-03-15", "--format", "json").stdout)
    codes = {f["code"]: f["severity"] for f in doc["findings"]}
    assert "stale" not in codes and codes["missing-report"] == "error"
    assert run("status", "--as-of", "2015-03-15", "--format", "json").exit_code == 1  # errors fail by default
    result = run("validate", "--as-of", "2016-12-31")
    assert "warning[no-indicators] CPV-01 has no indicator" in result.stdout
    edit(matrix_dir / "matrix.yaml", "  stale: off", "  stail: off")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and "rules: 'stail' is not a finding code (did you mean 'stale'?)" in result.stdout


# --- as --as-of moves forward, the record only grows --------------------------------------


@cache
def _fixture():
    matrix, problems = validate(FIXTURE, date(2030, 1, 1), FIXTURE.parent)
    assert problems == []
    return matrix


def _keys(snap, code: str) -> set[str]:
    return {f.key for f in snap.findings if f.code == code}


@settings(max_examples=150)  # two snapshots of the fixture Matrix per example
@given(st.dates(date(2014, 6, 1), date(2017, 6, 30)), st.integers(0, 400))
def test_moving_as_of_forward_never_unsays_a_fact(day, later_by):
    """A report late stays late; a missing one is later missing or late, never on time; an
    overdue activity stays overdue until it ends; a milestone overdue stays so until reported done."""
    m = _fixture()
    before, after = snapshot(m, day), snapshot(m, day + timedelta(days=later_by))
    assert after.quarters[: len(before.quarters)] == before.quarters
    assert _keys(before, "late-report") <= _keys(after, "late-report")
    assert _keys(before, "missing-report") <= _keys(after, "missing-report") | _keys(after, "late-report")
    ended = {s.activity.id for s in after.activities if s.ended}
    assert _keys(before, "overdue-activity") - ended <= _keys(after, "overdue-activity")
    done = {f"{s.activity.id}/{m}" for s in after.activities for m in s.milestones_done}
    still = {k for k in _keys(before, "overdue-milestone") - done if k.split("/")[0] not in ended}
    assert still <= _keys(after, "overdue-milestone")
