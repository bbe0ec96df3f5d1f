"""Three languages: complete catalogs, localized reports, Arabic right to left, visible fallbacks."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from babel.messages.pofile import read_po

from tests.conftest import REPO, edit, hum
from uncoop.check import validate
from uncoop.i18n import LOCALE_DIR, localized
from uncoop.render import render
from uncoop.report import build_report
from uncoop.timeline import snapshot

LANGS = ["fr", "ar"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "uncoop.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert len(catalog) > 90


def test_catalogs_are_up_to_date_with_the_templates(tmp_path):
    pot = tmp_path / "uncoop.pot"
    from tests.regen import extract_command

    babel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run([*babel, *extract_command(pot)[1:]], cwd=REPO, check=True, capture_output=True)
    # `update --check` counts a new POT-Creation-Date as a change: compare messages, not the clock
    committed = (LOCALE_DIR / "uncoop.pot").read_text(encoding="utf-8")
    stamp = re.search(r'"POT-Creation-Date: [^"]*"', committed).group(0)
    pot.write_text(
        re.sub(r'"POT-Creation-Date: [^"]*"', lambda _: stamp, pot.read_text(encoding="utf-8")), encoding="utf-8"
    )
    assert pot.read_text(encoding="utf-8") == committed, "run the extract command in babel.cfg"
    check = subprocess.run(
        [*babel, "update", "--check", "-i", str(pot), "-d", str(LOCALE_DIR), "-D", "uncoop"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.fixture(scope="module")
def bundled():
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    return build_report(matrix, snapshot(matrix, date(2016, 3, 31)), "en"), matrix


@pytest.mark.parametrize(
    "lang, heading, day, direction",
    [
        ("en", "Executive summary", "31 March 2016", "ltr"),  # the UN's style, day first
        ("fr", "Résumé analytique", "31 mars 2016", "ltr"),
        ("ar", "الملخص التنفيذي", "31 آذار/مارس 2016", "rtl"),
    ],
)
def test_reports_speak_the_language(lang, heading, day, direction):
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    view = build_report(matrix, snapshot(matrix, date(2016, 3, 31)), lang)
    html = render(view, "html")
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f">{heading}</h2>" in html and day in html
    md = render(view, "md")
    assert f"## {heading}" in md and day in md


def test_activity_titles_exist_in_all_three_languages(bundled):
    _, matrix = bundled
    for record in matrix.activities:
        assert set(record.value.title) == {"en", "fr", "ar"}, record.value.id


def test_missing_translations_fall_back_visibly(matrix_dir):
    text = localized({"en": "Plan", "fr": "Plan d'action"}, "ar")
    assert text == "Plan" and text.fallback == "en"
    assert text.__html__() == (
        '<span lang="en" dir="ltr" class="fallback">Plan</span><sup class="fallback-mark" aria-label="English">en</sup>'
    )
    assert localized("Plain English", "fr").fallback == "en"
    assert localized({"ar": "خطة"}, "ar").fallback is None
    matrix, _ = validate(matrix_dir, date(2026, 1, 1), matrix_dir.parent)
    md = render(build_report(matrix, snapshot(matrix, date(2015, 3, 31)), "fr"), "md")
    assert "High-level working group formed; first meeting held in Geneva. _(en)_" in md


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_bundled_matrix_is_whole_in_french_and_arabic(lang):
    """Every translatable text of the bundled Matrix has its French and Arabic (made with
    `uncoop translation export` / `import`), so the sample reports hold no passage marked English."""
    matrix, problems = validate(REPO / "matrix", date(2026, 1, 1), REPO, require_langs=("fr", "ar"))
    assert [p.as_text() for p in problems if p.code == "missing-translation"] == []
    html = (REPO / "reports" / f"progress-report-2016-03-31.{lang}.html").read_text(encoding="utf-8")
    md = (REPO / "reports" / f"progress-report-2016-03-31.{lang}.md").read_text(encoding="utf-8")
    assert 'class="fallback"' not in html and "_(en)_" not in md


def test_arabic_html_isolates_ids_and_keeps_the_timeline_left_to_right():
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    html = render(build_report(matrix, snapshot(matrix, date(2016, 3, 31)), "ar"), "html")
    assert '<h3 id="HUM-01-h"><bdi>HUM-01</bdi>' in html
    assert 'direction="ltr"' in html and 'text-anchor="end">CPV-01</text>' in html


def test_require_lang_warns_only_when_asked(matrix_dir, run):
    assert "missing-translation" not in run("validate", "--as-of", "2016-12-31").stdout
    result = run("validate", "--as-of", "2016-12-31", "--require-lang", "fr", "--format", "json")
    assert result.exit_code == 0  # warnings
    assert (
        '"path": "matrix/activities/humanitarian/HUM-01.yaml",\n      "line": 3,\n      "column": 3,\n'
        '      "severity": "warning",\n      "code": "missing-translation"'
    ) not in result.stdout  # has fr
    assert '"message": "title has no fr text"' in result.stdout
    edit(
        matrix_dir / "matrix.yaml",
        "languages:" if "languages:" in (matrix_dir / "matrix.yaml").read_text() else "thresholds:",
        "languages:\n  required: [ar]\nthresholds:",
    )
    assert "missing-translation" in run("validate", "--as-of", "2016-12-31").stdout
    assert run("validate", "--require-lang", "de").exit_code == 2


def test_unknown_language_code_in_data_is_rejected(matrix_dir, run):
    edit(hum(matrix_dir), "  fr: Plan d'action OCI-OCHA", "  es: Plan de acción")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and "unknown language 'es'" in result.stdout


def test_status_titles_in_french_and_arabic_kept_out_of_plain_terminals(run, monkeypatch):
    monkeypatch.chdir(REPO)
    import json

    doc = json.loads(run("status", "--as-of", "2016-03-31", "--lang", "fr", "--format", "json").stdout)
    first = doc["areas"][0]["activities"][0]
    assert first["title"].startswith("Capacités et expertise") and first["title_lang"] == "fr"
    doc = json.loads(run("status", "--as-of", "2016-03-31", "--lang", "ar", "--format", "json").stdout)
    assert doc["areas"][0]["activities"][0]["title"].startswith("قدرات")
    monkeypatch.delenv("UNCOOP_BIDI", raising=False)
    table = run("status", "--as-of", "2016-03-31", "--lang", "ar").stdout
    assert "قدرات" not in table and "this terminal view keeps English" in " ".join(table.split())
    monkeypatch.setenv("UNCOOP_BIDI", "1")
    assert "قدرات" in run("status", "--as-of", "2016-03-31", "--lang", "ar").stdout


def test_default_language_comes_from_the_matrix(matrix_dir, run):
    import json

    text = (matrix_dir / "matrix.yaml").read_text()
    (matrix_dir / "matrix.yaml").write_text(text + "languages:\n  default: fr\n")
    doc = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json").stdout)
    hum = [a for area in doc["areas"] for a in area["activities"] if a["id"] == "HUM-01"][0]
    assert hum["title"] == "Plan d'action OCI-OCHA" and hum["title_lang"] == "fr"
    doc = json.loads(run("status", "--as-of", "2015-02-15", "--format", "json", "--lang", "en").stdout)
    assert [a for area in doc["areas"] for a in area["activities"] if a["id"] == "HUM-01"][0]["title_lang"] == "en"


def test_status_says_findings_in_the_chosen_language(matrix_dir, run):
    import json

    doc = json.loads(run("status", "--as-of", "2015-02-15", "--lang", "fr", "--format", "json").stdout)
    texts = {f["code"]: f["text"] for f in doc["findings"]}
    messages = {f["code"]: f["message"] for f in doc["findings"]}
    assert (
        texts["overdue-activity"] == "HUM-02 a dépassé sa fin prévue (décembre 2014) de 46 jours et reste en "
        "«\u202fmise en œuvre\u202f»"
    )
    assert messages["overdue-activity"].startswith("HUM-02 passed its planned end 2014-12")  # machines keep English
    assert "ICHAD n'a pas présenté son rapport pour le T4 2014, attendu le 30 janvier 2015" in [
        f["text"] for f in doc["findings"]
    ]
    markdown = run("status", "--as-of", "2015-02-15", "--lang", "fr", "--format", "markdown").stdout
    assert "**overdue-activity**: HUM-02 a dépassé sa fin prévue" in markdown
    table = " ".join(run("status", "--as-of", "2015-02-15", "--lang", "fr").stdout.split())
    assert "en retard" in table  # the findings cell's label, translated


def test_the_dashboards_own_words_follow_the_language(matrix_dir, run):
    table = " ".join(run("status", "--as-of", "2015-02-15", "--lang", "fr").stdout.split())
    for words in (
        "Situation de la Matrice au 2015-02-15",
        "4 activités",
        "rapports non présentés",
        "En retard, par institution chef de file",
        "jours de retard",
        "Rapports trimestriels",
        "Nations Unies",
        "mise en œuvre",
    ):
        assert words in table, words
    for english in ("Matrix status as of", "activities (", "reports missing", "days late", "implementation", "blank"):
        assert english not in table, english
    markdown = run("status", "--as-of", "2015-02-15", "--lang", "fr", "--format", "markdown").stdout
    assert "| Activité | Chef de file ONU |" in markdown and "## Constats" in markdown


# what French printing wants: a narrow (or plain) no-break space before ; : ! ? and %, inside « »
_GLUED_OR_BREAKABLE = re.compile(
    r"(?:[^\s\u00a0\u202f]| )[;:!?](?=\s|$)|\d ?%|«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»"
)


def _visible_lines(path):
    """The sample's visible French text, line by line: without code, CSS, table rulers, and
    without the data still shown in English (marked as such, which the translation issue owns)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"(?s)<(style|script|svg|code)\b.*?</\1>", "", text)
        text = re.sub(r'(?s)<(\w+)[^>]*\blang="en".*?</\1>', "", text)
        text = re.sub(r"<[^>]+>", "\n", text)
    text = re.sub(r"(?s)```.*?```", "", text)
    return [line for line in text.splitlines() if "_(en)_" not in line and "---" not in line and "://" not in line]


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_french_typography_holds_over_the_whole_french_report(suffix):
    sample = REPO / "reports" / f"progress-report-2016-03-31.fr{suffix}"
    wrong = [line for line in _visible_lines(sample) if _GLUED_OR_BREAKABLE.search(line)]
    assert wrong == [], f"{len(wrong)} lines, e.g. {wrong[:3]}"


