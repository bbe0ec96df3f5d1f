"""The owing rule (¶53): who owes a quarterly report, asked by the grid, calendar and report alike."""

from __future__ import annotations

import json
from datetime import date

from icalendar import Calendar

from tests.conftest import REPO, edit
from uncoop.check import validate
from uncoop.report import build_report
from uncoop.timeline import snapshot

AS_OF = "2016-03-31"


def grid_of(status_json: str) -> dict[str, dict[str, str]]:
    doc = json.loads(status_json)["reporting"]
    return {row["id"]: dict(zip(doc["quarters"], row["cells"], strict=True)) for row in doc["institutions"]}


def calendar_owing(ics: bytes) -> dict[str, set[str]]:
    owed = {}
    for event in Calendar.from_ical(ics).walk("VEVENT"):
        summary = str(event["SUMMARY"])
        if summary.startswith("Quarterly progress reports for "):
            number, year = summary.split()[4:6]  # "... for Q3 2014 due"
            owed[f"{year}-{number}"] = set(str(event["DESCRIPTION"]).split(": ", 1)[1].split(", "))
    return owed


def test_an_overdue_activity_still_owes_reports_until_reported_closed(run, monkeypatch):
    """PSC-11 (Yemen) passed its planned end in 2015-Q2 and is still running: OSA-YEMEN owes."""
    monkeypatch.chdir(REPO)
    grid = grid_of(run("status", "--as-of", AS_OF, "--format", "json").stdout)
    assert [grid["OSA-YEMEN"][q] for q in ("2015-Q3", "2015-Q4")] == ["missing", "missing"]
    assert grid["OSA-YEMEN"]["2016-Q1"] == "not-due"  # due 2016-04-30, after the as-of date


def test_every_participant_owes_every_quarter(run, monkeypatch):
    monkeypatch.chdir(REPO)
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    participants = {o.value.id for o in matrix.organizations if o.value.participant}
    assert len(participants) == 33  # the 18 + 15 participants of ¶3-4
    grid = grid_of(run("status", "--as-of", AS_OF, "--format", "json").stdout)
    for org in participants:
        assert "not-required" not in grid[org].values(), org


def test_grid_calendar_and_report_agree_cell_for_cell(run, monkeypatch):
    monkeypatch.chdir(REPO)
    grid = grid_of(run("status", "--as-of", AS_OF, "--format", "json").stdout)
    owed_cal = calendar_owing(run("calendar", "--as-of", AS_OF).stdout_bytes)
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    snap = snapshot(matrix, date(2016, 3, 31))
    report = build_report(matrix, snap, "en").grid
    report_grid = {row.id: dict(zip(report.periods, row.cells, strict=True)) for row in report.rows}
    assert report_grid == grid
    owed_grid = {
        q: {org for org, cells in grid.items() if cells[q] in ("missing", "not-due")} for q in next(iter(grid.values()))
    }
    for row in snap.grid:
        for quarter, cell in zip(snap.quarters, row.cells, strict=True):
            if cell.owed:
                owed_grid[str(quarter)].add(row.organization)
    for quarter, owing in owed_grid.items():
        assert owed_cal[quarter] == owing, quarter


def test_a_report_of_closure_stops_the_duty_everywhere(matrix_dir, run):
    """Once HUM-01 is reported closed, neither status nor calendar expects OCHA's reports."""
    edit(matrix_dir / "matrix.yaml", "  due_days: 30", "  due_days: 30\n  owed_by: involved")
    edit(matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml", "status: implementation", "status: closed")
    grid = grid_of(run("status", "--as-of", AS_OF, "--format", "json").stdout)
    owed_cal = calendar_owing(run("calendar", "--as-of", AS_OF).stdout_bytes)
    assert grid["OCHA"]["2015-Q1"] == "not-required" and "OCHA" not in owed_cal.get("2015-Q1", set())
    assert grid["OCHA"]["2014-Q4"] == "submitted"


def test_owed_by_leads_drops_partners(matrix_dir):
    from uncoop.dates import Quarter
    from uncoop.owing import Duties

    quarter = Quarter(2015, 1)
    reported = {}
    for rule in ("leads", "involved"):
        text = (
            (matrix_dir / "matrix.yaml").read_text().replace("  due_days: 30\n", f"  due_days: 30\n  owed_by: {rule}\n")
        )
        (matrix_dir / "matrix.yaml").write_text(text)
        matrix, _ = validate(matrix_dir, date(2026, 1, 1))
        reported[rule] = [r.value.id for r in Duties(matrix, matrix.updates).activities("UNHCR", quarter)]
        (matrix_dir / "matrix.yaml").write_text(text.replace(f"  owed_by: {rule}\n", ""))
    assert reported == {"leads": ["HUM-02"], "involved": ["HUM-01", "HUM-02"]}  # UNHCR partners HUM-01


def test_nothing_is_stale_before_the_first_report_was_due(run, monkeypatch):
    monkeypatch.chdir(REPO)
    doc = json.loads(run("status", "--as-of", "2014-09-30", "--format", "json").stdout)
    assert [f for f in doc["findings"] if f["code"] == "stale"] == []
