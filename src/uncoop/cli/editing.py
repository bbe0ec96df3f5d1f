"""Commands that write Matrix files: fmt, new activity, update (round-trip, atomic, validated)."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import Fail, app, command, today
from .options import DryRun, MatrixDir
from .places import repo_root, write_file, write_scope
from .workspace import resolve_matrix, unknown

if TYPE_CHECKING:
    from datetime import date

    from ..atomic import Scope
    from ..dates import Quarter
    from ..load import Matrix


def _matrix_files(root: Path, paths: list[Path] | None) -> list:
    from ..load import discover

    found, problems = discover(root.absolute(), repo_root(root))
    missing = [str(p) for p in paths or () if not p.exists()]
    if missing:
        raise Fail(f"no such file or directory: {', '.join(missing)}")
    if paths:
        wanted = [p.absolute() for p in paths]
        found = [f for f in found if any(f[1].absolute() == w or w in f[1].absolute().parents for w in wanted)]
    return found


def diff_text(path: str, old: str, new: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}")
    )


def _checked_text(shown: str, data: bytes, kind: str) -> tuple[str | None, list]:
    """The file's text if it is valid, else its problems: files that fail are never rewritten."""
    from ..parse import parse_record
    from ..yamlsrc import decode

    text, error = decode(data)
    _, problems, _ = parse_record(shown, data, kind)
    if problems or text is None:
        return None, problems
    return ("\ufeff" + text if data.startswith(b"\xef\xbb\xbf") else text), []


@command()
def fmt(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to format (default: the whole Matrix).")
    ] = None,
    matrix: MatrixDir = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; list the files that would change, exit 1 if any.")
    ] = False,
    dry_run: DryRun = False,
) -> int:
    """Rewrite Matrix files in house style, keeping every comment and byte that matters.

    Keys in schema order, 2-space indentation, list dashes indented by two; comments,
    quote styles, blank lines, flow lists, a UTF-8 BOM and CRLF line endings are kept.
    A file that fails validation is reported and left untouched.  Idempotent.
    """
    from ..atomic import locked

    root = resolve_matrix(matrix, paths)
    changed, failed = 0, 0
    for shown, path, kind in _matrix_files(root, paths):
        with locked(path.parent):
            changed, failed = _fmt_one(shown, path, kind, root, check, dry_run, changed, failed)
    verb = "would change" if check or dry_run else "formatted"
    sys.stderr.write(
        f"{changed} file{'s' if changed != 1 else ''} {verb}"
        + (f", {failed} left untouched (invalid)" if failed else "")
        + "\n"
    )
    return int(bool(failed) or (check and bool(changed)))


def _fmt_one(shown, path, kind, root, check, dry_run, changed, failed) -> tuple[int, int]:
    """One file of `uncoop fmt`, read and written under its folder's lock: (changed, failed)."""
    from ..edit import EditError, canonical
    from ..formats import format_text

    text, problems = _checked_text(shown, path.read_bytes(), kind)
    if text is None:
        sys.stderr.write(format_text(problems))
        return changed, failed + 1
    try:
        new = canonical(text, kind)
    except EditError as exc:
        sys.stderr.write(f"{shown}: {exc}\n")
        return changed, failed + 1
    if new == text:
        return changed, failed
    if check:
        sys.stdout.write(f"{shown}\n")
    elif dry_run:
        sys.stdout.write(diff_text(shown, text, new))
    else:
        write_file(path, new.encode("utf-8"), write_scope(root), edit=True)
    return changed + 1, failed


new_app = typer.Typer(name="new", help="Scaffold new Matrix files.", no_args_is_help=True, rich_markup_mode=None)


app.add_typer(new_app, name="new")


