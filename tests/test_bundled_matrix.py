"""The bundled 2014 Matrix is complete and faithful to the final document."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import REPO
from uncoop.check import validate

MATRIX = REPO / "matrix"

# ¶3 and ¶4 of the final document, as written there, with the id each has in organizations.yaml.
PARAGRAPH_3 = {
    "Department of Political Affairs": "DPA",
    "Office for the Coordination of Humanitarian Affairs": "OCHA",
    "Office for Disarmament Affairs": "UNODA",
    "Counter-Terrorism Committee Executive Directorate": "CTED",
    "Office of the High Commissioner for Human Rights": "OHCHR",
    "United Nations Development Programme": "UNDP",
    "UN Office for South-South Cooperation": "UNOSSC",
    "United Nations Environment Programme": "UNEP",
    "United Nations Educational, Scientific and Cultural Organization": "UNESCO",
    "Office of the United Nations High Commissioner for Refugees": "UNHCR",
    "United Nations Institute for Training and Research": "UNITAR",
    "United Nations Office on Drugs and Crime": "UNODC",
    "United Nations Population Fund": "UNFPA",
    "United Nations Relief and Works Agency for Palestine Refugees in the Near East": "UNRWA",
    "Food and Agriculture Organization of the United Nations": "FAO",
    "World Food Programme": "WFP",
    "United Nations Industrial Development Organization": "UNIDO",
    "World Health Organization": "WHO",
}
PARAGRAPH_4 = {
    "OIC General Secretariat": "OIC-GS",
    "OIC Permanent Observer Mission in New York": "OIC-NY",
    "OIC Permanent Observer Mission in Geneva": "OIC-GVA",
    "OIC Liaison Office to UNESCO": "OIC-UNESCO",
    "Research Centre for Islamic History, Art and Culture": "IRCICA",
    "Statistical, Economic and Social Research and Training Centre for Islamic Countries": "SESRIC",
    "Islamic Centre for the Development of Trade": "ICDT",
    "Islamic Educational, Scientific and Cultural Organization": "ISESCO",
    "Islamic Development Bank": "IDB",
    "Islamic Chamber of Commerce, Industry and Agriculture": "ICCIA",
    "Islamic Committee of International Crescent": "ICIC",
    "Islamic Conference Youth Forum for Dialogue and Cooperation": "ICYF-DC",
    "Standards and Metrology Institute for Islamic Countries": "SMIIC",
    "Islamic Solidarity Sports Federation": "ISSF",
    "COMCEC Coordination Office": "COMCEC-CO",
}
OTHER_ACTORS = ["DPKO", "UNISDR", "IASC", "ICHAD", "PSMU", "IPHRC", "IIFA", "MINUSCA", "CFM", "UNSC"]
HEADINGS = {
    "Conflict prevention": [10, 11, 12],
    "Maintenance of international peace and security in specific countries": list(range(13, 26)),
    "Combating terrorism and incitement, and enhancing cultural dialogue": [26, 27],
    "Promotion of democratization, good governance, human rights and the rule of law": [28, 29, 30],
    "Disarmament": [31],
    "South-South Cooperation": [32, 33, 34],
    "Sustainable Development, Climate Change, Health and Education": list(range(35, 44)),
    "Social and Cultural Issues": [44, 45, 46, 47],
    "Humanitarian Cooperation": [48, 49, 50, 51],
}


@pytest.fixture(scope="module")
def bundled():
    matrix, problems = validate(MATRIX, date(2026, 11, 28), REPO)
    return matrix, problems


def _words(text: str) -> set[str]:
    text = text.replace("UN ", "United Nations ")
    return {w for w in re.findall(r"[A-Za-z-]+", text.lower()) if w not in {"the", "of", "in", "to", "for", "and"}}


def test_bundled_matrix_validates_clean(bundled):
    """No errors; the only warnings are the ¶54 checks matrix.yaml turns on (48 unfunded, 38 without
    an indicator: the final document gives no funding or benchmarks for them)."""
    _, problems = bundled
    assert [p for p in problems if p.severity.label == "error"] == []
    counts = {code: sum(p.code == code for p in problems) for code in {p.code for p in problems}}
    assert counts == {"unfunded-activity": 48, "no-indicators": 38}


@pytest.mark.parametrize("side, names", [("un", PARAGRAPH_3), ("oic", PARAGRAPH_4)])
def test_every_participant_is_an_organization(bundled, side, names):
    matrix, _ = bundled
    for name, ident in names.items():
        org = matrix.org_by_id[ident].value
        assert org.side == side, ident
        assert _words(name) <= _words(org.name["en"]) | {"permanent", "observer", "mission"}, (name, org.name["en"])


def test_other_actors_are_organizations(bundled):
    matrix, _ = bundled
    assert set(OTHER_ACTORS) <= set(matrix.org_by_id)


def test_every_heading_of_section_iii_is_an_area(bundled):
    matrix, _ = bundled
    areas = {a.value.title["en"]: a.value.paragraphs for a in matrix.areas}
    assert areas == HEADINGS


def test_every_activity_cites_paragraphs_of_section_iii(bundled):
    matrix, _ = bundled
    assert len(matrix.activities) >= 50
    for record in matrix.activities:
        assert record.value.source and all(10 <= p <= 51 for p in record.value.source), record.value.id


def test_every_area_has_activities_and_each_has_leads_on_both_sides(bundled):
    matrix, _ = bundled
    assert {a.value.area for a in matrix.activities} == {a.value.id for a in matrix.areas}
    for record in matrix.activities:
        assert record.value.leads.un and record.value.leads.oic


def test_dates_the_document_states(bundled):
    matrix, _ = bundled
    acts = {a.value.id: a.value for a in matrix.activities}
    due = {(i, m.id): m.due.text for i, act in acts.items() for m in act.milestones}
    assert due[("PSC-01", "M1")] == "2014-09-15"  # MINUSCA deployment target, ¶14
    assert due[("PSC-08", "M1")] == "2014-06-30"  # Council of Foreign Ministers, June 2014, ¶21
    assert due[("SDV-17", "M2")] == "2015-12-31"  # Education for All deadline, ¶43
    meta = matrix.meta.value
    assert meta.next_meeting.year == 2016 and str(meta.adopted.date) == "2014-05-22"
    assert (meta.focal_points.un.organization, meta.focal_points.oic.organization) == ("DPA", "OIC-GS")
