"""Files -> records that remember where they came from, plus problems.

Never raises for anything a user wrote: unsafe paths, unreadable bytes,
YAML errors and schema errors all become located `Problem`s, and loading goes
on with the next file so that one run reports everything.
"""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .locate import Locator, remember
from .problem import Location, Problem, printable
from .records import LIST_FILES, Activity, Area, MatrixFile, Organization, Update
from .rules import finding

if TYPE_CHECKING:
    from .store import RecordCache, ShardedCache

MAX_BYTES = 1 << 20  # a real record is a few KB; this stops a 50 MB paste before parsing
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Loaded(Generic[T]):
    """A validated record and where it stands: display path and key path in the file."""

    value: T
    path: str
    keys: tuple = ()


@dataclass
class Matrix:
    """Everything read from one `matrix/` directory."""

    root: Path
    meta: Loaded[MatrixFile] | None = None
    organizations: list[Loaded[Organization]] = field(default_factory=list)
    areas: list[Loaded[Area]] = field(default_factory=list)
    activities: list[Loaded[Activity]] = field(default_factory=list)
    updates: list[Loaded[Update]] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # display path -> real path
    # ids of activities whose file failed to load: references to them are not reported
    # again as unknown, the file's own problems already say what is wrong
    unloaded_activities: set[str] = field(default_factory=set)
    # what the Matrix keeps alive with it, e.g. the temporary checkout a plan was read from
    holds: list[Any] = field(default_factory=list, repr=False)
    cache: RecordCache | ShardedCache | None = field(default=None, repr=False)
    locator: Locator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.locator = Locator(self.files, self.cache)

    @cached_property
    def org_by_id(self) -> dict[str, Loaded[Organization]]:
        return _first_by_id(self.organizations)

    @cached_property
    def area_by_id(self) -> dict[str, Loaded[Area]]:
        return _first_by_id(self.areas)

    @cached_property
    def activity_by_id(self) -> dict[str, Loaded[Activity]]:
        return _first_by_id(self.activities)

    def path_of(self, name: str) -> str:
        """The display path of a file directly under the matrix directory."""
        for shown, real in self.files.items():
            if real.name == name and real.parent == self.root:
                return shown
        return display_path(self.root / name, self.root.parent)

    def resolve(self, problems: list[Problem]) -> list[Problem]:
        """Findings with every pending location looked up (see locate.Locator)."""
        return self.locator.resolve(problems)

    def at_now(self, record: Loaded, *keys: Any, key: bool = False) -> Location:
        return self.locator.locate(record.path, record.keys + keys, key, now=True)

    def at(self, record: Loaded, *keys: Any, key: bool = False) -> Location:
        return self.locator.locate(record.path, record.keys + keys, key)


def _first_by_id(records: list[Loaded]) -> dict:
    index: dict = {}
    for record in records:
        index.setdefault(record.value.id, record)
    return index