@command(new_app, "activity")
def new_activity(
    area: Annotated[str, typer.Option("--area", "-a", help="The area id, e.g. humanitarian.")],
    title: Annotated[str, typer.Option("--title", "-t", help="The activity's title (English).")],
    lead_un: Annotated[list[str], typer.Option("--lead-un", help="UN lead institution (repeatable).")],
    lead_oic: Annotated[list[str], typer.Option("--lead-oic", help="OIC lead institution (repeatable).")],
    partner: Annotated[list[str], typer.Option("--partner", help="Partner institution (repeatable).")] = [],  # noqa: B006
    source: Annotated[
        list[int], typer.Option("--source", help="Paragraph of the final document (repeatable; default: the area's).")
    ] = [],  # noqa: B006
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Planned start: 2015-06-30, 2015-06 or 2015-Q2 (default: this month, or the Matrix period's "
            "start when today is outside the period).",
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Planned end (default: the end of the Matrix period).")
    ] = None,
    matrix: MatrixDir = None,
    dry_run: DryRun = False,
) -> int:
    """Create activities/<area>/<ID>.yaml with the next free id of the area, in house style."""

    from ..check import validate as run
    from ..dates import FlexDate
    from ..edit import default_dates, new_activity_text, next_activity_id
    from ..parse import parse_record

    root = resolve_matrix(matrix)
    day = today()
    loaded, _ = run(root, day, repo_root(root))
    areas = loaded.area_by_id
    if area not in areas:
        raise unknown("unknown area", area, areas)
    for side, names in (("un", lead_un), ("oic", lead_oic), (None, partner)):
        for name in names:
            org = loaded.org_by_id.get(name)
            if org is None:
                raise unknown("unknown organization", name, loaded.org_by_id)
            if side and org.value.side != side:
                raise Fail(f"'{name}' is on the {org.value.side.upper()} side, not {side.upper()}")
    code = areas[area].value.code
    taken = [p.stem for p in (root / "activities" / area).glob(f"{code}-*.yaml")] + list(loaded.activity_by_id)
    ident = next_activity_id(code, taken)
    span = loaded.meta.value.period if loaded.meta else None
    first, last = default_dates(day, (span.start, span.end) if span else None, start, end)
    try:
        if FlexDate.parse(last).end < FlexDate.parse(first).start:
            raise Fail(f"the planned end {last} is before the planned start {first}")
    except ValueError as exc:
        raise Fail(str(exc)) from None

    text = new_activity_text(
        ident, area, title, source or areas[area].value.paragraphs, lead_un, lead_oic, first, last, partners=partner
    )
    path = root / "activities" / area / f"{ident}.yaml"
    _, problems, _ = parse_record(f"{area}/{ident}.yaml", text.encode(), "activity")
    if problems:
        from ..formats import format_text

        sys.stderr.write(format_text(problems))
        raise Fail("the new activity would not be valid; nothing was written")
    if dry_run:
        sys.stdout.write(text)
    else:
        write_file(path, text.encode("utf-8"), write_scope(root), exclusive=True)
        sys.stderr.write(f"wrote {path}\n")
    return 0


def _control(value: object) -> str:
    """The first control character in a text value, named (e.g. 'a tab (U+0009)'), or ''."""
    import unicodedata

    for char in value if isinstance(value, str) else "":
        if char != "\n" and unicodedata.category(char) in ("Cc", "Cs"):
            return f"{'a tab' if char == chr(9) else 'a control character'} (U+{ord(char):04X})"
    return ""


def _would_validate(loaded: "Matrix", path: Path, shown: str, text: str) -> list:
    """The errors the proposed text of an update file would have once written (empty: none).
    The text is checked on its own, then with every check of `uncoop validate` on the Matrix
    with this file replaced, then read as `uncoop fmt` reads it for editing."""
    from ..check import check_edit
    from ..edit import EditError, load_rt
    from ..load import display_path
    from ..parse import parse_record
    from ..problem import Location, Severity
    from ..rules import finding

    matrix_shown = display_path(path, repo_root(loaded.root))
    data = text.encode("utf-8")
    record, problems, _ = parse_record(matrix_shown, data, "update")
    if problems:
        return problems
    errors = [p for p in check_edit(loaded, matrix_shown, record, data, today()) if p.severity >= Severity.ERROR]
    if errors:
        return errors
    try:
        load_rt(text)
    except EditError as exc:
        return [finding("invalid-value", Location(matrix_shown), f"the file could not be edited again: {exc}")]
    return []


SET_FIELDS = ("status", "progress", "narrative", "obstacles", "next_steps")
TEXT_FIELDS = ("narrative", "obstacles", "next_steps")


