"""Quarterly report forms (¶53): one pre-filled workbook per institution that owes a quarter.

Most institutions answer a request by e-mail in a spreadsheet, not in YAML.  A form holds, per
activity the institution reports on (the owing rule of `status`), the plan read-only and the
answer cells unlocked and pre-filled from the activity's latest report (and said so).  Text from
the data is always written as text: a title starting with `=` never becomes a formula.  A hidden
sheet stamps the institution, the quarter and the Matrix revision, so a return can be checked
against what was asked.  Made with openpyxl (the `forms` extra).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .dates import Quarter
from .i18n import RTL, STATUS_WORDS, Language, localized, long_date, quarter_text, translations, when
from .load import Matrix
from .notice import notice_line, provenance
from .owing import Duties, due_date
from .problem import xml_chars
from .state import visible_updates
from .timeline import active_entries
from .vocab import STATUSES

STAMP_SHEET = "uncoop"
# 2: the "No change since the last report" and "Why progress fell" answers
FORM_VERSION = "2"
# the Cover's "date of this report" cell (B3), which the institution fills and `import` reads
DATE_ROW, DATE_COL = 3, 2
# the widths of the columns of each sheet, as many as it has columns (a printed page reads them)
WIDTHS = {
    "Cover": (24, 90),
    "Report": (10, 40, 14, 14, 24, 18, 18, 10, 50, 40, 40, 14, 40),
    "Milestones": (10, 12, 50, 16, 16),
    "Indicators": (10, 12, 50, 20, 12, 12, 16),
}


def form_name(org: str, quarter: Quarter, suffix: str = "xlsx") -> str:
    """The file name of a form, as `uncoop forms` writes it and a reminder attaches and names it."""
    return f"report-{quarter}-{org}.{suffix}"


def owing_institutions(matrix: Matrix, quarter: Quarter, as_of: date) -> list[str]:
    """Who owes a report for `quarter`, given the updates submitted by `as_of`."""
    return Duties(matrix, visible_updates(matrix, as_of)).owing(quarter)


def status_words(lang: Language) -> dict[str, str]:
    """Each status as the form's language says it (the list a Report cell offers), by its value."""
    _ = translations(lang).gettext
    words = {status: _(STATUS_WORDS[status]) for status in STATUSES}
    if len(set(words.values())) != len(words) or any("," in w or '"' in w for w in words.values()):
        return {status: status for status in STATUSES}  # a list a spreadsheet cannot offer: the values
    return words


def yes_word(lang: Language) -> str:
    """The one answer of the "No change since the last report" column, in the form's language."""
    return translations(lang).gettext("yes")


def folded(text: str) -> str:
    """A word as typed compared with a word of the list: case, spacing, the ligature œ and Arabic
    short vowels do not count."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold().replace("œ", "oe")
    text = "".join(c for c in text if not ("\u064b" <= c <= "\u065f" or c == "\u0670"))
    return " ".join(text.split())


def read_status(value: str, lang: Language) -> str | None:
    """The status a Report cell says, in the form's language or as the value itself; None if neither."""
    wanted = folded(value)
    for status, word in status_words(lang).items():
        if wanted in (folded(word), status):
            return status
    return None


def _text(cell: Any, value: object) -> None:
    """Data is text: openpyxl would read a leading '=' as a formula; a character XML 1.0 cannot
    hold would make the workbook's part ill-formed, so it becomes U+FFFD."""
    cell.value = "" if value is None else xml_chars(str(value))
    cell.data_type = "s"


