"""The report as a UN progress report (symbol, DRAFT, numbered paragraphs, summary in words,
decisions by kind, what changed since the last report, late items under their activity, funding
totals) and as a drawing a print engine reproduces (SVG colours as attributes, no words inside)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from tests.conftest import REPO, edit, hum
from uncoop.check import validate
from uncoop.render import render
from uncoop.report import build_report
from uncoop.timeline import snapshot

AS_OF = date(2016, 3, 31)
SHAPES = ("rect", "line", "path", "circle", "ellipse", "polygon", "polyline")


@pytest.fixture(scope="module")
def bundled():
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    return matrix, snapshot(matrix, AS_OF)


def view(bundled, lang="en", **kw):
    matrix, snap = bundled
    return build_report(matrix, snap, lang, **kw)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_svg_shape_carries_its_colours_and_no_words_of_the_language(bundled, lang):
    """WeasyPrint draws SVG from presentation attributes only (classes and var() printed black),
    and does not shape text inside SVG (Arabic came out reversed): so every shape has its fill or
    stroke, every text its fill, and no text inside an SVG is in Arabic script."""
    html = render(view(bundled, lang), "html")
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) == len(bundled[0].areas)
    shapes = [tag for svg in svgs for tag in re.findall(rf"<(?:{'|'.join(SHAPES)})\b[^>]*>", svg)]
    assert len(shapes) > 2 * len(bundled[0].activities)
    bare = [t for t in shapes if not re.search(r'\s(fill|stroke)="[^"]+"', t)]
    assert bare == []
    lines = [t for t in shapes if t.startswith("<line")]
    assert lines and all(' stroke="' in t for t in lines)
    texts = [t for svg in svgs for t in re.findall(r"<text\b[^>]*>[^<]*</text>", svg)]
    assert texts and all(' fill="' in t for t in texts)
    assert [t for t in texts if re.search("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]", t)] == []
    assert not re.search(r"\bclass=\"[^\"]*\"[^>]*style=|var\(--", "".join(svgs))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_draft_says_so_until_the_focal_points_analysis_exists(matrix_dir, run, fmt):
    args = ("report", "--as-of", "2015-02-15", "--format", fmt, "--out", "-")
    draft = run(*args).stdout
    assert draft.count("DRAFT") >= 2  # the title, and the notice (and in HTML every printed page)
    if fmt == "html":
        assert "<title>DRAFT" in draft and 'class="running draft-mark"' in draft
    (matrix_dir / "analysis").mkdir()
    (matrix_dir / "analysis" / "2015-02-15.md").write_text("# Lessons\n\nReports came late.\n")
    final = run(*args).stdout
    assert "DRAFT" not in final and "Reports came late." in final


def test_the_document_symbol_date_and_original_language(bundled):
    for lang, original in (("en", "Original: English"), ("fr", "Original\u202f: anglais")):
        md = render(view(bundled, lang), "md")
        head = md.split("\n", 1)[0]
        assert head.startswith("UN-OIC/PER/2016/0331 · ") and original in head


def test_paragraphs_are_numbered_once_through_the_document(bundled):
    md = render(view(bundled), "md")
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", md, re.M)]
    assert len(numbers) >= 8 and numbers == list(range(1, len(numbers) + 1))
    html = render(view(bundled), "html")
    shown = [int(n) for n in re.findall(r'<span class="pn">(\d+)\.</span>', html)]
    assert shown == numbers


def test_the_executive_summary_is_sentences_of_the_figures(bundled):
    v = view(bundled)
    s = v.summary
    assert len(v.sentences) >= 5 and all(x.endswith(".") for x in v.sentences)
    assert f"holds {s.activities} joint activities" in v.sentences[0]
    assert f"{s.milestones_met} of the {s.milestones_due} milestones due" in v.sentences[1]
    owing = [o.id for o in v.institutions if o.owes]
    assert f"{len(owing)} institutions still owe" in v.sentences[2] and all(o in v.sentences[2] for o in owing)
    assert v.sentences[-1].startswith("Since 22 May 2014")  # the general meeting that adopted the Matrix


def test_decisions_are_grouped_by_kind_in_words(bundled):
    v = view(bundled)
    kinds = [g.kind for g in v.decision_groups]
    assert kinds == sorted(kinds, key=["close", "re-plan", "start", "fund", "indicators", "report"].index)
    assert {"close", "re-plan", "fund", "indicators", "report"} <= set(kinds)
    grouped = {i[0] for g in v.decision_groups if g.kind in ("close", "re-plan", "start") for i in g.items}
    assert grouped == {d.activity for d in v.decisions}
    funded = next(g for g in v.decision_groups if g.kind == "fund")
    open_unfunded = {s.activity.id for s in bundled[1].activities if not s.ended and not s.activity.funding}
    assert {i[0] for i in funded.items} == open_unfunded
    md = render(v, "md")
    assert "The meeting may wish to declare the following activities closed:" in md


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_each_late_activity_is_named_once_with_its_items_under_it(bundled, fmt):
    v = view(bundled)
    text = render(v, fmt)
    section = text[text.index("## Overdue and slipping" if fmt == "md" else 'id="slipping"') :]
    section = section[: section.index("\n## " if fmt == "md" else "</section>")]
    late = Counter(i.activity for i in v.late)
    assert max(late.values()) > 1  # some activity has several late items: the grouping is seen
    for activity in late:
        heading = rf"\*\*{activity} " if fmt == "md" else rf'<th scope="colgroup" colspan="3"><bdi>{activity}</bdi>'
        assert len(re.findall(heading, section)) == 1, activity
    rows = section.count("\n| ") - 2 if fmt == "md" else section.count("<tr><td>")
    assert rows == len(v.late) + (len(late) if fmt == "md" else 0)


def test_funding_totals_per_area_add_up_to_the_total_and_the_gap(bundled):
    v = view(bundled)

    def value(text: str) -> int:
        return int(text.replace(",", "")) if text != "–" else 0

    for total in v.summary.funding:
        areas = [f for a in v.funding_by_area for f in a.totals if f.currency == total.currency]
        for column in ("sought", "pledged", "committed", "disbursed", "secured", "gap"):
            assert sum(value(getattr(f, column)) for f in areas) == value(getattr(total, column)), column
        assert value(total.gap) == value(total.sought) + value(total.pledged)
    md = render(v, "md")
    assert "| **All areas** |" in md and "| Gap |" in md


def test_indicator_achievement_is_the_way_from_baseline_to_target(bundled):
    matrix, snap = bundled
    cards = [c for area in view(bundled).areas for c in area.activities]
    seen = 0
    for card, state in zip(
        cards, [s for a in matrix.areas for s in snap.activities if s.activity.area == a.value.id], strict=True
    ):
        for row, record in zip(card.indicators, state.activity.indicators, strict=True):
            actual = state.indicators.get(record.id)
            if actual is None or record.target == (record.baseline or 0):
                assert row.achieved is None
                continue
            share = 100 * (actual - (record.baseline or 0)) / (record.target - (record.baseline or 0))
            assert row.achieved == f"{round(share)}%"
            seen += 1
    assert seen >= 5


def test_descriptions_deliverables_and_names_reach_the_reader(bundled):
    matrix, _ = bundled
    v = view(bundled)
    html = render(v, "html")
    with_deliverables = [a.value for a in matrix.activities if a.value.deliverables]
    assert with_deliverables
    for act in with_deliverables[:5]:
        for d in act.deliverables:
            assert str(d.title if isinstance(d.title, str) else d.title["en"]) in html
    names = {o.value.id: o.value.name for o in matrix.organizations}
    funders = {f.funder for a in matrix.activities for f in a.value.funding}
    for row in v.funding:
        assert row.funder not in funders or row.funder == str(names.get(row.funder, row.funder))
    abbreviations = dict(v.abbreviations)
    for org in v.institutions:
        assert org.id in abbreviations or org.id == str(org.name)
    assert 'id="abbreviations"' in html


def test_a_record_is_marked_only_when_it_differs_from_the_notice(matrix_dir, run):
    """The bundled Matrix is illustrative throughout: no †.  A confirmed Matrix with one provisional
    activity marks that one and no other."""
    html = run("report", "--as-of", "2015-02-15", "--format", "html", "--out", "-").stdout
    assert "†" not in html
    edit(hum(matrix_dir), "status: implementation", "status: implementation\nprovenance: provisional")
    html = run("report", "--as-of", "2015-02-15", "--format", "html", "--out", "-").stdout
    marks = re.findall(r'<h3 id="([\w-]+)-h">[^\n]*class="unconfirmed"', html)
    assert marks == ["HUM-01"] and "marked † are not confirmed" in html
    assert "†" not in render(build_report(*bundled_view()), "md")


def bundled_view():
    matrix, _ = validate(REPO / "matrix", date(2026, 1, 1), REPO)
    return matrix, snapshot(matrix, AS_OF), "en"


def test_since_tells_what_changed_from_the_last_report(matrix_dir, run, tmp_path):
    out = tmp_path / "out"
    first = run("report", "--as-of", "2014-12-31", "--format", "md", "--out", str(out))
    assert first.exit_code == 0, first.stderr
    second = run("report", "--as-of", "2015-06-30", "--format", "md", "--out", str(out))
    assert second.exit_code == 0, second.stderr
    text = (out / "progress-report-2015-06-30.md").read_text()
    assert "## What changed since 31 December 2014" in text  # the last report in the folder
    explicit = run("report", "--as-of", "2015-06-30", "--since", "2015-03-31", "--format", "md", "--out", "-")
    assert "## What changed since 31 March 2015" in explicit.stdout
    matrix, _ = validate(matrix_dir, date(2030, 1, 1), matrix_dir.parent)
    v = build_report(matrix, snapshot(matrix, date(2015, 6, 30)), since=date(2015, 3, 31))
    for activity, _title, day in v.changes.milestones:
        assert date(2015, 3, 31) < day <= date(2015, 6, 30), activity
    then = snapshot(matrix, date(2015, 3, 31))
    before = {s.activity.id: s.progress or 0 for s in then.activities}
    moved = {
        s.activity.id
        for s in snapshot(matrix, date(2015, 6, 30)).activities
        if (s.progress or 0) != before[s.activity.id]
    }
    assert {p[0] for p in v.changes.progress} == moved
    bad = run("report", "--as-of", "2015-06-30", "--since", "2015-13-01", "--out", "-", "--format", "md")
    assert bad.exit_code == 2 and "--since '2015-13-01' is not a date" in bad.stderr
    later = run("report", "--as-of", "2015-06-30", "--since", "2015-07-01", "--out", "-", "--format", "md")
    assert later.exit_code == 2 and "is not before --as-of" in later.stderr
