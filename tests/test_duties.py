"""Duties that fit the institutions: who owes a quarterly report (¶53), and whether it is complete.

The expectations are worked out here from the YAML of the bundled Matrix, independently of
owing.py, and compared with what `status` and the report show.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from datetime import date, timedelta

import pytest
import yaml

from tests.conftest import REPO
from uncoop.check import validate
from uncoop.report import build_report
from uncoop.timeline import snapshot

MATRIX = REPO / "matrix"
ENDED = ("closed", "cancelled")


def _quarter_end(year: int, n: int) -> date:
    return date(year + (n == 4), 1, 1) - timedelta(days=1) if n == 4 else date(year, 3 * n + 1, 1) - timedelta(days=1)


def _start(text: object) -> date:
    """The first day of a date, month (2014-07) or quarter (2014-Q3) as the YAML writes it."""
    text = str(text)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return date(int(m[1]), 3 * int(m[2]) - 2, 1)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), 1)
    return date.fromisoformat(text)


@functools.cache
def _quarters() -> list[tuple[str, date]]:
    """(2014-Q3, its last day) ... to the end of the Matrix period (matrix.yaml)."""
    meta = yaml.safe_load((MATRIX / "matrix.yaml").read_text(encoding="utf-8"))
    first = str(meta["reporting"]["first_period"])
    year, n = int(first[:4]), int(first[-1])
    end = _start(meta["period"]["end"]) if len(str(meta["period"]["end"])) < 10 else meta["period"]["end"]
    out = []
    while _quarter_end(year, n) <= _quarter_end(end.year, (end.month + 2) // 3):
        out.append((f"{year}-Q{n}", _quarter_end(year, n)))
        year, n = (year + 1, 1) if n == 4 else (year, n + 1)
    return out


@functools.cache  # read once a run: PyYAML's pure-Python reader, independent of uncoop's, takes seconds
def _yaml_files():
    orgs = yaml.safe_load((MATRIX / "organizations.yaml").read_text(encoding="utf-8"))["organizations"]
    acts = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((MATRIX / "activities").rglob("*.yaml"))]
    updates = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((MATRIX / "updates").rglob("*.yaml"))]
    return orgs, acts, updates


def _reporter(orgs: list[dict]) -> dict[str, str]:
    """Who reports for an organ or forum, as organizations.yaml says (reported_by, else parent)."""
    out = {}
    for o in orgs:
        target = o.get("reported_by") or (o.get("parent") if o["kind"] in ("organ", "inter-agency-body") else None)
        if target:
            out[o["id"]] = target
    return out


def _under_way(as_of: date) -> dict[str, list[str]]:
    """Activity -> the quarters it is under way in, with a report due before `as_of`: started,
    not closed or cancelled in the plan, not reported closed or cancelled in an earlier quarter."""
    _, acts, updates = _yaml_files()
    ended: dict[str, str] = {}
    for u in updates:
        if _start(u["submitted"]) <= as_of:
            for e in u["entries"]:
                if e["status"] in ENDED and (e["activity"] not in ended or str(u["period"]) < ended[e["activity"]]):
                    ended[e["activity"]] = str(u["period"])
    out: dict[str, list[str]] = {}
    for act in acts:
        for quarter, last_day in _quarters():
            if act["status"] in ENDED or last_day + timedelta(days=30) >= as_of:
                continue
            if last_day >= _start(act["dates"]["planned_start"]) and quarter <= ended.get(act["id"], "9999"):
                out.setdefault(act["id"], []).append(quarter)
    return out


def _expected_incomplete(as_of: date) -> dict[tuple[str, str], set[str]]:
    """(institution, quarter) -> the activities under way it leads or partners (through the
    secretariat of an organ or forum) that its filed report leaves out."""
    orgs, acts, updates = _yaml_files()
    reporter, under_way = _reporter(orgs), _under_way(as_of)
    filed = {
        (u["organization"], str(u["period"])): {e["activity"] for e in u["entries"]}
        for u in updates
        if _start(u["submitted"]) <= as_of
    }
    out: dict[tuple[str, str], set[str]] = {}
    for act in acts:
        involved = {
            reporter.get(o, o)
            for o in act["leads"].get("un", []) + act["leads"].get("oic", []) + act.get("partners", [])
        }
        for quarter in under_way.get(act["id"], []):
            for org in involved:
                if (org, quarter) in filed and act["id"] not in filed[org, quarter]:
                    out.setdefault((org, quarter), set()).add(act["id"])
    return out


def _silent_activity_quarters(as_of: date) -> dict[tuple[str, str], list[str]]:
    """(activity, quarter) -> the leads that filed a report for it on time, where the activity
    is under way and no report for that quarter mentions it (before, those leads were on time)."""
    orgs, acts, updates = _yaml_files()
    reporter, under_way = _reporter(orgs), _under_way(as_of)
    visible = [u for u in updates if _start(u["submitted"]) <= as_of]
    filed = {(u["organization"], str(u["period"])): _start(u["submitted"]) for u in visible}
    mentioned = {(e["activity"], str(u["period"])) for u in visible for e in u["entries"]}
    ends = dict(_quarters())
    out = {}
    for act in acts:
        leads = sorted({reporter.get(o, o) for o in act["leads"].get("un", []) + act["leads"].get("oic", [])})
        for quarter in under_way.get(act["id"], []):
            due = ends[quarter] + timedelta(days=30)
            on_time = [lead for lead in leads if (lead, quarter) in filed and filed[lead, quarter] <= due]
            if on_time and (act["id"], quarter) not in mentioned:
                out[act["id"], quarter] = on_time
    return out


@pytest.fixture(scope="module")
def bundled():
    matrix, _ = validate(MATRIX, date(2026, 1, 1), REPO)
    return matrix


def _as_of_dates() -> list[date]:
    """Every quarter's end and the day after each report falls due, over the Matrix period."""
    out = []
    for _, last_day in _quarters():
        out += [last_day, last_day + timedelta(days=31)]
    return out


