"""The Matrix as a static website: "records and archives" for every participating institution (¶53).

Built from the report's own view (`report.build_report`), one per language, so the site and
the report never disagree: a home page with the dashboard as of a date, a page per area, per
activity (with the archive of every quarterly report on it, newest first) and per institution,
the archive of Progress and Evaluation Reports, and a search page.  Every link is relative and
every page readable without a script; only the search page loads one (Pagefind's, built
afterwards over the written pages).  Same Matrix, same --as-of, same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .i18n import NAMES, Language, LText, language, localized, quarter_text
from .load import Matrix
from .problem import Problem
from .render import language_environment
from .report import ReportView, acronyms, build_report
from .state import visible_updates
from .timeline import Snapshot

# a page is named after an id the schema already restricts; this is the last line of defence
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")
# reports/ files the archive publishes: PDF and Markdown are documents, not pages that could run
# a script on the site's origin (an HTML file from the repository would)
ARCHIVED = re.compile(r"^progress-report-(\d{4}-\d{2}-\d{2})(?:\.(en|fr|ar))?\.(pdf|md)$")


@dataclass(frozen=True)
class ArchiveEntry:
    """One institution's quarterly report on one activity, as the archive shows it."""

    period: str  # in words
    organization: str  # as shown (acronym)
    org_ref: str
    submitted: date
    status: str
    progress: float
    progress_note: LText
    narrative: LText
    obstacles: LText
    next_steps: LText
    milestones: list[tuple[str, date]]
    indicators: list[tuple[str, float]]
    file: str  # where it is written, relative to the repository
    provenance: str


@dataclass(frozen=True)
class ArchivedReport:
    """A file of reports/ the site publishes."""

    name: str
    as_of: date
    lang: Language
    format: str  # pdf | md
    size: int


@dataclass(frozen=True)
class Page:
    path: str  # relative to the site's root, '/'-separated
    template: str
    title: str
    here: str  # the same page's path inside any language folder (for the language switch)
    context: dict


def archive(matrix: Matrix, as_of: date, lang: Language) -> dict[str, list[ArchiveEntry]]:
    """Every report submitted by `as_of`, per activity, newest period first (then latest submitted)."""
    shown = acronyms(matrix, lang)
    default = matrix.meta.value.provenance.status if matrix.meta else "confirmed"
    out: dict[str, list[ArchiveEntry]] = {}
    for update in visible_updates(matrix, as_of):
        u = update.value
        for entry in u.entries:
            out.setdefault(entry.activity, []).append(
                ArchiveEntry(
                    period=quarter_text(u.period.year, u.period.number, lang),
                    organization=shown.get(u.organization, u.organization),
                    org_ref=u.organization,
                    submitted=u.submitted,
                    status=entry.status,
                    progress=entry.progress,
                    progress_note=localized(entry.progress_note, lang),
                    narrative=localized(entry.narrative, lang),
                    obstacles=localized(entry.obstacles, lang),
                    next_steps=localized(entry.next_steps, lang),
                    milestones=sorted(entry.milestones_done.items()),
                    indicators=sorted(entry.indicators.items()),
                    file=update.path,
                    provenance=u.provenance or default,
                )
            )
    for entries in out.values():
        entries.reverse()  # visible_updates is oldest first
    return out


def _name(ident: str) -> str:
    if not _SAFE_NAME.match(ident):
        raise ValueError(f"{ident!r} cannot name a page")
    return ident


def pages(view: ReportView, entries: dict[str, list[ArchiveEntry]], reports: list[ArchivedReport]) -> Iterator[Page]:
    """The pages of one language, from its report view."""
    yield Page("index.html", "site/home.html.j2", str(view.meta.title), "index.html", {})
    for area in view.areas:
        here = f"areas/{_name(area.id)}.html"
        yield Page(here, "site/area.html.j2", str(area.title), here, {"area": area})
        for card in area.activities:
            here = f"activities/{_name(card.id)}.html"
            yield Page(
                here,
                "site/activity.html.j2",
                f"{card.id} {card.title}",
                here,
                {"a": card, "area": area, "entries": entries.get(card.id, [])},
            )
    yield Page("institutions.html", "site/institutions.html.j2", "", "institutions.html", {})
    for org in view.institutions:
        here = f"institutions/{_name(org.ref)}.html"
        yield Page(here, "site/institution.html.j2", f"{org.id} {org.name}", here, {"o": org})
    yield Page("reports.html", "site/reports.html.j2", "", "reports.html", {"files": reports})
    yield Page("search.html", "site/search.html.j2", "", "search.html", {})


def build_site(
    matrix: Matrix,
    snap: Snapshot,
    langs: Iterable[Language],
    reports: list[ArchivedReport],
    problems: Iterable[Problem] = (),
    folder: Path | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every file of the site as (path relative to its root, bytes), the pages of each language in
    its own folder and a root page that chooses the language."""
    langs = list(langs)
    problems = list(problems)
    first = None
    for lang in langs:
        view = build_report(matrix, snap, lang, problems=problems)
        first = first or view
        env = language_environment(lang, "html", folder)
        orgs = {o.id: o.ref for o in view.institutions}
        entries = archive(matrix, snap.as_of, lang)
        rtl = lang.rtl
        for page in pages(view, entries, reports):
            depth = page.path.count("/")
            text = env.get_template(page.template).render(
                r=view,
                page=page,
                lang=lang,
                langs=langs,
                names=NAMES,
                rtl=rtl,
                dir=lang.direction,
                up="../" * depth,
                top="../" * (depth + 1),
                orgs=orgs,
                **page.context,
            )
            yield f"{lang}/{page.path}", text.encode("utf-8")
    root = language_environment(langs[0], "html", folder).get_template("site/languages.html.j2")
    yield (
        "index.html",
        root.render(r=first, langs=langs, names=NAMES, lang=langs[0], dir=langs[0].direction).encode(),
    )


def archived_report(name: str, size: int) -> ArchivedReport | None:
    """The archive's entry for a file of reports/, or None when the site does not publish it."""
    match = ARCHIVED.match(name)
    if not match:
        return None
    day, lang, fmt = match.groups()
    try:
        as_of = date.fromisoformat(day)
    except ValueError:
        return None
    return ArchivedReport(name, as_of, language(lang or "en"), fmt, size)
