"""The Typer app and what every command shares: options, today, exit codes, the cache, writes.

Commands are thin: they parse options, call core functions and return an exit code (0 clean,
1 findings at or above --fail-on, 2 usage or setup error).  Heavy modules are imported inside
the command that needs them, so that `uncoop --help` stays fast.  Only this package knows
about argv, the clock, exit codes and file writes.
"""

from __future__ import annotations

import enum
import os
import stat
import sys
from datetime import date
from pathlib import Path

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


def resolve_matrix(option: Path | None) -> Path:
    from ..load import find_matrix

    chosen = option or (Path(os.environ["UNCOOP_MATRIX"]) if os.environ.get("UNCOOP_MATRIX") else None)
    if chosen is not None:
        if not chosen.is_dir():
            raise Fail(f"{chosen} is not a directory")
        parts = ("matrix.yaml", "organizations.yaml", "areas.yaml", "activities", "updates")
        if not any((chosen / part).exists() for part in parts):
            raise Fail(
                f"{chosen} does not look like a Matrix (no matrix.yaml, organizations.yaml, areas.yaml, "
                "activities/ or updates/)"
            )
        return chosen
    found = find_matrix(Path.cwd())
    if found is None:
        raise Fail(
            f"no matrix/ directory with a matrix.yaml found from {Path.cwd()} upward; "
            "pass --matrix DIR or set UNCOOP_MATRIX"
        )
    return found


KEY_BYTES = 32


def key_folder() -> Path:
    """The per-user folder of the cache's signing key, outside every repository."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uncoop"


def user_secret() -> bytes | None:
    """The per-user signing key: at least 32 random bytes in a 0600 file of the user's own, made
    (atomically) on first use and remade when short, empty or not a private regular file.
    None where no private place exists: the cache is then not used."""
    from ..atomic import Scope, read_regular, write_atomic

    base = key_folder()
    path = base / "cache-key"
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        if base.is_symlink() or base.stat().st_uid != os.getuid():
            return None
        if base.stat().st_mode & 0o077:
            os.chmod(base, 0o700)
        info = os.lstat(path) if os.path.lexists(path) else None
        if info is not None and stat.S_ISREG(info.st_mode) and info.st_mode & 0o077 == 0 and info.st_uid == os.getuid():
            secret = read_regular(path, 4096)
            if secret is not None and len(secret) >= KEY_BYTES:
                return secret
        if info is not None and not stat.S_ISREG(info.st_mode):
            os.unlink(path)  # a link or FIFO where the key belongs is replaced, never followed
        secret = os.urandom(KEY_BYTES)
        write_atomic(path, secret, Scope((base.absolute(),)), mode=0o600)
        return secret
    except OSError:
        return None


CACHE_LIMIT = 1 << 30  # bytes; a cache file larger than this is not read


class Cached:
    """The record cache of one run: opened before loading, saved when the command ends.  Its
    file is data for a restricted unpickler and is signed; a save that fails is said once on
    stderr and never changes the run's results."""

    opened: list[Cached] = []

    def __init__(self, root: Path, disabled: bool):
        self.cache = self.path = self.secret = self.scope = None
        Cached.opened.append(self)
        if disabled or os.environ.get("UNCOOP_NO_CACHE"):
            return
        from ..atomic import UnsafeWrite, read_regular
        from ..cache import RecordCache

        self.secret = user_secret()
        if self.secret is None:
            return
        chosen = os.environ.get("UNCOOP_CACHE_DIR")
        folder = Path(chosen) if chosen else root.absolute().parent / ".uncoop-cache"
        self.scope = write_scope(root).named(folder, folder=True) if chosen else write_scope(root)
        self.path = folder / "records.pickle"
        try:
            self.scope.target(self.path)
            blob = read_regular(self.path, CACHE_LIMIT) or b""
        except UnsafeWrite as exc:
            warn_once(f"cache not used: {exc}")
            self.path, blob = None, b""
        self.cache = RecordCache.loads(blob, self.secret) if self.path else None

    def save(self) -> None:
        if self.cache is None or self.path is None or not self.cache.changed:
            return
        from ..atomic import UnsafeWrite, write_atomic

        try:
            ignore = self.path.parent / ".gitignore"
            if not os.path.lexists(ignore):
                write_atomic(ignore, b"# uncoop's record cache: safe to delete\n*\n", self.scope)
            write_atomic(self.path, self.cache.dumps(self.secret), self.scope)
        except (OSError, UnsafeWrite) as exc:
            # the run already has its answer; only the next run is slower
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            warn_once(f"cache not saved: {reason}")


