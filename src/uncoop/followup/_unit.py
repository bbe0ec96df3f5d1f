"""What a follow-up rule module declares: its catalogue rows, its check and its examples."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ..problem import Problem
from ..rules import Rule
from ..state import ActivityState, Filing, Judging, Reported

ActivityCheck = Callable[[Judging, ActivityState, list[Reported]], Iterator[Problem]]
ReportCheck = Callable[[Judging, Filing], Iterator[Problem]]


@dataclass(frozen=True, slots=True)
class Example:
    """A small Matrix, judged on `as_of`, in which the rule finds `rule`'s code or, with
    `finds=False`, does not.  `files` are YAML texts laid over the example Matrix (_example.py),
    by path; the examples run as tests and `uncoop rules CODE` prints them."""

    rule: Rule
    as_of: str
    said: str
    files: Mapping[str, str]
    finds: bool = True


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One rule module: `order` places its rows in the catalogue (and so the `--only` groups and
    the summary counts); `activity` checks one activity, `report` one institution's quarterly
    report; `ended_too` runs `activity` on closed and cancelled activities as well."""

    order: int
    rules: tuple[Rule, ...]
    examples: tuple[Example, ...]
    activity: ActivityCheck | None = None
    report: ReportCheck | None = None
    ended_too: bool = False
