"""`uncoop report`: golden files, determinism, and hostile text rendered harmlessly."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import REPO, edit, golden, hum
from uncoop.check import validate
from uncoop.markup import mermaid_text, safe_url
from uncoop.render import render
from uncoop.report import build_report
from uncoop.timeline import snapshot

AS_OF = "2015-02-15"


def report(matrix_dir, fmt: str, as_of: str = AS_OF) -> str:
    matrix, problems = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    assert problems == []
    return render(build_report(matrix, snapshot(matrix, date.fromisoformat(as_of))), fmt)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_matches_golden_file(matrix_dir, fmt, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    golden(f"report.{fmt}", report(matrix_dir, fmt))


def test_cli_writes_both_formats_deterministically(matrix_dir, run, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = run("report", "--as-of", AS_OF, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    md = (tmp_path / "out" / f"progress-report-{AS_OF}.md").read_bytes()
    html = (tmp_path / "out" / f"progress-report-{AS_OF}.html").read_bytes()
    run("report", "--as-of", AS_OF, "--out", str(tmp_path / "again"))
    assert (tmp_path / "again" / f"progress-report-{AS_OF}.md").read_bytes() == md
    assert (tmp_path / "again" / f"progress-report-{AS_OF}.html").read_bytes() == html
    assert b"generated" not in md


def test_source_date_epoch_adds_a_generation_date(matrix_dir, run, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1458000000")
    result = run("report", "--as-of", AS_OF, "--format", "md", "--out", "-")
    assert "generated 2016-03-15 00:00 UTC" in result.stdout


def test_default_output_is_reports_beside_the_matrix(matrix_dir, run):
    assert run("report", "--as-of", AS_OF).exit_code == 0
    assert sorted(p.name for p in (matrix_dir.parent / "reports").iterdir()) == [
        f"progress-report-{AS_OF}.html",
        f"progress-report-{AS_OF}.md",
    ]


def test_hostile_title_renders_harmlessly(matrix_dir):
    hostile = "<script>alert(1)</script> | a: b # c; d"
    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", f"  en: '{hostile}'")
    html = report(matrix_dir, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; | a: b # c; d" in html
    md = report(matrix_dir, "md")
    assert "<script>" not in md
    assert "| HUM-01 &lt;script&gt;alert(1)&lt;/script&gt; \\| a: b # c; d |" in md  # annex table cell
    gantt = [line for line in md.splitlines() if line.endswith("hum01, 2014-07-01, 2016-06-30")]
    assert gantt == [
        "    HUM-01 #60;script#62;alert(1)#60;/script#62; | a#58; b #35; c#59; d :active, hum01, 2014-07-01, 2016-06-30"
    ]


def test_links_keep_only_safe_schemes(matrix_dir):
    text = hum(matrix_dir).read_text() + (
        "links:\n  - title: Plan\n    url: https://example.org/plan\n"
        "  - title: Mail\n    url: mailto:focal@example.org\n"
    )
    hum(matrix_dir).write_text(text)
    html = report(matrix_dir, "html")
    assert 'href="https://example.org/plan"' in html and 'href="mailto:focal@example.org"' in html
    assert safe_url("javascript:alert(1)") is None and safe_url(" JavaScript:x") is None
    assert safe_url("data:text/html,x") is None and safe_url("HTTPS://x.org") == "HTTPS://x.org"


def test_schema_refuses_javascript_links(matrix_dir):
    hum(matrix_dir).write_text(hum(matrix_dir).read_text() + "links:\n  - title: x\n    url: javascript:alert(1)\n")
    _, problems = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    assert [p.code for p in problems] == ["invalid-value"]


def test_mermaid_escapes():
    assert mermaid_text("A: b # c; d\nnext") == "A#58; b #35; c#59; d next"


def test_html_is_self_contained(matrix_dir):
    html = report(matrix_dir, "html")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)
    assert "<script" not in html and "@import" not in html and "url(http" not in html
    assert '<html lang="en" dir="ltr">' in html and "@page { size: A4" in html
    assert html.count('class="planned"') == 4


def test_custom_templates_and_template_errors(matrix_dir, run, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.md.j2").write_text("{{ r.meta.title }}: {{ r.summary.activities }} activities\n")
    result = run("report", "--as-of", AS_OF, "--format", "md", "--out", "-", "--templates", str(folder))
    assert result.stdout == "Test Matrix of UN-OIC joint activities: 4 activities\n"
    (folder / "report.md.j2").write_text("{{ r.no_such_thing.x }}\n")
    result = run("report", "--format", "md", "--out", "-", "--templates", str(folder))
    assert result.exit_code == 2 and "\nuncoop: template error" in "\n" + result.stderr


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_committed_sample_reports_are_current(monkeypatch, lang):
    """reports/ holds the bundled Matrix's report as of 2016-03-31 in three languages; regenerate with
    the README command."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    view = build_report(matrix, snapshot(matrix, date(2016, 3, 31)), lang)
    suffix = "" if lang == "en" else f".{lang}"
    for fmt in ("md", "html"):
        name = f"progress-report-2016-03-31{suffix}.{fmt}"
        assert render(view, fmt) == (REPO / "reports" / name).read_text(), f"reports/{name} is stale"


