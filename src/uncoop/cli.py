"""The `uncoop` command line: argv, today, exit codes and file writes live here only.

Commands are thin: they parse options, call core functions and return an
exit code (0 clean, 1 findings at or above --fail-on, 2 usage or setup
error).  Heavy modules are imported inside the command that needs them so
that `uncoop --help` stays fast.
"""

from __future__ import annotations

import enum
import os
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(
    name="uncoop",
    help="Keep the UN-OIC Cooperation Matrix honest: validate it, follow it up, report on it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class FindingFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


class StatusFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


class ReportFormat(str, enum.Enum):
    md = "md"
    html = "html"
    all = "all"


class Side(str, enum.Enum):
    un = "un"
    oic = "oic"


class Only(str, enum.Enum):
    overdue = "overdue"
    due_soon = "due-soon"
    stale = "stale"
    off_track = "off-track"
    missing = "missing"


class Lang(str, enum.Enum):
    en = "en"
    fr = "fr"
    ar = "ar"


class Level(str, enum.Enum):
    warning = "warning"
    error = "error"


class Fail(Exception):
    """A usage or setup error: message to stderr, exit 2."""


NO_CACHE_HELP = "Read every file afresh and leave the cache alone (also: UNCOOP_NO_CACHE=1)."
MATRIX_HELP = "The matrix directory (default: $UNCOOP_MATRIX, else the nearest matrix/ upward from here)."
AS_OF_HELP = "Judge as of this date, YYYY-MM-DD (default: today)."


def resolve_matrix(option: Optional[Path]) -> Path:
    from .load import find_matrix

    chosen = option or (Path(os.environ["UNCOOP_MATRIX"]) if os.environ.get("UNCOOP_MATRIX") else None)
    if chosen is not None:
        if not (chosen / "matrix.yaml").is_file() and not chosen.is_dir():
            raise Fail(f"{chosen} is not a directory")
        return chosen
    found = find_matrix(Path.cwd())
    if found is None:
        raise Fail(f"no matrix/ directory with a matrix.yaml found from {Path.cwd()} upward; "
                   "pass --matrix DIR or set UNCOOP_MATRIX")
    return found


class Cached:
    """The record cache of one run: opened before loading, saved when the command ends."""

    opened: list["Cached"] = []

    def __init__(self, root: Path, disabled: bool):
        self.cache = self.path = self.secret = None
        Cached.opened.append(self)
        if disabled or os.environ.get("UNCOOP_NO_CACHE"):
            return
        from .cache import RecordCache, user_secret

        self.secret = user_secret()
        if self.secret is None:
            return
        folder = Path(os.environ.get("UNCOOP_CACHE_DIR") or root.absolute().parent / ".uncoop-cache")
        self.path = folder / "records.pickle"
        try:
            blob = self.path.read_bytes()
        except OSError:
            blob = b""
        self.cache = RecordCache.loads(blob, self.secret)

    def save(self) -> None:
        if self.cache is None or not self.cache.changed:
            return
        try:
            folder = self.path.parent
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / ".gitignore").exists():
                (folder / ".gitignore").write_text("# uncoop's record cache: safe to delete\n*\n")
            write_file(self.path, self.cache.dumps(self.secret))
        except OSError:
            pass  # a read-only checkout still gets its answer, just not a faster next run


