"""Validity checks across records: identity, references and dates.

Each check is a small generator of `Problem`s registered in `CHECKS`.  They
read the loaded `Matrix` and never raise for user data; `today` comes in
from the caller (the CLI decides it once).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from .catalogue import RULES, effective
from .dates import Quarter
from .i18n import N_
from .load import Loaded, Matrix
from .owing import over_budget
from .problem import Location, Problem, dotted
from .rules import finding, weakens_nothing
from .vocab import ENDED


@dataclass(frozen=True)
class Context:
    matrix: Matrix
    today: date
    require_langs: tuple[str, ...] = ()


Check = Callable[[Context], Iterator[Problem]]
CHECKS: list[Check] = []


def register(check: Check) -> Check:
    CHECKS.append(check)
    return check


def suggest(name: str, known: Iterable[str]) -> str:
    """A did-you-mean hint, matching case-insensitively."""
    by_fold = {k.casefold(): k for k in sorted(known)}
    cutoff = 0.5 if len(name) <= 3 else 0.6  # one wrong character in "M1" is already 50%
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=cutoff)
    return f"did you mean '{by_fold[close[0]]}'?" if close else ""


_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "_": "-", "2": "z"})


def skeleton(ident: str) -> str:
    """What an id looks like to a reader: case, width and O/0, l/1/I folded away."""
    return unicodedata.normalize("NFKC", ident).casefold().translate(_LOOKALIKE)


def _identity(records: list[Loaded], what: str, ctx: Context) -> Iterator[Problem]:
    seen: dict[str, Loaded] = {}
    shapes: dict[str, Loaded] = {}
    for record in records:
        ident = record.value.id
        first = seen.get(ident)
        if first is not None:
            yield finding(
                "duplicate-id",
                ctx.matrix.at(record, "id"),
                f"{what} id '{ident}' is already used at {ctx.matrix.at_now(first, 'id')}",
            )
            continue
        seen[ident] = record
        twin = shapes.setdefault(skeleton(ident), record)
        if twin is not record:
            yield finding(
                "lookalike-id",
                ctx.matrix.at(record, "id"),
                f"{what} id '{ident}' looks like '{twin.value.id}' at {ctx.matrix.at_now(twin, 'id')}",
                "ids must be told apart at a glance; rename one",
            )


@register
def unique_ids(ctx: Context) -> Iterator[Problem]:
    """Ids are unique per kind and unmistakable.

    `HUM-01` twice -> duplicate-id; `OCHA` beside `0CHA` -> lookalike-id.
    """
    m = ctx.matrix
    yield from _identity(m.organizations, "organization", ctx)
    yield from _identity(m.areas, "area", ctx)
    yield from _identity(m.activities, "activity", ctx)
    codes: dict[str, Loaded] = {}
    for area in m.areas:
        first = codes.setdefault(area.value.code, area)
        if first is not area:
            yield finding(
                "duplicate-id",
                m.at(area, "code"),
                f"area code '{area.value.code}' is already used by area '{first.value.id}'",
            )


@register
def unique_parts(ctx: Context) -> Iterator[Problem]:
    """Milestones, deliverables and indicators are unique within their activity;
    an update reports on each activity once.

    Two milestones `M1` in HUM-01 -> duplicate-id.
    """
    for record in ctx.matrix.activities:
        for part in ("milestones", "deliverables", "indicators"):
            seen: set[str] = set()
            for i, item in enumerate(getattr(record.value, part)):
                if item.id in seen:
                    yield finding(
                        "duplicate-id",
                        ctx.matrix.at(record, part, i, "id"),
                        f"{part[:-1]} id '{item.id}' appears twice in {record.value.id}",
                    )
                seen.add(item.id)
    for update in ctx.matrix.updates:
        seen = set()
        for i, entry in enumerate(update.value.entries):
            if entry.activity in seen:
                yield finding(
                    "duplicate-id",
                    ctx.matrix.at(update, "entries", i, "activity"),
                    f"activity {entry.activity} has two entries in this update",
                    "merge them into one entry",
                )
            seen.add(entry.activity)


@register
def names_match_files(ctx: Context) -> Iterator[Problem]:
    """File and folder names agree with what the file says.

    `activities/hum/HUM-02.yaml` holding `id: HUM-01` -> id-mismatch.
    """
    m = ctx.matrix
    codes = {a.value.id: a.value.code for a in m.areas}
    for record in m.activities:
        path, act = PurePosixPath(record.path), record.value
        if path.stem != act.id:
            yield finding(
                "id-mismatch",
                m.at(record, "id"),
                f"activity id '{act.id}' differs from its file name '{path.name}'",
                f"rename the file to {act.id}.yaml or fix the id",
            )
        if path.parent.name != act.area:
            yield finding(
                "id-mismatch",
                m.at(record, "area"),
                f"activity of area '{act.area}' is filed under '{path.parent.name}/'",
                f"move it to activities/{act.area}/",
            )
        code = codes.get(act.area)
        if code and not act.id.startswith(code + "-"):
            yield finding(
                "id-mismatch", m.at(record, "id"), f"activity id '{act.id}' does not start with its area code '{code}-'"
            )
    for filed in m.updates:
        path, update = PurePosixPath(filed.path), filed.value
        if path.stem != update.organization:
            yield finding(
                "id-mismatch",
                m.at(filed, "organization"),
                f"update of '{update.organization}' is filed as '{path.name}'",
                f"rename the file to {update.organization}.yaml",
            )
        if path.parent.name != str(update.period):
            yield finding(
                "id-mismatch",
                m.at(filed, "period"),
                f"update for {update.period} is filed under '{path.parent.name}/'",
                f"move it to updates/{update.period}/",
            )


def _org_refs(ctx: Context) -> Iterator[tuple[Loaded, tuple, str, str | None]]:
    """Every place an organization is named: (record, key path, id, side it must be on)."""
    m = ctx.matrix
    if m.meta:
        for side in ("un", "oic"):
            point = getattr(m.meta.value.focal_points, side)
            yield m.meta, ("focal_points", side, "organization"), point.organization, side
    for org in m.organizations:
        if org.value.parent:
            yield org, ("parent",), org.value.parent, None
        if org.value.reported_by:
            yield org, ("reported_by",), org.value.reported_by, org.value.side
    for record in m.activities:
        act = record.value
        for side in ("un", "oic"):
            for i, ident in enumerate(getattr(act.leads, side)):
                yield record, ("leads", side, i), ident, side
        for i, ident in enumerate(act.partners):
            yield record, ("partners", i), ident, None
        for i, fund in enumerate(act.funding):
            yield record, ("funding", i, "funder"), fund.funder, None
    for filed in m.updates:
        yield filed, ("organization",), filed.value.organization, None


@register
def organizations_exist(ctx: Context) -> Iterator[Problem]:
    """Every organization named is in organizations.yaml, on the right side.

    `leads: {un: [OCAH]}` -> unknown-organization (did you mean 'OCHA'?);
    `leads: {un: [IDB]}` -> wrong-side.
    """
    known = ctx.matrix.org_by_id
    for record, keys, ident, side in _org_refs(ctx):
        org = known.get(ident)
        if org is None:
            yield finding(
                "unknown-organization",
                ctx.matrix.at(record, *keys),
                f"organization '{ident}' is not in organizations.yaml",
                suggest(ident, known),
            )
        elif side and org.value.side != side:
            yield finding(
                "wrong-side",
                ctx.matrix.at(record, *keys),
                f"'{ident}' is on the {org.value.side.upper()} side but listed under {side}",
                f"move it to the {org.value.side} list",
            )


@register
def areas_exist(ctx: Context) -> Iterator[Problem]:
    """Every activity's area is in areas.yaml.

    `area: humanitrian` -> unknown-area (did you mean 'humanitarian'?).
    """
    known = ctx.matrix.area_by_id
    for record in ctx.matrix.activities:
        if record.value.area not in known:
            yield finding(
                "unknown-area",
                ctx.matrix.at(record, "area"),
                f"area '{record.value.area}' is not in areas.yaml",
                suggest(record.value.area, known),
            )


@register
def update_references(ctx: Context) -> Iterator[Problem]:
    """Update entries name real activities, milestones and indicators.

    `activity: HUM-99` -> unknown-activity; `milestones_done: {M9: ...}` -> unknown-milestone.
    """
    m = ctx.matrix
    parts: dict[str, tuple[set, set, set]] = {}  # per activity, computed once: ids and who may report
    for record in m.updates:
        org = record.value.organization
        for i, entry in enumerate(record.value.entries):
            act_record = m.activity_by_id.get(entry.activity)
            if act_record is None:
                if entry.activity not in m.unloaded_activities:
                    yield finding(
                        "unknown-activity",
                        m.at(record, "entries", i, "activity"),
                        f"activity '{entry.activity}' does not exist",
                        suggest(entry.activity, m.activity_by_id),
                    )
                continue
            act = act_record.value
            known = parts.get(act.id)
            if known is None:
                known = parts[act.id] = (
                    {x.id for x in act.milestones},
                    {x.id for x in act.indicators},
                    set(act.leads.un + act.leads.oic + act.partners),
                )
            if org not in known[2]:
                yield finding(
                    "not-involved",
                    m.at(record, "entries", i, "activity"),
                    f"{org} neither leads nor partners {act.id}",
                    "add it as a partner in the activity, or drop the entry",
                )
            if entry.milestones_done:
                yield from _parts(ctx, record, i, "milestones_done", entry.milestones_done, known[0], act.id)
            if entry.indicators:
                yield from _parts(ctx, record, i, "indicators", entry.indicators, known[1], act.id)
                yield from _negative_reported(ctx, record, i, entry.indicators, act)


def _negative_reported(ctx: Context, record: Loaded, i: int, reported: dict, act: Any) -> Iterator[Problem]:
    allowed = {x.id for x in act.indicators if x.allow_negative}
    for ident, value in reported.items():
        if value < 0 and ident not in allowed and any(x.id == ident for x in act.indicators):
            yield finding(
                "negative-value",
                ctx.matrix.at(record, "entries", i, "indicators", ident),
                N_("%(id)s indicator %(indicator)s reported as %(value)s, below zero"),
                f"report a value of 0 or more, or add `allow_negative: true` to {ident} in {act.id}",
                id=act.id,
                indicator=ident,
                value=f"{value:g}",
            )


NEGATIVE_PLAN = {
    "baseline": N_("%(id)s indicator %(indicator)s has baseline %(value)s, below zero"),
    "target": N_("%(id)s indicator %(indicator)s has target %(value)s, below zero"),
}


@register
def indicator_values(ctx: Context) -> Iterator[Problem]:
    """An indicator's baseline and target are not negative unless it says `allow_negative: true`.

    `target: -4` on an indicator counting workshops -> negative-value.
    """
    m = ctx.matrix
    for record in m.activities:
        for n, ind in enumerate(record.value.indicators):
            for name in ("baseline", "target"):
                value = getattr(ind, name)
                if value < 0 and not ind.allow_negative:
                    yield finding(
                        "negative-value",
                        m.at(record, "indicators", n, name),
                        NEGATIVE_PLAN[name],
                        "write 0 or more, or add `allow_negative: true` if the measure can fall below zero",
                        id=record.value.id,
                        indicator=ind.id,
                        value=f"{value:g}",
                    )


def _parts(ctx: Context, record: Loaded, i: int, field: str, reported: dict, names: set, act_id: str):
    kind = "milestone" if field == "milestones_done" else "indicator"
    for ident in reported:
        if ident not in names:
            yield finding(
                f"unknown-{kind}",
                ctx.matrix.at(record, "entries", i, field, ident, key=True),
                f"{act_id} has no {kind} '{ident}'",
                suggest(ident, names),
            )


@register
def activity_dates(ctx: Context) -> Iterator[Problem]:
    """Ends follow starts; milestones fall inside the activity; nothing actual lies in the future.

    `planned_start: 2015-06, planned_end: 2015-01` -> date-order.
    """
    m = ctx.matrix
    for record in m.activities:
        d = record.value.dates
        for first, last in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            start, end = getattr(d, first), getattr(d, last)
            if start and end and end.end < start.start:
                yield finding("date-order", m.at(record, "dates", last), f"{last} {end} is before {first} {start}")
        for name in ("actual_start", "actual_end"):
            value = getattr(d, name)
            if value and value.start > ctx.today:
                yield finding(
                    "future-date",
                    m.at(record, "dates", name),
                    f"{name} {value} is after {ctx.today.isoformat()}",
                    "actual dates record what has happened; use planned_* for the future",
                )
        for i, milestone in enumerate(record.value.milestones):
            if milestone.due.end < d.planned_start.start or milestone.due.start > d.planned_end.end:
                yield finding(
                    "milestone-outside",
                    m.at(record, "milestones", i, "due"),
                    f"milestone {milestone.id} is due {milestone.due}, outside {d.planned_start}..{d.planned_end}",
                )


MAX_PERIOD_YEARS = 50  # "a few decades": keeps every grid and timeline of a valid Matrix small


@register
def carried_over(ctx: Context) -> Iterator[Problem]:
    """An entry marked `carried_over_from: QUARTER` repeats a report of that earlier quarter: one
    on the activity that gives the same status and progress.

    `carried_over_from: 2014-Q3` with progress 60 where 2014-Q3 said 10 -> stale-carry-over.
    """
    m = ctx.matrix
    said: dict[tuple[str, str], set[tuple[str, float]]] = {}
    for record in m.updates:
        for entry in record.value.entries:
            said.setdefault((entry.activity, str(record.value.period)), set()).add((entry.status, entry.progress))
    for record in m.updates:
        for i, entry in enumerate(record.value.entries):
            source = entry.carried_over_from
            if source is None:
                continue
            if source >= record.value.period:
                why = (
                    f"{entry.activity} is marked carried over from {source}, not a quarter before {record.value.period}"
                )
            elif (entry.status, entry.progress) not in said.get((entry.activity, str(source)), set()):
                why = (
                    f"{entry.activity} is marked carried over from {source}, but no {source} report on it "
                    f"gives {entry.status} {entry.progress:g}%"
                )
            else:
                continue
            yield finding(
                "stale-carry-over",
                m.at(record, "entries", i, "carried_over_from"),
                why,
                "remove carried_over_from: the values are this quarter's own; or give the values it repeats",
            )


@register
def matrix_format(ctx: Context) -> Iterator[Problem]:
    """matrix.yaml's `format` is one this uncoop reads.

    `format: 2` -> invalid-value (written for a later uncoop).
    """
    from .records import MATRIX_FORMAT

    m = ctx.matrix
    if m.meta is not None and m.meta.value.format > MATRIX_FORMAT:
        yield finding(
            "invalid-value",
            m.at(m.meta, "format"),
            f"the Matrix is in format {m.meta.value.format}; this uncoop reads format {MATRIX_FORMAT}",
            "upgrade uncoop to a version that reads it: pip install -U uncoop",
        )


@register
def matrix_period(ctx: Context) -> Iterator[Problem]:
    """The Matrix period is bounded and reporting starts inside it.

    `period: {start: 1900-01-01, end: 2199-12-31}` -> period-too-long.
    """
    m = ctx.matrix
    if m.meta is None:
        return
    meta = m.meta.value
    years = (meta.period.end - meta.period.start).days / 365.25
    if years > MAX_PERIOD_YEARS:
        yield finding(
            "period-too-long",
            m.at(m.meta, "period", "end"),
            f"the Matrix period {meta.period.start}..{meta.period.end} spans {years:.0f} years, "
            f"over {MAX_PERIOD_YEARS}",
            "a Matrix covers a biennium or a few; split longer plans",
        )
    first = meta.reporting.first_period
    if first.end < meta.period.start or first.start > meta.period.end:
        yield finding(
            "period-too-long",
            m.at(m.meta, "reporting", "first_period"),
            f"first_period {first} is outside the Matrix period {meta.period.start}..{meta.period.end}",
        )


@register
def reporting_budget(ctx: Context) -> Iterator[Problem]:
    """The reporting grid (institutions x quarters) stays within uncoop's budget.

    8,000 institutions over 50 quarters -> too-many-reports, instead of minutes and gigabytes.
    """
    m = ctx.matrix
    too_big = over_budget(m)
    if too_big and m.meta is not None:
        yield finding(
            "too-many-reports",
            m.at(m.meta, "period", "end"),
            too_big,
            "list only the institutions that report (organizations.yaml), or split the period into shorter Matrices",
        )


@register
def update_dates(ctx: Context) -> Iterator[Problem]:
    """Updates fall inside the Matrix period, after their quarter, and not in the future.

    An update for 2015-Q1 submitted on 2015-03-15 -> early-submission.
    """
    m = ctx.matrix
    span = m.meta.value.period if m.meta else None
    for record in m.updates:
        update = record.value
        period: Quarter = update.period
        if span and (period.end < span.start or period.start > span.end):
            yield finding(
                "period-outside",
                m.at(record, "period"),
                f"{period} is outside the Matrix period {span.start}..{span.end}",
            )
        if period.end >= ctx.today:
            yield finding(
                "future-update",
                m.at(record, "period"),
                f"{period} has not ended on {ctx.today.isoformat()}",
                "report a quarter once it is over",
            )
        elif update.submitted > ctx.today:
            yield finding(
                "future-date",
                m.at(record, "submitted"),
                f"submitted {update.submitted} is after {ctx.today.isoformat()}",
            )
        if update.submitted <= period.end:
            yield finding(
                "early-submission",
                m.at(record, "submitted"),
                f"submitted {update.submitted}, before {period} ended on {period.end}",
            )
        for i, entry in enumerate(update.entries):
            for ident, done in entry.milestones_done.items():
                if done > update.submitted:
                    yield finding(
                        "future-date",
                        m.at(record, "entries", i, "milestones_done", ident),
                        f"milestone {ident} done {done}, after the report was submitted",
                    )


def _texts(value: object, keys: tuple) -> Iterator[tuple[tuple, str | dict[str, str]]]:
    """Every Text value inside a record, with its key path."""
    from .records import text_fields

    for name, nested in text_fields(type(value)):
        child = getattr(value, name)
        if child is None:
            continue
        if not nested:
            yield keys + (name,), child
        elif isinstance(child, list):
            for i, item in enumerate(child):
                yield from _texts(item, keys + (name, i))
        else:
            yield from _texts(child, keys + (name,))


@register
def translations_present(ctx: Context) -> Iterator[Problem]:
    """Every text has each required language (off unless asked for).

    With `--require-lang fr`: `title: Plan of Action` -> missing-translation (no 'fr').
    """
    required = ctx.require_langs or (ctx.matrix.meta.value.languages.required if ctx.matrix.meta else ())
    if not required:
        return
    m = ctx.matrix
    records: list[Loaded[Any]] = [*([m.meta] if m.meta else []), *m.organizations, *m.areas, *m.activities, *m.updates]
    for record in records:
        for keys, text in _texts(record.value, ()):
            present = {"en"} if isinstance(text, str) else set(text)
            missing = [lang for lang in required if lang not in present]
            if missing:
                yield finding(
                    "missing-translation",
                    m.at(record, *keys),
                    f"{dotted(keys)} has no {', '.join(missing)} text",
                    "write it as a map, e.g. {en: ..., " + ", ".join(f"{x}: ..." for x in missing) + "}",
                )


@register
def required_files(ctx: Context) -> Iterator[Problem]:
    """organizations.yaml and areas.yaml exist (matrix.yaml is checked while loading)."""
    m = ctx.matrix
    for name, records in (("organizations.yaml", m.organizations), ("areas.yaml", m.areas)):
        path = m.path_of(name)
        if not records and path not in m.files:
            yield finding("missing-file", Location(path), f"{name} is missing", "create it; see README")


@register
def funded_and_benchmarked(ctx: Context) -> Iterator[Problem]:
    """Activities that are not ended have a funding mechanism and an indicator (¶54; off by default).

    An activity in implementation with `funding: []` -> unfunded-activity; with no `indicators` ->
    no-indicators.
    """
    m = ctx.matrix
    for record in m.activities:
        act = record.value
        if act.status in ENDED:
            continue
        if not act.funding:
            yield finding(
                "unfunded-activity",
                m.at(record, "id"),
                f"{act.id} has no funding entry",
                "add funding: [{mechanism, funder, amount, currency, status}], even 'sought'",
            )
        if not act.indicators:
            yield finding(
                "no-indicators",
                m.at(record, "id"),
                f"{act.id} has no indicator",
                "add indicators: [{id, title, unit, baseline, target}]",
            )


@register
def provenance_marks(ctx: Context) -> Iterator[Problem]:
    """A field `field_provenance` marks inferred or illustrative is one the activity holds: a mark
    on nothing says something of data that is not there.

    `funding: illustrative` on an activity without funding -> stray-provenance.
    """
    m = ctx.matrix
    for record in m.activities:
        act = record.value
        for name in act.field_provenance:
            head, _, side = name.partition(".")
            if not (getattr(act.leads, side) if side else getattr(act, head)):
                yield finding(
                    "stray-provenance",
                    m.at(record, "field_provenance", name),
                    f"{act.id} marks {name} {act.field_provenance[name]}, but has no {name}",
                    f"drop `{name}` from field_provenance, or add the {name} it speaks of",
                )


@register
def known_rules(ctx: Context) -> Iterator[Problem]:
    """Codes named under `rules:` in matrix.yaml exist.

    `rules: {stail: off}` -> invalid-value (did you mean 'stale'?).
    """
    m = ctx.matrix
    if m.meta is None:
        return
    for code, level in m.meta.value.rules.items():
        if code not in RULES:
            hint = suggest(code, RULES)
            yield finding(
                "invalid-value",
                m.at(m.meta, "rules", code, key=True),
                f"rules: '{code}' is not a finding code",
                hint or "see `uncoop rules`",
            )
        elif not RULES[code].tunable and not weakens_nothing(RULES[code], level):
            yield finding(
                "invalid-value",
                m.at(m.meta, "rules", code),
                f"rules: '{code}' is a validity error; matrix.yaml cannot set it to {level} (it stays an error)",
                "only follow-up findings (plan, language, timeline) and warnings may be tuned; fix the data instead",
            )


def run_checks(
    matrix: Matrix, today: date, checks: Iterable[Check] = CHECKS, require_langs: tuple[str, ...] = ()
) -> list[Problem]:
    ctx = Context(matrix, today, tuple(require_langs))
    overrides = matrix.meta.value.rules if matrix.meta else {}
    return effective(matrix.resolve([problem for check in checks for problem in check(ctx)]), overrides)


def validate(
    root, today: date, base=None, cache=None, progress=None, require_langs: tuple[str, ...] = ()
) -> tuple[Matrix, list[Problem]]:
    """Load a matrix directory and run every validity check: the core of `uncoop validate`."""
    from .load import load

    matrix, problems = load(root, base, cache, progress)
    problems.extend(run_checks(matrix, today, require_langs=require_langs))
    return matrix, problems


class _Proposed:
    """A file not yet written, as the locator reads files: findings point into the bytes proposed."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read_bytes(self) -> bytes:
        return self.data


def check_edit(matrix: Matrix, shown: str, record: Any, data: bytes, today: date) -> list[Problem]:
    """The findings that a proposed update file would have once written: every check run on the
    Matrix with that one file replaced (`record` is its validated Update, `data` its bytes).
    `uncoop update` and `uncoop import` write nothing when one of these is an error."""
    from dataclasses import replace as copy

    files: dict[str, Any] = {**matrix.files, shown: _Proposed(data)}
    kept = [u for u in matrix.updates if u.path != shown]
    trial = copy(matrix, updates=[*kept, Loaded(record, shown)], files=files)
    ctx = Context(trial, today)
    mine = [p for check in CHECKS for p in check(ctx) if p.location.path == shown]
    overrides = trial.meta.value.rules if trial.meta else {}
    return effective(trial.resolve(mine), overrides)