_warned: set[str] = set()


def warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        sys.stderr.write(f"uncoop: {message}\n")


def repo_root(matrix: Path) -> Path:
    """The repository holding the Matrix: the nearest folder upward with a .git, else the Matrix's
    parent.  Lexical and absolute: writes are judged against it."""
    start = Path(os.path.abspath(matrix))
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return start.parent


def write_scope(matrix: Path):
    """Where a command working on this Matrix may write: the repository, never the signing key."""
    from ..atomic import Scope

    return Scope((repo_root(matrix),), Path(os.path.abspath(matrix)), (Path(os.path.realpath(key_folder())),))


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


def resolve_today(as_of: str | None) -> date:
    from ..dates import MAX_YEAR, MIN_YEAR

    if as_of is None:
        return date.today()  # the one place uncoop asks the clock
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise Fail(f"--as-of '{as_of}' is not a date; write YYYY-MM-DD") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise Fail(f"--as-of '{as_of}' is outside the years {MIN_YEAR}-{MAX_YEAR} uncoop works with")
    return day


def _run(body) -> None:
    """Run a command body, turning setup failures into exit 2 with one line."""
    import gc

    # A command is a short burst that keeps what it builds until it exits: the cyclic
    # collector would only rescan live records (measured: unpickling the cache 4x slower).
    from ..atomic import UnsafeWrite

    gc.disable()
    try:
        code = body()
    except (Fail, UnsafeWrite) as exc:
        sys.stderr.write(f"uncoop: {exc}\n")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("uncoop: interrupted\n")
        raise typer.Exit(130)
    except typer.Exit:
        raise
    except OSError as exc:  # a folder that cannot be written, a disk that is full: say so, no traceback
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(f"uncoop: cannot write or read{where}: {exc.strerror or exc}\n")
        raise typer.Exit(2)
    except Exception as exc:  # a bug, not a user's mistake: one line, the details on request
        if os.environ.get("UNCOOP_DEBUG"):
            raise
        sys.stderr.write(
            f"uncoop: internal error: {type(exc).__name__}: {exc} "
            "(please report it; UNCOOP_DEBUG=1 shows the traceback)\n"
        )
        raise typer.Exit(2)
    finally:
        # saved last: positions found while reporting are kept for the next run
        while Cached.opened:
            Cached.opened.pop().save()
        gc.enable()
    raise typer.Exit(code or 0)


def _only_paths(problems: list, paths: list[Path]) -> list:
    """Keep findings located in the given files or directories."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise Fail(f"no such file or directory: {', '.join(missing)}")
    wanted = [p.absolute() for p in paths]
    kept = []
    for problem in problems:
        where = Path(problem.location.path).absolute()
        if any(where == w or w in where.parents for w in wanted):
            kept.append(problem)
    return kept


def _only_changed(problems: list, ref: str) -> list:
    """Keep findings in files git says changed since REF (the whole Matrix is still checked)."""
    from ..git import GitError, changed_since

    try:
        changed = changed_since(Path.cwd(), ref)
    except GitError as exc:
        raise Fail(f"--changed-since: {exc}") from None
    return [p for p in problems if Path(p.location.path).resolve() in changed]


SARIF_HELP = "Also write the findings as SARIF 2.1.0 to this file (for code scanning)."


GITLAB_HELP = "Also write the findings as GitLab Code Quality JSON to this file."


CHANGED_HELP = "Report only findings in files changed since this git revision (e.g. origin/main)."


def emit_findings(problems: list, fmt: str, sarif: Path | None, gitlab: Path | None, title: str, root: Path) -> None:
    """The main format to stdout, extra formats to files, and the GitHub job summary when there is one."""
    from ..formats import FORMATTERS, step_summary

    if fmt in FORMATTERS:
        sys.stdout.write(FORMATTERS[fmt](problems))
    for path, name in ((sarif, "sarif"), (gitlab, "gitlab")):
        if path is not None:
            write_file(path, FORMATTERS[name](problems).encode("utf-8"), write_scope(root).named(path))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(step_summary(problems, title))


def _langs(option: str | None) -> tuple[str, ...]:
    from ..i18n import LANGS

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
    from ..problem import Severity

    threshold = Severity.parse(fail_on.value)
    return 0 if exit_zero else int(any(p.severity >= threshold for p in problems))


def summary_line(problems: list, files: int) -> str:
    from ..problem import Severity

    counts = [sum(p.severity == s for p in problems) for s in (Severity.ERROR, Severity.WARNING)]
    words = [f"{n} {w}{'' if n == 1 else 's'}" for n, w in zip(counts, ("error", "warning"), strict=True)]
    return f"{', '.join(words)} in {files} file{'' if files == 1 else 's'}\n"


def load_checked(matrix: Path | None, today: date, no_cache: bool = False, interactive: bool = False):
    """Load and validate; validity errors go to stderr so data output stays clean."""
    from ..check import validate as run
    from ..formats import format_text
    from ..problem import Severity, sort_problems

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


def language(loaded, option: Lang | None) -> str:
    """--lang, else the Matrix's default language, else English."""
    if option is not None:
        return option.value
    return loaded.meta.value.languages.default if loaded.meta else "en"


