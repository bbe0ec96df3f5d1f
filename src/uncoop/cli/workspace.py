"""Where a command works: the Matrix it finds, the repository it may write in, what it loads."""

from __future__ import annotations

import enum
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .app import Fail
from .places import repo_root

if TYPE_CHECKING:
    from ..i18n import Language
    from ..load import Matrix
    from ..problem import Problem


def matrix_of(paths: list[Path]) -> Path | None:
    """The Matrix the given files belong to: the nearest folder upward holding a matrix.yaml
    (how a pre-commit hook finds `data/matrix/` from the files it is given); None when the paths
    name none, an error when they name two."""
    roots = set()
    for path in paths:
        start = path.absolute()
        for folder in (start, *start.parents):
            if (folder / "matrix.yaml").is_file():
                roots.add(folder)
                break
    if len(roots) > 1:
        raise Fail(f"the paths belong to {len(roots)} Matrices ({', '.join(sorted(map(str, roots)))}); pass --matrix")
    return roots.pop() if roots else None


def resolve_matrix(option: Path | None, paths: list[Path] | None = None) -> Path:
    """--matrix, else $UNCOOP_MATRIX, else the Matrix the PATHS belong to, else the nearest matrix/
    upward from here."""
    from ..load import find_matrix

    chosen = option or (Path(os.environ["UNCOOP_MATRIX"]) if os.environ.get("UNCOOP_MATRIX") else None)
    if chosen is not None:
        if not chosen.is_dir():
            raise Fail(f"{chosen} is not a directory")
        parts = ("matrix.yaml", "organizations.yaml", "areas.yaml", "activities", "updates")
        if not any((chosen / part).exists() for part in parts):
            inside = chosen / "matrix"
            hint = f"; did you mean --matrix {inside}?" if (inside / "matrix.yaml").is_file() else ""
            raise Fail(
                f"{chosen} does not look like a Matrix (no matrix.yaml, organizations.yaml, areas.yaml, "
                f"activities/ or updates/){hint}"
            )
        return chosen
    from_paths = matrix_of(paths) if paths else None
    if from_paths is not None:
        return from_paths
    configured = configured_matrix(Path.cwd())
    if configured is not None:
        return configured
    found = find_matrix(Path.cwd())
    if found is None:
        raise Fail(
            f"no matrix/ directory with a matrix.yaml found from {Path.cwd()} upward; "
            'pass --matrix DIR, set UNCOOP_MATRIX or name it in uncoop.toml (matrix = "data/matrix")'
        )
    return found


CONFIG = "uncoop.toml"


