"""uncoop site: every page there, every relative link resolving, text from the data escaped,
the same bytes twice, and nothing read from or written outside where it belongs."""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests.conftest import REPO
from uncoop.cli import app

AS_OF = "2016-03-31"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))


def links(path: Path) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("site") / "out"
    result = CliRunner().invoke(
        app, ["site", "--as-of", AS_OF, "--out", str(out), "--no-search", "-m", str(REPO / "matrix")]
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_page_for_every_activity_area_and_institution_in_each_language(bundled_site):
    activities = list((REPO / "matrix" / "activities").rglob("*.yaml"))
    areas = yaml.safe_load((REPO / "matrix" / "areas.yaml").read_text())["areas"]
    assert len(activities) == 60
    for lang in ("en", "fr", "ar"):
        folder = bundled_site / lang
        assert sorted(p.stem for p in (folder / "activities").iterdir()) == sorted(p.stem for p in activities)
        assert sorted(p.stem for p in (folder / "areas").iterdir()) == sorted(a["id"] for a in areas)
        assert len(list((folder / "institutions").iterdir())) >= 40
        for name in ("index.html", "institutions.html", "reports.html", "search.html"):
            assert (folder / name).is_file()
        page = (folder / "index.html").read_text()
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
        assert "illustrative" in (bundled_site / "en" / "index.html").read_text()  # the data says what it is
    assert (bundled_site / "index.html").is_file()


def test_every_relative_link_resolves_and_nothing_is_fetched_from_elsewhere(bundled_site):
    pages = list(bundled_site.rglob("*.html"))
    checked = 0
    for page in pages:
        for tag, _attr, value in links(page):
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//"):
                # only links a reader follows may leave the site (an activity's own links); no resource does
                assert tag == "a" and parts.scheme in ("http", "https", "mailto"), (page, value)
                continue
            if not parts.path:
                continue  # an anchor on the same page
            if tag == "script" or (tag == "link" and "pagefind" in value):
                continue  # the search bundle, written by Pagefind (see test_browser_site)
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(bundled_site)} links to missing {value}"
            assert target.is_relative_to(bundled_site.resolve())
            checked += 1
    assert len(pages) > 300 and checked > 5000
    assert f"({len(pages)} pages)" in (REPO / "README.md").read_text()  # what the README says it checks


def test_each_page_links_to_itself_in_the_other_languages(bundled_site):
    page = bundled_site / "fr" / "activities" / "PSC-01.html"
    hrefs = {value for _, _, value in links(page)}
    assert {"../../en/activities/PSC-01.html", "../../ar/activities/PSC-01.html"} <= hrefs


def test_activity_page_archives_every_report_on_it_newest_first(bundled_site):
    from datetime import date

    from uncoop.check import validate
    from uncoop.site import archive

    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    entries = archive(matrix, date(2016, 3, 31), "en")["PSC-01"]
    html = (bundled_site / "en" / "activities" / "PSC-01.html").read_text()
    shown = re.findall(r"<code>(matrix/updates/[^<]+)</code>", html)
    assert shown == [e.file for e in entries] and len(shown) >= 4
    periods = [e.file.split("/")[2] for e in entries]
    assert periods == sorted(periods, reverse=True)


def test_the_archive_publishes_pdf_and_markdown_reports_only(bundled_site):
    published = sorted(p.name for p in (bundled_site / "reports").iterdir())
    assert "progress-report-2016-03-31.pdf" in published and "progress-report-2016-03-31.ar.md" in published
    assert not [n for n in published if n.endswith((".html", ".png"))]
    archive_page = (bundled_site / "en" / "reports.html").read_text()
    assert archive_page.count('href="../reports/progress-report-') == len(published)


def test_same_matrix_same_bytes(bundled_site, tmp_path, run):
    again = tmp_path / "again"
    result = run("site", "--as-of", AS_OF, "--out", str(again), "--no-search", "-m", str(REPO / "matrix"))
    assert result.exit_code == 0
    first = {p.relative_to(bundled_site): p.read_bytes() for p in bundled_site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


def test_text_from_the_data_is_text_on_every_page(matrix_dir, run, tmp_path):
    activity = next((matrix_dir / "activities").rglob("*.yaml"))
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & more'
    text = activity.read_text()
    activity.write_text(re.sub(r"^title: .*$", f"title: '{hostile}'", text, count=1, flags=re.M))
    out = tmp_path / "site"
    result = run("site", "--as-of", AS_OF, "--out", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text()
        if "search.html" not in page.name:
            assert "<script" not in html, page
        assert "<img" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p.read_text() for p in pages)


def test_a_site_from_a_matrix_with_errors_says_so_on_every_page(matrix_dir, run, tmp_path):
    broken = next((matrix_dir / "activities").rglob("*.yaml"))
    broken.write_text(broken.read_text().replace("status:", "statuss:", 1))
    out = tmp_path / "site"
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    for page in (out / "en").rglob("*.html"):
        html = page.read_text()
        assert "validity error; what failed to load is missing from it." in html, page
        assert html.index('role="alert"') < html.index("<h1")


def test_a_rerun_removes_the_pages_of_a_removed_activity_and_nothing_else(matrix_dir, run, tmp_path):
    out = tmp_path / "site"
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    activity = next((matrix_dir / "activities").rglob("*.yaml"))
    page = out / "en" / "activities" / f"{activity.stem}.html"
    assert page.is_file()
    (out / "CNAME").write_text("matrix.example.org\n")  # the user's own file in the folder
    updates = matrix_dir / "updates"
    shutil.rmtree(updates)
    activity.unlink()
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    assert not page.exists() and (out / "CNAME").read_text() == "matrix.example.org\n"
    assert (out / "en" / "index.html").is_file()


def test_the_mark_cannot_make_a_rerun_delete_outside_the_site(matrix_dir, run, tmp_path):
    out = tmp_path / "site"
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "en" / "link.html").symlink_to(victim)
    (out / ".uncoop-site").write_text("../victim.txt\nen/link.html\n" + str(victim) + "\n")
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    assert victim.read_text() == "keep me"


