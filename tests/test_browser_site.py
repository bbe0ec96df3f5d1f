"""The static site in a real browser: Chromium (Debian's, through Playwright) reads it from a web
server on 127.0.0.1, searches it with Pagefind, and axe finds no serious or critical violation."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from typer.testing import CliRunner

from tests.conftest import CHROMIUM, REPO
from uncoop.cli import app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install chromium"),
]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    result = CliRunner().invoke(app, ["site", "--as-of", "2016-03-31", "--out", str(out), "-m", str(REPO / "matrix")])
    assert result.exit_code == 0, result.output
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    # the browser's own probe for /favicon.ico (the site names no icon) is not the page's error
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    return page, requests, errors


def serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["help"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "en/index.html",
        "ar/activities/PSC-01.html",
        "fr/institutions/OSA-YEMEN.html",
        "en/areas/humanitarian.html",
        "ar/reports.html",
        "en/search.html",
    ],
)
def test_pages_pass_axe_and_ask_nothing_of_another_host(browser, served, path):
    page, requests, errors = open_page(browser, f"{served}/{path}")
    assert errors == []
    assert [r for r in requests if not r.startswith(served)] == []
    assert serious(page) == []
    page.close()


def test_arabic_activity_page_reads_right_to_left_without_a_script(browser, served):
    page, requests, _ = open_page(browser, f"{served}/ar/activities/PSC-01.html")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("section.archive article").count() >= 4
    assert [r for r in requests if r.endswith(".js")] == []
    page.close()


def test_searching_a_title_finds_its_activity(browser, served):
    page, requests, errors = open_page(browser, f"{served}/en/search.html")
    page.fill("input.pagefind-ui__search-input", "Central African Republic")
    # results arrive one fragment at a time: wait for the activity's own, not just the first
    page.locator('a.pagefind-ui__result-link[href$="/en/activities/PSC-01.html"]').first.wait_for(timeout=30000)
    results = page.locator("a.pagefind-ui__result-link").evaluate_all("links => links.map(a => a.href)")
    assert any(r.endswith("/en/activities/PSC-01.html") for r in results), results
    assert errors == [] and [r for r in requests if not r.startswith(served)] == []
    assert serious(page) == []
    page.close()


def test_the_french_search_finds_french_pages(browser, served):
    page, _, _ = open_page(browser, f"{served}/fr/search.html")
    page.fill("input.pagefind-ui__search-input", "centrafricaine")
    page.locator("a.pagefind-ui__result-link").first.wait_for(timeout=15000)
    results = page.locator("a.pagefind-ui__result-link").evaluate_all("links => links.map(a => a.href)")
    assert results and all("/fr/" in r for r in results)
    page.close()


PHONE = {"width": 390, "height": 844}
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.wide')) continue;  // a wide table scrolls inside its own box
    const r = el.getBoundingClientRect();
    if (r.width && r.right > innerWidth + 1) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  }
  return out.slice(0, 5);
}"""


@pytest.mark.parametrize(
    "path",
    [
        "ar/index.html",
        "ar/activities/PSC-01.html",
        "ar/activities/SDV-12.html",
        "ar/institutions.html",
        "ar/institutions/OSA-YEMEN.html",
        "ar/areas/humanitarian.html",
        "ar/reports.html",
        "en/index.html",
        "fr/institutions/OIC-GS.html",
    ],
)
def test_site_pages_fit_a_phone_without_scrolling_sideways(browser, served, path):
    """At 390 px (a phone) the page itself never scrolls sideways; wide tables scroll in their box."""
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served}/{path}", wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.evaluate(WIDEST)
    page.close()
