"""Findings out of a command: which are reported, in which formats, and the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .app import Fail
from .options import Level
from .places import write_file, write_scope


def note_period_ended(loaded, when, as_of: str | None) -> None:
    """Say so when "today" falls after the Matrix period and no --as-of was given: the state
    then is not the one the period closed on (status, report and site alike)."""
    period = loaded.meta.value.period if loaded.meta else None
    if period is not None and when > period.end and as_of is None:
        sys.stderr.write(
            f"note: the Matrix period ended {period.end.isoformat()}; this is the state as of today, "
            f"{when.isoformat()} (use --as-of {period.end.isoformat()} for the end of the period)\n"
        )


def paths_inside(paths: list[Path], root: Path) -> None:
    """Usage errors (exit 2) for PATHS that do not exist or lie outside the Matrix: "0 errors"
    about a file uncoop never read would be a false all-clear."""
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if missing:
        raise Fail(f"no such file or directory: {', '.join(missing)}")
    matrix = Path(os.path.abspath(root))
    outside = [str(p) for p in paths if not Path(os.path.abspath(p)).is_relative_to(matrix)]
    if outside:
        raise Fail(
            f"not in the Matrix {root}: {', '.join(outside)}; name files under it, or pass --matrix for another Matrix"
        )


def only_paths(problems: list, paths: list[Path], base: Path) -> list:
    """Keep findings located in the given files or directories (finding paths are relative to `base`)."""
    wanted = [p.absolute() for p in paths]
    kept = []
    for problem in problems:
        where = (base / problem.location.path).absolute()
        if any(where == w or w in where.parents for w in wanted):
            kept.append(problem)
    return kept


def only_changed(problems: list, ref: str, base: Path) -> list:
    """Keep findings in files git says changed since REF (the whole Matrix is still checked)."""
    from ..git import GitError, changed_since

    try:
        changed = changed_since(Path.cwd(), ref)
    except GitError as exc:
        raise Fail(f"--changed-since: {exc}") from None
    return [p for p in problems if (base / p.location.path).resolve() in changed]


def emit_findings(problems: list, fmt: str, sarif: Path | None, gitlab: Path | None, title: str, root: Path) -> None:
    """The main format to stdout, extra formats to files, and the GitHub job summary when there is one."""
    from ..formats import FORMATTERS, step_summary

    if fmt in FORMATTERS:
        # the github format's lines are workflow commands by design (their data escaped in
        # formats.py); every other text goes through the log guard
        out = getattr(sys.stdout, "unguarded", sys.stdout) if fmt == "github" else sys.stdout
        out.write(FORMATTERS[fmt](problems))
    for path, name in ((sarif, "sarif"), (gitlab, "gitlab")):
        if path is not None:
            write_file(path, FORMATTERS[name](problems).encode("utf-8"), write_scope(root).named(path))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(step_summary(problems, title))


def required_langs(option: str | None) -> tuple[str, ...]:
    from ..vocab import LANGS

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
    """0, or 1 when a finding is at least as severe as --fail-on (unless --exit-zero)."""
    from ..problem import Severity

    threshold = Severity.parse(fail_on.value)
    return 0 if exit_zero else int(any(p.severity >= threshold for p in problems))


def summary_line(problems: list, files: int) -> str:
    from ..problem import Severity

    counts = [sum(p.severity == s for p in problems) for s in (Severity.ERROR, Severity.WARNING)]
    words = [f"{n} {w}{'' if n == 1 else 's'}" for n, w in zip(counts, ("error", "warning"), strict=True)]
    return f"{', '.join(words)} in {files} file{'' if files == 1 else 's'}\n"
