"""The PDF report (WeasyPrint): what a focal point prints for the general meeting, read back.

Each language's PDF is rendered once per test run (`printed`, shared by every xdist worker) and
every check reads that one render: its tags and metadata (pypdf), its words and where they sit on
the page (poppler's pdftotext -bbox), its first pages as images for a reviewer (pdftoppm).
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO, once
from uncoop.check import validate
from uncoop.i18n import translations
from uncoop.render import render_pdf
from uncoop.report import build_report
from uncoop.timeline import snapshot

pytestmark = [
    pytest.mark.slow,  # tens of seconds a PDF
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils: apt-get install poppler-utils"),
]
LANGS = ["en", "fr", "ar"]
MM = 72 / 25.4  # PDF points per millimetre
ARTEFACTS = REPO / "build" / "pdf-pages"  # not committed: PNGs of the first pages, for review


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Printed:
    lang: str
    pdf: bytes
    path: Path
    pages: list[Page]
    matrix: object

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


def words(path: Path) -> list[Page]:
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for chunk in xml.split("<page ")[1:]:
        width, height = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', chunk).groups())
        found = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk)
        pages.append(Page(width, height, [Word(logical(t), float(a), float(b), float(c)) for a, b, c, t in found]))
    return pages


ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def logical(word: str) -> str:
    """pdftotext gives an Arabic word's letters in the order they sit on the page (right to left
    read as left to right): put them back in reading order."""
    return html.unescape(word[::-1] if ARABIC.search(word) else word)


_RENDERED: dict[str, Printed] = {}


@pytest.fixture(scope="session")
def printed(tmp_path_factory):
    """The bundled Matrix's report as of 2016-03-31, as PDF, rendered once per language."""

    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)

    def render(lang: str, folder: Path) -> None:
        pdf = render_pdf(build_report(matrix, snapshot(matrix, date(2016, 3, 31)), lang))
        (folder / f"report.{lang}.pdf").write_bytes(pdf)

    def get(lang: str) -> Printed:
        if lang not in _RENDERED:
            path = once(tmp_path_factory, f"pdf-{lang}", lambda folder: render(lang, folder)) / f"report.{lang}.pdf"
            _RENDERED[lang] = Printed(lang, path.read_bytes(), path, words(path), matrix)
        return _RENDERED[lang]

    return get


def body(page: Page) -> list[Word]:
    """The words between the running header and footer (the top and bottom 15 mm)."""
    return [w for w in page.words if 15 * MM < w.y1 < page.height - 15 * MM]


@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_pdf_holds_what_a_render_holds(printed, lang):
    """reports/ holds the PDF of each language: same pages, same text, page by page (the README
    command regenerates them)."""
    p = printed(lang)
    suffix = "" if lang == "en" else f".{lang}"
    committed = REPO / "reports" / f"progress-report-2016-03-31{suffix}.pdf"
    assert words(committed) == p.pages, f"{committed.name} is stale: regenerate it with the README command"