def workbook(matrix: Matrix, org: str, quarter: Quarter, lang: Language, revision: str = "") -> bytes:
    """The form of one institution for one quarter, as .xlsx bytes."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    _ = translations(lang).gettext
    record = matrix.org_by_id[org].value
    meta = matrix.meta.value if matrix.meta else None
    book = Workbook()
    cover = book.active
    cover.title = _("Cover")
    rows = [
        (_("Institution"), f"{localized(record.name, lang)} ({org})"),
        (_("Quarter"), quarter_text(quarter.year, quarter.number, lang)),
        (_("Date of this report"), ""),  # DATE_ROW: a date cell, filled by the institution
    ]
    if meta is not None:
        point = getattr(meta.focal_points, record.side)
        rows += [
            (_("Due"), long_date(due_date(meta, quarter), lang)),
            (_("Send to"), f"{localized(point.title, lang)} ({point.organization})"),
        ]
    notice = notice_line(provenance(matrix), lang)
    if notice:
        rows.append((_("About the data"), notice))
    words = status_words(lang)
    rows += [
        ("", ""),
        (
            _("How to fill in"),
            _(
                "Write the date of this report above (a date, e.g. 2015-10-15), then change only "
                "the white cells of the Report, Milestones and Indicators sheets; "
                "values carried over from an earlier report are marked so: check them."
            ),
        ),
        (_("White cells"), _("Your answers. A row you leave as it is reports nothing.")),
        (_("Grey cells"), _("The plan, and what an earlier report already gave: read-only.")),
        (
            _("No change since the last report"),
            _(
                "Choose “%(yes)s” when nothing changed since the last report: its status, progress "
                "and indicator values are reported again, marked as carried over from it."
            )
            % {"yes": yes_word(lang)},
        ),
        (
            _("Why progress fell"),
            _("Needed when the progress you give is lower than the last report's: the form is refused without it."),
        ),
        (_("Status"), ", ".join(words[s] for s in STATUSES)),
    ]
    for i, (label, value) in enumerate(rows, start=1):
        _text(cover.cell(i, 1), label)
        cover.cell(i, 1).font = Font(bold=True)
        _text(cover.cell(i, 2), value)
        cover.cell(i, 2).alignment = Alignment(wrap_text=True, vertical="top")
    _date_cell(cover, quarter, _)

    answer = PatternFill("solid", fgColor="FFFFFF")
    plan = PatternFill("solid", fgColor="E8E8E8")
    entries = active_entries(matrix, org, quarter)
    yes = yes_word(lang)
    report = book.create_sheet(_("Report"))
    heads = [
        _("Activity"),
        _("Title"),
        _("UN lead"),
        _("OIC lead"),
        _("Timeline"),
        _("Carried over from"),
        _("Status"),
        _("Progress"),
        _("Narrative"),
        _("Obstacles"),
        _("Next steps"),
        _("No change since the last report"),
        _("Why progress fell"),
    ]
    for col, head in enumerate(heads, start=1):
        _text(report.cell(1, col), head)
        report.cell(1, col).font = Font(bold=True)
        report.cell(1, col).alignment = Alignment(wrap_text=True, vertical="top")
    statuses = _rule(
        DataValidation,
        _("Status"),
        _("Choose the status from the list."),
        type="list",
        formula1='"' + ",".join(words[s] for s in STATUSES) + '"',
        allow_blank=False,
    )
    progress = _rule(
        DataValidation,
        _("Progress"),
        _("Progress is a whole number from 0 to 100."),
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
    )
    unchanged = _rule(
        DataValidation,
        _("No change since the last report"),
        _("Choose “%(yes)s” from the list, or leave the cell empty.") % {"yes": yes},
        type="list",
        formula1=f'"{yes}"',
        allow_blank=True,
    )
    for rule in (statuses, progress, unchanged):
        report.add_data_validation(rule)
    for row, (ident, status, pct, source) in enumerate(entries, start=2):
        act = matrix.activity_by_id[ident].value
        timeline = f"{when(act.dates.planned_start, lang)} – {when(act.dates.planned_end, lang)}"
        values = [
            ident,
            localized(act.title, lang),
            ", ".join(act.leads.un),
            ", ".join(act.leads.oic),
            timeline,
            source or _("the plan"),
        ]
        for col, value in enumerate(values, start=1):
            _text(report.cell(row, col), value)
            report.cell(row, col).fill = plan
        _text(report.cell(row, 7), words[status])
        report.cell(row, 8).value = pct
        for col in range(7, 14):
            cell = report.cell(row, col)
            cell.fill = answer
            cell.protection = Protection(locked=False)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        statuses.add(report.cell(row, 7))
        progress.add(report.cell(row, 8))
        if source is None:  # nothing reported before: nothing to carry over
            report.cell(row, 12).fill = plan
            report.cell(row, 12).protection = Protection(locked=True)
        else:
            unchanged.add(report.cell(row, 12))
    _milestones(book, matrix, entries, lang, _, plan, answer, _done_before(matrix, quarter))
    _indicators(book, matrix, entries, lang, _, plan, answer)
    for sheet, widths in zip(book.worksheets, WIDTHS.values(), strict=True):
        sheet.protection.sheet = True  # the structure is fixed; white cells are unlocked
        if lang in RTL:
            sheet.sheet_view.rightToLeft = True
        _print_setup(sheet, widths, heading=sheet is not cover)
    stamp = book.create_sheet(STAMP_SHEET)
    for i, (key, value) in enumerate(
        (
            ("form", FORM_VERSION),
            ("organization", org),
            ("period", str(quarter)),
            ("revision", revision),
            ("language", lang),
        ),
        start=1,
    ):
        _text(stamp.cell(i, 1), key)
        _text(stamp.cell(i, 2), value)
    stamp.sheet_state = "veryHidden"
    out = io.BytesIO()
    book.save(out)
    return _stable(out.getvalue(), quarter)


def _rule(kind: Any, title: str, error: str, **options: Any) -> Any:
    """A data validation that stops a wrong value with a message in the form's language."""
    return kind(showErrorMessage=True, errorStyle="stop", errorTitle=title[:32], error=error, **options)


