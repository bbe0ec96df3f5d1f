"""Provenance: what the data are, said where it distinguishes something.

The Matrix-wide notice (matrix.yaml `provenance`) is in every output; an activity's
`field_provenance` names the fields the final document does not state (inferred from it, or
illustrative), and the report's card and the site's activity page say which, in each language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape

from tests.conftest import REPO, edit, hum

MARKS = "status: implementation\nfield_provenance:\n  leads.oic: inferred\n  funding: illustrative\n"
WORDS = {
    "en": (
        "Not stated in the final document",
        "inferred (reasoned from the final document, not stated in it): OIC leads",
        "illustrative (made up to show how follow-up works): funding",
    ),
    "fr": (
        "Non énoncé dans le document final",
        "déduits du document final (qui ne les mentionne pas)\u202f: chefs de file OCI",
        "fictifs (inventés pour illustrer le suivi)\u202f: financement",
    ),
    "ar": (
        "غير منصوص عليه في الوثيقة الختامية",
        "مستنتَج (من الوثيقة الختامية دون أن تنص عليه): الجهات الرائدة من منظمة التعاون الإسلامي",
        "توضيحي (مفترض لتوضيح كيفية المتابعة): التمويل",
    ),
}
SEMICOLON = {"en": "; ", "fr": "\u202f; ", "ar": "؛ "}  # French printing: a narrow no-break space


def _card(text: str, act: str, nxt: str) -> str:
    """The part of a report or page about one activity (up to the next one)."""
    start = text.index(act)
    end = text.find(nxt, start)
    return text[start : end if end > 0 else None]


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_field_marked_inferred_says_so_in_the_report_and_on_the_site(matrix_dir, run, tmp_path, lang):
    edit(hum(matrix_dir), "status: implementation\n", MARKS)
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    out = tmp_path / "out"
    assert run("report", "--as-of", "2015-06-30", "--lang", lang, "--format", "all", "--out", str(out)).exit_code == 0
    suffix = "" if lang == "en" else f".{lang}"
    label, inferred, illustrative = WORDS[lang]
    md = (out / f"progress-report-2015-06-30{suffix}.md").read_text()
    html = (out / f"progress-report-2015-06-30{suffix}.html").read_text()
    row = f"| {label} | {inferred}{SEMICOLON[lang]}{illustrative} |"
    assert md.count(f"| {label} |") == 1 and row in md
    inferred, illustrative = escape(inferred), escape(illustrative)  # as HTML writes them
    assert html.count("not-stated") == 1 and inferred in html and illustrative in html
    # only HUM-01 says it: the card of another activity carries no mark
    assert label not in _card(html, 'id="HUM-02"', '<article class="activity')
    site = tmp_path / "site"
    assert run("site", "--as-of", "2015-06-30", "--out", str(site), "--no-search").exit_code == 0
    page = (site / lang / "activities" / "HUM-01.html").read_text()
    assert label in page and inferred in page and illustrative in page
    assert label not in (site / lang / "activities" / "HUM-02.html").read_text()


def test_an_activity_with_no_marks_shows_none(matrix_dir, run, tmp_path):
    out, site = tmp_path / "out", tmp_path / "site"
    assert run("report", "--as-of", "2015-06-30", "--format", "all", "--out", str(out)).exit_code == 0
    assert run("site", "--as-of", "2015-06-30", "--out", str(site), "--no-search").exit_code == 0
    texts = [p.read_text() for p in out.iterdir()] + [p.read_text() for p in site.rglob("*.html")]
    assert texts and not any("Not stated in the final document" in t or "not-stated" in t for t in texts)


def test_a_mark_outside_the_vocabulary_is_a_located_error(matrix_dir, run):
    edit(hum(matrix_dir), "status: implementation\n", "field_provenance:\n  title: guessed\nstatus: implementation\n")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1
    assert "HUM-01.yaml:13:3: error[" in result.stdout or "HUM-01.yaml:13:10: error[" in result.stdout
    assert "'leads.un', 'leads.oic'" in result.stdout  # the fields that can be marked are named


def test_a_mark_on_a_field_the_activity_lacks_is_a_located_warning(matrix_dir, run):
    edit(
        hum(matrix_dir),
        "status: implementation\n",
        "field_provenance:\n  deliverables: illustrative\nstatus: implementation\n",
    )
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 0  # a warning: nothing untrue about data that exists
    wanted = (
        "HUM-01.yaml:13:17: warning[stray-provenance] HUM-01 marks deliverables illustrative, but has no deliverables"
    )
    assert wanted in result.stdout


def test_the_notice_is_in_every_output(matrix_dir, run, tmp_path):
    """status, letters and the forms' cover carry the one line (tests/test_status.py); here the
    report, every page of the site and every activity of the IATI file, in their languages."""
    edit(matrix_dir / "matrix.yaml", "\nperiod:", "\nprovenance:\n  status: illustrative\n  note: Made up.\nperiod:")
    words = {"en": "About the data", "fr": "À propos des données", "ar": "عن البيانات"}
    site = tmp_path / "site"
    assert run("site", "--as-of", "2015-06-30", "--out", str(site), "--no-search").exit_code == 0
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text, lang = page.read_text(), page.relative_to(site).parts[0]
        assert words.get(lang, "About the data") in text and "Made up." in text, page
    out = tmp_path / "r"
    for lang in ("en", "fr", "ar"):
        assert run("report", "--as-of", "2015-06-30", "--lang", lang, "--out", str(out)).exit_code == 0
    for report in out.iterdir():
        assert "Made up." in report.read_text(), report
    iati = tmp_path / "m.iati.xml"
    assert run("export", "iati", "--as-of", "2015-06-30", "--out", str(iati), "--prefix", "XM-TEST").exit_code == 0
    xml = iati.read_text()
    assert xml.count("<iati-activity ") == xml.count('<description type="4">') > 0
    assert xml.count("Made up.") == xml.count("<iati-activity ")


def _activities(root: Path) -> list[dict]:
    import yaml

    return [yaml.safe_load(p.read_text()) for p in sorted((root / "activities").glob("*/*.yaml"))]


def test_every_bundled_activity_says_what_the_final_document_does_not_state():
    """Each bundled activity carries its own marks; a mark names a field the activity holds;
    the planned dates are nowhere the document's (it gives three dates, matrix/README.md), and
    the counts matrix/README.md gives are these."""
    acts = _activities(REPO / "matrix")
    assert len(acts) == 60 and all(a.get("field_provenance") for a in acts)
    for a in acts:
        for field_name in a["field_provenance"]:
            head, _, tail = field_name.partition(".")
            assert a[head][tail] if tail else a.get(head), (a["id"], field_name)
        assert a["field_provenance"]["dates"] == "illustrative"
    sides = ("leads.un", "leads.oic", "partners")
    inferred = {k: sum(a["field_provenance"].get(k) == "inferred" for a in acts) for k in sides}
    with_partners = sum(bool(a.get("partners")) for a in acts)
    readme = " ".join((REPO / "matrix" / "README.md").read_text().split())
    assert (
        f"the UN leads of {inferred['leads.un']}, the OIC leads of {inferred['leads.oic']} and the partners of "
        f"{inferred['partners']} (of {with_partners} that have any) are inferred" in readme
    )
    marks = [v for a in acts for v in a["field_provenance"].values()]
    assert f"{marks.count('inferred')} fields marked inferred and {marks.count('illustrative')} illustrative" in readme
