"""The Language object: one per run, built by the CLI, carrying every way uncoop writes a language."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import REPO
from uncoop.check import validate
from uncoop.dates import FlexDate
from uncoop.health import Health, of_group
from uncoop.i18n import EN, Language, language
from uncoop.render import render
from uncoop.report import build_report
from uncoop.timeline import snapshot

SRC = REPO / "src" / "uncoop"


def test_one_object_per_language_and_no_other_language():
    assert language("fr") is language("fr") and language("fr") == "fr" and EN == "en"
    assert (language("ar").rtl, language("ar").direction, language("fr").direction) == (True, "rtl", "ltr")
    assert language("ar").name == "العربية" and language("fr").comma == ", " and language("ar").comma == "، "
    with pytest.raises(ValueError, match="unknown language 'de'"):
        Language("de")


def test_no_language_is_a_bare_string_below_the_command_line():
    """Below cli/ a language is typed as the Language object, never `lang: str`."""
    bare = re.compile(r"\b\w*lang\w*: str\b")
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted(SRC.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "code, day, month",
    [
        ("en", "31 March 2016", "March 2016"),
        ("fr", "31 mars 2016", "mars 2016"),
        ("ar", "31 آذار/مارس 2016", "حزيران/يونيه 2015"),
    ],
)
def test_dates_as_the_un_writes_them(code, day, month):
    lang = language(code)
    assert lang.date(date(2016, 3, 31)) == day
    shown = FlexDate.parse("2016-03" if code != "ar" else "2015-06")
    assert lang.when(shown) == month


@pytest.mark.parametrize(
    "code, counts",
    [
        ("en", {1: "1 day", 2: "2 days", 46: "46 days"}),
        ("fr", {1: "1 jour", 2: "2 jours", 46: "46 jours"}),
        ("ar", {1: "يوم واحد", 2: "يومان", 3: "3 أيام", 11: "11 يومًا", 100: "100 يوم"}),
    ],
)
def test_durations_take_the_form_their_count_gives_them(code, counts):
    assert {n: language(code).days(n) for n in counts} == counts


def test_lists_and_numbers_follow_the_language():
    assert language("en").list(["DPA", "OCHA", "WFP"]) == "DPA, OCHA, and WFP"
    assert language("fr").list(["DAP", "BCAH", "PAM"]) == "DAP, BCAH et PAM"
    assert language("fr").percent(45) == "45\u202f%" and language("en").percent(45) == "45%"
    assert language("fr").number(10000) == "10\u202f000"


@pytest.mark.parametrize(
    "code, one, five",
    [
        ("en", "1 of 5 activities at risk", "5 of 8 activities at risk"),
        ("fr", "1 activité sur 5 à risque", "5 activités sur 8 à risque"),
        ("ar", "نشاط واحد من أصل 5 معرض للخطر", "5 أنشطة من أصل 8 معرضة للخطر"),
    ],
)
def test_a_groups_reasons_agree_with_their_count(code, one, five):
    one_at_risk = of_group([Health("at-risk")] + [Health("on-track")] * 4)
    five_at_risk = of_group([Health("at-risk")] * 5 + [Health("on-track")] * 3)
    texts = [one_at_risk.reasons[0].text(language(code)), five_at_risk.reasons[0].text(language(code))]
    assert [t.replace("\u202f", " ") for t in texts] == [one, five]


def test_the_arabic_report_writes_its_months_as_the_un_does():
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    md = render(build_report(matrix, snapshot(matrix, date(2016, 3, 31)), language("ar")), "md")
    assert "31 آذار/مارس 2016" in md and "31 مارس 2016" not in md


def test_the_arabic_summary_names_the_institutions_that_owe_in_arabic():
    """Most acronyms are Latin letters: in Arabic running text an institution is named, not abbreviated."""
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    md = render(build_report(matrix, snapshot(matrix, date(2016, 3, 31)), language("ar")), "md")
    (owing,) = [line for line in md.splitlines() if "تقاريرها الفصلية المستحقة" in line]
    assert "برنامج الأغذية العالمي" in owing and not re.search("[A-Za-z]", owing)
