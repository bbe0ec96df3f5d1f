"""`uncoop calendar`: a valid iCalendar file with one all-day event per deadline."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar


def events(ics: bytes) -> list:
    return [c for c in Calendar.from_ical(ics).walk("VEVENT")]


def test_one_event_per_deadline(matrix_dir, run):
    result = run("calendar", "--as-of", "2015-02-15")
    assert result.exit_code == 0
    found = events(result.stdout_bytes)
    # fixture: 3 milestones + 3 planned ends (DIS-01 is cancelled) + 8 report quarters (2014-Q3..2016-Q2)
    summaries = [str(e["summary"]) for e in found]
    assert len([s for s in summaries if " M" in s.split(":")[0]]) == 3
    assert len([s for s in summaries if "planned end" in s]) == 3
    assert len([s for s in summaries if s.startswith("Quarterly progress reports")]) == 8
    assert len({str(e["uid"]) for e in found}) == len(found)


def test_events_are_all_day_on_the_last_day_of_their_period(matrix_dir, run):
    found = {str(e["summary"]): e for e in events(run("calendar").stdout_bytes)}
    m2 = found["HUM-01 M2: Technical working group formed"]
    assert m2["dtstart"].dt == date(2015, 6, 30) and m2["dtend"].dt == date(2015, 7, 1)
    report = found["Quarterly progress reports for Q3 2014 due"]
    assert report["dtstart"].dt == date(2014, 10, 30)
    assert "DPA" in str(report["description"]) and "UNODA" not in str(report["description"])


def test_uids_are_stable_when_a_date_moves(matrix_dir, run):
    from tests.conftest import edit, hum

    before = {str(e["summary"]): str(e["uid"]) for e in events(run("calendar").stdout_bytes)}
    edit(hum(matrix_dir), "due: 2015-06", "due: 2015-09")
    after = {str(e["summary"]): str(e["uid"]) for e in events(run("calendar").stdout_bytes)}
    assert before == after


def test_filters_and_file_output(matrix_dir, run, tmp_path):
    out = tmp_path / "cal" / "matrix.ics"
    result = run("calendar", "--org", "UNHCR", "--out", str(out))
    assert result.exit_code == 0 and out.exists()
    summaries = [str(e["summary"]) for e in events(out.read_bytes())]
    assert all("DIS-01" not in s and "CPV-01" not in s for s in summaries)
    assert "Quarterly progress reports for Q3 2014 due" in summaries
    # HUM-02 passed its planned end in 2014 but was never reported closed: UNHCR still owes
    assert "Quarterly progress reports for Q1 2015 due" in summaries
    area_only = events(run("calendar", "--area", "conflict").stdout_bytes)
    assert [str(e["summary"]) for e in area_only] == [
        "CPV-01 M1: Joint mediation training",
        "CPV-01 planned end: Support to the OIC Peace, Security and Mediation Unit",
    ]
    assert events(run("calendar", "--area", "disarmament").stdout_bytes) == []  # DIS-01 is cancelled
