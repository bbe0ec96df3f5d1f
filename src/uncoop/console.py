"""The terminal dashboard of `uncoop status`, drawn with rich.

Data never reaches rich as markup: every value is a `Text` with control
characters replaced, so `[bold]` in a title prints as written and escape
sequences in a file cannot drive the terminal.
"""

from __future__ import annotations

import re
from typing import IO

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .catalogue import RULES
from .health import WORDS, Health, Late, late_items
from .i18n import EN, STATUS_WORDS, Language, localized
from .markup import CELLS, legend_entries
from .notice import notice_line
from .state import ActivityState
from .view import StatusView, label_text, leads_of, summary_line

# C0/C1 controls and the bidi overrides/isolates that can reorder what a terminal shows
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

STATE_STYLE = {
    "pipeline": "cyan",
    "implementation": "",
    "finalisation": "green",
    "closed": "green",
    "cancelled": "dim",
    "suspended": "yellow",
}


def safe(value: object) -> Text:
    return Text(_UNSAFE.sub("\ufffd", str(value)))


def terminal_lang(lang: Language) -> Language:
    """Most terminals have no bidi support and would print Arabic letters in reverse order:
    right-to-left text goes to the terminal only when UNCOOP_BIDI=1 says it can show it."""
    import os

    return EN if lang.rtl and os.environ.get("UNCOOP_BIDI") != "1" else lang


def title_for_terminal(state: ActivityState, lang: Language) -> str:
    text = localized(state.activity.title, terminal_lang(lang))
    return f"{text} ({text.fallback})" if text.fallback else str(text)


def words(lang: Language):
    """gettext for the terminal's language (English for Arabic unless UNCOOP_BIDI=1)."""
    from .i18n import translations

    return translations(terminal_lang(lang)).gettext


def progress_bar(progress: float | None, width: int = 8, lang: Language = EN) -> Text:
    _ = words(lang)
    if progress is None:
        return Text(_("no report"), style="dim")
    filled = round(progress / 100 * width)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {progress:3.0f}%")
    return bar


def _findings_cell(state: ActivityState, lang: Language = EN) -> Text:
    text = Text()
    for code in sorted({f.code for f in state.findings}):
        if text:
            text.append(", ")
        text.append(label_text(code, terminal_lang(lang)), style=RULES[code].style)
    return text


HEALTH_STYLE = {"on-track": "green", "at-risk": "yellow", "off-track": "bold red"}


def health_cell(health: Health | None, lang: Language = EN) -> Text:
    """Symbol and words, coloured too: the words carry the meaning without colour."""
    if health is None:
        return Text("")
    _ = words(lang)
    return Text(f"{health.symbol} {_(WORDS[health.rating])}", style=HEALTH_STYLE[health.rating])


def next_short(state: ActivityState, lang: Language = EN) -> str:
    """'2016-06-30 M2' (a milestone) or '2016-06-30 end' (the planned end): what is due, and when."""
    if not state.next_due:
        return ""
    _ = words(lang)
    due = state.next_due
    short = due.milestone or _("end")  # outside the f-string, where the catalogs' extractor sees it
    return f"{due.day.isoformat()} {short}"


def next_named(state: ActivityState, lang: Language = EN) -> str:
    """'2016-06-30 M2 Framework agreement signed': the dashboard names a milestone by its title."""
    short = next_short(state, lang)
    if not state.next_due:
        return short
    ident = state.next_due.milestone
    titles = {m.id: str(localized(m.title, lang)) for m in state.activity.milestones}
    return f"{short} {titles[ident]}" if ident in titles else short


def _headline(state: ActivityState, lang: Language) -> Table:
    """The id, then the title; a wrapped title goes on under the title, never at column 0."""
    line = Table.grid(padding=(0, 1, 0, 0))
    line.add_column(no_wrap=True)
    line.add_column(ratio=1, overflow="fold")
    line.add_row(Text(state.activity.id, style="bold"), safe(title_for_terminal(state, lang)))
    return line


def area_table(title: str, states: list[ActivityState], lang: Language, health: dict[str, Health]) -> Table:
    table = Table(title=safe(title), title_justify="left", box=box.SIMPLE_HEAD, expand=True, pad_edge=False)
    _ = words(lang)
    table.add_column(_("Activity"), ratio=3, overflow="fold")
    table.add_column(_("Leads UN / OIC"), ratio=2, overflow="fold")
    # fixed widths keep the columns aligned from one area's table to the next
    table.add_column(_("State"), no_wrap=True, width=14)
    table.add_column(_("Health"), no_wrap=True, width=11)
    table.add_column(_("Progress"), no_wrap=True, width=13)
    table.add_column(_("Next due"), ratio=2, overflow="fold")
    table.add_column(_("Findings"), ratio=2, overflow="fold")
    for s in states:
        name = _headline(s, lang)
        leads = safe(f"{leads_of(s, 'un')} / {leads_of(s, 'oic')}")
        state = Text(_(STATUS_WORDS[s.status]), style=STATE_STYLE.get(s.status, ""))
        due = safe(next_named(s, lang))
        table.add_row(
            name,
            leads,
            state,
            health_cell(health.get(s.activity.id)),
            progress_bar(s.progress),
            due,
            _findings_cell(s, lang),
        )
    return table


