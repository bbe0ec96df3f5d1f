"""uncoop export iati, judged by the standard itself: the official IATI 2.03 activities schema
and codelists, as shipped in the pyIATI source distribution (installed with --no-deps by the
README's set-up; only its resource files are read, the package is never imported)."""

from __future__ import annotations

import importlib.util
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


def test_statuses_map_one_to_one(bundled):
    import yaml

    root = ET.fromstring(bundled[0])
    written = {
        a.findtext("iati-identifier").removeprefix("XM-EXAMPLE-DPA-"): a.find("activity-status").get("code")
        for a in root.iter("iati-activity")
    }
    words = ["pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended"]
    for path in (REPO / "matrix" / "activities").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        assert written[data["id"]] == str(words.index(data["status"]) + 1)


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