class LoadProgress:
    """A progress bar on stderr while a large Matrix loads: only on a terminal, only when slow."""

    THRESHOLD = 1500  # files; below this a load takes well under a second

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty() and not os.environ.get("CI")
        self.bar = self.task = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.THRESHOLD:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("Reading the Matrix", total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def resolve_today(as_of: Optional[str]) -> date:
    if as_of is None:
        return date.today()  # the one place uncoop asks the clock
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise Fail(f"--as-of '{as_of}' is not a date; write YYYY-MM-DD") from None


def _run(body) -> None:
    """Run a command body, turning setup failures into exit 2 with one line."""
    import gc

    # A command is a short burst that keeps what it builds until it exits: the cyclic
    # collector would only rescan live records (measured: unpickling the cache 4x slower).
    gc.disable()
    try:
        code = body()
    except Fail as exc:
        sys.stderr.write(f"uncoop: {exc}\n")
        raise typer.Exit(2)
    finally:
        # saved last: positions found while reporting are kept for the next run
        while Cached.opened:
            Cached.opened.pop().save()
        gc.enable()
    raise typer.Exit(code or 0)


def _only_paths(problems: list, paths: List[Path]) -> list:
    """Keep findings located in the given files or directories."""
    wanted = [p.absolute() for p in paths]
    kept = []
    for problem in problems:
        where = Path(problem.location.path).absolute()
        if any(where == w or w in where.parents for w in wanted):
            kept.append(problem)
    return kept


def _only_changed(problems: list, ref: str) -> list:
    """Keep findings in files git says changed since REF (the whole Matrix is still checked)."""
    from .git import GitError, changed_since

    try:
        changed = changed_since(Path.cwd(), ref)
    except GitError as exc:
        raise Fail(f"--changed-since: {exc}") from None
    return [p for p in problems if Path(p.location.path).resolve() in changed]


SARIF_HELP = "Also write the findings as SARIF 2.1.0 to this file (for code scanning)."
GITLAB_HELP = "Also write the findings as GitLab Code Quality JSON to this file."
CHANGED_HELP = "Report only findings in files changed since this git revision (e.g. origin/main)."


def emit_findings(problems: list, fmt: str, sarif: Optional[Path], gitlab: Optional[Path], title: str) -> None:
    """The main format to stdout, extra formats to files, and the GitHub job summary when there is one."""
    from .formats import FORMATTERS, step_summary

    if fmt in FORMATTERS:
        sys.stdout.write(FORMATTERS[fmt](problems))
    for path, name in ((sarif, "sarif"), (gitlab, "gitlab")):
        if path is not None:
            write_file(path, FORMATTERS[name](problems).encode("utf-8"))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(step_summary(problems, title))


def _langs(option: Optional[str]) -> tuple[str, ...]:
    from .i18n import LANGS

    if not option:
        return ()
    langs = tuple(x.strip() for x in option.split(",") if x.strip())
    unknown = [x for x in langs if x not in LANGS]
    if unknown:
        raise Fail(f"--require-lang: unknown language {', '.join(unknown)}; use {', '.join(LANGS)}")
    return langs


def default_format(fmt) -> str:
    if fmt is not None:
        return fmt.value
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def exit_code(problems: list, fail_on: Level, exit_zero: bool) -> int:
    from .problem import Severity

    threshold = Severity.parse(fail_on.value)
    return 0 if exit_zero else int(any(p.severity >= threshold for p in problems))


def summary_line(problems: list, files: int) -> str:
    from .problem import Severity

    counts = [sum(p.severity == s for p in problems) for s in (Severity.ERROR, Severity.WARNING)]
    words = [f"{n} {w}{'' if n == 1 else 's'}" for n, w in zip(counts, ("error", "warning"))]
    return f"{', '.join(words)} in {files} file{'' if files == 1 else 's'}\n"


@app.command()
def validate(
    paths: List[Path] = typer.Argument(None, help="Report only findings in these files or folders."),
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
    fmt: Optional[FindingFormat] = typer.Option(
        None, "--format", "-f",
        help="text, json, github, sarif or gitlab (default: github when GITHUB_ACTIONS=true, else text)."),
    sarif: Optional[Path] = typer.Option(None, "--sarif", help=SARIF_HELP),
    gitlab: Optional[Path] = typer.Option(None, "--gitlab", help=GITLAB_HELP),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", help=CHANGED_HELP),
    fail_on: Level = typer.Option(Level.error, "--fail-on", help="Exit 1 when a finding is at least this severe."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the run itself succeeds."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
    require_lang: Optional[str] = typer.Option(
        None, "--require-lang", help="Warn (missing-translation) where a text lacks these languages, e.g. fr,ar "
                                     "(default: languages.required in matrix.yaml)."),
) -> None:
    """Check every file of the Matrix: YAML, schema, ids, references and dates.

    Prints one line per finding, sorted by file, line and column:
    path:line:col: severity[code] message (hint).  All files are loaded and
    cross-checked even when PATHS or --changed-since limit what is reported.
    When GITHUB_STEP_SUMMARY is set, every finding is also appended there.
    """

    def body() -> int:
        from .check import validate as run
        from .problem import sort_problems

        root = resolve_matrix(matrix)
        today = resolve_today(as_of)
        langs = _langs(require_lang)
        cached = Cached(root, no_cache)
        bar = LoadProgress(enabled=default_format(fmt) == "text")
        try:
            loaded, problems = run(root, today, Path.cwd(), cached.cache, bar, langs)
        finally:
            bar.close()
        if paths:
            problems = _only_paths(problems, paths)
        if changed_since:
            problems = _only_changed(problems, changed_since)
        problems = sort_problems(problems)
        chosen = default_format(fmt)
        emit_findings(problems, chosen, sarif, gitlab, "uncoop validate")
        if chosen == "text":
            sys.stderr.write(summary_line(problems, len(loaded.files)))
        return exit_code(problems, fail_on, exit_zero)

    _run(body)


def load_checked(matrix: Optional[Path], today: date, no_cache: bool = False, interactive: bool = False):
    """Load and validate; validity errors go to stderr so data output stays clean."""
    from .check import validate as run
    from .formats import format_text
    from .problem import Severity, sort_problems

    root = resolve_matrix(matrix)
    cached = Cached(root, no_cache)
    bar = LoadProgress(enabled=interactive)
    try:
        loaded, problems = run(root, today, Path.cwd(), cached.cache, bar)
    finally:
        bar.close()
    errors = sort_problems(p for p in problems if p.severity >= Severity.ERROR)
    if errors:
        sys.stderr.write(format_text(errors))
        sys.stderr.write(f"uncoop: the Matrix has {len(errors)} validity error(s); run `uncoop validate`\n")
    return loaded, problems


def check_filters(loaded, areas: List[str], org: Optional[str]) -> None:
    """Unknown filter values are usage errors with a did-you-mean, not empty output."""
    from .check import suggest

    known = {a.value.id for a in loaded.areas}
    for name in areas:
        if name not in known:
            hint = suggest(name, known)
            raise Fail(f"unknown area '{name}'" + (f" ({hint})" if hint else ""))
    if org and org not in loaded.org_by_id:
        hint = suggest(org, loaded.org_by_id)
        raise Fail(f"unknown organization '{org}'" + (f" ({hint})" if hint else ""))


@app.command()
def status(
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
    area: List[str] = typer.Option([], "--area", "-a", help="Only these areas (repeatable), e.g. humanitarian."),
    org: Optional[str] = typer.Option(None, "--org", "-o", help="Only activities this institution leads or partners."),
    side: Optional[Side] = typer.Option(None, "--side", help="Only reporting rows of one side: un or oic."),
    only: List[Only] = typer.Option([], "--only", help="Only activities with these findings (repeatable)."),
    fmt: StatusFormat = typer.Option(
        StatusFormat.table, "--format", "-f",
        help="table (terminal); json or markdown (deterministic, never wrapped); github, sarif or gitlab (findings)."),
    sarif: Optional[Path] = typer.Option(None, "--sarif", help=SARIF_HELP),
    gitlab: Optional[Path] = typer.Option(None, "--gitlab", help=GITLAB_HELP),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", help=CHANGED_HELP),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of titles: en, fr or ar (falls back to English)."),
    fail_on: Level = typer.Option(Level.error, "--fail-on", help="Exit 1 when a finding is at least this severe."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the run itself succeeds."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
) -> None:
    """Show what is overdue, due soon, stale, off track or unreported, as of a date.

    The state on a date is the plan plus every update submitted on or before
    it, so --as-of 2015-06-30 shows exactly what uncoop would have said then.
    Timeline findings are warnings: use --fail-on warning to fail CI on them.
    """

    def body() -> int:
        from .timeline import snapshot
        from .view import build_view

        # validity is judged today (files that exist now); the timeline as of --as-of
        today = date.today()
        when = resolve_today(as_of)
        loaded, problems = load_checked(matrix, today, no_cache, interactive=fmt is StatusFormat.table)
        check_filters(loaded, area, org)
        view = build_view(loaded, snapshot(loaded, when), area, org, side.value if side else None,
                          [o.value for o in only], lang.value)
        if changed_since:
            view.findings = _only_changed(view.findings, changed_since)
        if fmt is StatusFormat.table:
            from .console import render_status

            render_status(view, sys.stdout)
        elif fmt in (StatusFormat.json, StatusFormat.markdown):
            from .view import to_json, to_markdown

            sys.stdout.write((to_json if fmt is StatusFormat.json else to_markdown)(view))
        findings_only = fmt.value if fmt in (StatusFormat.github, StatusFormat.sarif, StatusFormat.gitlab) else ""
        emit_findings(view.findings, findings_only, sarif, gitlab, f"uncoop status as of {when.isoformat()}")
        return exit_code(problems + view.findings, fail_on, exit_zero)

    _run(body)


@app.command()
def report(
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
    fmt: ReportFormat = typer.Option(ReportFormat.all, "--format", "-f", help="md, html or all."),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Folder to write into (default: reports/ beside the matrix directory); '-' for stdout."),
    templates: Optional[Path] = typer.Option(
        None, "--templates", help="Folder with report.md.j2 / report.html.j2 to use instead of the shipped ones."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of titles and texts: en, fr or ar."),
) -> None:
    """Write the Progress and Evaluation Report (¶53) as Markdown and/or self-contained HTML.

    Same Matrix and --as-of, same bytes: no generation time is printed unless
    SOURCE_DATE_EPOCH is set.  Files are named progress-report-<as-of>.<md|html>.
    """

    def body() -> int:
        from .render import FORMATS, build_report, render
        from .timeline import snapshot

        when = resolve_today(as_of)
        loaded, problems = load_checked(matrix, date.today())
        if loaded.meta is None:
            raise Fail("the report needs a valid matrix.yaml")
        if templates is not None and not templates.is_dir():
            raise Fail(f"--templates {templates} is not a directory")
        view = build_report(loaded, snapshot(loaded, when), lang.value)
        formats = list(FORMATS) if fmt is ReportFormat.all else [fmt.value]
        if out is not None and str(out) == "-":
            if len(formats) != 1:
                raise Fail("--out - writes one format: add --format md or --format html")
            sys.stdout.write(_render(view, formats[0], templates))
            return 0
        folder = out or resolve_matrix(matrix).absolute().parent / "reports"
        suffix = "" if lang is Lang.en else f".{lang.value}"
        for name in formats:
            path = folder / f"progress-report-{when.isoformat()}{suffix}.{name}"
            write_file(path, _render(view, name, templates).encode("utf-8"))
            sys.stderr.write(f"wrote {path}\n")
        return 0

    _run(body)


def _render(view, fmt: str, templates: Optional[Path]) -> str:
    from jinja2 import TemplateError

    from .render import render

    try:
        return render(view, fmt, templates)
    except TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if getattr(exc, "lineno", None) else ""
        raise Fail(f"template error: {where}{exc.message}") from None


@app.command()
def calendar(
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the .ics file here (default: standard output)."),
    area: List[str] = typer.Option([], "--area", "-a", help="Only these areas (repeatable); leaves out report deadlines."),
    org: Optional[str] = typer.Option(None, "--org", "-o", help="Only what this institution leads, partners or owes."),
    side: Optional[Side] = typer.Option(None, "--side", help="Only what institutions of one side lead or owe."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date stamped on the events (default: today)."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of titles: en, fr or ar."),
) -> None:
    """Export milestones, planned ends and quarterly report deadlines as iCalendar.

    All-day events with stable UIDs: re-importing an export updates the
    events instead of duplicating them.
    """

    def body() -> int:
        from .ical import deadlines, to_ical
        from .model import text_in

        today = resolve_today(as_of)
        loaded, problems = load_checked(matrix, date.today())
        check_filters(loaded, area, org)
        orgs = {org} if org else None
        if side:
            side_orgs = {o.value.id for o in loaded.organizations if o.value.side == side.value}
            orgs = side_orgs if orgs is None else orgs & side_orgs
        title = text_in(loaded.meta.value.title, lang.value) if loaded.meta else "UN-OIC Cooperation Matrix"
        data = to_ical(deadlines(loaded, area, orgs, lang.value), today, title)
        if out is None:
            sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode())
        else:
            write_file(out, data)
            sys.stderr.write(f"wrote {out}\n")
        return 0

    _run(body)


def write_file(path: Path, data: bytes, exclusive: bool = False) -> None:
    from .atomic import write_atomic

    try:
        write_atomic(path, data, exclusive=exclusive)
    except FileExistsError:
        raise Fail(f"{path} already exists; uncoop never overwrites it") from None


class DiffFormat(str, enum.Enum):
    markdown = "markdown"
    json = "json"


def _load_revision(rev: Optional[str], root: Path, today: date, tmp: Path):
    """The Matrix at a git revision (None: the working tree), validated and as of today."""
    from .check import validate as run
    from .git import GitError, files_at

    if rev is None:
        return run(root, today, Path.cwd())
    try:
        files = files_at(Path.cwd(), rev, root)
    except GitError as exc:
        raise Fail(str(exc)) from None
    target = tmp / rev.replace("/", "_") / root.name
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    target.mkdir(parents=True, exist_ok=True)
    here = root.absolute().parent
    matrix, problems = run(target, today, target.parent)
    # show paths as they are in the working tree, so findings point at real files
    shown = _display_base(here)
    return matrix, [_rebase(p, shown) for p in problems]


def _display_base(folder: Path) -> str:
    try:
        rel = folder.relative_to(Path.cwd())
    except ValueError:
        return folder.as_posix()
    return "" if rel == Path(".") else rel.as_posix()


def _rebase(problem, prefix: str):
    from dataclasses import replace

    if not prefix:
        return problem
    return replace(problem, location=replace(problem.location, path=f"{prefix}/{problem.location.path}"))


@app.command()
def diff(
    base: str = typer.Argument(..., help="The git revision to compare from, e.g. origin/main."),
    head: Optional[str] = typer.Argument(None, help="The revision to compare to (default: the working tree)."),
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Judge findings as of this date (default: today)."),
    fmt: DiffFormat = typer.Option(DiffFormat.markdown, "--format", "-f", help="markdown (for a PR comment) or json."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of titles: en, fr or ar."),
) -> None:
    """Describe what a change does to the plan, between two git revisions.

    Activities added or removed, deadlines moved (days, earlier or later),
    milestones added, dropped or completed, status and lead changes, updates
    submitted, findings that appeared or disappeared.  When
    GITHUB_STEP_SUMMARY is set the Markdown is appended there too.
    """

    def body() -> int:
        import tempfile

        from .plandiff import plan_diff, to_json, to_markdown
        from .timeline import snapshot

        root = resolve_matrix(matrix)
        today = date.today()
        when = resolve_today(as_of)
        with tempfile.TemporaryDirectory(prefix="uncoop-diff-") as tmp:
            old, old_problems = _load_revision(base, root, today, Path(tmp))
            new, new_problems = _load_revision(head, root, today, Path(tmp))
        old_snap, new_snap = snapshot(old, when), snapshot(new, when)
        result = plan_diff(old, new, old_snap, new_snap, old_problems + old_snap.findings,
                           new_problems + new_snap.findings, lang.value)
        head_name = head or "working tree"
        text = (to_json if fmt is DiffFormat.json else to_markdown)(result, base, head_name)
        sys.stdout.write(text)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and fmt is DiffFormat.markdown:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
        return 0

    _run(body)


@app.command()
def history(
    ident: str = typer.Argument(..., metavar="ID", help="The activity id, e.g. HUM-01."),
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    fmt: DiffFormat = typer.Option(DiffFormat.markdown, "--format", "-f", help="markdown or json."),
) -> None:
    """Show from git how often and how far each deadline of an activity moved."""

    def body() -> int:
        import json

        from .git import GitError, is_shallow, log, show
        from .plandiff import slippage, slippage_markdown
        from .yamlsrc import read

        root = resolve_matrix(matrix)
        found = sorted(root.glob(f"activities/*/{ident}.yaml"))
        if not found:
            from .check import suggest

            known = [p.stem for p in root.glob("activities/*/*.yaml")]
            hint = suggest(ident, known)
            raise Fail(f"no activity '{ident}' in {root}" + (f" ({hint})" if hint else ""))
        try:
            revisions = log(Path.cwd(), found[0])
            shallow = is_shallow(Path.cwd())
        except GitError as exc:
            raise Fail(str(exc)) from None
        if not revisions:
            raise Fail(f"{found[0]} has no git history yet (commit it first)")
        versions = []
        for rev in revisions:
            value, error = read(show(Path.cwd(), rev.commit, rev.path) or b"")
            versions.append((rev.commit, rev.date, rev.subject, value if error is None else None))
        slips = slippage(versions)
        if fmt is DiffFormat.json:
            doc = {"activity": ident, "revisions": len(revisions), "shallow": shallow,
                   "moves": [{"commit": s.commit, "date": s.day, "subject": s.subject, "deadline": s.what,
                              "old": s.old, "new": s.new, "days": s.days} for s in slips]}
            sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(slippage_markdown(ident, slips, len(revisions), shallow))
        return 0

    _run(body)


def _matrix_files(root: Path, paths: List[Path]) -> list:
    from .load import discover

    found, problems = discover(root.absolute(), Path.cwd())
    if paths:
        wanted = [p.absolute() for p in paths]
        found = [f for f in found if any(f[1].absolute() == w or w in f[1].absolute().parents for w in wanted)]
    return found


def _diff(path: str, old: str, new: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def _checked_text(shown: str, data: bytes, kind: str) -> tuple[Optional[str], list]:
    """The file's text if it is valid, else its problems: files that fail are never rewritten."""
    from .load import parse_record
    from .yamlsrc import decode

    text, error = decode(data)
    _, problems, _ = parse_record(shown, data, kind)
    if problems:
        return None, problems
    return ("\ufeff" + text if data.startswith(b"\xef\xbb\xbf") else text), []


@app.command()
def fmt(
    paths: List[Path] = typer.Argument(None, help="Files or folders to format (default: the whole Matrix)."),
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    check: bool = typer.Option(False, "--check", help="Change nothing; list the files that would change, exit 1 if any."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Change nothing; print the diff that formatting would make."),
) -> None:
    """Rewrite Matrix files in house style, keeping every comment and byte that matters.

    Keys in schema order, 2-space indentation, list dashes indented by two; comments,
    quote styles, blank lines, flow lists, a UTF-8 BOM and CRLF line endings are kept.
    A file that fails validation is reported and left untouched.  Idempotent.
    """

    def body() -> int:
        from .edit import EditError, canonical
        from .formats import format_text

        root = resolve_matrix(matrix)
        changed, failed = 0, 0
        for shown, path, kind in _matrix_files(root, paths):
            text, problems = _checked_text(shown, path.read_bytes(), kind)
            if text is None:
                sys.stderr.write(format_text(problems))
                failed += 1
                continue
            try:
                new = canonical(text, kind)
            except EditError as exc:
                sys.stderr.write(f"{shown}: {exc}\n")
                failed += 1
                continue
            if new == text:
                continue
            changed += 1
            if check:
                sys.stdout.write(f"{shown}\n")
            elif dry_run:
                sys.stdout.write(_diff(shown, text, new))
            else:
                write_file(path, new.encode("utf-8"))
        verb = "would change" if check or dry_run else "formatted"
        sys.stderr.write(f"{changed} file{'s' if changed != 1 else ''} {verb}"
                         + (f", {failed} left untouched (invalid)" if failed else "") + "\n")
        return int(bool(failed) or (check and bool(changed)))

    _run(body)


new_app = typer.Typer(help="Scaffold new Matrix files.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(new_app, name="new")


@new_app.command("activity")
def new_activity(
    area: str = typer.Option(..., "--area", "-a", help="The area id, e.g. humanitarian."),
    title: str = typer.Option(..., "--title", "-t", help="The activity's title (English)."),
    lead_un: List[str] = typer.Option(..., "--lead-un", help="UN lead institution (repeatable)."),
    lead_oic: List[str] = typer.Option(..., "--lead-oic", help="OIC lead institution (repeatable)."),
    partner: List[str] = typer.Option([], "--partner", help="Partner institution (repeatable)."),
    source: List[int] = typer.Option([], "--source", help="Paragraph of the final document (repeatable; default: the area's)."),
    start: Optional[str] = typer.Option(None, "--start", help="Planned start: 2015-06-30, 2015-06 or 2015-Q2 (default: this month)."),
    end: Optional[str] = typer.Option(None, "--end", help="Planned end (default: the end of the Matrix period)."),
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the file instead of writing it."),
) -> None:
    """Create activities/<area>/<ID>.yaml with the next free id of the area, in house style."""

    def body() -> int:
        from .check import suggest, validate as run
        from .dates import FlexDate
        from .load import parse_record

        root = resolve_matrix(matrix)
        loaded, _ = run(root, date.today(), Path.cwd())
        areas = loaded.area_by_id
        if area not in areas:
            hint = suggest(area, areas)
            raise Fail(f"unknown area '{area}'" + (f" ({hint})" if hint else ""))
        for side, names in (("un", lead_un), ("oic", lead_oic), (None, partner)):
            for name in names:
                org = loaded.org_by_id.get(name)
                if org is None:
                    hint = suggest(name, loaded.org_by_id)
                    raise Fail(f"unknown organization '{name}'" + (f" ({hint})" if hint else ""))
                if side and org.value.side != side:
                    raise Fail(f"'{name}' is on the {org.value.side.upper()} side, not {side.upper()}")
        code = areas[area].value.code
        taken = [p.stem for p in (root / "activities" / area).glob(f"{code}-*.yaml")] + list(loaded.activity_by_id)
        numbers = [int(t.split("-")[1]) for t in taken if t.startswith(code + "-") and t.split("-")[1].isdigit()]
        width = max([2] + [len(t.split("-")[1]) for t in taken if t.startswith(code + "-")])
        ident = f"{code}-{max(numbers, default=0) + 1:0{width}d}"
        today = date.today()
        span = loaded.meta.value.period if loaded.meta else None
        this_month = f"{today.year}-{today.month:02d}"
        first = start or (this_month if span is None or span.start <= today <= span.end else span.start.isoformat())
        last = end or (span.end.isoformat() if span else first)
        try:
            if FlexDate.parse(last).end < FlexDate.parse(first).start:
                raise Fail(f"the planned end {last} is before the planned start {first}")
        except ValueError as exc:
            raise Fail(str(exc)) from None
        from .edit import new_activity_text

        text = new_activity_text(ident, area, title, source or areas[area].value.paragraphs, lead_un, lead_oic,
                                 first, last, partners=partner)
        path = root / "activities" / area / f"{ident}.yaml"
        _, problems, _ = parse_record(f"{area}/{ident}.yaml", text.encode(), "activity")
        if problems:
            from .formats import format_text

            sys.stderr.write(format_text(problems))
            raise Fail("the new activity would not be valid; nothing was written")
        if dry_run:
            sys.stdout.write(text)
        else:
            write_file(path, text.encode("utf-8"), exclusive=True)
            sys.stderr.write(f"wrote {path}\n")
        return 0

    _run(body)


def _parse_set(item: str) -> tuple[str, str, object]:
    from .model import STATUSES

    target, sep, raw = item.partition("=")
    activity, dot, field = target.partition(".")
    if not sep or not dot or field not in ("status", "progress", "narrative", "obstacles", "next_steps"):
        raise Fail(f"--set '{item}': write ACTIVITY.FIELD=VALUE with FIELD one of status, progress, "
                   "narrative, obstacles, next_steps")
    if field == "progress":
        try:
            value: object = int(raw) if raw.strip().isdigit() else float(raw)
        except ValueError:
            raise Fail(f"--set '{item}': progress must be a number from 0 to 100") from None
    elif field == "status":
        if raw not in STATUSES:
            raise Fail(f"--set '{item}': status must be one of {', '.join(STATUSES)}")
        value = raw
    else:
        value = raw
    return activity, field, value


@app.command()
def update(
    org: str = typer.Argument(..., help="The institution reporting, e.g. OCHA."),
    period: str = typer.Option(..., "--period", "-p", help="The quarter reported on, e.g. 2015-Q1."),
    submitted: Optional[str] = typer.Option(None, "--submitted", help="The day it is sent (default: today)."),
    set_: List[str] = typer.Option([], "--set", help="ACTIVITY.FIELD=VALUE, e.g. HUM-01.progress=60 (repeatable)."),
    matrix: Optional[Path] = typer.Option(None, "--matrix", "-m", help=MATRIX_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff instead of writing."),
) -> None:
    """Scaffold or extend an institution's quarterly update, one entry per activity it leads
    or partners that is active in the quarter, pre-filled from the latest report."""

    def body() -> int:
        from .check import suggest, validate as run
        from .dates import Quarter, parse_day
        from .edit import EditError, entry_index, extend_update_text, new_update_text, set_field
        from .load import parse_record
        from .timeline import active_entries

        try:
            quarter = Quarter.parse(period)
            day = parse_day(submitted) if submitted else date.today()
        except ValueError as exc:
            raise Fail(str(exc)) from None
        root = resolve_matrix(matrix)
        loaded, _ = run(root, date.today(), Path.cwd())
        if org not in loaded.org_by_id:
            hint = suggest(org, loaded.org_by_id)
            raise Fail(f"unknown organization '{org}'" + (f" ({hint})" if hint else ""))
        entries = active_entries(loaded, org, quarter)
        edits = [_parse_set(item) for item in set_]
        path = root / "updates" / str(quarter) / f"{org}.yaml"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        try:
            if old is None:
                known = {e[0] for e in entries}
                for activity, _, _ in edits:
                    if activity not in known:
                        raise Fail(f"--set: {activity} is not among {org}'s activities active in {quarter}")
                text = new_update_text(org, str(quarter), day.isoformat(), entries,
                                       {(a, f): v for a, f, v in edits})
            else:
                text = extend_update_text(old, entries)
                if submitted:
                    text = set_field(text, ("submitted",), day.isoformat())
                for activity, field, value in edits:
                    index = entry_index(text, activity)
                    if index is None:
                        raise Fail(f"--set: {org}'s update for {quarter} has no entry for {activity}")
                    text = set_field(text, ("entries", index, field), value)
        except EditError as exc:
            raise Fail(f"{path}: {exc}") from None
        shown = f"updates/{quarter}/{org}.yaml"
        _, problems, _ = parse_record(shown, text.encode("utf-8"), "update")
        if problems:
            from .formats import format_text

            sys.stderr.write(format_text(problems))
            raise Fail("the update would not be valid; the file was left untouched")
        if dry_run:
            sys.stdout.write(_diff(shown, old or "", text))
        elif text != old:
            write_file(path, text.encode("utf-8"))
            sys.stderr.write(f"wrote {path}\n")
        return 0

    _run(body)


class Kind(str, enum.Enum):
    matrix = "matrix"
    organizations = "organizations"
    areas = "areas"
    activity = "activity"
    update = "update"


@app.command()
def schema(
    out: Optional[Path] = typer.Option(None, "--out", help="Write one <kind>.schema.json per file kind into this folder."),
    kind: Kind = typer.Option(Kind.activity, "--kind", help="Without --out: which kind to print."),
    check: bool = typer.Option(False, "--check", help="With --out: exit 1 if the files there differ from the models."),
) -> None:
    """JSON Schema of each Matrix file kind, for editors (yaml-language-server) and other tools.

    Matrix files point at them with a first-line comment such as
    `# yaml-language-server: $schema=../../../schemas/activity.schema.json`.
    """

    def body() -> int:
        from .schema import FILE_NAMES, schemas

        texts = schemas()
        if out is None:
            sys.stdout.write(texts[FILE_NAMES[kind.value]])
            return 0
        stale = [name for name, text in texts.items()
                 if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text]
        if check:
            for name in stale:
                sys.stdout.write(f"{out / name}\n")
            return int(bool(stale))
        for name in stale:
            write_file(out / name, texts[name].encode("utf-8"))
            sys.stderr.write(f"wrote {out / name}\n")
        return 0

    _run(body)


@app.command()
def rules(
    fmt: FindingFormat = typer.Option(FindingFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """List every finding code with its severity and meaning."""
    from .rules import RULES

    if fmt is FindingFormat.json:
        import json

        doc = [{"code": r.code, "severity": r.severity.label, "stage": r.stage, "summary": r.summary}
               for r in RULES.values()]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    width = max(len(code) for code in RULES)
    for r in RULES.values():
        sys.stdout.write(f"{r.code:<{width}}  {r.severity.label:<7}  {r.stage:<9}  {r.summary}\n")


def main() -> None:  # pragma: no cover - console script entry
    app(prog_name="uncoop")
