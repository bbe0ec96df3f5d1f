"""The finding catalogue: every code uncoop can report, and everything said about it.

The one place a finding is described: its severity, stage and meaning; for the
timeline findings also the `--only` group that selects it, the words a dashboard
shows and counts it by, and its terminal style.  `--only`, the status summary, the
terminal colours, the report's figures, `uncoop rules` and the README table are all
read from here, so a new finding is a line in this table plus the check that emits it.

The codes are stable: CI configurations, SARIF fingerprints and people's habits
depend on them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .i18n import N_
from .problem import Location, Problem, Severity

E, W = Severity.ERROR, Severity.WARNING
FOLLOW_UP = frozenset({"plan", "language", "timeline"})  # the stages of findings a Matrix may tune


@dataclass(frozen=True, slots=True)
class Rule:
    """One finding code.

    >>> RULES["late-report"].group, RULES["late-report"].label
    ('late', 'report late')
    """

    code: str
    severity: Severity
    stage: str  # read | schema | identity | reference | date | budget | plan | language | timeline
    summary: str
    enabled: bool = True  # off by default: `rules: {code: warning}` in matrix.yaml turns it on
    group: str = ""  # the `uncoop status --only` choice that selects it
    label: str = ""  # a few words in one activity's findings cell
    tally: str = ""  # what the status summary counts, as in "3 reports late"; "|" parts: one|many
    style: str = ""  # rich style of the label in the terminal
    slipping: bool = False  # counts against an activity being on time in the report

    @property
    def tunable(self) -> bool:
        """Whether matrix.yaml may switch it off or lower it: follow-up findings and warnings
        may be tuned, a validity error (files, schema, ids, references, dates) may not, or a pull
        request could switch off the very errors it brings."""
        return self.severity is not E or self.stage in FOLLOW_UP


def _timeline(code: str, group: str, label: str, tally: str, style: str, summary: str, slipping: bool = False) -> Rule:
    return Rule(code, W, "timeline", summary, group=group, label=label, tally=tally, style=style, slipping=slipping)


# fmt: off
RULES: dict[str, Rule] = {r.code: r for r in (
    # reading files
    Rule("unsafe-path", E, "read", "a symlink out of the matrix, a loop, a FIFO/device, or a file over 1 MiB"),
    Rule("unknown-file", E, "read", "a file or folder outside the Matrix layout (nothing in it is read)"),
    Rule("missing-file", E, "read", "matrix.yaml, organizations.yaml or areas.yaml is missing"),
    Rule("unreadable", E, "read", "the file could not be read"),
    Rule("invalid-utf8", E, "read", "the file is not UTF-8; the message names the byte"),
    Rule(
        "control-character",
        E,
        "read",
        "a control character, bidi control, noncharacter or lone surrogate in the text, "
        "or a line break in a one-line field",
    ),
    Rule("merge-conflict", E, "read", "an unresolved git merge-conflict marker, even inside a string"),
    Rule("yaml-syntax", E, "read", "the file is not valid YAML"),
    Rule("yaml-anchor", E, "read", "an anchor (&name); anchors and aliases can hide alias bombs"),
    Rule("yaml-alias", E, "read", "an alias (*name); write the value out in full"),
    Rule("yaml-tag", E, "read", "a tag such as !!python/object; plain YAML only"),
    Rule("yaml-too-deep", E, "read", "nesting deeper than any Matrix record needs"),
    Rule("yaml-complex-key", E, "read", "a key that is a list or mapping"),
    Rule("duplicate-key", E, "read", "the same key twice in one mapping (YAML would keep only the last)"),
    Rule("multiple-documents", E, "read", "more than one YAML document ('---') in a file"),
    Rule("empty-file", E, "read", "the file holds no data"),
    # schema
    Rule("unknown-field", E, "schema", "a field the schema does not know (often a typo)"),
    Rule("missing-field", E, "schema", "a required field is absent; points at the mapping lacking it"),
    Rule("wrong-type", E, "schema", "text where a number belongs, or the other way round"),
    Rule("invalid-value", E, "schema", "a value outside its enumeration or range"),
    Rule("invalid-date", E, "schema", "not a real calendar date, month or quarter"),
    Rule("invalid-id", E, "schema", "an id that does not follow its pattern (e.g. HUM-01, OCHA, M1)"),
    # identity
    Rule("duplicate-id", E, "identity", "two records of one kind share an id"),
    Rule("lookalike-id", E, "identity", "ids that differ only by case or look-alike characters (O/0, l/1)"),
    Rule("id-mismatch", E, "identity", "an id disagrees with its file or folder name, or its area code"),
    # references
    Rule("unknown-organization", E, "reference", "an organization id not in organizations.yaml"),
    Rule("unknown-area", E, "reference", "an area id not in areas.yaml"),
    Rule("unknown-activity", E, "reference", "an update entry for an activity that does not exist"),
    Rule("unknown-milestone", E, "reference", "milestones_done names a milestone the activity lacks"),
    Rule("unknown-indicator", E, "reference", "an update reports an indicator the activity lacks"),
    Rule("negative-value", E, "reference",
         "a negative indicator baseline, target or reported value; allowed only with `allow_negative: true`"),
    Rule("wrong-side", E, "reference", "a lead or focal point listed on the other side (un/oic)"),
    Rule("not-involved", W, "reference", "an update on an activity its organization neither leads nor partners"),
    Rule("stale-carry-over", W, "reference",
         "an entry marked carried_over_from a quarter whose reports give other values (or not an earlier quarter)"),
    # dates
    Rule("date-order", E, "date", "an end date before its start date"),
    Rule("milestone-outside", E, "date", "a milestone due outside the activity's planned dates"),
    Rule("period-outside", E, "date", "an update for a quarter outside the Matrix period"),
    Rule("period-too-long", E, "date", "a Matrix period over 50 years, or a first reporting quarter outside it"),
    Rule("early-submission", E, "date", "an update submitted before its quarter ended"),
    Rule("future-update", E, "date", "an update for a quarter that has not ended as of the run date"),
    Rule("future-date", E, "date", "an actual or completion date after the run date"),
    # budgets: a valid Matrix whose size would take minutes and gigabytes to follow up
    Rule("too-many-reports", E, "budget",
         "institutions x reporting quarters over 50,000: status, remind and the report would take minutes"),
    # plan quality (¶54 asks for funding mechanisms and benchmarks); off unless matrix.yaml turns them on
    Rule("unfunded-activity", W, "plan", "an active activity with no funding entry (¶54)", enabled=False),
    Rule("no-indicators", W, "plan", "an active activity with no indicator to benchmark it by (¶54)", enabled=False),
    Rule("stray-provenance", W, "plan", "`field_provenance` marks a field the activity does not hold"),
    # languages (only with --require-lang, or languages.required in matrix.yaml)
    Rule("missing-translation", W, "language", "a text lacks a language the Matrix requires"),
    # timeline (uncoop status): code, --only group, label, tally, terminal style, meaning
    _timeline("overdue-activity", "overdue", N_("overdue"), N_("overdue"), "bold red",
              "past its planned end and not closed or cancelled", slipping=True),
    _timeline("overdue-milestone", "overdue", N_("milestone overdue"), N_("milestone overdue|milestones overdue"),
              "red", "a milestone past its due date and not reported done", slipping=True),
    _timeline("due-soon", "due-soon", N_("due soon"), N_("due soon"), "cyan",
              "a milestone or planned end within the due-soon window"),
    _timeline("stale", "stale", N_("stale"), N_("stale"), "yellow", "an active activity with no update for stale_days"),
    _timeline("off-track", "off-track", N_("off track"), N_("off track"), "magenta",
              "reported progress trails the share of planned time elapsed by more than off_track_points",
              slipping=True),
    _timeline("missing-report", "missing", N_("report missing"), N_("report missing|reports missing"), "bold red",
              "a quarterly report owed and past due, not submitted"),
    _timeline("incomplete-report", "incomplete", N_("report incomplete"),
              N_("report incomplete|reports incomplete"), "yellow",
              "a quarterly report that leaves out an activity under way that the institution leads or partners"),
    _timeline("late-report", "late", N_("report late"), N_("report late|reports late"), "yellow",
              "a quarterly report submitted after its due date"),
    _timeline("conflicting-reports", "disputed", N_("reports disagree"), N_("conflicting report|conflicting reports"),
              "yellow", "two reports on one activity for one quarter disagree on status, or on progress by over "
              "conflict_points"),
    _timeline("progress-regression", "disputed", N_("progress fell"), N_("progress regression|progress regressions"),
              "yellow",
              "reported progress is lower than the activity's previous report, with no progress_note saying why"),
    _timeline("status-after-close", "disputed", N_("reopened"), N_("report after closure|reports after closure"),
              "yellow", "a report puts an activity back under way after an earlier quarter's report closed or "
              "cancelled it"),
    _timeline("closed-progress-fell", "disputed", N_("closed lower"),
              N_("closure below earlier progress|closures below earlier progress"), "yellow",
              "a report closes an activity at less progress than the previous quarter's report"),
)}
# fmt: on

LEVELS = {"info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}


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


def weakens_nothing(rule: Rule, level: str) -> bool:
    """Whether `level` keeps `rule` at least as severe as the catalogue has it."""
    return level != "off" and LEVELS[level] >= rule.severity


def finding(code: str, where: Location, message: str, hint: str = "", key: str = "", **figures: object) -> Problem:
    """The one way a finding is made: with the catalogue's severity (matrix.yaml may change it later).
    With `figures`, `message` is a template marked for translation (N_) filled with them.

    >>> finding("stale", Location("u.yaml", 3, 5), "no update").severity.label
    'warning'
    >>> finding("stale", Location("u.yaml"), "no update on %(id)s", id="HUM-01").message
    'no update on HUM-01'
    """
    if not figures:
        return Problem(where, RULES[code].severity, code, message, hint, key)
    english = {k: str(v) if hasattr(v, "precision") or hasattr(v, "year") else v for k, v in figures.items()}
    return Problem(where, RULES[code].severity, code, message % english, hint, key, message, tuple(figures.items()))


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


def tally(rule: Rule, n: int, gettext: Callable[[str], str] = lambda s: s) -> str:
    """'1 report late', '3 reports late'; `gettext` translates both forms at once ('one|many').

    >>> tally(RULES["late-report"], 1), tally(RULES["late-report"], 3), tally(RULES["stale"], 2)
    ('1 report late', '3 reports late', '2 stale')
    """
    one, _, many = gettext(rule.tally).partition("|")
    return f"{n} {one if n == 1 or not many else many}"


def counted() -> list[Rule]:
    """The findings a status summary counts, in catalogue order."""
    return [rule for rule in RULES.values() if rule.tally]


def slipping() -> frozenset[str]:
    """Codes that mean an activity is not on time."""
    return frozenset(rule.code for rule in RULES.values() if rule.slipping)


# The findings that are evidence gaps, not risks to delivery: shown beside the rating (health.py)
EVIDENCE_CODES = ("stale", "conflicting-reports", "progress-regression", "status-after-close", "closed-progress-fell")

# How `health.py` rates activities, areas and institutions; printed by `uncoop rules`.
HEALTH_RULE = """\
Two dimensions, kept apart. Delivery: an activity is off track when it is past its planned end
and not closed, or when its reported progress trails the share of planned time elapsed by more
than off_track_points (judged only while it is reported in implementation: a pipeline activity
has no progress to judge, a suspended one is rated by its status); at risk when a milestone is
overdue, when it is still in the pipeline after its planned start, or when it is reported
suspended; otherwise on track. Evidence gaps, listed beside the rating and never changing it:
no indicator to measure it by (¶54), no update for stale_days, reports that disagree, progress
that fell, a report after closure or a closure below earlier progress; for an institution, its
missing quarterly reports. Only findings left by matrix.yaml's rules: count, in both. Closed
and cancelled activities are not rated. An area, or an institution by the activities it leads,
is off track when more than a third of its rated activities are; at risk when any is off track
or more than a third are at risk; otherwise on track. Each rating is shown with a symbol and
words (✓ on track, ▲ at risk, ✗ off track), never by colour alone, with its reasons and then
its gaps.
"""