def _parse_set(item: str) -> tuple[str, str, object]:
    """ACTIVITY.FIELD=VALUE, ACTIVITY.milestones.ID=DATE or ACTIVITY.indicators.ID=NUMBER."""
    from ..dates import parse_day
    from ..i18n import NAMES
    from ..vocab import STATUSES

    target, sep, raw = item.partition("=")
    activity, dot, field = target.partition(".")
    group, _, ident = field.partition(".")
    text_in = group in TEXT_FIELDS and ident in NAMES  # narrative.fr: one language of a text
    if (
        not sep
        or not dot
        or (field not in SET_FIELDS and not text_in and not (group in ("milestones", "indicators") and ident))
    ):
        raise Fail(
            f"--set '{item}': write ACTIVITY.FIELD=VALUE with FIELD one of {', '.join(SET_FIELDS)} "
            f"(a text field may name its language: narrative.fr), milestones.ID (a date) or indicators.ID (a number)"
        )
    if text_in:
        return activity, field, raw
    try:
        if field == "progress" or group == "indicators":
            value: object = int(raw) if raw.strip().lstrip("-").isdigit() else float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        elif group == "milestones":
            value = parse_day(raw).isoformat()
        elif field == "status" and raw not in STATUSES:
            raise Fail(f"--set '{item}': status must be one of {', '.join(STATUSES)}")
        else:
            value = raw
    except ValueError:
        what = "a date, like 2015-03-31" if group == "milestones" else "a number"
        raise Fail(f"--set '{item}': the value must be {what}") from None
    if ident:
        field = ("milestones_done" if group == "milestones" else "indicators") + "." + ident
    return activity, field, value


@command()
def update(
    org: Annotated[str, typer.Argument(help="The institution reporting, e.g. OCHA.")],
    period: Annotated[str, typer.Option("--period", "-p", help="The quarter reported on, e.g. 2015-Q1.")],
    submitted: Annotated[
        str | None, typer.Option("--submitted", metavar="DATE", help="The day it is sent (default: today).")
    ] = None,
    set_: Annotated[
        list[str], typer.Option("--set", help="ACTIVITY.FIELD=VALUE, e.g. HUM-01.progress=60 (repeatable).")
    ] = [],  # noqa: B006
    matrix: MatrixDir = None,
    dry_run: DryRun = False,
) -> int:
    """Scaffold an institution's quarterly update, or change values in an existing one.

    A new file has one entry per activity the institution reports on for the quarter (the
    owing rule of `uncoop status`), pre-filled from each activity's latest report by any
    institution and marked as carried over.  On an existing file, --set changes exactly the
    values it names (a one-line diff); an entry is added only for an activity --set names.
    """
    from ..atomic import locked
    from ..check import validate as run
    from ..dates import Quarter, parse_day
    from ..timeline import active_entries

    try:
        quarter = Quarter.parse(period)
        day = parse_day(submitted) if submitted else today()
    except ValueError as exc:
        raise Fail(str(exc)) from None
    root = resolve_matrix(matrix)
    loaded, _ = run(root, today(), repo_root(root))
    if org not in loaded.org_by_id:
        raise unknown("unknown organization", org, loaded.org_by_id)
    if loaded.meta is not None:
        span, first = loaded.meta.value.period, loaded.meta.value.reporting.first_period
        if quarter.start > span.end or quarter < first:
            raise Fail(
                f"{quarter} is outside the Matrix's reporting period ({first} to the quarter of "
                f"{span.end.isoformat()}): no report is owed for it"
            )
    entries = active_entries(loaded, org, quarter)
    edits = [_parse_set(item) for item in set_]
    path = root / "updates" / str(quarter) / f"{org}.yaml"
    shown = f"updates/{quarter}/{org}.yaml"
    scope = write_scope(root)
    scope.target(path, edit=True)  # a linked-out folder or file is refused before anything is read
    with locked(path.parent):  # re-read under the lock: a concurrent editor's change is kept
        return edit_update(path, shown, scope, org, quarter, day, submitted, entries, edits, dry_run, loaded)


