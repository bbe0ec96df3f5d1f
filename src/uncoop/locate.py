"""Where in a file a finding points: line and column of a key path, found lazily.

Checks ask for locations as they go; parsing a file for positions is the slow part, so a
request that is not known yet gets a `Pending` location and waits in a queue.  `resolve`
then parses each file once for all its requests.  Answers are kept for the run and, with a
cache, for the next run (positions depend only on the file's bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .problem import Location, Problem

if TYPE_CHECKING:
    from .store import RecordCache, ShardedCache

Request = tuple[tuple, bool]  # (key path, want the key rather than the value)


@dataclass(frozen=True, slots=True, order=True)
class Pending(Location):
    """A location asked for but not yet looked up: it names its file only, never a made-up line."""

    ticket: int = 0

    def __str__(self) -> str:
        return self.path


@dataclass
class Locator:
    """Positions of key paths in the files of one Matrix, by display path."""

    files: dict[str, Path]
    cache: RecordCache | ShardedCache | None = None
    cache_keys: dict[str, tuple] = field(default_factory=dict)
    located: dict[str, dict[Request, tuple[int, int]]] = field(default_factory=dict)
    pending: list[tuple[str, Request]] = field(default_factory=list)

    def locate(self, path: str, keys: tuple = (), key: bool = False, now: bool = False) -> Location:
        """1-based line/column of a key path in a file, or a `Pending` one (see the module).
        `now=True` looks it up at once, for a location quoted inside a message."""
        known = self._known(path)
        wanted = (tuple(keys), key)
        found = known.get(wanted)
        if found is None:
            if not now:
                self.pending.append((path, wanted))
                return Pending(path, 0, 0, len(self.pending) - 1)
            found = known[wanted] = _positions(self._bytes(path)).find(wanted[0], want_key=key)
            self._touched(path)
        return Location(path, found[0] + 1, found[1] + 1)

    def resolve(self, problems: list[Problem]) -> list[Problem]:
        """Replace pending locations, parsing each file once for all its requests."""
        if not self.pending:
            return problems
        by_path: dict[str, list[Request]] = {}
        for path, wanted in self.pending:
            by_path.setdefault(path, []).append(wanted)
        for path, requests in by_path.items():
            known = self._known(path)
            missing = [w for w in requests if w not in known]
            if missing:
                positions = _positions(self._bytes(path))
                for wanted in missing:
                    known[wanted] = positions.find(wanted[0], want_key=wanted[1])
                self._touched(path)
        pending, self.pending = self.pending, []
        out = []
        for problem in problems:
            loc = problem.location
            if isinstance(loc, Pending):
                path, wanted = pending[loc.ticket]
                line, column = self.located[path][wanted]
                problem = replace(problem, location=Location(path, line + 1, column + 1))
            out.append(problem)
        return out

    def merged(self, other: Locator) -> Locator:
        """One locator for files from two Matrices (the plan of a commit, updates of today)."""
        return Locator({**self.files, **other.files}, located={**self.located, **other.located})

    def _known(self, path: str) -> dict[Request, tuple[int, int]]:
        known = self.located.get(path)
        if known is None:
            cache_key = self.cache_keys.get(path)
            cached = self.cache.positions(cache_key) if self.cache is not None and cache_key is not None else None
            known = cached if cached is not None else {}
            if cached is None and self.cache is not None and cache_key is not None:
                self.cache.keep_positions(cache_key, known)
            self.located[path] = known
        return known

    def _touched(self, path: str) -> None:
        key = self.cache_keys.get(path)
        if self.cache is not None and key is not None:
            self.cache.touch(key)

    def _bytes(self, path: str) -> bytes:
        real = self.files.get(path)
        try:
            return real.read_bytes() if real else b""
        except OSError:
            return b""


def remember(locator: Locator, shown: str, cache_key: Any) -> None:
    """The cache key of a file's bytes: its positions can come from the cache."""
    locator.cache_keys[shown] = cache_key


def _positions(data: bytes) -> Any:
    """Where every key path of a file is: parsing, so YAML is imported only when it is needed."""
    from . import yamlsrc

    return yamlsrc.positions(data)