def display_path(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _problem(path: str, code: str, message: str, hint: str = "", line: int = 1, column: int = 1) -> Problem:
    return finding(code, Location(path, line, column), message, hint)


def _kind_of(rel: tuple[str, ...]) -> str | None:
    """Which schema a file under matrix/ follows, from where it stands."""
    if len(rel) == 1:
        return {"matrix.yaml": "matrix", "organizations.yaml": "organizations", "areas.yaml": "areas"}.get(rel[0])
    if rel[0] == "activities" and len(rel) == 3:
        return "activity"
    if rel[0] == "updates" and len(rel) == 3:
        return "update"
    return None


# files a Matrix folder may hold for people, beside its records: never read, never a finding
_DOCUMENTS = frozenset({"README.md", "README", "README.txt", "LICENSE", "CODEOWNERS"})


def _folder_expected(rel: tuple[str, ...]) -> bool:
    """A folder the layout has: activities/, activities/<area>/, updates/, updates/<quarter>/."""
    if rel == ("analysis",):  # the focal points' analysis, read by the report
        return True
    if rel[0] not in ("activities", "updates") or len(rel) > 2:
        return False
    return len(rel) == 1 or not rel[1].endswith((".yaml", ".yml"))


def _odd_name(name: str) -> bool:
    """A name that is not UTF-8 (Python holds its bytes as lone surrogates) or holds a control
    character: no output format could name it faithfully, so uncoop does not read it."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return printable(name) != name


def _odd_name_problem(shown_dir: str, name: str) -> Problem:
    shown = printable(name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
    return _problem(
        f"{shown_dir}/{shown}",
        "unsafe-path",
        "this name is not UTF-8 text or holds a control character, so it is not read",
        "rename it with plain UTF-8 characters",
    )


def discover(root: Path, base: Path) -> tuple[list[tuple[str, Path, str]], list[Problem]]:
    """The YAML files of a matrix as (display path, real path, kind), refusing unsafe ones."""
    found: list[tuple[str, Path, str]] = []
    problems: list[Problem] = []
    real_root = root.resolve()
    root_text = str(root)
    for dirpath, dirnames, filenames in os.walk(root_text, followlinks=False):
        # string paths: this loop runs once per file, and pathlib objects cost more than the stat
        rel_dir = os.path.relpath(dirpath, root_text)
        rel_parts = () if rel_dir == "." else tuple(rel_dir.split(os.sep))
        shown_dir = display_path(Path(dirpath), base)
        dirnames.sort()
        for name in list(dirnames):
            if name.startswith("."):
                dirnames.remove(name)
            elif _odd_name(name):
                dirnames.remove(name)
                problems.append(_odd_name_problem(shown_dir, name))
            elif not _folder_expected(rel_parts + (name,)):
                dirnames.remove(name)
                problems.append(
                    _problem(
                        f"{shown_dir}/{name}",
                        "unknown-file",
                        "this folder is not part of the Matrix layout, so nothing in it is read",
                        "move its files where they belong (see README: The Matrix layout) or remove it",
                    )
                )
            elif os.path.islink(os.path.join(dirpath, name)):
                dirnames.remove(name)
                problems.append(
                    _problem(
                        f"{shown_dir}/{name}",
                        "unsafe-path",
                        "symlinked directory is not followed",
                        "replace the link with a real directory",
                    )
                )
        for name in sorted(filenames):
            if name.startswith(".") or (not rel_parts and name in _DOCUMENTS):
                continue
            if _odd_name(name):
                problems.append(_odd_name_problem(shown_dir, name))
                continue
            if rel_parts == ("analysis",) and name.endswith(".md"):
                continue
            if not name.endswith((".yaml", ".yml")):
                problems.append(
                    _problem(
                        f"{shown_dir}/{name}",
                        "unknown-file",
                        "uncoop does not read this file: it is not a YAML file of the Matrix layout",
                        "move it out of the Matrix folder, or rename it to .yaml if it is a record",
                    )
                )
                continue
            path = os.path.join(dirpath, name)
            shown = f"{shown_dir}/{name}"
            error = _unsafe(path, real_root)
            if error:
                problems.append(_problem(shown, "unsafe-path", error[0], error[1]))
                continue
            kind = _kind_of(rel_parts + (name,))
            if name.endswith(".yml"):
                problems.append(
                    _problem(shown, "unknown-file", "uncoop reads '.yaml' files only", f"rename it to {name[:-4]}.yaml")
                )
            elif kind is None:
                problems.append(
                    _problem(
                        shown,
                        "unknown-file",
                        "this file is not part of the Matrix layout",
                        "see README: matrix.yaml, organizations.yaml, areas.yaml, "
                        "activities/<area>/<ID>.yaml, updates/<YYYY>-Q<n>/<ORG>.yaml",
                    )
                )
            else:
                found.append((shown, Path(path), kind))
    return found, problems


def _unsafe(path: str, real_root: Path) -> tuple[str, str] | None:
    """Why a path may not be read, or None: links out of the tree, loops, FIFOs, huge files."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = Path(path).resolve(strict=True)
            if not target.is_relative_to(real_root):
                return "symlink leads outside the matrix directory", "copy the file in instead"
            info = os.stat(path)
    except (OSError, RuntimeError) as exc:
        return f"cannot follow this path ({getattr(exc, 'strerror', None) or exc})", "fix or remove the link"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (FIFO, device or socket)", "remove it from the matrix directory"
    if info.st_size > MAX_BYTES:
        return (
            f"file is {info.st_size:,} bytes, over the {MAX_BYTES:,}-byte limit",
            "a Matrix record is a few KB; split or trim the file",
        )
    return None


def load(
    root: Path,
    base: Path | None = None,
    cache: RecordCache | ShardedCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Matrix, list[Problem]]:
    """Read a whole matrix directory.  `base` is what display paths are relative to.

    With a `cache`, a file whose bytes are unchanged is not parsed or validated
    again; its record and problems come from the cache (keyed by content hash).
    `progress(done, total)` is called every few files, for a progress bar.
    """
    root = Path(root).absolute()
    base = Path(base).absolute() if base is not None else root.parent
    matrix = Matrix(root=root, cache=cache)
    found, problems = discover(root, base)
    # Records stay alive until the command ends: collecting them mid-load is wasted work.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        read = _read_all(matrix, found, cache, progress)
        if cache is not None:
            cache.release()  # every record is decoded: the cache file's bytes are not needed now
        for (shown, path, kind), (record, found_problems) in zip(found, read, strict=True):
            problems.extend(found_problems)
            if record is not None:
                _file(matrix, kind, record, shown)
            elif kind == "activity":
                matrix.unloaded_activities.add(path.stem)
    finally:
        if gc_was_enabled:
            gc.enable()
    if matrix.meta is None and not any(p.location.path.endswith("matrix.yaml") for p in problems):
        problems.append(
            _problem(
                display_path(root / "matrix.yaml", base),
                "missing-file",
                "matrix.yaml is missing",
                "every Matrix needs its matrix.yaml",
            )
        )
    return matrix, problems


def _read_all(
    matrix: Matrix,
    found: list[tuple[str, Path, str]],
    cache: RecordCache | ShardedCache | None,
    progress: Callable[[int, int], None] | None,
) -> list[tuple[Any, list]]:
    """(record, problems) of every file, in order: from the cache where its bytes are unchanged,
    else parsed and validated: at once in one process, or, with many files and several cores,
    afterwards by workers (`pool`), which read the files themselves."""
    from .store import MIN_FILES, workers

    parallel = workers(len(found)) > 1
    out: list[tuple[Any, list] | None] = []
    later: list[tuple[int, tuple | None]] = []  # files for the workers: index, cache key
    for done, (shown, path, kind) in enumerate(found):
        if progress is not None and done % 64 == 0:
            progress(done, len(found))
        matrix.files[shown] = path
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.append(_unreadable(shown, exc))
            continue
        key = None
        if cache is not None:
            key = cache.key(shown, kind, data)
            remember(matrix.locator, shown, key)
            hit = cache.get(key)
            if hit is not None:
                out.append((hit.record, hit.problems))
                continue
        if parallel:
            later.append((len(out), key))
            out.append(None)
        else:
            out.append(_parse(shown, data, kind, key, cache))
    if later:
        _read_later(matrix, found, later, out, len(later) >= MIN_FILES)
    return [item for item in out if item is not None]


def _unreadable(shown: str, exc: OSError) -> tuple[None, list[Problem]]:
    return None, [_problem(shown, "unreadable", f"cannot read the file: {exc.strerror}")]


def _parse(
    shown: str, data: bytes, kind: str, key: tuple | None, cache: RecordCache | ShardedCache | None
) -> tuple[Any, list]:
    from .parse import parse_record  # YAML and Pydantic: only when a file is read afresh

    record, problems, _ = parse_record(shown, data, kind)
    if cache is not None and key is not None:
        cache.put(key, record, problems)
    return record, problems


def _read_later(matrix: Matrix, found: list, later: list[tuple[int, tuple | None]], out: list, fork: bool) -> None:
    """The files left for the workers; what they did not send back, or read in another state
    than the one the cache key was made from, is read here."""
    from .store import read_many, workers

    cache = matrix.cache
    jobs = [found[index] for index, _ in later]
    done = read_many(jobs, workers(len(jobs))) if fork else {}
    for i, (index, key) in enumerate(later):
        shown, path, kind = jobs[i]
        result = done.get(i)
        if result is not None and (key is None or key[2] == result[0]):
            out[index] = result[1:]
            if cache is not None and key is not None:
                cache.put(key, *result[1:])
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            out[index] = _unreadable(shown, exc)
            continue
        key = cache.key(shown, kind, data) if cache is not None else None
        if key is not None:
            remember(matrix.locator, shown, key)  # the bytes now read are the ones to locate in
        out[index] = _parse(shown, data, kind, key, cache)


def _file(matrix: Matrix, kind: str, record: Any, shown: str) -> None:
    if kind == "activity":
        matrix.activities.append(Loaded(record, shown))
    elif kind == "update":
        matrix.updates.append(Loaded(record, shown))
    elif kind == "matrix":
        matrix.meta = Loaded(record, shown)
    else:
        key = LIST_FILES[kind][0]
        getattr(matrix, key).extend(Loaded(value, shown, (key, i)) for i, value in record if value is not None)


def find_matrix(start: Path) -> Path | None:
    """The nearest `matrix/` holding a matrix.yaml, from `start` upward."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if folder.name == "matrix" and (folder / "matrix.yaml").is_file():
            return folder
        candidate = folder / "matrix"
        if (candidate / "matrix.yaml").is_file():
            return candidate
    return None