def _print_setup(sheet: Any, widths: tuple[int, ...], heading: bool) -> None:
    """A sheet prints landscape on A4, as wide as one page and as long as it needs, its header
    row on every page; each column as wide as what it holds."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if heading:
        sheet.print_title_rows = "1:1"


def _date_cell(cover: Any, quarter: Quarter, _: Any) -> None:
    """The date of this report: an open, white date cell that refuses text and any day before the
    quarter began; `import` reads it as the day the report was submitted."""
    from openpyxl.styles import PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    start = quarter.start
    rule = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({start.year},{start.month},{start.day})",
        allow_blank=True,
        showErrorMessage=True,
        error=_("Type the date of this report as a date, e.g. 2015-10-15, not before the quarter began."),
    )
    cover.add_data_validation(rule)
    cell = cover.cell(DATE_ROW, DATE_COL)
    cell.value = None
    cell.number_format = "yyyy-mm-dd"
    cell.fill = PatternFill("solid", fgColor="FFFFFF")
    cell.protection = Protection(locked=False)
    rule.add(cell)


def _stable(data: bytes, quarter: Quarter) -> bytes:
    """The same workbook bytes for the same input: openpyxl stamps the save time into the zip
    entries and the document properties; both become the quarter's end."""
    import io
    import re
    import zipfile

    moment = f"{quarter.end.isoformat()}T00:00:00Z"
    stamp = (quarter.end.year, quarter.end.month, quarter.end.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + moment.encode(), body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)
    return out.getvalue()


def plan_row(matrix: Matrix, ident: str, source: str | None, lang: Language) -> list[str]:
    """The read-only cells of an activity's row, as the form writes them (and a return must keep)."""
    _ = translations(lang).gettext
    act = matrix.activity_by_id[ident].value
    timeline = f"{when(act.dates.planned_start, lang)} – {when(act.dates.planned_end, lang)}"
    title = str(localized(act.title, lang))
    return [ident, title, ", ".join(act.leads.un), ", ".join(act.leads.oic), timeline, source or _("the plan")]


def _sheet(book: Any, title: str, heads: tuple[str, ...]) -> Any:
    """A new sheet with its bold header row."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    for col, head in enumerate(heads, start=1):
        _text(sheet.cell(1, col), head)
        sheet.cell(1, col).font = Font(bold=True)
    return sheet


def _plan_cells(sheet: Any, row: int, values: tuple, plan: Any) -> None:
    """The read-only cells of a row: text, grey."""
    for col, value in enumerate(values, start=1):
        _text(sheet.cell(row, col), value)
        sheet.cell(row, col).fill = plan


def _done_before(matrix: Matrix, quarter: Quarter) -> dict[tuple[str, str], date]:
    """(activity, milestone) -> the day an earlier quarter's report said it was done."""
    done: dict[tuple[str, str], date] = {}
    for update in matrix.updates:
        if update.value.period < quarter:
            for entry in update.value.entries:
                for milestone, day in entry.milestones_done.items():
                    key = (entry.activity, milestone)
                    done[key] = min(done.get(key, day), day)
    return done