def _cells(snap) -> dict[str, dict[str, str]]:
    return {r.organization: {str(q): c.state for q, c in zip(snap.quarters, r.cells, strict=True)} for r in snap.grid}


def test_organs_forums_and_a_participant_with_nothing_under_way_are_never_missing(bundled):
    for as_of in _as_of_dates():
        snap = snapshot(bundled, as_of)
        missing = {f.key.split("/")[0] for f in snap.findings if f.code == "missing-report"}
        assert not missing & {"UNSC", "HRC", "CFM", "IASC", "MINUSCA", "ICIC"}, as_of
    cells = _cells(snapshot(bundled, date(2016, 3, 31)))
    assert set(cells["ICIC"].values()) == {"idle"}  # listed as "nothing under way", not missing
    assert "UNSC" not in cells and "CFM" not in cells  # their secretariats report for them


def test_the_secretariat_reports_on_its_organs_activities(bundled):
    """PSC-01 is partnered by the Security Council and MINUSCA: DPA and DPKO must cover it."""
    from uncoop.owing import Duties
    from uncoop.state import visible_updates

    duties = Duties(bundled, visible_updates(bundled, date(2016, 3, 31)))
    q3 = snapshot(bundled, date(2016, 3, 31)).quarters[0]
    assert "PSC-01" in {r.value.id for r in duties.activities("DPA", q3)}
    assert "PSC-01" in {r.value.id for r in duties.activities("DPKO", q3)}
    assert not duties.owes("UNSC", q3) and not duties.owes("MINUSCA", q3)


DATES = [date(2015, 6, 30), date(2016, 3, 31), date(2016, 8, 1)]


@pytest.mark.parametrize("as_of", DATES)
def test_incomplete_reports_are_exactly_those_the_yaml_shows(bundled, as_of):
    expected = _expected_incomplete(as_of)
    assert expected  # the bundled data has incomplete reports at every date tested
    snap = snapshot(bundled, as_of)
    shown = {
        (r.organization, str(q)): set(c.omitted)
        for r in snap.grid
        for q, c in zip(snap.quarters, r.cells, strict=True)
        if c.state == "incomplete"
    }
    assert shown == expected
    assert len([f for f in snap.findings if f.code == "incomplete-report"]) == len(expected)


