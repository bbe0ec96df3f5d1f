"""The report assembled: one builder per section, joined into a `ReportView`.

Output depends only on the Matrix and `as_of` (and SOURCE_DATE_EPOCH when set).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from ..health import ON_TRACK, RATINGS, Health, rate
from ..i18n import (
    EN,
    Language,
    language,
    localized,
    number,
    quarter_text,
    translations,
    when,
)
from ..load import Matrix
from ..notice import PROVENANCE_WORDS
from ..problem import Problem, Severity, printable, sort_problems
from ..state import ActivityState
from ..timeline import Snapshot, snapshot
from .analysis import read_analysis
from .area import activity_card, gantt, mermaid_task, rating_of, record_provenance
from .benchmarks import benchmarks_of
from .changes import changes_sentence, changes_since
from .decisions import decision_groups, decisions_of
from .funding import funding_by_area
from .institutions import acronyms, institutions_of, late_groups, late_of, leads_text
from .summary import document_symbol, summary_of, summary_sentences
from .view import (
    SLIPPING,
    AnnexRow,
    AreaSection,
    Cards,
    FocalPoint,
    FundingRow,
    Grid,
    GridRow,
    Meta,
    Notice,
    ReportView,
)


def _generated() -> str | None:
    """A generation date only when SOURCE_DATE_EPOCH asks for one: reproducible by default."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_report(
    matrix: Matrix,
    snap: Snapshot,
    lang: Language = EN,
    analysis_root: Path | None = None,
    problems: Iterable[Problem] = (),
    since: date | None = None,
) -> ReportView:
    """The report's view of a Matrix that has a valid matrix.yaml (the command line checks).
    The focal points' analysis is read from `analysis_root` (default: the Matrix's folder);
    the validity errors among `problems` are listed at the top, since what failed is left out.
    What changed is told since `since` (default: the general meeting that adopted the Matrix),
    against the same plan: the state of the records as of that day."""
    lang = language(lang)  # a code given by a caller of the core API becomes the one Language
    assert matrix.meta is not None
    meta_file = matrix.meta.value
    names = {o.value.id: localized(o.value.name, lang) for o in matrix.organizations}
    shown = acronyms(matrix, lang)
    gettext = translations(lang).gettext
    health = rate(snap, [a.value.id for a in matrix.areas])
    provenance = meta_file.provenance.status
    span_start = meta_file.period.start
    span_end = max(meta_file.period.end, snap.as_of, *(s.activity.dates.planned_end.end for s in snap.activities))
    areas = []
    for area in matrix.areas:
        states = [s for s in snap.activities if s.activity.area == area.value.id]
        if states:
            areas.append(
                AreaSection(
                    area.value.id,
                    localized(area.value.title, lang),
                    area.value.paragraphs,
                    Cards(
                        states,
                        lambda s: activity_card(
                            s, names, snap.as_of, lang, health.activities.get(s.activity.id), provenance, shown
                        ),
                    ),
                    gantt(states, span_start, span_end, snap.as_of, lang),
                    [mermaid_task(s, lang) for s in states],
                    rating_of(health.areas.get(area.value.id) or Health(ON_TRACK), gettext, lang),
                )
            )
    slipping = sorted(
        (f for f in snap.findings if f.code in SLIPPING),
        key=lambda f: (f.key.split("/", 1)[0], f.code, f.message),  # a slipping finding's key starts with its activity
    )
    meta = Meta(
        title=localized(meta_file.title, lang),
        description=localized(meta_file.description, lang),
        adopted=meta_file.adopted,
        place=localized(meta_file.adopted.place, lang),
        source=localized(meta_file.adopted.source, lang),
        period=meta_file.period,
        focal_points=[
            FocalPoint(
                side,
                shown.get(fp.organization, fp.organization),
                names.get(fp.organization, fp.organization),
                localized(fp.title, lang),
            )
            for side, fp in (("un", meta_file.focal_points.un), ("oic", meta_file.focal_points.oic))
        ],
        next_meeting=meta_file.next_meeting,
        next_host=localized(meta_file.next_meeting.host, lang) if meta_file.next_meeting else "",
    )
    grid = Grid(
        [quarter_text(q.year, q.number, lang) for q in snap.quarters],
        [
            GridRow(
                shown.get(r.organization, r.organization),
                names.get(r.organization, r.organization),
                r.side,
                [c.state for c in r.cells],
            )
            for r in snap.grid
        ],
        [str(q) for q in snap.quarters],
    )
    funding = [
        FundingRow(
            s.activity.id,
            localized(f.mechanism, lang),
            str(names.get(f.funder, f.funder)),
            number(f.amount, lang),
            f.currency,
            f.status,
        )
        for s in snap.activities
        for f in s.activity.funding
    ]
    annex = [
        AnnexRow(
            area=localized(matrix.area_by_id[s.activity.area].value.title, lang)
            if s.activity.area in matrix.area_by_id
            else s.activity.area,
            id=s.activity.id,
            title=localized(s.activity.title, lang),
            un=leads_text(s, "un", shown, gettext(", ")),
            oic=leads_text(s, "oic", shown, gettext(", ")),
            timeline=f"{when(s.activity.dates.planned_start, lang)} – {when(s.activity.dates.planned_end, lang)}",
            source=gettext(", ").join(str(p) for p in s.activity.source),
        )
        for s in snap.activities
    ]
    order = {s.activity.id: i for i, s in enumerate(document_order(matrix, snap))}
    annex.sort(key=lambda row: order[row.id])
    counts = health.counts()
    summary = summary_of(snap, lang)
    late = late_of(snap, lang, shown)
    institutions = institutions_of(matrix, snap, health, names, lang, shown)
    decisions = decisions_of(snap, lang)
    start = since or meta_file.adopted.date
    changes = changes_since(snapshot(matrix, start), snap, lang) if start < snap.as_of else None
    return ReportView(
        lang,
        snap.as_of,
        _generated(),
        meta,
        summary,
        areas,
        slipping,
        grid,
        funding,
        annex,
        late=late,
        institutions=institutions,
        funding_by_area=funding_by_area(matrix, snap, lang),
        benchmarks=benchmarks_of(snap, lang),
        decisions=decisions,
        notice=Notice(provenance, gettext(PROVENANCE_WORDS[provenance]), localized(meta_file.provenance.note, lang)),
        health_counts=[(rating_of(Health(r), gettext), counts[r]) for r in RATINGS],
        gap_counts=[(gettext(message), n) for message, n in health.gap_counts().items()],
        symbol=document_symbol(snap.as_of),
        sentences=summary_sentences(summary, counts, late, institutions, lang, snap.as_of)
        + ([changes_sentence(changes, lang)] if changes else []),
        changes=changes,
        decision_groups=decision_groups(snap, decisions, institutions, lang),
        late_groups=late_groups(late),
        abbreviations=sorted(
            {(shown.get(o, o), str(n)) for o, n in names.items() if shown.get(o, o) != str(n)},
            key=lambda pair: pair[0].casefold(),
        ),
        marked=any(record_provenance(s, provenance) not in (provenance, "confirmed") for s in snap.activities),
        analysis=read_analysis(analysis_root or matrix.root, snap.as_of, lang),
        errors=error_lines(problems, lang),
    )


def error_lines(problems: Iterable[Problem], lang: Language = EN) -> list[str]:
    """The validity errors as `file:line:col: message` lines, in file order, each message in the
    report's language where its check wrote it for translation (negative-value)."""
    gettext = translations(lang).gettext
    return [
        f"{p.location}: {printable(p.said(gettext, lambda d: when(d, lang)))}"
        for p in sort_problems(p for p in problems if p.severity >= Severity.ERROR)
    ]


def document_order(matrix: Matrix, snap: Snapshot) -> list[ActivityState]:
    """Activities as the final document lists them: area by area in areas.yaml's order, then by
    the first paragraph each cites, then by id."""
    area_rank = {a.value.id: i for i, a in enumerate(matrix.areas)}
    return sorted(
        snap.activities,
        key=lambda s: (area_rank.get(s.activity.area, len(area_rank)), min(s.activity.source), s.activity.id),
    )
