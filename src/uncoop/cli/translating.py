"""`uncoop translation export|import`: the Matrix's text out to translators as XLIFF and back."""

import enum
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from .app import Fail, app, command, today
from .options import DryRun, Lang, MatrixDir
from .places import write_file, write_scope
from .workspace import language, load_checked

translation_app = typer.Typer(
    name="translation",
    help="Translate the Matrix's own text: XLIFF out to translators, their translations back in.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(translation_app, name="translation")


class Only(str, enum.Enum):
    missing = "missing"
    all = "all"


@command(translation_app, "export")
def export(
    lang: Annotated[Lang, typer.Option("--lang", help="The language to translate into.")],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="The XLIFF file to write, e.g. fr.xlf.")],
    source: Annotated[Lang | None, typer.Option("--from", help="The language translated from (default: en).")] = None,
    only: Annotated[
        Only, typer.Option("--only", help="missing: the texts lacking the language; all: every text, for revision.")
    ] = Only.missing,
    matrix: MatrixDir = None,
) -> int:
    """Write an XLIFF 1.2 file with one unit per text of the Matrix to translate.

    Each unit's id names its file and field (activities/humanitarian/HUM-01.yaml#milestones.M1.title);
    its notes say what the text belongs to, and it carries a hash of the source text, so an
    import refuses a translation of a text that has changed since.  Same Matrix, same bytes.
    """
    from ..translation import export_units
    from ..xliff import write

    loaded, _ = load_checked(matrix, today())
    source_lang, target = language(loaded, source or "en"), language(loaded, lang)
    if source_lang == target:
        raise Fail(f"--from and --lang are both '{target}'")
    files, without = export_units(loaded, source_lang, target, only is Only.missing)
    units = sum(len(u) for _, u in files)
    write_file(out, write(files, source_lang, target), write_scope(loaded.root).named(out))
    sys.stderr.write(f"wrote {out}: {units} unit{'s' if units != 1 else ''} to translate into {target}\n")
    if without:
        sys.stderr.write(f"{without} text(s) have no {source_lang} version and were not exported; try --from\n")
    return 0


@command(translation_app, "import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="The translated XLIFF files.", metavar="FILE.xlf...")],
    matrix: MatrixDir = None,
    dry_run: DryRun = False,
) -> int:
    """Write each translated unit back into its field, keeping every comment and byte around it.

    Every unit of every file is checked first; a unit naming no field, a source changed since
    the export, an empty target, a control character or a target in the wrong script refuses
    the whole import, and nothing is written.  Importing the same file twice changes nothing.
    """
    from ..atomic import read_regular
    from ..translation import plan, untranslated
    from ..xliff import MAX_XLIFF_BYTES, XliffError, read

    loaded, _ = load_checked(matrix, today())
    changes, refusals, waiting = [], [], 0
    seen: set[str] = set()
    for path in files:
        data = read_regular(path, MAX_XLIFF_BYTES)
        if data is None:
            refusals.append(_unreadable(path, MAX_XLIFF_BYTES))
            continue
        try:
            doc = read(data)
        except XliffError as exc:
            refusals.append(f"{path}:{exc.line}:{exc.column}: error: {exc}")
            continue
        found, refused = plan(loaded, doc, str(path), seen)
        changes += found
        refusals += [r.as_text() for r in refused]
        waiting += untranslated(doc)
    if refusals:
        sys.stderr.write("".join(line + "\n" for line in refusals))
        sys.stderr.write(f"uncoop: {len(refusals)} problem(s); nothing was written\n")
        return 1
    written = _write(loaded, changes, dry_run)
    verb = "would change" if dry_run else "changed"
    sys.stderr.write(
        f"{len(changes)} translation(s) {'to add' if dry_run else 'added'}; {written} file(s) {verb}"
        + (f"; {waiting} unit(s) without a target left as they are" if waiting else "")
        + "\n"
    )
    return 0


def _unreadable(path: Path, limit: int) -> str:
    """Why `path` was not read: too large (refused unread, by its size) or not a regular file."""
    import stat

    try:
        info = path.lstat()
    except OSError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size > limit:
        size = info.st_size
        return f"{path}:1:1: error: the file is {size:,} bytes, over the {limit:,} an XLIFF of a Matrix needs"
    return f"{path}:1:1: error: not a readable regular file (a symbolic link, a folder or missing)"


def _write(loaded, changes, dry_run: bool) -> int:
    """Apply the changes file by file under each folder's lock; every file is edited and checked
    before the first is written, so a failure leaves all of them as they were."""
    from ..atomic import locked, read_regular
    from ..edit import EditError, set_translation
    from ..formats import format_text
    from ..load import MAX_BYTES
    from ..parse import parse_record
    from ..translation import kind_of
    from .editing import diff_text

    by_file: dict[str, list] = {}
    for change in changes:
        by_file.setdefault(change.field.file, []).append(change)
    root = loaded.root
    folders = sorted({(root / name).parent for name in by_file})
    scope = write_scope(root)
    with ExitStack() as stack:
        for folder in folders:  # always the same order: two imports never deadlock
            stack.enter_context(locked(folder))
        edited = []
        for name, mine in sorted(by_file.items()):
            path = root / name
            scope.target(path, edit=True)
            data = read_regular(path, MAX_BYTES)
            if data is None:
                raise Fail(f"{path} is not a regular file of at most {MAX_BYTES:,} bytes; nothing was written")
            old = data.decode("utf-8")
            text = old
            try:
                for change in mine:
                    text = set_translation(text, change.field.keys, change.lang, change.text)
            except EditError as exc:
                raise Fail(f"{name}: {exc}; nothing was written") from None
            _, problems, _ = parse_record(name, text.encode("utf-8"), kind_of(name))
            if problems:
                sys.stderr.write(format_text(problems))
                raise Fail(f"{name} would not be valid; nothing was written")
            edited.append((path, name, old, text))
        for path, name, old, text in edited:
            if dry_run:
                sys.stdout.write(diff_text(name, old, text))
            else:
                write_file(path, text.encode("utf-8"), scope, edit=True)
    return len(edited)
