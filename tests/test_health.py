"""The health rating: on track, at risk or off track, with the reasons in words."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import edit
from uncoop.check import validate
from uncoop.health import AT_RISK, OFF_TRACK, ON_TRACK, Health, Reason, of_group, rate
from uncoop.timeline import snapshot


def ratings(matrix_dir, day: date):
    matrix, _ = validate(matrix_dir, date(2026, 1, 1), matrix_dir.parent)
    return rate(snapshot(matrix, day), [a.value.id for a in matrix.areas])


def test_past_the_planned_end_is_off_track_with_the_date_and_days(matrix_dir):
    health = ratings(matrix_dir, date(2015, 2, 15)).activities["HUM-02"]
    assert health.rating == OFF_TRACK
    assert health.reasons[0].text() == "past its planned end (2014-12) by 46 days"


def test_a_missing_indicator_puts_an_activity_at_risk_and_one_fixes_it(matrix_dir):
    assert ratings(matrix_dir, date(2015, 2, 15)).activities["CPV-01"].rating == AT_RISK
    path = matrix_dir / "activities" / "conflict" / "CPV-01.yaml"
    path.write_text(
        path.read_text() + "indicators:\n  - id: I1\n    title: Staff trained\n    unit: people\n"
        "    baseline: 0\n    target: 10\n"
    )
    assert ratings(matrix_dir, date(2015, 2, 15)).activities["CPV-01"].rating == ON_TRACK


def test_an_overdue_milestone_is_at_risk_and_says_which(matrix_dir):
    health = ratings(matrix_dir, date(2015, 7, 15)).activities["HUM-01"]
    assert health.rating == AT_RISK
    assert any(r.kind == "milestones" and "overdue, the first due" in r.text() for r in health.reasons)


def test_closed_and_cancelled_activities_are_not_rated(matrix_dir):
    assert "DIS-01" not in ratings(matrix_dir, date(2015, 2, 15)).activities
    edit(matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml", "status: implementation", "status: closed")
    assert "HUM-01" not in ratings(matrix_dir, date(2015, 2, 15)).activities


def test_groups_are_off_track_beyond_a_third_and_at_risk_with_any_off_track():
    on, risk, off = Health(ON_TRACK), Health(AT_RISK), Health(OFF_TRACK)
    assert of_group([off, on, on, on]).rating == AT_RISK
    assert of_group([off, off, on, on]).rating == OFF_TRACK
    assert of_group([risk, on, on]).rating == ON_TRACK
    assert of_group([risk, risk, on]).rating == AT_RISK
    assert of_group([on], reports_missing=1).rating == AT_RISK
    assert of_group([]).rating == ON_TRACK


def test_reasons_are_translated_with_their_figures():
    reason = Reason("schedule", "past its planned end (%(date)s) by %(days)s days", (("date", "2015-Q4"), ("days", 9)))
    assert reason.text(lambda s: s.replace("past its planned end", "après la fin prévue")) == (
        "après la fin prévue (2015-Q4) by 9 days"
    )


def test_status_shows_health_in_words_and_json(matrix_dir, run):
    doc = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    assert doc["summary"]["health"] == {"on-track": 1, "at-risk": 1, "off-track": 1}
    by_id = {a["id"]: a for area in doc["areas"] for a in area["activities"]}
    assert by_id["HUM-02"]["health"]["rating"] == "off-track" and by_id["DIS-01"]["health"] is None
    table = run("status", "--as-of", "2015-02-15").stdout
    assert "✗ off track" in table and "▲ at risk" in table and "✓ on track" in table


def test_matrix_readme_states_the_bundled_health_as_computed():
    from collections import Counter

    from tests.conftest import REPO

    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    health = rate(snapshot(matrix, date(2016, 3, 31)), [a.value.id for a in matrix.areas])
    counts = health.counts()
    off = sorted(k for k, h in health.activities.items() if h.rating == OFF_TRACK)
    institutions = Counter(h.rating for h in health.institutions.values())
    text = " ".join((REPO / "matrix" / "README.md").read_text().split())
    assert (
        f"of {len(health.activities)} open activities, **{counts[ON_TRACK]} on track, {counts[AT_RISK]} at risk, "
        f"{counts[OFF_TRACK]} off track** ({', '.join(off)})" in text
    )
    assert (
        f"Institutions: {institutions[ON_TRACK]} on track, {institutions[AT_RISK]} at risk (most for a missing "
        f"quarterly report), {institutions[OFF_TRACK]} off track"
    ) in text
