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
    by path (`_example.update` writes a quarterly report); the examples run as tests, which
    first require the Matrix to validate with no finding at all, and `uncoop rules CODE` prints
    them.  Give each rule at least one example of each kind."""

    rule: Rule
    as_of: str
    said: str
    files: Mapping[str, str]
    finds: bool = True


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One rule module: `order` places its rows in the catalogue, and so in the `--only` groups,
    the summary counts and the findings' order (the modules use 10, 20, … 80 and 45: a new rule
    takes a free number where it belongs); `activity` checks one activity, `report` one
    institution's quarterly report (or its absence); `ended_too` runs `activity` on closed and
    cancelled activities as well."""

    order: int
    rules: tuple[Rule, ...]
    examples: tuple[Example, ...]
    activity: ActivityCheck | None = None
    report: ReportCheck | None = None
    ended_too: bool = False
