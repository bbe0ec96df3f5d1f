"""Commands that publish the Matrix for everyone: the static site and the IATI export."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .app import Fail, app, command
from .options import AsOf, Lang, MatrixDir
from .places import repo_root, write_file, write_scope
from .workspace import language, open_workspace, unknown

MARK = ".uncoop-site"  # lists what the last run wrote, so a re-run removes pages that are gone
REPORT_LIMIT = 50 << 20


@command()
def site(
    matrix: MatrixDir = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Folder to write the site into (default: _site/ in the repository)."),
    ] = None,
    as_of: AsOf = None,
    lang: Annotated[
        list[Lang] | None,
        typer.Option("--lang", help="A language of the site; repeat for more (default: en, fr and ar)."),
    ] = None,
    search: Annotated[
        bool,
        typer.Option(
            "--search/--no-search",
            help="Build the search index with Pagefind (pip install 'uncoop[site]'); --no-search leaves it out.",
        ),
    ] = True,
) -> int:
    """Write the Matrix as a static website any web server or GitHub Pages can host.

    A dashboard as of --as-of, a page per area, activity (with every quarterly report on it,
    newest first) and institution, the archive of the reports in reports/ (PDF and Markdown),
    in each language with a switch between them.  No page needs a script but the search page.
    """
    from ..site import build_site
    from ..timeline import snapshot

    if search and _pagefind() is None:
        raise Fail("the search index needs Pagefind: pip install 'uncoop[site]' (or --no-search)")
    ws = open_workspace(matrix, as_of, needs_meta="the site")
    loaded, problems, when = ws.matrix, ws.problems, ws.as_of
    langs = [language(loaded, code) for code in dict.fromkeys(o.value for o in lang or list(Lang))]
    root = repo_root(loaded.root)
    folder = out or root / "_site"
    if Path(os.path.abspath(folder)).is_relative_to(Path(os.path.abspath(loaded.root))):
        raise Fail(f"--out {folder} is inside the Matrix; write the site elsewhere (default: _site/)")
    scope = write_scope(loaded.root).named(folder, folder=True)
    archived, files = _reports(root)
    written = []
    for path, data in build_site(loaded, snapshot(loaded, when), langs, archived, problems):
        write_file(folder / path, data, scope)
        written.append(path)
    for name, data in files:
        write_file(folder / "reports" / name, data, scope)
        written.append(f"reports/{name}")
    _forget_old(folder, set(written), scope)
    write_file(folder / MARK, "".join(f"{p}\n" for p in sorted(written)).encode(), scope)
    sys.stderr.write(f"wrote {len(written)} files to {folder}\n")
    if search:
        _index(folder)
    return 0


def _reports(root: Path) -> tuple[list, list[tuple[str, bytes]]]:
    """The reports/ files the site publishes, newest first; a symlinked folder or file is not read
    (it could reach outside the repository)."""
    from ..atomic import read_regular
    from ..site import archived_report

    folder = root / "reports"
    if folder.is_symlink() or not folder.is_dir():
        if folder.is_symlink():
            sys.stderr.write("warning: reports/ is a symlink; the site's archive leaves it out\n")
        return [], []
    entries, files = [], []
    for path in sorted(folder.iterdir()):
        data = read_regular(path, REPORT_LIMIT)
        entry = archived_report(path.name, len(data or b""))
        if entry is None:
            continue
        if data is None:
            sys.stderr.write(f"warning: reports/{path.name} is not a regular file under 50 MB; left out\n")
            continue
        entries.append(entry)
        files.append((path.name, data))
    entries.sort(key=lambda e: (e.as_of, e.lang, e.format), reverse=True)
    return entries, files


def _forget_old(folder: Path, keep: set[str], scope) -> None:
    """Remove what the previous run wrote and this one did not (an activity removed or renamed);
    only files listed in the mark, only regular files, never through a link (the delete door)."""
    from ..atomic import read_regular, remove

    listed = read_regular(folder / MARK, 10 << 20)
    if listed is None:
        return
    for name in listed.decode("utf-8", "replace").splitlines():
        if name in keep or not name or name.startswith("/") or ".." in name.split("/"):
            continue
        remove(folder / name, scope)


def _pagefind() -> list[str] | None:
    """The command that runs Pagefind from the package index's wheel, if installed."""
    import importlib.util

    if importlib.util.find_spec("pagefind") is None or importlib.util.find_spec("pagefind_bin") is None:
        return None
    return [sys.executable, "-m", "pagefind"]