def _milestones(
    book: Any, matrix: Matrix, entries: list, lang: Language, _: Any, plan: Any, answer: Any, done_before: dict
) -> None:
    from openpyxl.styles import Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = _sheet(book, _("Milestones"), (_("Activity"), _("Milestone"), _("Title"), _("Due"), _("Done on (date)")))
    dates = _rule(
        DataValidation,
        _("Done on (date)"),
        _("Type the day the milestone was reached as a date, e.g. 2015-08-31."),
        type="date",
        operator="between",
        formula1="DATE(1900,1,1)",
        formula2="DATE(9999,12,31)",
        allow_blank=True,
    )
    sheet.add_data_validation(dates)
    row = 2
    for ident, *_rest in entries:
        for m in matrix.activity_by_id[ident].value.milestones:
            _plan_cells(sheet, row, (ident, m.id, localized(m.title, lang), when(m.due, lang)), plan)
            done = sheet.cell(row, 5)
            done.number_format = "yyyy-mm-dd"
            earlier = done_before.get((ident, m.id))
            if earlier is not None:  # reported done already: shown, not asked again
                done.value, done.fill = earlier, plan
            else:
                done.fill = answer
                done.protection = Protection(locked=False)
                dates.add(done)
            row += 1


def _indicators(book: Any, matrix: Matrix, entries: list, lang: Language, _: Any, plan: Any, answer: Any) -> None:
    from openpyxl.styles import Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    heads = (_("Activity"), _("Indicator"), _("Title"), _("Unit"), _("Baseline"), _("Target"), _("Value reached"))
    sheet = _sheet(book, _("Indicators"), heads)
    # a number; not below zero unless the indicator allows it (what `validate` checks)
    signed = _rule(
        DataValidation,
        _("Value reached"),
        _("Type the value reached as a number."),
        type="decimal",
        operator="between",
        formula1="-1E+15",
        formula2="1E+15",
        allow_blank=True,
    )
    unsigned = _rule(
        DataValidation,
        _("Value reached"),
        _("Type the value reached as a number, not below zero."),
        type="decimal",
        operator="between",
        formula1="0",
        formula2="1E+15",
        allow_blank=True,
    )
    sheet.add_data_validation(signed)
    sheet.add_data_validation(unsigned)
    row = 2
    for ident, *_rest in entries:
        for i in matrix.activity_by_id[ident].value.indicators:
            _plan_cells(sheet, row, (ident, i.id, localized(i.title, lang), localized(i.unit, lang)), plan)
            sheet.cell(row, 5).value, sheet.cell(row, 6).value = i.baseline, i.target
            sheet.cell(row, 5).fill = sheet.cell(row, 6).fill = plan
            actual = sheet.cell(row, 7)
            actual.fill = answer
            actual.protection = Protection(locked=False)
            (signed if i.allow_negative else unsigned).add(actual)
            row += 1


# what a spreadsheet opening a CSV reads as the start of a formula (a tab or CR before one too)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> str:
    """Such text gets an apostrophe, so the spreadsheet keeps it text; the writer quotes every
    cell, so a line break or a comma inside one can never start a row or a cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_form(matrix: Matrix, org: str, quarter: Quarter, lang: Language, revision: str = "") -> bytes:
    """The same form as one table (activity, item, what, plan, answer), UTF-8 with a stamp line."""
    import csv
    import io

    _ = translations(lang).gettext
    done = _done_before(matrix, quarter)
    out = io.StringIO()
    out.write(
        f"# uncoop form {FORM_VERSION}, organization={org}, period={quarter}, revision={revision}, language={lang}\n"
    )
    table = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    table.writerow(["activity", "item", "what", "plan", "answer"])
    for ident, status, pct, source in active_entries(matrix, org, quarter):
        act = matrix.activity_by_id[ident].value
        title = str(localized(act.title, lang))
        carried = _("Carried over from") + " " + (source or _("the plan"))
        rows = [(ident, "", "status", title, status), (ident, "", "progress", carried, f"{pct:g}")]
        rows += [(ident, "", field, "", "") for field in ("narrative", "obstacles", "next_steps")]
        rows.append((ident, "", "progress_note", _("Why progress fell"), ""))
        if source is not None:  # answered with the form's yes (or "yes"): the last report carried over
            rows.append((ident, "", "no_change", f"{_('No change since the last report')} ({source})", ""))
        rows += [
            (ident, m.id, "milestone", f"{localized(m.title, lang)} ({when(m.due, lang)})", "")
            for m in act.milestones
            if (ident, m.id) not in done
        ]
        rows += [
            (
                ident,
                i.id,
                "indicator",
                f"{localized(i.title, lang)} ({localized(i.unit, lang)}): {i.baseline:g} → {i.target:g}",
                "",
            )
            for i in act.indicators
        ]
        table.writerows([[_safe_cell(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8")
