"""The health rating: on track, at risk or off track, with the reasons in words."""

from __future__ import annotations

import json
import re
from datetime import date

from tests.conftest import edit
from uncoop.check import validate
from uncoop.health import AT_RISK, OFF_TRACK, ON_TRACK, Health, late_items, of_group, rate
from uncoop.timeline import snapshot


def ratings(matrix_dir, day: date):
    matrix, _ = validate(matrix_dir, date(2026, 1, 1), matrix_dir.parent)
    return rate(snapshot(matrix, day), [a.value.id for a in matrix.areas])


def test_past_the_planned_end_is_off_track_with_the_date_and_days(matrix_dir):
    health = ratings(matrix_dir, date(2015, 2, 15)).activities["HUM-02"]
    assert health.rating == OFF_TRACK
    assert health.reasons[0].text() == "past its planned end (2014-12) by 46 days"


def test_a_missing_indicator_is_a_data_gap_beside_the_rating_never_a_risk(matrix_dir):
    before = ratings(matrix_dir, date(2015, 2, 15)).activities["CPV-01"]
    assert before.rating == ON_TRACK and [g.kind for g in before.gaps] == ["indicators"]
    path = matrix_dir / "activities" / "conflict" / "CPV-01.yaml"
    path.write_text(
        path.read_text() + "indicators:\n  - id: I1\n    title: Staff trained\n    unit: people\n"
        "    baseline: 0\n    target: 10\n"
    )
    after = ratings(matrix_dir, date(2015, 2, 15)).activities["CPV-01"]
    assert after.rating == ON_TRACK and after.gaps == []


def test_delivery_ratings_of_the_bundled_matrix_do_not_depend_on_indicators(tmp_path):
    """Removing every indicator from the bundled Matrix changes its evidence gaps, not one
    delivery rating, at any of four dates."""
    import re
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "matrix", tmp_path / "matrix")
    stripped = 0
    for path in (tmp_path / "matrix" / "activities").rglob("*.yaml"):
        text = path.read_text()
        cut = re.sub(r"(?ms)^indicators:\n(?:[ -].*\n|\n)*", "", text)
        stripped += cut != text
        path.write_text(cut)
    assert stripped > 10
    for day in (date(2014, 12, 31), date(2015, 6, 30), date(2016, 3, 31), date(2016, 6, 30)):
        full, bare = ratings(REPO / "matrix", day), ratings(tmp_path / "matrix", day)
        assert {k: h.rating for k, h in bare.activities.items()} == {k: h.rating for k, h in full.activities.items()}
        assert all(any(g.kind == "indicators" for g in h.gaps) for h in bare.activities.values())


def test_an_overdue_milestone_switched_off_leaves_no_trace_in_health_or_the_late_list(matrix_dir, run):
    late = "milestone M2: Technical working group formed"
    before = run("report", "--as-of", "2015-07-15", "--format", "md", "--out", "-").stdout
    assert late in before and "| M2 Technical working group formed | June 2015 | **overdue** |" in before
    assert re.search("milestones? overdue", before)
    meta = matrix_dir / "matrix.yaml"
    meta.write_text(meta.read_text() + "rules:\n  overdue-milestone: off\n")
    health = ratings(matrix_dir, date(2015, 7, 15)).activities["HUM-01"]
    assert not any(r.kind == "milestones" for r in health.reasons)
    matrix, _ = validate(matrix_dir, date(2026, 1, 1), matrix_dir.parent)
    assert not [i for i in late_items(snapshot(matrix, date(2015, 7, 15))) if i.milestone is not None]
    report = run("report", "--as-of", "2015-07-15", "--format", "md", "--out", "-").stdout
    assert late not in report and not re.search("milestones? overdue", report) and "**overdue**" not in report
    raw = run("status", "--as-of", "2015-07-15", "--format", "json").stdout
    doc = json.loads(raw)
    assert doc["summary"]["findings"]["overdue-milestone"] == 0 and not re.search("milestones? overdue", raw)
    assert not [f for f in doc["findings"] if f["code"] == "overdue-milestone"]
    assert "M2" not in run("status", "--as-of", "2015-07-15").stdout