def unknown(what: str, name: str, known, where: str = "") -> Fail:
    """The usage error for a name that is not there, with a did-you-mean when one is close."""
    from ..check import suggest

    hint = suggest(name, known)
    return Fail(f"{what} '{name}'{where}" + (f" ({hint})" if hint else ""))


def check_filters(loaded, areas: list[str], org: str | None) -> None:
    """Unknown filter values are usage errors with a did-you-mean, not empty output."""
    for name in areas:
        if name not in loaded.area_by_id:
            raise unknown("unknown area", name, loaded.area_by_id)
    if org and org not in loaded.org_by_id:
        raise unknown("unknown organization", org, loaded.org_by_id)


def write_file(path: Path, data, scope, exclusive: bool = False, edit: bool = False) -> None:
    """Every file a command writes goes through here: inside `scope` (see atomic.Scope), atomic."""
    from ..atomic import write_atomic

    try:
        write_atomic(path, data, scope, exclusive=exclusive, edit=edit)
    except FileExistsError:
        raise Fail(f"{path} already exists; uncoop never overwrites it") from None


PLAN_HELP = (
    "Read the plan (matrix.yaml, organizations, areas, activities) from the last git commit on or "
    "before --as-of; updates come from the working tree.  Without it the plan is today's."
)


def with_plan_as_committed(loaded, problems: list, when: date) -> tuple:
    """The Matrix with its plan as committed on `when`, and updates as they are now.

    The files of that commit are read into a temporary folder that lives as long as the
    returned Matrix, so findings can still be located in them."""
    import tempfile

    from ..check import validate as run
    from ..git import GitError, files_at, last_commit_on
    from ..load import Matrix

    try:
        commit = last_commit_on(Path.cwd(), when.isoformat(), loaded.root)
        files = files_at(Path.cwd(), commit, loaded.root)
    except GitError as exc:
        raise Fail(f"--plan-as-committed: {exc}") from None
    holder = tempfile.TemporaryDirectory(prefix="uncoop-plan-")
    tmp = Path(holder.name)
    target = unpack(files, tmp / loaded.root.name)
    plan, plan_problems = run(target, date.today(), tmp)
    merged = Matrix(
        root=plan.root,
        meta=plan.meta,
        organizations=plan.organizations,
        areas=plan.areas,
        activities=plan.activities,
        updates=loaded.updates,
        files={**loaded.files, **plan.files},
        unloaded_activities=plan.unloaded_activities,
    )
    merged._located = {**loaded._located, **plan._located}
    merged._plan_folder = holder  # removed with the Matrix
    keep = [p for p in problems if "/updates/" in f"/{p.location.path}"]
    return merged, keep + [p for p in plan_problems if "/updates/" not in f"/{p.location.path}"]


def unpack(files: dict[str, bytes], target: Path) -> Path:
    """Files read from a git revision, written below a fresh temporary `target`.  Names are plain
    relative paths (git.files_at refuses others); "xb" never writes onto something already there
    or through a link."""
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:
            handle.write(data)
    target.mkdir(parents=True, exist_ok=True)
    return target