COUNTS = [*range(12), 100, 101, 102, 103, 111]  # every Arabic plural category, and their returns at 100


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_count_takes_the_plural_form_cldr_gives_it(lang):
    """Arabic has six forms (zero, one, two, few 3-10, many 11-99, other 100…): each count reads the
    catalog's form for its CLDR category, and every plural message fills them all."""
    from babel import Locale

    from uncoop.i18n import TYPOGRAPHY, translations

    locale = Locale.parse(lang)
    categories = [c for c in ("zero", "one", "two", "few", "many", "other") if c in locale.plural_form.tags | {"other"}]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "uncoop.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals and catalog.num_plurals == len(categories)
    t = translations(lang)
    for message in plurals:
        assert len(message.string) == len(categories) and all(message.string), message.id
        for n in COUNTS:
            form = categories.index(locale.plural_form(n))
            shown = t.ngettext(*message.id, n)
            wanted = TYPOGRAPHY.get(lang, str)(message.string[form])
            assert shown == wanted, (message.id[0], n, locale.plural_form(n))


def test_arabic_days_late_agree_from_zero_to_a_hundred():
    from uncoop.i18n import translations

    t = translations("ar")
    said = {n: t.ngettext("%(num)d day late", "%(num)d days late", n) % {"num": n} for n in COUNTS}
    assert said[0] == "دون تأخير" and said[1] == "بتأخير يوم واحد" and said[2] == "بتأخير يومين"
    assert all(said[n] == f"بتأخير {n} أيام" for n in range(3, 11))  # few: plural noun
    assert said[11] == "بتأخير 11 يومًا" and said[111] == "بتأخير 111 يومًا"  # many: accusative singular
    assert said[100] == "بتأخير 100 يوم" and said[101] == "بتأخير 101 يوم"  # other: genitive singular