def test_an_overdue_milestone_is_at_risk_and_says_which(matrix_dir):
    health = ratings(matrix_dir, date(2015, 7, 15)).activities["HUM-01"]
    assert health.rating == AT_RISK
    assert any(r.kind == "milestones" and r.text() == "1 milestone overdue, due 2015-06" for r in health.reasons)


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
    missing = of_group([on], reports_missing=1)  # a gap in the evidence, not a risk to delivery
    assert missing.rating == ON_TRACK and [g.kind for g in missing.gaps] == ["reporting"]
    assert of_group([]).rating == ON_TRACK


def test_reasons_are_translated_with_their_figures():
    from uncoop.dates import FlexDate
    from uncoop.health import counted
    from uncoop.i18n import language

    reason = counted(
        "milestones",
        "%(n)s milestone overdue, due %(date)s",
        "%(n)s milestones overdue, the first due %(date)s",
        (("n", 2), ("date", FlexDate.parse("2015-03"))),
    )
    assert reason.text() == "2 milestones overdue, the first due 2015-03"  # json: the Matrix's own date
    assert reason.text(language("fr")) == "2 jalons en retard (première échéance\u202f: mars 2015)"
    assert reason.text(language("ar")) == "معلمان متأخران، أولهما كان مقررًا في آذار/مارس 2015"


def test_status_shows_health_in_words_and_json(matrix_dir, run):
    doc = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    assert doc["summary"]["health"] == {"on-track": 2, "at-risk": 0, "off-track": 1}
    by_id = {a["id"]: a for area in doc["areas"] for a in area["activities"]}
    assert by_id["HUM-02"]["health"]["rating"] == "off-track" and by_id["DIS-01"]["health"] is None
    cpv = by_id["CPV-01"]["health"]  # no indicator: a gap beside an on-track rating
    assert cpv["rating"] == "on-track" and cpv["gaps"] == [
        {"kind": "indicators", "text": "no indicator to measure it by"}
    ]
    table = run("status", "--as-of", "2015-02-15").stdout
    assert "✗ off track" in table and "✓ on track" in table


def test_matrix_readme_states_the_bundled_health_as_computed():
    from collections import Counter

    from tests.conftest import REPO

    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    health = rate(snapshot(matrix, date(2016, 3, 31)), [a.value.id for a in matrix.areas])
    counts = health.counts()
    off = sorted(k for k, h in health.activities.items() if h.rating == OFF_TRACK)
    institutions = Counter(h.rating for h in health.institutions.values())
    text = " ".join((REPO / "matrix" / "README.md").read_text().split())
    risk = sorted(k for k, h in health.activities.items() if h.rating == AT_RISK)
    gaps = health.gap_counts()
    missing = sum(1 for h in health.institutions.values() if h.gaps)
    assert (
        f"of {len(health.activities)} open activities, **{counts[ON_TRACK]} on track, {counts[AT_RISK]} at risk, "
        f"{counts[OFF_TRACK]} off track** ({', '.join(off)}); at risk: {', '.join(risk)}," in text
    )
    assert (
        f"{gaps['no indicator to measure it by']} activities have no indicator to measure them (¶54), "
        f"{gaps['no recent update']} no recent update, {gaps['its reports disagree or its progress fell']} reports"
    ) in text
    assert (
        f"by the activities they lead: {institutions[ON_TRACK]} on track, {institutions[AT_RISK]} at risk, "
        f"{institutions[OFF_TRACK]} off track; {missing} have a quarterly report missing"
    ) in text


def test_reported_status_is_part_of_delivery_pipeline_after_start_and_suspended_are_at_risk(tmp_path):
    import shutil

    from tests.conftest import REPO

    health = ratings(REPO / "matrix", date(2016, 3, 31)).activities
    cpv = health["CPV-04"]  # still in the pipeline more than a year after its planned start
    assert cpv.rating == AT_RISK and "not started though planned to start 2014-Q4" in [r.text() for r in cpv.reasons]
    shutil.copytree(REPO / "matrix", tmp_path / "matrix")
    path = tmp_path / "matrix" / "updates" / "2015-Q4" / "DPA.yaml"
    text = path.read_text()
    path.write_text(text.replace("status: implementation", "status: suspended", 1))
    suspended = [
        k
        for k, h in ratings(tmp_path / "matrix", date(2016, 3, 31)).activities.items()
        if any(r.kind == "status" and r.text() == "reported suspended" for r in h.reasons)
    ]
    assert suspended and all(
        ratings(tmp_path / "matrix", date(2016, 3, 31)).activities[k].rating != ON_TRACK for k in suspended
    )
