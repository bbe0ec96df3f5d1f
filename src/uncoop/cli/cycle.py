"""Commands of the reporting cycle beyond git: reminders to the institutions that owe something."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import Fail, command, today
from .options import AsOf, FormFormat, LangOption, MatrixDir, Orgs, RemindFormat, SideFilter
from .places import write_file, write_scope
from .workspace import load_checked, open_workspace

if TYPE_CHECKING:
    from ..i18n import Language


@command()
def remind(
    matrix: MatrixDir = None,
    as_of: AsOf = None,
    org: Orgs = [],  # noqa: B006 - typer copies list defaults
    side: SideFilter = None,
    lang: LangOption = None,
    fmt: Annotated[
        RemindFormat,
        typer.Option("--format", "-f", help="text, markdown, or eml (one e-mail message per institution, not sent)."),
    ] = RemindFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Write one file per institution here (needed for eml)."),
    ] = None,
) -> int:
    """Write a reminder to each institution that owes a quarterly report or leads late work (¶53).

    A short letter from its focal point: the reports missing (which quarter, due when), those that
    came late, and the milestones and planned ends past due on the activities it leads.  Same owing
    rule as `uncoop status`; deterministic (the letter is dated --as-of).
    """
    from ..remind import email_message, letter, reminders
    from ..timeline import snapshot

    ws = open_workspace(matrix, as_of, lang, orgs=org)
    loaded, when, chosen = ws.matrix, ws.as_of, ws.lang
    wanted = set(org) if org else None
    if side is not None:
        of_side = {o.value.id for o in loaded.organizations if o.value.side == side.value}
        wanted = of_side if wanted is None else wanted & of_side
    found = reminders(loaded, snapshot(loaded, when), wanted, chosen)
    for r in found:
        if r.to_self:  # said, never skipped silently
            sys.stderr.write(
                f"no reminder to {r.organization}: it is its focal point's own institution "
                "(uncoop status still shows what it owes)\n"
            )
    found = [r for r in found if not r.to_self]
    if not found:
        sys.stderr.write(f"nothing is owed as of {when.isoformat()}: no reminder written\n")
        return 0
    if fmt is RemindFormat.eml and out is None:
        raise Fail("--format eml writes one message per institution: add --out DIR")
    markdown = fmt is RemindFormat.markdown
    if out is None:
        sys.stdout.write("\n".join(letter(r, when, chosen, markdown) for r in found))
        return 0
    scope = write_scope(loaded.root).named(out, folder=True)
    suffix = {"text": "txt", "markdown": "md", "eml": "eml"}[fmt.value]
    for r in found:
        path = out / f"reminder-{when.isoformat()}-{r.organization}.{suffix}"
        if fmt is RemindFormat.eml:
            data = email_message(r, when, chosen, _forms_of(loaded, r, chosen))
        else:
            data = letter(r, when, chosen, markdown).encode()
        write_file(path, data, scope)
    sys.stderr.write(f"wrote {len(found)} reminder(s) to {out}\n")
    if fmt is RemindFormat.eml:
        _say_missing_addresses(found)
    return 0


def _say_missing_addresses(found) -> None:
    """A draft without To or From is still written (the sender fills it in), and said so."""
    no_to = [r.organization for r in found if not r.contact]
    if no_to:
        sys.stderr.write(
            f"{len(no_to)} letter(s) have no To: no contact in organizations.yaml for {', '.join(no_to)}\n"
        )
    no_from = sorted({r.side for r in found if not r.sender_contact})
    if no_from:
        sys.stderr.write(
            f"letters from the {' and '.join(no_from)} focal point have no From: "
            "no contact under focal_points in matrix.yaml\n"
        )


def _forms_of(loaded, reminder, lang: "Language") -> dict[str, bytes]:
    """The report forms of the quarters an institution still owes, to attach to its reminder."""
    from ..forms import form_name, workbook

    return {
        form_name(reminder.organization, q): workbook(loaded, reminder.organization, q, lang) for q in reminder.owed
    }


@command()
def forms(
    period: Annotated[str, typer.Option("--period", "-p", help="The quarter the forms ask about, e.g. 2015-Q3.")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Write one workbook per institution here.")],
    org: Orgs = [],  # noqa: B006 - typer copies list defaults
    lang: LangOption = None,
    fmt: Annotated[
        FormFormat, typer.Option("--format", "-f", help="xlsx (protected workbook) or csv (one table, UTF-8).")
    ] = FormFormat.xlsx,
    matrix: MatrixDir = None,
) -> int:
    """Write a pre-filled report form (.xlsx or .csv) for each institution that owes a quarter (¶53).

    Per activity it reports on (the owing rule of `uncoop status`): the plan read-only, and white
    answer cells pre-filled from the activity's latest report and marked so: status (a list),
    progress (0-100), narrative, obstacles, next steps; milestones' completion dates and indicator
    values on their own sheets.  Needs openpyxl: pip install 'uncoop[forms]'.
    """
    from ..dates import Quarter
    from ..git import GitError, resolve

    try:
        quarter = Quarter.parse(period)
    except ValueError as exc:
        raise Fail(str(exc)) from None
    try:
        from ..forms import csv_form, form_name, owing_institutions, workbook
    except ImportError:  # pragma: no cover - the extra is part of [test]
        raise Fail("uncoop forms needs openpyxl: pip install 'uncoop[forms]'") from None
    ws = open_workspace(matrix, lang=lang, orgs=org, dated=False)
    loaded, day, chosen = ws.matrix, ws.today, ws.lang
    owing = owing_institutions(loaded, quarter, day)
    wanted = [o for o in owing if not org or o in org]
    if not wanted:
        sys.stderr.write(f"no institution{' of those named' if org else ''} owes a report for {quarter}\n")
        return 0
    try:
        revision = resolve(Path.cwd(), "HEAD")
    except GitError:
        revision = ""
    scope = write_scope(loaded.root).named(out, folder=True)
    for name in wanted:
        path = out / form_name(name, quarter, fmt.value)
        make = workbook if fmt is FormFormat.xlsx else csv_form
        write_file(path, make(loaded, name, quarter, chosen, revision), scope)
    sys.stderr.write(f"wrote {len(wanted)} form(s) to {out}\n")
    return 0


@command(name="import")
def import_returns(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Returned forms to read back (.xlsx or .csv).")],
    submitted: Annotated[
        str | None,
        typer.Option(
            "--submitted",
            metavar="DATE",
            help="The day the returns were sent (default: each form's date of this report).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Change nothing; print the diff each return would make.")
    ] = False,
    matrix: MatrixDir = None,
) -> int:
    """Read returned report forms back into updates/<quarter>/<ORG>.yaml.

    Each return is checked against what `uncoop forms` asked (institution, quarter, columns,
    activities, values); a problem is located as FILE.xlsx!Sheet!C7 and nothing of that return is
    written.  Otherwise its answers go through the same editing path as `uncoop update --set`
    (atomic, locked, comments kept): re-importing the same return changes nothing.
    """
    from ..atomic import locked
    from ..dates import parse_day
    from ..formats import format_text
    from ..problem import sort_problems
    from ..returns import read_csv_return, read_return, submitted_day
    from ..timeline import active_entries
    from .editing import edit_update

    now = today()
    try:
        given = parse_day(submitted) if submitted else None
    except ValueError as exc:
        raise Fail(str(exc)) from None
    loaded, _ = load_checked(matrix, now)
    root = loaded.root
    status = 0
    for path in files:
        if not path.is_file():
            raise Fail(f"no such file: {path}")
        reader = read_csv_return if path.suffix.lower() == ".csv" else read_return
        found, problems = reader(path, str(path), loaded)
        if found is None:
            sys.stdout.write(format_text(sort_problems(problems)))
            status = 1
            continue
        day, problems = submitted_day(found, given, now)
        if day is None:
            sys.stdout.write(format_text(sort_problems(problems)))
            status = 1
            continue
        if given and found.filled and found.filled != given:
            sys.stderr.write(
                f"{path}: submitted {given.isoformat()} (--submitted), not the form's {found.filled.isoformat()}\n"
            )
        target = root / "updates" / str(found.quarter) / f"{found.organization}.yaml"
        shown = f"updates/{found.quarter}/{found.organization}.yaml"
        scope = write_scope(root)
        scope.target(target, edit=True)
        # only the rows answered (or answered "no change") get an entry; a row left as it was, none
        answered = {activity for activity, _, _ in found.edits}
        entries = [e for e in active_entries(loaded, found.organization, found.quarter) if e[0] in answered]
        with locked(target.parent):
            status = max(
                status,
                edit_update(
                    target,
                    shown,
                    scope,
                    found.organization,
                    found.quarter,
                    day,
                    day.isoformat(),
                    entries,
                    found.edits,
                    dry_run,
                    loaded,
                ),
            )
    return status