@pytest.mark.parametrize("lang", ["fr"])  # organizations.yaml gives no Arabic acronym
def test_no_institution_is_written_with_its_english_acronym_where_the_language_has_its_own(lang):
    """PNUD, not UNDP, in French: wherever organizations.yaml gives an acronym in the language,
    the sample report never shows the English id in that language's own text."""
    import yaml

    organizations = yaml.safe_load((REPO / "matrix" / "organizations.yaml").read_text())["organizations"]
    own = {o["id"]: o["acronym"].get(lang) for o in organizations if isinstance(o.get("acronym"), dict)}
    own = {org: acronym for org, acronym in own.items() if acronym and acronym != org}
    assert len(own) >= 10
    for suffix in (".md", ".html"):
        lines = _visible_lines(REPO / "reports" / f"progress-report-2016-03-31.{lang}{suffix}")
        for org, acronym in own.items():
            english = re.compile(rf"(?<![\w-]){re.escape(org)}(?![\w-])")
            assert not [line for line in lines if english.search(line)], (org, acronym, suffix)


def _glossary():
    import yaml

    return yaml.safe_load((LOCALE_DIR / "glossary.yaml").read_text(encoding="utf-8"))["terms"]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_catalogs_use_the_glossarys_terms(lang):
    """A term of the glossary is translated by its fixed form wherever uncoop's English says it
    (a focal point is a coordonnateur and a جهة الاتصال everywhere, never a second word)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "uncoop.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    strays = []
    for term in _glossary():
        english = re.compile(term.get("en_match") or rf"(?i)\b{re.escape(term['en'])}\b")
        wanted = re.compile(term[lang]["match"])
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            said = message.string[-1] if isinstance(message.string, tuple) else message.string
            if message.id and english.search(ids[-1]) and not wanted.search(said):
                strays.append((term["en"], ids[-1], said))
    assert strays == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_bundled_data_use_the_glossarys_names(lang, bundled):
    """Data text that names the OIC or the Matrix in English names it by the glossary's form in
    its French and Arabic versions."""
    terms = [t for t in _glossary() if t["en"] in ("Organisation of Islamic Cooperation", "United Nations")]
    strays, checked = [], 0
    for text in _texts(bundled[1]):
        if not isinstance(text, dict) or lang not in text or "en" not in text:
            continue
        for term in terms:
            if term["en"] in text["en"]:
                checked += 1
                if not re.search(term[lang]["match"], text[lang]):
                    strays.append((term["en"], text[lang]))
    assert checked and strays == []


def _texts(value):
    """Every text of a record tree (dicts of languages included), depth first."""
    import dataclasses

    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _texts(getattr(value, f.name))
