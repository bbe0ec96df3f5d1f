"""The HTML report in a real browser: headless Chromium through Playwright (system browser).

.ci/run installs Debian's chromium, so this runs in CI; on a machine without it the
tests skip and say how to install it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, REPO
from uncoop.check import validate
from uncoop.render import render
from uncoop.report import build_report
from uncoop.timeline import snapshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install chromium"),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> tuple[Path, int]:
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    html = render(build_report(matrix, snapshot(matrix, date(2016, 3, 31))), "html")
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, len(matrix.activities)


@pytest.fixture
def loaded(browser, report_file):
    path, count = report_file
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    yield page, path, count, requests, errors
    page.close()


def test_no_console_errors_and_no_request_but_the_file(loaded):
    page, path, _, requests, errors = loaded
    assert errors == []
    assert requests == [path.as_uri()]


def test_timeline_has_one_bar_per_activity(loaded):
    page, _, count, _, _ = loaded
    assert page.locator("svg.timeline rect.planned").count() == count
    assert page.locator("svg.timeline g.overdue text.flag").count() >= 1
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "ltr"


def test_print_layout_produces_a_pdf(loaded, tmp_path):
    page, *_ = loaded
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 5


def test_accessibility_scan_finds_no_serious_violations(loaded):
    from axe_playwright_python.sync_playwright import Axe

    page, *_ = loaded
    results = Axe().run(page)
    serious = [
        (v["id"], v["help"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.fixture(scope="module")
def arabic_file(tmp_path_factory) -> Path:
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    html = render(build_report(matrix, snapshot(matrix, date(2016, 3, 31)), "ar"), "html")
    path = tmp_path_factory.mktemp("report-ar") / "report.ar.html"
    path.write_text(html, encoding="utf-8")
    return path


CLIPPED = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.timeline')) {
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll('text')) {
      const r = text.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        out.push(text.textContent);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("which", ["en", "ar"])
def test_no_timeline_text_is_clipped(browser, report_file, arabic_file, which):
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto((report_file[0] if which == "en" else arabic_file).as_uri())
    assert page.evaluate(CLIPPED) == []
    page.close()


def test_arabic_report_is_right_to_left_with_a_screenshot(browser, arabic_file, tmp_path):
    import os

    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(arabic_file.as_uri())
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('svg.timeline')).direction") == "ltr"
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().right") > 900  # starts at the right
    shot = page.screenshot(path=str(tmp_path / "ar.png"))
    assert shot.startswith(b"\x89PNG") and errors == []
    if os.environ.get("UNCOOP_REGEN"):
        (REPO / "reports" / "progress-report-2016-03-31.ar.png").write_bytes(shot)
    page.close()


ISO_DATES = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('svg, .fallback, code')) continue;
    const m = node.textContent.match(/\d{4}-(\d{2}(?!\d)|Q\d)/);
    if (m) found.push(node.textContent.trim().slice(0, 60));
  }
  return found;
}"""

DATE_ELEMENTS = r"""() => [...document.querySelectorAll('bdi')]
  .map(e => e.innerText.trim())
  .filter(t => /\d{4}$/.test(t) && !/^[A-Z]/.test(t))"""


def test_arabic_dates_and_periods_read_in_words_each_isolated(browser, arabic_file):
    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    page.goto(arabic_file.as_uri())
    assert page.evaluate(ISO_DATES) == []  # no 2014-07 or 2016-Q2 left to be read backwards
    dates = page.evaluate(DATE_ELEMENTS)
    assert len(dates) > 100
    # day month year, month year, or "the second quarter" year: Arabic words, the year last
    # (the UN's double month names: آذار/مارس; quarters: الربع الثاني من عام)
    words = re.compile(r"^((\d{1,2} )?[\u0600-\u06ff/]+( [\u0600-\u06ff/]+){0,3} )?\d{4}$")  # a bare year too
    assert [d for d in dates if not all(words.match(part) for part in d.split(" – "))] == []  # or a range
    assert "الربع الثاني من عام 2016" in dates and "31 آذار/مارس 2016" in dates
    page.close()


OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('nav.contents li')].map(li => li.getBoundingClientRect());
  const hits = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits.push([i, j]);
    }
  return [boxes.length, hits];
}"""


@pytest.mark.parametrize("which", ["en", "ar"])
@pytest.mark.parametrize("width", [700, 1100])
def test_no_two_entries_of_the_contents_overlap(browser, report_file, arabic_file, which, width):
    page = browser.new_page(viewport={"width": width, "height": 1200})
    page.goto((report_file[0] if which == "en" else arabic_file).as_uri())
    count, hits = page.evaluate(OVERLAPS)
    assert count >= 15 and hits == []
    page.close()


@pytest.mark.parametrize("which", ["en", "ar"])
def test_the_report_fits_a_phone_without_scrolling_sideways(browser, report_file, arabic_file, which):
    """At 390 × 844 the report's page never scrolls sideways: a wide table scrolls inside its own
    labelled, focusable box, and that box is no wider than the screen."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto((report_file[0] if which == "en" else arabic_file).as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = page.locator("div.wide")
    assert boxes.count() >= 10
    assert page.evaluate(
        "() => [...document.querySelectorAll('div.wide')].every(d => d.getAttribute('aria-label') && "
        "d.tabIndex === 0 && d.getBoundingClientRect().right <= innerWidth + 1)"
    )
    page.close()
