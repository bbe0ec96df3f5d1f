"""What a finding code is (`Rule`), the one way a finding is made (`finding`), and the rows of
the findings of `uncoop validate`: reading, schema, identity, references, dates, budgets, plan
quality and languages.

The follow-up findings of `uncoop status` are declared with their checks and examples, one
module per rule, in followup/; `catalogue.py` joins both into the one catalogue that `--only`,
the summaries, the terminal, the report, `uncoop rules`, SARIF and the README read.

The codes are stable: CI configurations, SARIF fingerprints and people's habits
depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .problem import Location, Problem, Severity

E, W = Severity.ERROR, Severity.WARNING
FOLLOW_UP = frozenset({"plan", "language", "timeline"})  # the stages of findings a Matrix may tune


@dataclass(frozen=True, slots=True)
class Rule:
    """One finding code.

    >>> CHECKS["duplicate-id"].severity.label, CHECKS["duplicate-id"].tunable
    ('error', False)
    """

    code: str
    severity: Severity
    stage: str  # read | schema | identity | reference | date | budget | plan | language | timeline
    summary: str
    enabled: bool = True  # off by default: `rules: {code: warning}` in matrix.yaml turns it on
    group: str = ""  # the `uncoop status --only` choice that selects it
    label: str = ""  # a few words in one activity's findings cell
    tally: tuple[str, ...] = ()  # what the status summary counts: NP_("%(num)d report late", "... reports late")
    style: str = ""  # rich style of the label in the terminal
    slipping: bool = False  # counts against an activity being on time in the report
    gap: str = ""  # the evidence gap it shows beside an activity's rating (health.py), if it is one

    @property
    def tunable(self) -> bool:
        """Whether matrix.yaml may switch it off or lower it: follow-up findings and warnings
        may be tuned, a validity error (files, schema, ids, references, dates) may not, or a pull
        request could switch off the very errors it brings."""
        return self.severity is not E or self.stage in FOLLOW_UP


def timeline_rule(
    code: str,
    group: str,
    label: str,
    tally: tuple[str, str],
    style: str,
    summary: str,
    slipping: bool = False,
    gap: str = "",
) -> Rule:
    """A follow-up finding of `uncoop status` (declared in its module under followup/)."""
    return Rule(code, W, "timeline", summary, group=group, label=label, tally=tally, style=style, slipping=slipping,
                gap=gap)  # fmt: skip


# fmt: off
CHECKS: dict[str, Rule] = {r.code: r for r in (
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
         "an entry marked carried_over_from a quarter whose reports give another status or progress "
         "(or not an earlier quarter)"),
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
)}
# fmt: on

LEVELS = {"info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}


def weakens_nothing(rule: Rule, level: str) -> bool:
    """Whether `level` keeps `rule` at least as severe as the catalogue has it."""
    return level != "off" and LEVELS[level] >= rule.severity


def finding(
    rule: Rule | str, where: Location, message: str, hint: str = "", key: str = "", **figures: object
) -> Problem:
    """The one way a finding is made: with the rule's severity (matrix.yaml may change it later);
    a code names a row of CHECKS.  With `figures`, `message` is a template marked for translation
    (N_) filled with them.

    >>> finding("not-involved", Location("u.yaml", 3, 5), "not involved").severity.label
    'warning'
    >>> finding("not-involved", Location("u.yaml"), "%(org)s is not involved", org="IDB").message
    'IDB is not involved'
    """
    rule = CHECKS[rule] if isinstance(rule, str) else rule
    if not figures:
        return Problem(where, rule.severity, rule.code, message, hint, key)
    english = {k: str(v) if hasattr(v, "precision") or hasattr(v, "year") else v for k, v in figures.items()}
    return Problem(where, rule.severity, rule.code, message % english, hint, key, message, tuple(figures.items()))


# How `health.py` rates activities, areas and institutions; `catalogue.HEALTH_RULE` fills in the
# evidence gaps from the follow-up rules that declare one, and `uncoop rules` prints it.
HEALTH_RULE_TEXT = """\
Two dimensions, kept apart. Delivery: an activity is off track when it is past its planned end
and not closed, or when its reported progress trails the share of planned time elapsed by more
than off_track_points (judged only while it is reported in implementation: a pipeline activity
has no progress to judge, a suspended one is rated by its status); at risk when a milestone is
overdue, when it is still in the pipeline after its planned start, or when it is reported
suspended; otherwise on track. Evidence gaps, listed beside the rating and never changing it: no
indicator to measure it by (¶54), and the findings {gaps} (the codes' meanings are in the table
of findings); for an institution, its missing quarterly reports. Only findings left by
matrix.yaml's rules: count, in both. Closed and cancelled activities are not rated. An area, or
an institution by the activities it leads, is off track when more than a third of its rated
activities are; at risk when any is off track or more than a third are at risk; otherwise on
track. Each rating is shown with a symbol and words (✓ on track, ▲ at risk, ✗ off track), never
by colour alone, with its reasons and then its gaps.
"""