def _set_value(text: str, entry: tuple, field: str, value: object) -> str:
    """One --set on an entry. A text written in several languages keeps them all: FIELD=TEXT
    replaces its English and says the other languages now translate the old English (a stale
    translation is never passed off as current); FIELD.LANG=TEXT gives that one language."""
    from ..edit import EditError, set_field, set_translation
    from ..i18n import language
    from ..yamlsrc import read

    name, _, lang = field.partition(".")
    if name not in TEXT_FIELDS:
        return set_field(text, (*entry, *field.split(".", 1)), value)
    data, _ = read(text.encode("utf-8", "surrogatepass"))
    current = data["entries"][entry[1]].get(name) if isinstance(data, dict) else None
    if isinstance(current, dict) and not lang:
        others = sorted(set(current) - {"en"})
        if others and current.get("en") != value:
            sys.stderr.write(
                f"uncoop: {data['entries'][entry[1]].get('activity')}.{name}: the {', '.join(others)} text(s) "
                f"translate the English it replaces; give them with --set …{name}.LANG=TEXT, or list them with "
                "`uncoop translation export --only all`\n"
            )
        lang = "en"
    if not lang:
        return set_field(text, (*entry, name), value)
    if current is None and lang != "en":
        raise EditError(f"{name} has no text yet to translate; give its English first (--set ACTIVITY.{name}=TEXT)")
    return set_translation(text, (*entry, name), language(lang), str(value))


def edit_update(
    path: Path,
    shown: str,
    scope: "Scope",
    org: str,
    quarter: "Quarter",
    day: "date",
    submitted: str | None,
    entries: list[tuple[str, str, float, str | None]],
    edits: list[tuple[str, str, object]],
    dry_run: bool,
    loaded: "Matrix",
) -> int:
    """Write (or show) the update file; the caller holds its folder's lock.  Nothing is written
    unless the resulting file would validate: alone, against the activities it names, and for
    `uncoop fmt` (which must be able to read it for editing)."""
    from ..atomic import read_regular
    from ..edit import EditError, add_entry, entry_index, entry_lines, new_update_text, set_field
    from ..formats import format_text
    from ..load import MAX_BYTES

    old = None
    if os.path.lexists(path):
        data = read_regular(path, MAX_BYTES)
        if data is None:
            raise Fail(f"{path} is not a regular file of at most {MAX_BYTES:,} bytes; not edited")
        old, problems = _checked_text(shown, data, "update")
        if old is None:
            sys.stderr.write(format_text(problems))
            sys.stderr.write(f"uncoop: {shown} has errors; fix them first (nothing was written)\n")
            return 1
    owed = {e[0]: e for e in entries}
    if old is None and not entries and not edits:
        raise Fail(f"{org} reports on no activity for {quarter} (the owing rule); nothing to scaffold")
    for activity, field, value in edits:
        bad = _control(value)
        if bad:
            raise Fail(
                f"{activity}.{field}: the text holds {bad}, which a Matrix file cannot keep as written; "
                "use spaces (or a line break) instead. Nothing was written"
            )
    for activity, _, _ in edits:
        if activity not in owed and (old is None or entry_index(old, activity) is None):
            raise Fail(f"--set: {activity} is not among the activities {org} reports on for {quarter}")
    try:
        if old is None:
            text = new_update_text(org, str(quarter), day.isoformat(), entries, {(a, f): v for a, f, v in edits})
        else:
            text = old
            if submitted:
                text = set_field(text, ("submitted",), day.isoformat())
            for activity, field, value in edits:
                index = entry_index(text, activity)
                if index is None:  # asked for by --set: the entry is added, carried over as in a new file
                    text = add_entry(text, entry_lines(*owed[activity], {}))
                    index = entry_index(text, activity)
                text = _set_value(text, ("entries", index), field, value)
    except EditError as exc:
        raise Fail(f"{path}: {exc}") from None
    problems = _would_validate(loaded, path, shown, text)
    if problems:
        sys.stderr.write(format_text(problems))
        raise Fail("the update would not be valid; the file was left untouched")
    if dry_run:
        sys.stdout.write(diff_text(shown, old or "", text))
    elif text != old:
        write_file(path, text.encode("utf-8"), scope, edit=True)
        sys.stderr.write(f"wrote {path}\n")
    return 0