def area_lines(title: str, states: list[ActivityState], lang: Language, health: dict[str, Health]) -> Group:
    """The narrow-terminal layout: two lines per activity instead of six columns."""
    _ = words(lang)
    lines: list = [Text(_UNSAFE.sub("\ufffd", title), style="bold underline")]
    for s in states:
        head = _headline(s, lang)
        detail = Text("")
        detail.append_text(safe(f"{leads_of(s, 'un')} / {leads_of(s, 'oic')}"))
        detail.append(" · ")
        detail.append(_(STATUS_WORDS[s.status]), style=STATE_STYLE.get(s.status, ""))
        if s.activity.id in health:
            detail.append(" ")
            detail.append_text(health_cell(health[s.activity.id], lang))
        detail.append(" ")
        detail.append_text(progress_bar(s.progress, width=6, lang=lang))
        if s.next_due:
            detail.append(" · ")
            detail.append_text(safe(_("next %(when)s") % {"when": next_named(s, lang)}))
        if s.findings:
            detail.append(" · ")
            detail.append_text(_findings_cell(s, lang))
        # padded, not prefixed: a wrapped line starts under the first, never at column 0
        lines += [head, Padding(detail, (0, 0, 0, 4), expand=False)]
    lines.append(Text(""))
    return Group(*lines)


def grid_table(view: StatusView) -> Table:
    _ = words(view.lang)
    table = Table(title=_("Quarterly reports (¶53)"), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(_("Institution"), no_wrap=True)
    for quarter in view.quarters:
        table.add_column(f"{quarter.year % 100:02d}Q{quarter.number}", justify="center", no_wrap=True)
    for side, label in (("un", _("United Nations")), ("oic", _("OIC"))):
        rows = [r for r in view.grid if r.side == side]
        if rows:
            table.add_row(Text(label, style="bold"), *[""] * len(view.quarters))
        for i, row in enumerate(rows):
            cells = [Text(CELLS[c.state].term, style=CELLS[c.state].style) for c in row.cells]
            table.add_row(safe(row.organization), *cells, end_section=i == len(rows) - 1)
    return table


def overdue_by_lead(view: StatusView) -> list:
    """Whom to chase: every planned end and milestone past due on the activities shown, under each
    of the activity's lead institutions (both sides), most late first."""
    shown = {s.activity.id for area in view.areas for s in area.activities}
    if not any(RULES[f.code].group == "overdue" for f in view.findings):
        return []  # --only without overdue findings: nothing of the kind is shown
    by_lead: dict[str, list[Late]] = {}
    for late in late_items(view.snapshot):
        if late.state.activity.id in shown:
            for org in late.leads:
                by_lead.setdefault(org, []).append(late)
    if not by_lead:
        return []
    _ = words(view.lang)
    lines: list = [Text(_("Overdue, by lead institution"), style="bold red")]
    for org in sorted(by_lead):
        lines.append(Padding(safe(org), (0, 0, 0, 2), expand=False))
        for late in by_lead[org]:
            act = late.state.activity
            what = _("milestone %(id)s") % {"id": late.milestone.id} if late.milestone else _("planned end")
            late_by = _("%(what)s, due %(due)s, %(days)s days late") % {
                "what": what,
                "due": late.due,
                "days": late.days,
            }
            line = Text(act.id, style="bold")
            line.append_text(safe(f" {late_by} · {title_for_terminal(late.state, view.lang)}"))
            lines.append(Padding(line, (0, 0, 0, 4), expand=False))
    lines.append(Text(""))
    return lines


WIDE = 120  # below this many columns the six-column table wraps titles into slivers


def wrapped(line: str, width: int) -> list[Text]:
    """The summary cut between its items, never inside one ('7 reports missing' stays whole)."""
    pieces = re.split(r"(?<=, )|(?<=; )|(?= \()|(?= \[)", line)
    lines, current = [], ""
    for piece in pieces:
        if current and len((current + piece).rstrip()) > width:
            lines.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
    lines.append(current.rstrip())
    return [Text(text) for text in lines]


def _notice(view: StatusView) -> list[Text]:
    line = notice_line(view.provenance, terminal_lang(view.lang))
    return [Text(line, style="yellow")] if line else []


def render_status(view: StatusView, out: IO[str], width: int | None = None, color: bool | None = None) -> None:
    console = Console(
        file=out,
        width=width,
        no_color=color is False or None,
        highlight=False,
        force_terminal=color or None,
        emoji=False,
    )
    _ = words(view.lang)
    parts: list = [
        Text(_("Matrix status as of %(date)s") % {"date": view.snapshot.as_of.isoformat()}, style="bold"),
        *_notice(view),
        *wrapped(summary_line(view, terminal_lang(view.lang)), console.width),
        Text(""),
    ]
    layout = area_table if console.width >= WIDE else area_lines
    if terminal_lang(view.lang) != view.lang:
        parts.append(
            Text(
                "Arabic titles are in --format json and markdown and in the report; this terminal view "
                "keeps English (set UNCOOP_BIDI=1 if your terminal shows right-to-left text).",
                style="dim",
            )
        )
    rated = view.health.activities
    parts += [
        layout(str(localized(a.titles, terminal_lang(view.lang))), a.activities, view.lang, rated) for a in view.areas
    ]
    parts += overdue_by_lead(view)
    if view.grid:
        parts += [
            grid_table(view),
            Text("\n".join(packed(legend_entries(terminal=True, word=_), console.width)), style="dim"),
        ]
    console.print(Group(*parts))


def packed(entries: list[str], width: int, gap: str = "  ") -> list[str]:
    """Entries on as few lines as fit `width`, never one cut in two ('○ rien en cours' stays whole)."""
    lines: list[str] = []
    for entry in entries:
        if lines and cell_len(lines[-1] + gap + entry) <= width:
            lines[-1] += gap + entry
        else:
            lines.append(entry)
    return lines
