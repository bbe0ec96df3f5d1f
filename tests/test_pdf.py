"""The PDF report (WeasyPrint): what a focal point prints for the general meeting."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from tests.conftest import REPO
from uncoop.check import validate
from uncoop.render import render_pdf
from uncoop.reportview import build_report
from uncoop.timeline import snapshot

pytestmark = pytest.mark.slow  # about ten seconds a PDF


@pytest.fixture(scope="module")
def bundled():
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    return matrix, snapshot(matrix, date(2016, 3, 31))


def lowest_text(page) -> float:
    ys: list[float] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: ys.append(tm[5]) if text.strip() else None)
    return min(ys)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_committed_pdf_is_current_and_complete(monkeypatch, bundled, lang):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    matrix, snap = bundled
    pdf = render_pdf(build_report(matrix, snap, lang))
    suffix = "" if lang == "en" else f".{lang}"
    committed = REPO / "reports" / f"progress-report-2016-03-31{suffix}.pdf"
    assert pdf == committed.read_bytes(), f"{committed.name} is stale: regenerate it with the README command"
    reader = PdfReader(io.BytesIO(pdf))
    assert 40 <= len(reader.pages) <= 120
    text = "\n".join(page.extract_text() for page in reader.pages)
    for record in matrix.activities:
        assert record.value.id in text, record.value.id
    first = reader.pages[0]
    assert lowest_text(first) < float(first.mediabox.height) / 2  # the title page is more than half full
    # the table of contents: each entry with a dot leader and its page number
    contents = first.extract_text()
    assert len(re.findall(r"^.*\.{5,}.*\d+.*$", contents, re.M)) >= 12

    if lang == "en":
        assert_english_specifics(matrix, text)


def assert_english_specifics(matrix, text: str) -> None:
    for area in matrix.areas:
        assert str(area.value.title["en"] if isinstance(area.value.title, dict) else area.value.title) in text
    # the running header: the title and the as-of date on every page after the first
    assert "Matrix of UN-OIC joint activities, 2014-2016 · Status as of 31 March 2016" in text


def test_pdf_from_the_command_line(matrix_dir, run, tmp_path):
    out = tmp_path / "out"
    result = run("report", "--as-of", "2015-02-15", "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    pdf = (out / "progress-report-2015-02-15.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and "HUM-01" in PdfReader(io.BytesIO(pdf)).pages[2].extract_text() + "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
    )


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
