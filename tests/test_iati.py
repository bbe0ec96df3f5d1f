"""uncoop export iati, judged by the standard itself: the official IATI 2.03 activities schema
and codelists, as shipped in the pyIATI source distribution (installed with --no-deps by the
README's set-up; only its resource files are read, the package is never imported)."""

from __future__ import annotations

import importlib.util
import itertools
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO

AS_OF = "2016-03-31"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def standard() -> Path:
    spec = importlib.util.find_spec("iati")
    assert spec is not None and spec.submodule_search_locations, (
        "the IATI schemas come from pyIATI: pip install --no-deps pyiati (see the README's set-up)"
    )
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "standard" / "2-03"


@cache
def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(standard() / "schemas" / "iati-activities-schema.xsd"))


@cache
def codelist(name: str) -> set[str]:
    tree = ET.parse(standard() / "codelists" / f"{name}.xml")
    return {item.findtext("code") for item in tree.iter("codelist-item")}


def export(run, *args: str) -> tuple[bytes, str]:
    result = run("export", "iati", "--out", "-", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes, result.stderr


@pytest.fixture(scope="module")
def bundled() -> tuple[bytes, str]:
    from tests.conftest import Run

    return export(Run(), "-m", str(REPO / "matrix"), "--prefix", "XM-EXAMPLE-DPA")


def test_the_bundled_matrix_validates_against_the_iati_203_schema(bundled):
    xml, _ = bundled
    errors = list(schema().iter_errors(xml.decode()))
    assert [str(e.reason) for e in errors[:3]] == []
    root = ET.fromstring(xml)
    assert root.get("version") == "2.03" and len(root.findall("iati-activity")) == 60


def test_every_code_is_in_its_codelist(bundled):
    root = ET.fromstring(bundled[0])

    def codes(path: str, attribute: str) -> set[str]:
        found = {e.get(attribute) for e in root.iterfind(path)}
        found.discard(None)
        assert found, path
        return found

    assert codes(".//activity-status", "code") <= codelist("ActivityStatus")
    assert codes(".//participating-org", "role") <= codelist("OrganisationRole")
    assert codes(".//participating-org", "type") <= codelist("OrganisationType")
    assert codes(".//activity-date", "type") <= codelist("ActivityDateType")
    assert codes(".//sector", "vocabulary") <= codelist("SectorVocabulary")
    assert codes(".//sector", "code") <= codelist("Sector")  # DAC 5-digit purpose codes
    assert codes(".//budget", "type") <= codelist("BudgetType")
    assert codes(".//budget", "status") <= codelist("BudgetStatus")
    assert codes(".//transaction-type", "code") <= codelist("TransactionType")
    assert codes(".//result", "type") <= codelist("ResultType")
    assert codes(".//indicator", "measure") <= codelist("IndicatorMeasure")
    assert codes(".//value", "currency") | codes("iati-activity", "default-currency") <= codelist("Currency")
    languages = {e.get(XML_LANG) for e in root.iter("narrative")} - {None}
    assert languages == {"fr", "ar"} and languages <= codelist("Language")


def test_statuses_are_what_the_reports_say_as_status_counts_them(bundled, run):
    """The IATI file says what happened: each activity's status as its reports left it, so the
    file's counts are `uncoop status`'s counts on the same day."""
    import json
    from collections import Counter

    root = ET.fromstring(bundled[0])
    words = ["pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended"]
    exported = Counter(words[int(a.find("activity-status").get("code")) - 1] for a in root.iter("iati-activity"))
    status = json.loads(run("status", "-m", str(REPO / "matrix"), "--as-of", AS_OF, "--format", "json").stdout)
    assert dict(exported) == status["summary"]["by_status"]
    assert exported["implementation"] < 58  # the plan says 58; the reports say fewer are under way


def ruleset_problems(xml: bytes, today: str) -> list[str]:
    """The IATI 2.03 standard ruleset (`standard_ruleset.json`, shipped with pyIATI) applied to
    every activity: the rule kinds it uses, with XPath 2 (elementpath) as the ruleset writes them."""
    import json

    import elementpath

    rules = json.loads((standard() / "rulesets" / "standard_ruleset.json").read_text())
    root = ET.fromstring(xml)
    problems = []

    def values(node, path):
        return [v if isinstance(v, str) else (v.text or "") for v in elementpath.select(node, path)]

    for context, kinds in rules.items():
        for node in elementpath.select(root, context.replace("//", "descendant-or-self::", 1)):
            where = node.findtext("iati-identifier") or node.tag
            for kind, spec in kinds.items():
                for case in spec["cases"]:
                    if kind == "atleast_one" and not any(values(node, p) for p in case["paths"]):
                        problems.append(f"{where}: none of {case['paths']}")
                    elif kind == "no_more_than_one" and sum(len(values(node, p)) for p in case["paths"]) > 1:
                        problems.append(f"{where}: more than one of {case['paths']}")
                    elif kind == "date_order":
                        less = values(node, case["less"]) if case["less"] != "NOW" else [today]
                        more = values(node, case["more"]) if case["more"] != "NOW" else [today]
                        if any(a > b for a in less for b in more):
                            problems.append(f"{where}: {case['less']} after {case['more']}")
                    elif kind == "regex_matches":
                        for p in case["paths"]:
                            problems += [
                                f"{where}: {p} {v!r}" for v in values(node, p) if not re.fullmatch(case["regex"], v)
                            ]
                    elif kind == "sum":
                        shares = [float(v) for p in case["paths"] for v in values(node, p)]
                        if shares and abs(sum(shares) - case["sum"]) > 1e-9:
                            problems.append(f"{where}: {case['paths']} sum to {sum(shares)}")
    return problems


def test_the_bundled_file_passes_the_iati_standard_ruleset(bundled):
    assert ruleset_problems(bundled[0], AS_OF) == []


def test_the_ruleset_check_catches_what_it_checks():
    bad = (
        b'<iati-activities version="2.03"><iati-activity><iati-identifier>X/1</iati-identifier>'
        b'<activity-date type="1" iso-date="2016-01-01"/><activity-date type="3" iso-date="2015-01-01"/>'
        b'<recipient-country code="ML" percentage="60"/><sector code="15110"/></iati-activity></iati-activities>'
    )
    found = ruleset_problems(bad, AS_OF)
    assert len(found) == 3 and any("sum to 60" in p for p in found)


def test_budgets_cover_at_most_a_year_without_overlap_and_add_up(bundled):
    from datetime import date, timedelta

    import yaml

    root = ET.fromstring(bundled[0])
    budgeted = 0
    for activity in root.iter("iati-activity"):
        ident = activity.findtext("iati-identifier").removeprefix("XM-EXAMPLE-DPA-")
        periods = []
        for budget in activity.iter("budget"):
            start = date.fromisoformat(budget.find("period-start").get("iso-date"))
            end = date.fromisoformat(budget.find("period-end").get("iso-date"))
            assert start <= end < start.replace(year=start.year + 1), ident  # at most twelve months
            periods.append((budget.find("value").get("currency"), start, end, float(budget.findtext("value"))))
        periods.sort()
        for (c1, _, end, _), (c2, start, _, _) in itertools.pairwise(periods):
            assert c1 != c2 or end + timedelta(days=1) == start, ident  # consecutive, no overlap, no gap
        if periods:
            budgeted += 1
            path = next((REPO / "matrix" / "activities").glob(f"*/{ident}.yaml"))
            amounts = sum(f["amount"] for f in yaml.safe_load(path.read_text())["funding"])
            assert abs(sum(p[3] for p in periods) - amounts) < 0.005, ident
    assert budgeted == 12


def test_countries_regions_and_the_humanitarian_flag(bundled):
    root = ET.fromstring(bundled[0])
    by_id = {a.findtext("iati-identifier").removeprefix("XM-EXAMPLE-DPA-"): a for a in root.iter("iati-activity")}
    assert [(c.get("code"), c.get("percentage")) for c in by_id["PSC-02"].iter("recipient-country")] == [("ML", "100")]
    shares = [c.get("percentage") for c in by_id["HUM-08"].iter("recipient-country")]
    assert shares == ["33.33", "33.33", "33.34"]
    assert codes_in(root, "recipient-country") <= codelist("Country")
    no_country = [a for a in by_id.values() if a.find("recipient-country") is None]
    assert no_country and all(a.find("recipient-region").get("code") == "998" for a in no_country)
    assert len(by_id) - len(no_country) == 11  # matrix/README.md: the countries the final document names
    humanitarian = {i for i, a in by_id.items() if a.get("humanitarian") == "1"}
    assert humanitarian == {i for i in by_id if i.startswith("HUM-")}


def codes_in(root, tag: str) -> set[str]:
    return {e.get("code") for e in root.iter(tag)}


def test_the_file_says_its_data_are_illustrative(bundled):
    root = ET.fromstring(bundled[0])
    for activity in root.iter("iati-activity"):
        notes = [d for d in activity.iter("description") if d.get("type") == "4"]
        assert notes and "invented" in notes[0].findtext("narrative")


def test_actual_dates_come_from_the_reports(bundled):
    root = ET.fromstring(bundled[0])
    started = [a for a in root.iter("iati-activity") if a.find("activity-date[@type='2']") is not None]
    closed = [a for a in root.iter("iati-activity") if a.find("activity-status").get("code") in ("4", "5")]
    assert len(started) >= 51
    assert all(a.find("activity-date[@type='4']") is not None for a in closed)


def test_a_country_that_is_not_iso_3166_is_a_located_error(matrix_dir, run):
    activity = next((matrix_dir / "activities").rglob("*.yaml"))
    text = activity.read_text()
    activity.write_text(text.replace("\nstatus:", "\ncountries: [ML, XX]\nstatus:", 1))
    result = run("validate")
    assert result.exit_code == 1
    assert f"{activity.name}:" in result.stdout and "'XX' is not an ISO 3166-1 country code" in result.stdout


def test_organisations_without_an_iati_ref_are_named_not_identified(bundled):
    xml, stderr = bundled
    root = ET.fromstring(xml)
    refs = {e.get("ref") for e in root.iter("participating-org")} - {None}
    assert "XM-DAC-41114" in refs  # UNDP's, from organizations.yaml
    assert all(re.fullmatch(r"XM-(DAC-\d+|EXAMPLE-DPA)", r) for r in refs)  # nothing invented
    assert "warning:" in stderr and "no iati_ref" in stderr and "OIC-GS" in stderr
    unnamed = [e for e in root.iter("participating-org") if e.get("ref") is None and e.find("narrative") is None]
    assert unnamed == []


def test_same_matrix_same_bytes(bundled, run):
    again, _ = export(run, "-m", str(REPO / "matrix"), "--prefix", "XM-EXAMPLE-DPA")
    assert again == bundled[0]


def test_quarter_and_month_dates_are_expanded_to_a_day(matrix_dir, run):
    activity = next((matrix_dir / "activities").rglob("*.yaml"))
    text = re.sub(r"planned_start: .*", "planned_start: 2014-07", activity.read_text())
    text = re.sub(r"planned_end: .*", "planned_end: 2015-Q2", text)
    activity.write_text(text)
    xml, _ = export(run, "--prefix", "XM-TEST")
    dates = {
        e.get("type"): e.get("iso-date")
        for a in ET.fromstring(xml).iter("iati-activity")
        if a.findtext("iati-identifier").endswith(activity.stem)
        for e in a.iter("activity-date")
    }
    assert dates["1"] == "2014-07-01" and dates["3"] == "2015-06-30"
    assert not list(schema().iter_errors(xml.decode()))


def test_markup_in_the_data_stays_text_and_the_file_stays_valid(matrix_dir, run):
    activity = next((matrix_dir / "activities").rglob("*.yaml"))
    hostile = "</narrative><iati-activity>&amp; <!-- ]]>"
    activity.write_text(re.sub(r"^title: .*$", f"title: '{hostile}'", activity.read_text(), count=1, flags=re.M))
    xml, _ = export(run, "--prefix", "XM-TEST")
    root = ET.fromstring(xml)
    assert hostile in [n.text for n in root.iter("narrative")]
    assert not list(schema().iter_errors(xml.decode()))


def test_without_an_identifier_for_the_publisher_the_export_says_what_to_do(matrix_dir, run, tmp_path):
    result = run("export", "iati", "--out", str(tmp_path / "x.xml"))
    assert result.exit_code == 2 and "iati_ref" in result.stderr and "--prefix" in result.stderr
    assert not (tmp_path / "x.xml").exists()
    result = run("export", "iati", "--out", str(tmp_path / "x.xml"), "--prefix", "not an id")
    assert result.exit_code == 2 and "not an IATI organisation identifier" in result.stderr
    result = run("export", "iati", "--out", str(tmp_path / "x.xml"), "--reporting-org", "NOPE", "--prefix", "XM-1")
    assert result.exit_code == 2 and "NOPE" in result.stderr
