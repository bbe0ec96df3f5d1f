"""The one finding catalogue: every code uncoop can report, in the order it is listed.

The findings of `uncoop validate` (rules.CHECKS) and then the follow-up findings, each declared
in its module under followup/.  `--only`, the status summary, the terminal colours, the report's
figures and evidence gaps, `uncoop rules`, SARIF and the README table all read from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from . import followup
from .i18n import EN, Language
from .problem import Problem
from .rules import CHECKS, HEALTH_RULE_TEXT, LEVELS, Rule, weakens_nothing

RULES: dict[str, Rule] = {**CHECKS, **{rule.code: rule for rule in followup.RULES}}


def examples(code: str) -> tuple[followup.Example, ...]:
    """The examples that show `code` found and not found (they run as tests)."""
    return tuple(e for e in followup.EXAMPLES if e.rule.code == code)


def effective(problems: list[Problem], overrides: Mapping[str, str]) -> list[Problem]:
    """Findings as the Matrix configures them: `rules: {code: off|info|warning|error}` in
    matrix.yaml turns a code off, on, or changes its severity; the catalogue gives the default.
    An override that would weaken a rule that is not `tunable` has no effect (`check` says so).
    """
    out = []
    for problem in problems:
        rule = RULES.get(problem.code)
        level = overrides.get(problem.code) or ("off" if rule is not None and not rule.enabled else None)
        if level is not None and rule is not None and not rule.tunable and not weakens_nothing(rule, level):
            level = None
        if level == "off":
            continue
        if level is not None and LEVELS[level] != problem.severity:
            problem = replace(problem, severity=LEVELS[level])
        out.append(problem)
    return out


def groups() -> dict[str, tuple[str, ...]]:
    """The `--only` choices and the codes each selects, in catalogue order.

    >>> groups()["overdue"]
    ('overdue-activity', 'overdue-milestone')
    """
    out: dict[str, tuple[str, ...]] = {}
    for rule in RULES.values():
        if rule.group:
            out[rule.group] = (*out.get(rule.group, ()), rule.code)
    return out


def tally(rule: Rule, n: int, lang: Language = EN) -> str:
    """'1 report late', '3 reports late': the form `lang`'s plural rule picks (six in Arabic).

    >>> tally(RULES["late-report"], 1), tally(RULES["late-report"], 3), tally(RULES["stale"], 2)
    ('1 report late', '3 reports late', '2 stale')
    """
    one, many = rule.tally
    return lang.ngettext(one, many, n) % {"num": n}


def counted() -> list[Rule]:
    """The findings a status summary counts, in catalogue order."""
    return [rule for rule in RULES.values() if rule.tally]


def slipping() -> frozenset[str]:
    """Codes that mean an activity is not on time."""
    return frozenset(rule.code for rule in RULES.values() if rule.slipping)


# The findings that are evidence gaps, not risks to delivery: shown beside the rating (health.py)
EVIDENCE_CODES = tuple(rule.code for rule in RULES.values() if rule.gap)


def _health_rule() -> str:
    import textwrap

    codes = list(EVIDENCE_CODES)
    text = HEALTH_RULE_TEXT.format(gaps=", ".join(codes[:-1]) + " and " + codes[-1] if len(codes) > 1 else codes[0])
    return "\n".join(textwrap.wrap(" ".join(text.split()), 96)) + "\n"


# How health.py rates activities, areas and institutions, its evidence gaps read from the rules
HEALTH_RULE = _health_rule()