def test_a_template_failing_midway_leaves_no_file(matrix_dir, run, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.html.j2").write_text(
        "{% for i in range(99999) %}padding {{ i }} {{ i }}\n{% endfor %}{{ r.nope.x }}"
    )
    out = tmp_path / "out"
    result = run("report", "--as-of", AS_OF, "--format", "html", "--out", str(out), "--templates", str(folder))
    assert result.exit_code == 2 and "template error" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_a_user_template_replaces_one_section_and_keeps_the_rest(matrix_dir, run, tmp_path):
    folder = tmp_path / "tpl"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "summary.html.j2").write_text(
        '<section id="summary"><p>{{ r.meta.title }} &amp; co</p></section>\n'
    )
    (folder / "md").mkdir()
    (folder / "md" / "annex.md.j2").write_text("## Our own annex\n")
    html = run("report", "--as-of", AS_OF, "--format", "html", "--out", "-", "--templates", str(folder)).stdout
    assert '<section id="summary"><p>Test Matrix of UN-OIC joint activities &amp; co</p></section>' in html
    assert 'id="annex"' in html and 'id="reports"' in html  # the shipped sections are still there
    md = run("report", "--as-of", AS_OF, "--format", "md", "--out", "-", "--templates", str(folder)).stdout
    assert md.endswith("## Our own annex\n") and "## Executive summary" in md


def test_a_user_section_is_escaped_like_the_shipped_ones(matrix_dir, run, tmp_path):
    edit(matrix_dir / "matrix.yaml", "title: Test Matrix", "title: <script>alert(1)</script> Test Matrix")
    folder = tmp_path / "tpl"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "summary.html.j2").write_text("<p>{{ r.meta.title }}</p>\n")
    html = run("report", "--as-of", AS_OF, "--format", "html", "--out", "-", "--templates", str(folder)).stdout
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "template",
    [
        "{{ r.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ r.lang.format.__globals__ }}",
        "{% for i in range(10 ** 9) %}{% endfor %}",
        "{{ 1 // 0 }}",
    ],
)
def test_templates_cannot_reach_python_internals(matrix_dir, run, tmp_path, template):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.md.j2").write_text(template + "\n")
    result = run("report", "--as-of", AS_OF, "--format", "md", "--out", "-", "--templates", str(folder))
    assert result.exit_code == 2 and "\nuncoop: template error" in "\n" + result.stderr
    assert "subclasses" not in result.stdout and "<class" not in result.stdout


REPORTS = sorted((REPO / "reports").glob("progress-report-*.md")) + sorted((REPO / "reports").glob("*.html"))


def visible_text(path) -> str:
    """What a reader sees: tags, and text marked as English fallback data, removed."""
    import html as htmllib

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
        text = re.sub(r'<span lang="en"[^>]*class="fallback">.*?</span>', " ", text, flags=re.S)
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    else:
        text = re.sub(r"[^|\n]*_\(en\)_", " ", text)  # a cell whose data fell back to English
    return text


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_reports_for_delegates_carry_no_paths_or_finding_codes(path):
    from uncoop.catalogue import RULES

    text = visible_text(path)
    assert not re.search(r"\.ya?ml\b|(?<![\w/])/(?:work|tmp|home|root|Users)/|matrix/(?:activities|updates)/", text)
    codes = [code for code in RULES if "-" in code and re.search(rf"(?<![\w-]){code}(?![\w-])", text)]
    assert codes == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_no_english_words_of_uncoops_own_in_french_and_arabic_reports(lang):
    from babel.messages.pofile import read_po

    catalog = read_po((REPO / "src" / "uncoop" / "locale" / lang / "LC_MESSAGES" / "uncoop.po").open(encoding="utf-8"))
    fragments = {
        piece.strip()
        for message in catalog
        if message.id and message.string and message.string != message.id
        for english in (message.id if isinstance(message.id, tuple) else (message.id,))  # plural forms
        for piece in re.split(r"%\(\w+\)[sd]|%%|[.:;,()¶]", english)
        if len(piece.strip()) >= 10
    }
    assert len(fragments) > 80  # the check sees the catalogue, not nothing
    for suffix in ("md", "html"):
        text = visible_text(REPO / "reports" / f"progress-report-2016-03-31.{lang}.{suffix}")
        left = sorted(f for f in fragments if f in text)
        assert left == [], f"{suffix}: English words of uncoop's own: {left[:5]}"