@pytest.mark.parametrize("as_of", DATES)
def test_activities_no_report_mentions_have_no_lead_on_time(bundled, as_of):
    """Where no report mentions an activity under way, a lead that filed on time is incomplete."""
    silent = _silent_activity_quarters(as_of)
    assert silent
    cells = _cells(snapshot(bundled, as_of))
    said = {f.key: f.message for f in snapshot(bundled, as_of).findings if f.code == "incomplete-report"}
    for (activity, quarter), leads in silent.items():
        for lead in leads:
            assert cells[lead][quarter] == "incomplete", (activity, quarter, lead)
            assert activity in said[f"{lead}/{quarter}"]


def test_a_report_leaving_out_an_activity_it_leads_is_incomplete(matrix_dir):
    """ICHAD's 2014-Q3 report covers HUM-01 and HUM-02, both of which it leads; without HUM-02
    the file is still there, but the report is incomplete, located in the file, naming HUM-02."""
    path = matrix_dir / "updates" / "2014-Q3" / "ICHAD.yaml"

    def ichad_q3():
        matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
        snap = snapshot(matrix, date(2015, 6, 30))
        found = [f for f in snap.findings if f.code == "incomplete-report" and f.key == "ICHAD/2014-Q3"]
        return _cells(snap)["ICHAD"]["2014-Q3"], found

    assert ichad_q3() == ("late", [])
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - activity: HUM-02")], encoding="utf-8")
    state, found = ichad_q3()
    assert state == "incomplete" and len(found) == 1
    assert "HUM-02" in found[0].message and found[0].location.path.endswith("ICHAD.yaml")


def test_compliance_counts_incomplete_apart_for_leads_and_partners(bundled):
    snap = snapshot(bundled, date(2016, 3, 31))
    view = build_report(bundled, snap, "en")
    cells = Counter(c.state for row in snap.grid for c in row.cells if c.owed)
    total = {
        k: sum(getattr(c, k) for c in view.summary.by_role.values())
        for k in ("on_time", "late", "incomplete", "missing")
    }
    assert total == {
        "on_time": cells["submitted"],
        "late": cells["late"],
        "incomplete": cells["incomplete"],
        "missing": cells["missing"],
    }
    assert total["incomplete"] > 0
    for c in (*view.summary.by_role.values(), *view.summary.compliance.values()):
        assert c.on_time + c.late + c.incomplete + c.missing == c.owed


def _figures(text: str) -> dict[str, list[int]]:
    found = re.findall(
        r"as (leads|partners)\**: on time (\d+), late (\d+), incomplete (\d+), missing (\d+), of (\d+) owed", text
    )
    return {role: [int(n) for n in rest] for role, *rest in found}


def test_matrix_readme_gives_the_compliance_the_report_shows(tmp_path, run):
    run("report", "--matrix", str(MATRIX), "--as-of", "2016-03-31", "--format", "md", "--out", str(tmp_path))
    report = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    shown = _figures(report)
    assert set(shown) == {"leads", "partners"}
    readme = (MATRIX / "README.md").read_text(encoding="utf-8")
    assert _figures(readme) == shown
    incomplete = sum(v[2] for v in shown.values())
    assert f"`incomplete-report` | {incomplete} in all" in readme


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "Who owes a report (¶53)"),
        ("fr", "Qui doit un rapport"),
        ("ar", "من عليه تقديم تقرير"),
    ],
)
def test_the_report_says_who_owes_what_beside_the_compliance(tmp_path, run, lang, sentence):
    for fmt in ("md", "html"):
        run(
            "report",
            "--matrix",
            str(MATRIX),
            "--as-of",
            "2016-03-31",
            "--lang",
            lang,
            "--format",
            fmt,
            "--out",
            str(tmp_path),
        )
    for path in sorted(tmp_path.glob("*.md")) + sorted(tmp_path.glob("*.html")):
        assert sentence in path.read_text(encoding="utf-8"), path


def test_rules_prints_the_owing_rule(run):
    out = run("rules").stdout
    assert "Who owes a report" in out and "¶53" in out and "incomplete" in out