def test_reports_reached_through_a_symlink_are_not_published(matrix_dir, run, tmp_path):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "progress-report-2016-03-31.md").write_text("a file from outside the repository")
    (matrix_dir.parent / ".git").mkdir()
    (matrix_dir.parent / "reports").symlink_to(secret)
    out = tmp_path / "site"
    result = run("site", "--as-of", AS_OF, "--out", str(out), "--no-search")
    assert result.exit_code == 0 and "reports/ is a symlink" in result.stderr
    assert not (out / "reports").exists()
    (matrix_dir.parent / "reports").unlink()
    (matrix_dir.parent / "reports").mkdir()
    (matrix_dir.parent / "reports" / "progress-report-2016-03-31.md").symlink_to(
        secret / "progress-report-2016-03-31.md"
    )
    result = run("site", "--as-of", AS_OF, "--out", str(out), "--no-search")
    assert result.exit_code == 0 and "not a regular file" in result.stderr
    assert not (out / "reports").exists()


def test_without_pagefind_the_site_asks_for_it_or_for_no_search(matrix_dir, run, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name.startswith("pagefind") else real(name, *a)
    )
    out = tmp_path / "site"
    result = run("site", "--out", str(out))
    assert result.exit_code == 2 and "pip install 'uncoop[site]'" in result.stderr and "--no-search" in result.stderr
    assert not out.exists()


def test_pagefind_indexes_every_language(matrix_dir, run, tmp_path):
    out = tmp_path / "site"
    result = run("site", "--as-of", AS_OF, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    indexes = {p.name for p in (out / "pagefind").glob("pagefind-entry.json")}
    assert indexes
    entry = (out / "pagefind" / "pagefind-entry.json").read_text()
    for lang in ("en", "fr", "ar"):
        assert f'"{lang}"' in entry
    assert os.path.getsize(out / "pagefind" / "pagefind-entry.json") > 0


def test_activity_page_shows_its_funding_lines(bundled_site):
    import yaml

    data = yaml.safe_load((REPO / "matrix" / "activities" / "peace-security" / "PSC-01.yaml").read_text())
    html = (bundled_site / "en" / "activities" / "PSC-01.html").read_text()
    section = html[html.index('id="funding-h"') : html.index('id="archive-h"')]
    assert section.count('<tr><th scope="row">') == len(data["funding"]) > 0


def test_the_site_is_never_written_into_the_matrix(matrix_dir, run):
    result = run("site", "--no-search", "--out", str(matrix_dir / "site"))
    assert result.exit_code == 2 and "inside the Matrix" in result.stderr
    assert not (matrix_dir / "site").exists()


def test_a_linked_folder_inside_the_site_cannot_make_a_rerun_delete_through_it(repo, run):
    """The attack: `_site/g -> ../.git` committed, and `g/config` listed in the mark."""
    out = repo / "_site"
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    canaries = [repo / ".git" / "config", repo / ".git" / "HEAD", repo / "matrix" / "matrix.yaml"]
    before = [c.read_bytes() for c in canaries]
    (out / "g").symlink_to(Path("..") / ".git")
    (out / "m").symlink_to(Path("..") / "matrix")
    (out / ".uncoop-site").write_text("g/config\ng/HEAD\nm/matrix.yaml\n")
    assert run("site", "--as-of", AS_OF, "--out", str(out), "--no-search").exit_code == 0
    assert [c.read_bytes() for c in canaries] == before


@pytest.mark.parametrize("place", [".git", "matrix"])
def test_a_site_folder_that_links_into_git_or_the_matrix_is_refused(repo, run, place):
    (repo / "_site").symlink_to(repo / place)
    before = sorted(p.name for p in (repo / place).iterdir())
    result = run("site", "--as-of", AS_OF, "--out", str(repo / "_site"), "--no-search")
    assert result.exit_code == 2 and "symlink" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in (repo / place).iterdir()) == before


@pytest.mark.parametrize("place", [".git", "matrix/areas"])
def test_a_site_folder_inside_git_or_the_matrix_is_refused(repo, run, place):
    result = run("site", "--as-of", AS_OF, "--out", str(repo / place / "site"), "--no-search")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (repo / place / "site").exists()