def test_same_bytes_whatever_the_working_directory_or_matrix_spelling(matrix_dir, run, monkeypatch):
    args = ("report", "--as-of", AS_OF, "--format", "html", "--out", "-")
    from_root = run(*args).stdout
    monkeypatch.chdir(matrix_dir / "activities")
    relative = run(*args, "--matrix", "../../matrix").stdout
    absolute = run(*args, "--matrix", str(matrix_dir.resolve())).stdout
    assert from_root == relative == absolute
    assert str(matrix_dir.parent) not in from_root


def test_an_analysis_with_links_or_a_link_out_is_text_or_not_read(matrix_dir, run, tmp_path):
    folder = matrix_dir / "analysis"
    folder.mkdir()
    (folder / f"{AS_OF}.md").write_text(
        "# Lessons\n\nSee [here](javascript:alert(1)) and <script>x</script> ![p](https://evil.example/p.png)\n"
        "- Ask earlier\n"
    )
    html = run("report", "--as-of", AS_OF, "--format", "html", "--out", "-").stdout
    assert "<h3>Lessons</h3>" in html and "<li>Ask earlier</li>" in html
    assert "<script>x" not in html and 'href="javascript' not in html and "<img" not in html
    md = run("report", "--as-of", AS_OF, "--format", "md", "--out", "-").stdout
    assert not re.search(r"(?<!\\)\]\(", md) and "![p]" not in md  # brackets escaped: no link, no image
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret from outside\n")
    (folder / f"{AS_OF}.md").unlink()
    (folder / f"{AS_OF}.md").symlink_to(outside)
    html = run("report", "--as-of", AS_OF, "--format", "html", "--out", "-").stdout
    assert "Secret from outside" not in html and "has not been written yet" in html


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_report_from_a_matrix_with_errors_says_so_before_anything_else(matrix_dir, run, fmt):
    broken = next((matrix_dir / "activities").rglob("*.yaml"))
    broken.write_text(broken.read_text().replace("status:", "statuss:", 1))
    result = run("report", "--as-of", AS_OF, "--format", fmt, "--out", "-")
    assert result.exit_code == 0 and "validity error" in result.stderr
    text = result.stdout
    banner = text.index("validity error; what failed to load is missing from it.")
    shown = str(broken.relative_to(matrix_dir.parent))
    assert shown in text[banner:] and "statuss" in text[banner:]
    assert banner < text.index("Adopted")  # before the facts of the title page


def test_countries_are_named_in_the_reports_language(run):
    """`countries: [AF, IR, PK]` is shown by name, as ISO 3166-1 and its translations write it."""
    shown = {}
    for lang in ("en", "fr", "ar"):
        result = run(
            "report",
            "-m",
            str(REPO / "matrix"),
            "--as-of",
            "2016-03-31",
            "--format",
            "md",
            "--out",
            "-",
            "--lang",
            lang,
        )
        assert result.exit_code == 0, result.stderr
        shown[lang] = result.stdout
    assert "| Countries | Afghanistan, Iran, Pakistan |" in shown["en"]
    assert "| Pays | Afghanistan, Iran (République islamique d'), Pakistan |" in shown["fr"]
    assert "| Pays | Myanmar |" in shown["fr"]
    assert "| Countries | State of Palestine |" in shown["en"] and "| Pays | République arabe syrienne |" in shown["fr"]
    assert "| البلدان | مالي |" in shown["ar"] and "Iran" not in shown["ar"].split("HUM-08", 1)[1][:2000]
    assert "| البلدان | أفغانستان، جمهورية إيران الإسلامية، باكستان |" in shown["ar"]  # three countries, not four
    assert "| Pays | Iraq |" in shown["fr"] and "\u0651" not in shown["ar"].split("| البلدان |", 1)[1].split("\n")[0]