@pytest.mark.parametrize("lang", LANGS)
def test_an_archival_tagged_pdf_with_its_language_title_author_and_subject(printed, lang):
    p = printed(lang)
    reader = PdfReader(io.BytesIO(p.pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert root["/Lang"] == lang
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp  # PDF/A-2a
    meta = reader.metadata
    draft = translations(lang).gettext("DRAFT")
    assert meta.title.startswith(draft)  # no analysis in the bundled Matrix: a draft, and the title says so
    from uncoop.report import acronyms

    shown = acronyms(p.matrix, lang)  # the focal points' institutions as the language writes them (DPA: DAP)
    for point in (p.matrix.meta.value.focal_points.un, p.matrix.meta.value.focal_points.oic):
        assert shown.get(point.organization, point.organization) in meta.author
    assert "UN-OIC/PER/2016/0331" in meta.subject


@pytest.mark.parametrize("lang", LANGS)
def test_draft_on_every_page_while_the_analysis_is_missing(printed, lang):
    p = printed(lang)
    draft = translations(lang).gettext("DRAFT")
    assert [i + 1 for i, page in enumerate(p.pages) if draft not in page.text] == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_more_than_three_pages_under_half_full(printed, lang):
    """Neither forced breaks nor stranded headings leave pages mostly empty (first and last aside)."""
    p = printed(lang)
    fill = [max((w.y1 for w in body(page)), default=0) / page.height for page in p.pages]
    under = [i + 1 for i, f in enumerate(fill) if 0 < i < len(fill) - 1 and f < 0.5]
    assert len(under) <= 3, f"pages under half full: {under}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_activity_and_every_word_inside_the_page_box(printed, lang):
    """All activities are there; no word (the funding table's last column included) runs past the
    margins of an A4 page."""
    p = printed(lang)
    for record in p.matrix.activities:
        assert record.value.id in p.text, record.value.id
    outside = [
        (i + 1, w.text)
        for i, page in enumerate(p.pages)
        for w in page.words
        if w.x0 < 10 * MM or w.x1 > page.width - 10 * MM
    ]
    assert outside == []
    assert all(abs(page.width - 210 * MM) < 1 and abs(page.height - 297 * MM) < 1 for page in p.pages)
    funding = translations(lang).gettext("Funding per area (secured means committed or disbursed)")
    assert funding.split()[0] in p.text


@pytest.mark.parametrize("lang", LANGS)
def test_the_title_page_and_its_contents(printed, lang):
    p = printed(lang)
    first = p.pages[0]
    assert max(w.y1 for w in body(first)) > first.height / 2  # more than half full
    assert "UN-OIC/PER/2016/0331" in first.text
    # the table of contents: entries with a dot leader and a page number
    reader = PdfReader(io.BytesIO(p.pdf))
    assert len(re.findall(r"^.*\.{5,}.*\d+.*$", reader.pages[0].extract_text(), re.M)) >= 12


def test_arabic_labels_sit_right_of_their_values(printed):
    """In Arabic the activity cards read right to left: each card's labels are on the right-hand
    side of the page, their values to the left (a CSS grid had kept the labels on the left)."""
    p = printed("ar")
    label = translations("ar").gettext("Last report").split()[0]
    seen = [(i + 1, w.x1) for i, page in enumerate(p.pages) for w in body(page) if w.text == label]
    assert len(seen) >= len(p.matrix.activities) // 2
    assert [(n, x) for n, x in seen if x < 0.6 * p.pages[0].width] == []


def test_english_header_and_area_titles(printed):
    p = printed("en")
    for area in p.matrix.areas:
        assert str(area.value.title["en"]).split()[0] in p.text
    assert "Status as of 31 March 2016" in p.pages[3].text  # the running header
    assert "Illustrative" in p.pages[3].text  # the illustrative notice in the running footer


@pytest.mark.parametrize("lang", LANGS)
def test_first_pages_as_images_for_review(printed, lang):
    """The first pages of each PDF as PNGs in build/pdf-pages (not committed), for a reviewer."""
    p = printed(lang)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTEFACTS / f"report-{lang}"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "4", str(p.path), str(prefix)], check=True)
    made = sorted(ARTEFACTS.glob(f"report-{lang}-*.png"))
    assert len(made) == 4 and all(f.read_bytes().startswith(b"\x89PNG") for f in made)


def test_pdf_from_the_command_line(matrix_dir, run, tmp_path):
    out = tmp_path / "out"
    result = run("report", "--as-of", "2015-02-15", "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    pdf = (out / "progress-report-2015-02-15.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and "HUM-01" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_fetches_nothing_a_template_asks_for(matrix_dir, tmp_path):
    """A --templates folder naming a remote image or a local file: WeasyPrint is never allowed to fetch."""
    import http.server
    import threading

    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.html.j2").write_text(
        f'<html><body><h1>x</h1><img src="http://127.0.0.1:{server.server_port}/spy.png">'
        '<img src="file:///etc/hostname"><link rel="stylesheet" href="file:///etc/passwd"></body></html>'
    )
    matrix, _ = validate(matrix_dir, date(2026, 1, 1), matrix_dir.parent)
    pdf = render_pdf(build_report(matrix, snapshot(matrix, date(2015, 2, 15))), folder)
    server.shutdown()
    assert pdf.startswith(b"%PDF-") and requests == []
