"""Returned report forms read back (`uncoop import`): answers become edits, or located problems.

A return is checked against what `forms` asked: the stamp (institution, quarter), the columns
and the plan cells as written, the activities asked about.  Every problem is located as
`FILE.xlsx!Sheet!C7` with the codes `validate` uses; a return with any problem gives no edit.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .dates import Quarter
from .forms import DATE_COL, DATE_ROW, FORM_VERSION, STAMP_SHEET, folded, plan_row, read_status, yes_word
from .i18n import Language, language
from .load import Matrix
from .problem import Location, Problem
from .rules import finding
from .state import Reported
from .timeline import active_entries, latest_reports
from .vocab import LANGS, STATUSES

# Budgets of a returned workbook, checked before any XML is parsed (a form uncoop writes for the
# bundled Matrix is at most 15 KB, unpacking to 67 KB in 13 members, with a row per activity,
# milestone or indicator): past one, a single finding naming the file, not minutes and gigabytes.
MAX_BYTES = 5 << 20  # the file as sent
MAX_UNPACKED = 10 << 20  # what its zip declares it unpacks to, all members together
MAX_MEMBERS = 64  # files inside the zip
MAX_ROWS = 2_000  # rows read of one sheet (opened read-only: a row is parsed once, never kept twice)
MAX_COLUMNS = 30  # columns read of one sheet; the Report sheet has 13
SHEETS = 5  # Cover, Report, Milestones, Indicators and the stamp, as `forms` writes them
REPORT_COLUMNS = 13
STATUS_COL, PROGRESS_COL, FIRST_ANSWER = 7, 8, 7
TEXT_FIELDS = {9: "narrative", 10: "obstacles", 11: "next_steps"}
NO_CHANGE_COL, REASON_COL = 12, 13


@dataclass(frozen=True, slots=True, order=True)
class CellLocation(Location):
    """A cell of a workbook: shown as FILE.xlsx!Sheet!C7."""

    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        return f"{self.path}!{self.sheet}!{self.cell}" if self.sheet else self.path


@dataclass
class Return:
    organization: str
    quarter: Quarter
    edits: list[tuple[str, str, object]]  # (activity, field, value), as `uncoop update --set` makes
    filled: date | None  # the date of this report the form gives (its Cover's date cell), if any
    filled_at: Location  # where that date is (or would be) written, for a finding about it


class _Grid:
    """One sheet of a workbook opened read-only, read once into rows (at most MAX_ROWS x
    MAX_COLUMNS), with the few ways the checks below look at a sheet."""

    def __init__(self, title: str, rows: list[list[Any]], merged: list[Any], over: str) -> None:
        self.title, self.rows, self.over = title, rows, over
        self.merged_cells = SimpleNamespace(ranges=merged)
        self.max_row = max((i + 1 for i, row in enumerate(rows) if any(c.value is not None for c in row)), default=1)
        self.max_column = max((c.column for row in rows for c in row if c.value is not None), default=1)

    @classmethod
    def read(cls, sheet: Any) -> _Grid:
        rows = [list(row) for row in sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS + 1)]
        over = ""
        if len(rows) > MAX_ROWS and any(c.value is not None for c in rows[MAX_ROWS]):
            over = f"row {MAX_ROWS:,}"
        elif any(len(row) > MAX_COLUMNS and row[MAX_COLUMNS].value is not None for row in rows):
            over = f"column {MAX_COLUMNS}"
        elif (sheet.max_row or 0) > MAX_ROWS or (sheet.max_column or 0) > MAX_COLUMNS:
            stated = f"{sheet.max_row or 0:,} x {sheet.max_column or 0:,}"
            over = f"row {MAX_ROWS:,} or column {MAX_COLUMNS} (its stated dimensions are {stated})"
        return cls(sheet.title, rows[:MAX_ROWS], [] if over else _merged(sheet), over)

    def cell(self, row: int, col: int) -> Any:
        if row - 1 < len(self.rows) and col - 1 < len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return _EMPTY

    def __getitem__(self, row: int) -> list[Any]:
        return self.rows[row - 1] if row - 1 < len(self.rows) else []


_EMPTY = SimpleNamespace(value=None, data_type="n")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)\"")


def _merged(sheet: Any) -> list[Any]:
    """The merged ranges of a read-only sheet (openpyxl's read-only mode does not give them), from
    its XML: bounded by the unpacked-size budget already checked."""
    from openpyxl.worksheet.cell_range import CellRange

    with sheet._get_source() as source:
        data = source.read(MAX_UNPACKED + 1)
    return [CellRange(ref.decode()) for ref in _MERGE.findall(data)]


def _at(shown: str, sheet: Any, row: int, col: int) -> CellLocation:
    from openpyxl.utils import get_column_letter

    return CellLocation(shown, row, col, sheet.title, f"{get_column_letter(col)}{row}")


def read_return(path: Path, shown: str, matrix: Matrix) -> tuple[Return | None, list[Problem]]:
    """The edits a returned form asks for, or the problems that stop it."""
    from openpyxl import load_workbook

    where = CellLocation(shown, 1, 1, "", "A1")
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [finding("unreadable", where, f"cannot read the file: {exc.strerror}")]
    if size > MAX_BYTES:
        return None, [finding("unsafe-path", where, f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit")]
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
        unpacked = sum(info.file_size for info in members)
        if unpacked > MAX_UNPACKED:
            return None, [
                finding("unsafe-path", where, f"the workbook unpacks to {unpacked:,} bytes, over {MAX_UNPACKED:,}")
            ]
        if len(members) > MAX_MEMBERS:
            return None, [
                finding("unsafe-path", where, f"the workbook holds {len(members):,} files, over {MAX_MEMBERS}")
            ]
        book = load_workbook(path, read_only=True, data_only=False)
        try:
            grids = [_Grid.read(sheet) for sheet in book.worksheets]
        finally:
            book.close()
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError, SyntaxError) as exc:
        # SyntaxError: the XML parsers' errors (ElementTree's and lxml's) derive from it
        return None, [
            finding(
                "unreadable",
                where,
                f"not a workbook uncoop wrote ({type(exc).__name__})",
                "send back the .xlsx from uncoop forms",
            )
        ]
    too_big = [grid for grid in grids if grid.over]
    if too_big:
        return None, [
            finding(
                "unsafe-path",
                where,
                f"the {too_big[0].title} sheet goes past {too_big[0].over}, over the {MAX_ROWS:,} rows "
                f"and {MAX_COLUMNS} columns uncoop reads of a sheet",
                "send back the form as uncoop forms wrote it",
            )
        ]
    by_title = {grid.title: grid for grid in grids}
    if STAMP_SHEET not in by_title:
        return None, [
            finding("missing-field", where, "the workbook has no uncoop stamp", "use the form uncoop forms wrote")
        ]
    stamp = {str(r[0].value): str(r[1].value or "") for r in by_title[STAMP_SHEET].rows if len(r) > 1 and r[0].value}
    org, quarter, problems = _stamped(stamp, matrix, where)
    if quarter is None or problems:
        return None, problems
    sheets = grids
    if len(sheets) != SHEETS:
        return None, problems + [
            finding(
                "missing-field",
                where,
                f"the workbook has {len(sheets)} sheets, not the form's {SHEETS}",
                "send back the form as uncoop forms wrote it",
            )
        ]
    if (refused := _version(stamp.get("form", ""), where)) is not None:
        return None, [refused]
    report, milestones, indicators = sheets[1], sheets[2], sheets[3]
    for sheet in (report, milestones, indicators):
        for merged in sheet.merged_cells.ranges:
            problems.append(
                finding(
                    "invalid-value",
                    _at(shown, sheet, merged.min_row, merged.min_col),
                    f"merged cells {merged.coord}",
                    "unmerge them: one value per cell",
                )
            )
    entries = active_entries(matrix, org, quarter)
    asked = {ident: (status, progress) for ident, status, progress, _ in entries}
    sources = {ident: source for ident, _, _, source in entries}
    previous = latest_reports(matrix, quarter)
    lang = _language(stamp)
    edits: list[tuple[str, str, object]] = []
    seen: set[str] = set()
    unchanged: dict[str, Location] = {}  # activity -> its "no change" cell, answered yes
    cells: dict[tuple[str, str], Location] = {}  # (activity, field) -> the cell that gave it
    if report.max_column != REPORT_COLUMNS:
        problems.append(
            finding(
                "invalid-value",
                _at(shown, report, 1, report.max_column),
                f"the Report sheet has {report.max_column} columns, not {REPORT_COLUMNS}",
                "do not add, delete or move columns",
            )
        )
    for row in range(2, report.max_row + 1):
        ident = report.cell(row, 1).value
        if ident in (None, ""):
            continue
        if ident not in asked:
            problems.append(
                finding(
                    "unknown-activity",
                    _at(shown, report, row, 1),
                    f"{ident} is not among the activities {org} was asked about for {quarter}",
                )
            )
            continue
        seen.add(str(ident))
        problems += _formulas(shown, report, row)
        for col, wanted in enumerate(plan_row(matrix, str(ident), sources[str(ident)], lang), start=1):
            got = report.cell(row, col).value
            if col > 1 and str(got or "") != wanted:
                problems.append(
                    finding(
                        "invalid-value",
                        _at(shown, report, row, col),
                        f"the plan says '{wanted}' here, the return '{got}'",
                        "change only the white cells; ask the focal point to change the plan",
                    )
                )
        answers = _report_row(shown, report, row, str(ident), lang, problems)
        cells.update({(str(ident), field): _at(shown, report, row, col) for field, col in _COLUMN_OF.items()})
        no_change = _at(shown, report, row, NO_CHANGE_COL)
        if _no_change(report.cell(row, NO_CHANGE_COL).value, no_change, lang, sources[str(ident)], problems):
            unchanged[str(ident)] = no_change
        edits += answers
    for sheet, reader, col in ((milestones, _milestone_row, 5), (indicators, _indicator_row, 7)):
        for row in range(2, sheet.max_row + 1):
            ident = sheet.cell(row, 1).value
            if ident in seen:
                problems += _formulas(shown, sheet, row)
                found = reader(shown, sheet, row, str(ident), matrix, problems)
                cells.update({(a, field): _at(shown, sheet, row, col) for a, field, _ in found})
                edits += found
    edits = _carried_over(matrix, edits, unchanged, previous, cells, problems)
    problems += _falls_without_reason(edits, asked, sources, cells)
    edits = answered(asked, edits)
    if not problems and not edits:
        problems.append(finding("empty-file", where, "the return has no answer", "fill in at least one white cell"))
    filled, filled_at = _report_date(shown, sheets[0], quarter, problems)
    return (None if problems else Return(org, quarter, edits, filled, filled_at)), problems


def _report_date(shown: str, cover: Any, quarter: Quarter, problems: list[Problem]) -> tuple[date | None, Location]:
    """The Cover's date of this report: a date cell not before the quarter began, or blank (None);
    never the workbook's save date, which says when someone last opened it, not when it was sent."""
    at = _at(shown, cover, DATE_ROW, DATE_COL)
    value = cover.cell(DATE_ROW, DATE_COL).value
    if value in (None, ""):
        return None, at
    if not isinstance(value, datetime | date):
        problems.append(
            finding(
                "invalid-date", at, f"the date of this report '{value}' is not a date cell", "type it as 2015-10-15"
            )
        )
        return None, at
    day = value.date() if isinstance(value, datetime) else value
    if day < quarter.start:
        problems.append(
            finding(
                "invalid-date",
                at,
                f"the date of this report, {day.isoformat()}, is before {quarter} began",
                "write the day the report was sent",
            )
        )
    return day, at


def submitted_day(found: Return, given: date | None, today: date) -> tuple[date | None, list[Problem]]:
    """The day a return counts as submitted: --submitted, else the form's date of this report;
    neither is a located finding, never today's date silently; a day after today is refused."""
    day = given or found.filled
    if day is None:
        return None, [
            finding(
                "missing-field",
                found.filled_at,
                "the return does not give the date of this report",
                "fill in the Cover's 'Date of this report', or add --submitted DATE"
                if isinstance(found.filled_at, CellLocation)
                else "add --submitted DATE (the day it was sent)",
            )
        ]
    if day > today:
        return None, [
            finding("invalid-date", found.filled_at, f"the date of this report, {day.isoformat()}, is after today")
        ]
    return day, []


def _not_percent(number: float, written: str, where: Location) -> Problem | None:
    """Progress is a percentage: 60 for 60 %, never 0.6 (a spreadsheet's fraction) nor 160."""
    if 0 <= number <= 100 and not 0 < number < 1:
        return None
    return finding(
        "invalid-value", where, f"progress {written} is not a percentage from 0 to 100", "write 60 for 60 %, not 0.6"
    )


def _plain(number: float) -> int | float:
    """45.0 is written 45."""
    return int(number) if number.is_integer() else number


def _language(stamp: dict[str, str]) -> Language:
    """The language the form was written in, as its stamp says; English when the stamp names
    none uncoop writes (a forged stamp then meets the plan's English in every cell it checks)."""
    code = stamp.get("language") or "en"
    return language(code if code in LANGS else "en")


def _version(written: str, where: Location) -> Problem | None:
    """A form of another version has other columns: it is refused whole, never read half."""
    if written == FORM_VERSION:
        return None
    return finding(
        "invalid-value",
        where,
        f"the form is version {written or '?'}; this uncoop reads version {FORM_VERSION}",
        "fill in a form uncoop forms writes now",
    )


def _stamped(stamp: dict[str, str], matrix: Matrix, where: Location) -> tuple[str, Quarter | None, list[Problem]]:
    """The institution and quarter a form was made for, as its stamp says, or why they are not."""
    org, period = stamp.get("organization", ""), stamp.get("period", "")
    problems = []
    if org not in matrix.org_by_id:
        problems.append(
            finding("unknown-organization", where, f"the form is for '{org}', not an institution of the Matrix")
        )
    try:
        return org, Quarter.parse(period), problems
    except ValueError:
        return org, None, problems + [finding("invalid-date", where, f"the form's quarter '{period}' is not a quarter")]


def answered(asked: dict[str, tuple], edits: list[tuple[str, str, object]]) -> list[tuple[str, str, object]]:
    """The edits of the rows answered: a row that gives nothing but the status and progress the
    form carried over, unchanged, reports nothing (no entry is written for it)."""
    carried: dict[tuple[str, str], object] = {(i, "status"): st for i, (st, _) in asked.items()}
    carried.update({(i, "progress"): pct for i, (_, pct) in asked.items()})
    touched = {i for i, field, value in edits if carried.get((i, field), object()) != value}
    return [edit for edit in edits if edit[0] in touched]


# the Report sheet's column of each field an answer row gives
_COLUMN_OF = {"status": STATUS_COL, "progress": PROGRESS_COL, "progress_note": REASON_COL} | {
    field: col for col, field in TEXT_FIELDS.items()
}


def _no_change(value: object, at: Location, lang: Language, source: str | None, problems: list[Problem]) -> bool:
    """Whether a row answers "no change since the last report": the form's yes (or "yes"), or blank."""
    if value in (None, ""):
        return False
    yes = yes_word(lang)
    if not isinstance(value, str) or folded(value) not in (folded(yes), "yes"):
        problems.append(
            finding(
                "invalid-value", at, f"'{value}' is not an answer to 'no change'", f"choose '{yes}' or leave it empty"
            )
        )
        return False
    if source is None:
        problems.append(
            finding(
                "invalid-value",
                at,
                "no change, but no earlier report on this activity to carry over",
                "give its status and progress instead",
            )
        )
        return False
    return True


def _carried_over(
    matrix: Matrix,
    edits: list[tuple[str, str, object]],
    unchanged: dict[str, Location],
    previous: dict[str, Reported],
    cells: dict[tuple[str, str], Location],
    problems: list[Problem],
) -> list[tuple[str, str, object]]:
    """A "no change" row reported as the activity's last report left it: its status, progress and
    indicator values, with `carried_over_from` its quarter.  A change given besides is refused,
    located; words written in the row (a narrative, a reason) are kept."""
    given = {(a, field): value for a, field, value in edits}
    for ident, at in unchanged.items():
        last = previous[ident].entry
        known = {i.id for i in matrix.activity_by_id[ident].value.indicators}
        copied: dict[str, object] = {"status": last.status, "progress": _plain(float(last.progress))}
        copied |= {f"indicators.{k}": _plain(float(v)) for k, v in last.indicators.items() if k in known}
        copied["carried_over_from"] = str(previous[ident].update.value.period)
        for (a, field), value in given.items():
            if a != ident:
                continue
            if field.startswith("milestones_done.") or (field in copied and value != copied[field]):
                problems.append(
                    finding(
                        "invalid-value",
                        cells.get((a, field), at),
                        f"{ident} is marked 'no change' but this changes {field.split('.')[0]} to {value}",
                        "clear 'no change', or undo the change",
                    )
                )
        edits = edits + [(ident, f, v) for f, v in copied.items() if (ident, f) not in given]
    return edits


def _falls_without_reason(
    edits: list[tuple[str, str, object]],
    asked: dict[str, tuple],
    sources: dict[str, str | None],
    cells: dict[tuple[str, str], Location],
) -> list[Problem]:
    """Progress below the last report's needs its reason, in the "Why progress fell" column."""
    noted = {a for a, field, value in edits if field == "progress_note"}
    problems = []
    for ident, field, value in edits:
        if field != "progress" or ident in noted or sources.get(ident) is None:
            continue
        was = asked[ident][1]
        if isinstance(value, int | float) and value < was:
            problems.append(
                finding(
                    "missing-field",
                    cells.get((ident, "progress_note")) or cells[(ident, "progress")],
                    f"{ident}: progress {value:g} is below the {was:g} of the last report ({sources[ident]}) "
                    "and no reason is given",
                    "say why progress fell in this cell, or correct the progress",
                )
            )
    return problems


def _formulas(shown: str, sheet: Any, row: int) -> list[Problem]:
    return [
        finding("invalid-value", _at(shown, sheet, row, cell.column), "a formula, not a value", "type the value itself")
        for cell in sheet[row]
        if cell.data_type == "f"
    ]


def _report_row(shown: str, sheet: Any, row: int, ident: str, lang: Language, problems: list[Problem]) -> list:
    from .forms import status_words

    edits: list[tuple[str, str, object]] = []
    status = sheet.cell(row, STATUS_COL).value
    canonical = read_status(str(status), lang) if status not in (None, "") else None
    if status not in (None, "") and canonical is None:
        words = status_words(lang)
        problems.append(
            finding(
                "invalid-value",
                _at(shown, sheet, row, STATUS_COL),
                f"status '{status}' is not one of {', '.join(words[s] for s in STATUSES)}",
                "choose it from the list",
            )
        )
    elif canonical is not None:
        edits.append((ident, "status", canonical))
    progress = sheet.cell(row, PROGRESS_COL).value
    if progress not in (None, ""):
        if isinstance(progress, bool) or not isinstance(progress, (int, float)):
            problems.append(
                finding(
                    "wrong-type",
                    _at(shown, sheet, row, PROGRESS_COL),
                    f"progress '{progress}' is not a number",
                    "write 60 for 60 %",
                )
            )
        elif (
            problem := _not_percent(float(progress), str(progress), _at(shown, sheet, row, PROGRESS_COL))
        ) is not None:
            problems.append(problem)
        else:
            edits.append((ident, "progress", _plain(float(progress))))
    for col, field in (*TEXT_FIELDS.items(), (REASON_COL, "progress_note")):
        text = sheet.cell(row, col).value
        if text not in (None, "") and str(text).strip():
            edits.append((ident, field, str(text).strip()))
    return edits


def _milestone_row(shown: str, sheet: Any, row: int, ident: str, matrix: Matrix, problems: list[Problem]) -> list:
    milestone, done = sheet.cell(row, 2).value, sheet.cell(row, 5).value
    if done in (None, "") or sheet.cell(row, 5).protection.locked:
        return []  # blank, or a completion an earlier report gave (shown, not asked)
    known = {m.id for m in matrix.activity_by_id[ident].value.milestones}
    if milestone not in known:
        problems.append(
            finding("unknown-milestone", _at(shown, sheet, row, 2), f"{ident} has no milestone '{milestone}'")
        )
        return []
    if not isinstance(done, datetime | date):
        problems.append(
            finding(
                "invalid-date",
                _at(shown, sheet, row, 5),
                f"'{done}' is not a date cell",
                "type the date as a date, e.g. 2015-08-31",
            )
        )
        return []
    day = done.date() if isinstance(done, datetime) else done
    return [(ident, f"milestones_done.{milestone}", day.isoformat())]


def _indicator_row(shown: str, sheet: Any, row: int, ident: str, matrix: Matrix, problems: list[Problem]) -> list:
    indicator, value = sheet.cell(row, 2).value, sheet.cell(row, 7).value
    if value in (None, ""):
        return []
    known = {i.id for i in matrix.activity_by_id[ident].value.indicators}
    if indicator not in known:
        problems.append(
            finding("unknown-indicator", _at(shown, sheet, row, 2), f"{ident} has no indicator '{indicator}'")
        )
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(
            finding("wrong-type", _at(shown, sheet, row, 7), f"'{value}' is not a number", "write the number")
        )
        return []
    return [(ident, f"indicators.{indicator}", _plain(float(value)))]


# --- the CSV door: the same form as one table, for institutions that answer from another tool ---

CSV_HEAD = ["activity", "item", "what", "plan", "answer"]
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_value(kind: str, raw: str, where: Location) -> tuple[object, Problem | None]:
    """A CSV answer as the value an update holds, or why it cannot be one."""
    text = raw.strip()
    if text[:1] == "=":
        return None, finding("invalid-value", where, "a formula, not a value", "type the value itself")
    if text[:2] in ("'=", "'+", "'-", "'@"):
        text = text[1:]  # the apostrophe uncoop wrote so a spreadsheet keeps it text
    if kind == "status":
        if text not in STATUSES:
            return None, finding("invalid-value", where, f"status '{text}' is not one of {', '.join(STATUSES)}")
        return text, None
    if kind in ("progress", "number"):
        if not _NUMBER.fullmatch(text):
            hint = "write 60 for 60 %" if kind == "progress" else "write the number"
            return None, finding("wrong-type", where, f"'{text}' is not a number", hint)
        number = float(text)
        if kind == "progress" and (problem := _not_percent(number, text, where)) is not None:
            return None, problem
        return _plain(number), None
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, finding("invalid-date", where, f"'{text}' is not a date", "write it as 2015-09-15")
    return text, None


def read_csv_return(path: Path, shown: str, matrix: Matrix) -> tuple[Return | None, list[Problem]]:
    """The edits a returned CSV form asks for, or the problems that stop it."""
    import csv
    import io

    where = Location(shown, 1, 1)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [finding("unreadable", where, f"cannot read the file: {exc.strerror}")]
    if len(data) > MAX_BYTES:
        return None, [finding("unsafe-path", where, f"file is {len(data):,} bytes, over the {MAX_BYTES:,}-byte limit")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [finding("invalid-utf8", where, "the file is not UTF-8", "save it as CSV UTF-8")]
    lines = text.splitlines()
    stamp = dict(part.split("=", 1) for part in lines[0].lstrip("# ").split(", ")[1:] if "=" in part) if lines else {}
    if lines:
        stamp["form"] = lines[0].split(",", 1)[0].removeprefix("# uncoop form").strip()
    if not lines or not lines[0].startswith("# uncoop form"):
        return None, [
            finding("missing-field", where, "the file has no uncoop stamp line", "use the CSV uncoop forms wrote")
        ]
    org, quarter, problems = _stamped(stamp, matrix, where)
    if quarter is None or problems:
        return None, problems
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    if not rows or rows[0] != CSV_HEAD:
        return None, [
            finding(
                "invalid-value",
                Location(shown, 2, 1),
                f"the columns must be {', '.join(CSV_HEAD)}",
                "do not add, delete or move columns",
            )
        ]
    if (refused := _version(stamp.get("form", ""), where)) is not None:
        return None, [refused]
    entries = active_entries(matrix, org, quarter)
    asked = {ident: (st, pct) for ident, st, pct, _ in entries}
    sources = {ident: source for ident, _, _, source in entries}
    lang = _language(stamp)
    edits: list[tuple[str, str, object]] = []
    unchanged: dict[str, Location] = {}
    cells: dict[tuple[str, str], Location] = {}
    for number, row in enumerate(rows[1:], start=3):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEAD):
            problems.append(
                finding("invalid-value", Location(shown, number, 1), f"{len(row)} cells, not {len(CSV_HEAD)}")
            )
            continue
        ident, item, what, _plan, raw = row
        at = Location(shown, number, 5)
        if ident not in asked:
            problems.append(
                finding(
                    "unknown-activity",
                    Location(shown, number, 1),
                    f"{ident} is not among the activities {org} was asked about for {quarter}",
                )
            )
            continue
        if what == "progress_note":
            cells[(ident, what)] = at
        if not raw.strip():
            continue
        act = matrix.activity_by_id[ident].value
        if what == "no_change":
            if _no_change(raw.strip(), at, lang, sources[ident], problems):
                unchanged[ident] = at
            continue
        if what in ("status", "progress", "narrative", "obstacles", "next_steps", "progress_note"):
            kind, field = ("status" if what == "status" else "progress" if what == "progress" else "text"), what
        elif what == "milestone" and item in {m.id for m in act.milestones}:
            kind, field = "date", f"milestones_done.{item}"
        elif what == "indicator" and item in {i.id for i in act.indicators}:
            kind, field = "number", f"indicators.{item}"
        else:
            problems.append(finding("invalid-value", Location(shown, number, 2), f"'{what} {item}' was not asked"))
            continue
        value, problem = csv_value(kind, raw, at)
        if problem is not None:
            problems.append(problem)
        else:
            edits.append((ident, field, value))
            cells[(ident, field)] = at
    edits = _carried_over(matrix, edits, unchanged, latest_reports(matrix, quarter), cells, problems)
    problems += _falls_without_reason(edits, asked, sources, cells)
    edits = answered(asked, edits)
    if not problems and not edits:
        problems.append(finding("empty-file", where, "the return has no answer", "fill in at least one answer"))
    return (None if problems else Return(org, quarter, edits, None, Location(shown, 1, 1))), problems