def _index(folder: Path) -> None:
    """Pagefind through the program door: in an empty folder of its own, so a `pagefind.yml` in the
    repository (or wherever uncoop was started) cannot name its log file or its output."""
    from ..run import ProgramError, run

    pagefind = _pagefind()
    assert pagefind is not None
    site = os.path.realpath(folder)
    argv = [*pagefind, "--site", site, "--output-path", os.path.join(site, "pagefind"), "--silent"]
    try:
        done = run(argv)
    except ProgramError as exc:
        raise Fail(f"Pagefind could not index {folder}: {exc}") from None
    if done.code != 0:
        said = (done.err or done.out).decode("utf-8", "replace").strip()[:500]
        raise Fail(f"Pagefind could not index {folder}: {said}")
    sys.stderr.write(f"indexed {folder} for search (Pagefind)\n")


export_app = typer.Typer(
    name="export", help="Export the Matrix in other standards' formats.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(export_app, name="export")


@command(export_app, name="iati")
def export_iati(
    out: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="The XML file to write ('-' for standard output).")
    ],
    matrix: MatrixDir = None,
    as_of: AsOf = None,
    reporting_org: Annotated[
        str | None,
        typer.Option(
            "--reporting-org",
            metavar="ORG",
            help="The publishing organisation, an id of organizations.yaml (default: the UN focal point's).",
        ),
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix",
            metavar="ID",
            help="The publisher's IATI organisation identifier, which starts every activity identifier "
            "(default: the publishing organisation's iati_ref).",
        ),
    ] = None,
) -> int:
    """Write every activity as an IATI 2.03 activity file (iati-activities).

    Statuses, dates, participating organisations, sectors, budgets, transactions and indicator
    results; month and quarter dates are expanded to a day.  An organisation without iati_ref
    is named without an identifier and listed as a warning.
    """
    import re

    from ..iatixml import export

    ws = open_workspace(matrix, as_of, needs_meta="the export")
    loaded, when = ws.matrix, ws.as_of
    assert loaded.meta is not None  # open_workspace refused a Matrix without one
    orgs = {o.value.id: o.value for o in loaded.organizations}
    ident = reporting_org or loaded.meta.value.focal_points.un.organization
    if ident not in orgs:
        raise unknown("organization", ident, orgs, " (--reporting-org)")
    ref = prefix or orgs[ident].iati_ref
    if not ref:
        raise Fail(
            f"{ident} has no iati_ref in organizations.yaml: add its IATI organisation identifier, "
            "or give one with --prefix"
        )
    if not re.fullmatch(r"[A-Za-z0-9]+(?:[-._][A-Za-z0-9]+)*", ref):
        raise Fail(f"--prefix {ref!r} is not an IATI organisation identifier (letters, digits, '-', '.', '_')")
    done = export(loaded, when, ref, orgs[ident])
    if str(out) == "-":
        sys.stdout.write(done.xml.decode())  # text, so it passes the log guard like every text
    else:
        write_file(out, done.xml, write_scope(loaded.root).named(out))
        sys.stderr.write(f"wrote {out}: {done.activities} activities (IATI 2.03)\n")
    if done.unidentified:
        sys.stderr.write(
            f"warning: {len(done.unidentified)} organisations have no iati_ref and are named without an "
            f"identifier: {', '.join(done.unidentified)}\n"
        )
    return 0