def find_config(start: Path) -> Path | None:
    """The nearest uncoop.toml from `start` upward, stopping at the repository root (a .git), so
    a file outside the repository never steers a command run inside it."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / CONFIG).is_file():
            return folder / CONFIG
        if os.path.lexists(folder / ".git"):
            return None
    return None


def _located(path: Path, text: str, key: str, message: str) -> Fail:
    """A Fail pointing at the line and column of `key = …` in uncoop.toml."""
    for number, line in enumerate(text.splitlines(), 1):
        found = re.match(rf"\s*{re.escape(key)}\s*=\s*", line)
        if found:
            return Fail(f"{path}:{number}:{found.end() + 1}: error[config] {message}")
    return Fail(f"{path}:1:1: error[config] {message}")


def configured_matrix(start: Path) -> Path | None:
    """The Matrix uncoop.toml names (`matrix = "data/matrix"`, relative to the file), or None
    when there is no uncoop.toml.  A bad file is a located usage error, never a guess."""
    import tomllib

    path = find_config(start)
    if path is None:
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = where.groups() if where else ("1", "1")
        reason = re.sub(r"\s*\(at line.*\)", "", str(exc))
        raise Fail(f"{path}:{line}:{column}: error[config] not TOML: {reason}") from None
    unknown_keys = sorted(set(config) - {"matrix"})
    if unknown_keys:
        raise _located(path, text, unknown_keys[0], f"unknown key '{unknown_keys[0]}' (uncoop.toml knows: matrix)")
    value = config.get("matrix")
    if value is None:
        raise Fail(f'{path}:1:1: error[config] no `matrix = "FOLDER"` line: name the Matrix folder')
    if not isinstance(value, str) or not value.strip():
        raise _located(path, text, "matrix", 'matrix must be a folder name in quotes, e.g. matrix = "data/matrix"')
    folder = Path(value)
    if folder.is_absolute() or ".." in folder.parts:
        raise _located(
            path, text, "matrix", f"'{value}' must be a folder inside the repository, relative to uncoop.toml"
        )
    matrix = path.parent / folder
    if not (matrix / "matrix.yaml").is_file():
        raise _located(path, text, "matrix", f"'{value}' holds no matrix.yaml ({matrix})")
    return matrix


class LoadProgress:
    """A progress bar on stderr while a large Matrix loads: only on a terminal, only when slow."""

    THRESHOLD = 1500  # files; below this a load takes well under a second

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty() and not os.environ.get("CI")
        self.bar: Any = None
        self.task: Any = None

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


def load_checked(matrix: Path | None, today: date, no_cache: bool = False, interactive: bool = False):
    """Load and validate; validity errors go to stderr so data output stays clean."""
    from ..catalogue import RULES
    from ..check import validate as run
    from ..formats import format_text
    from ..problem import Severity, sort_problems
    from .app import OverBudget
    from .cached import Cached

    root = resolve_matrix(matrix)
    cached = Cached(root, no_cache)
    bar = LoadProgress(enabled=interactive)
    try:
        loaded, problems = run(root, today, repo_root(root), cached.cache, bar)
    finally:
        bar.close()
    errors = sort_problems(p for p in problems if p.severity >= Severity.ERROR)
    if errors:
        sys.stderr.write(format_text(errors))
        sys.stderr.write(f"uncoop: the Matrix has {len(errors)} validity error(s); run `uncoop validate`\n")
    if any(RULES[p.code].stage == "budget" for p in errors if p.code in RULES):
        raise OverBudget("the Matrix is over a size budget (above): nothing else computed")
    return loaded, problems


def language(loaded, option: enum.Enum | str | None) -> Language:
    """The run's one Language: --lang, else the Matrix's default language, else English."""
    from ..i18n import language as of

    if option is not None:
        return of(option.value if isinstance(option, enum.Enum) else option)
    return of(loaded.meta.value.languages.default if loaded.meta else "en")


def unknown(what: str, name: str, known, where: str = "") -> Fail:
    """The usage error for a name that is not there, with a did-you-mean when one is close."""
    from ..check import suggest

    names = sorted(known)
    listing = f"one of {', '.join(names[:12])}" + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    hint = suggest(name, names) or (listing if names else "")
    return Fail(f"{what} '{name}'{where}" + (f" ({hint})" if hint else ""))


def check_filters(loaded, areas: Sequence[str], orgs: Sequence[str] = ()) -> None:
    """Unknown filter values are usage errors with a did-you-mean, not empty output."""
    codes = {a.value.code: a.value.id for a in loaded.areas}
    for name in areas:
        if name in codes and name not in loaded.area_by_id:
            raise Fail(
                f"unknown area '{name}' (that is the code of the area '{codes[name]}': use --area {codes[name]})"
            )
        if name not in loaded.area_by_id:
            raise unknown("unknown area", name, loaded.area_by_id)
    for org in orgs:
        if org not in loaded.org_by_id:
            raise unknown("unknown organization", org, loaded.org_by_id)


@dataclass
class Workspace:
    """What a command works on, resolved once, in one order: the day it runs (files are judged
    valid as of then), the day its timeline is judged as of (--as-of, default today), the loaded
    Matrix with its validity problems (its plan as committed on that day with
    --plan-as-committed), the filters checked against it, and the run's one Language."""

    today: date
    as_of: date
    matrix: Matrix
    problems: list[Problem]
    lang: Language
    root: Path  # the Matrix in the working tree, where outputs go and analyses are read from


def open_workspace(
    matrix: Path | None,
    as_of: str | None = None,
    lang: enum.Enum | str | None = None,
    *,
    no_cache: bool = False,
    plan_as_committed: bool = False,
    areas: Sequence[str] = (),
    orgs: Sequence[str] = (),
    interactive: bool = False,
    needs_meta: str = "",
    dated: bool = True,
) -> Workspace:
    """The preamble every command that judges a Matrix shares.  `needs_meta` names the output
    that cannot be made without a valid matrix.yaml (the report, the site); `dated=False` for a
    command with no --as-of (forms), which is then not told that today is past the period."""
    from .app import resolve_today, today
    from .output import note_period_ended
    from .revisions import with_plan_as_committed

    day = today()
    when = resolve_today(as_of)
    loaded, problems = load_checked(matrix, day, no_cache, interactive)
    root = loaded.root
    if plan_as_committed:
        loaded, problems = with_plan_as_committed(loaded, problems, when, day)
    if needs_meta and loaded.meta is None:
        raise Fail(f"{needs_meta} needs a valid matrix.yaml")
    check_filters(loaded, areas, orgs)
    if dated:
        note_period_ended(loaded, when, as_of)
    return Workspace(day, when, loaded, problems, language(loaded, lang), root)
