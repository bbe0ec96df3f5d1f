"""How each activity, area and institution is doing, in three words and the reasons why.

The rule is `rules.HEALTH_RULE`; `uncoop rules` prints it and the README shows it (generated).
Reasons are values (a message marked for translation and its figures), so the report, the
terminal and JSON say them in their own language.  Derived only from the snapshot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .i18n import N_
from .rules import HEALTH_RULE
from .timeline import ActivityState, Snapshot

RULE = HEALTH_RULE  # spelt in the catalogue, which `uncoop rules` prints without importing this module

ON_TRACK, AT_RISK, OFF_TRACK = "on-track", "at-risk", "off-track"
RATINGS = (ON_TRACK, AT_RISK, OFF_TRACK)
# text and a symbol, never colour alone
SYMBOL = {ON_TRACK: "✓", AT_RISK: "▲", OFF_TRACK: "✗"}
WORDS = {ON_TRACK: N_("on track"), AT_RISK: N_("at risk"), OFF_TRACK: N_("off track")}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rating is what it is: a message (marked for translation) and its figures."""

    kind: str  # schedule | progress | milestones | reporting | indicators
    message: str
    figures: tuple[tuple[str, object], ...] = ()

    def text(self, gettext: Callable[[str], str] = lambda s: s, when: Callable[[Any], str] = str) -> str:
        """In words: `gettext` translates the message, `when` writes a date figure (a FlexDate)."""
        return gettext(self.message) % {k: (when(v) if hasattr(v, "precision") else v) for k, v in self.figures}


@dataclass
class Health:
    rating: str  # on-track | at-risk | off-track
    reasons: list[Reason] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return SYMBOL[self.rating]


def _expected(s: ActivityState) -> float | None:
    """The share of planned time elapsed at the end of the last reported quarter, in percent."""
    if s.latest is None:
        return None
    start, end = s.activity.dates.planned_start.start, s.activity.dates.planned_end.end
    at, span = s.latest.update.value.period.end, (end - start).days
    return None if span <= 0 or at <= start else min(100.0, 100.0 * (at - start).days / span)


def of_activity(s: ActivityState, as_of) -> Health | None:
    """The activity's rating and reasons; None when it is closed or cancelled."""
    if s.ended:
        return None
    codes = Counter(f.code for f in s.findings)
    act = s.activity
    severe, moderate = [], []
    if codes["overdue-activity"]:
        end = act.dates.planned_end.end
        severe.append(
            Reason(
                "schedule",
                N_("past its planned end (%(date)s) by %(days)s days"),
                (("date", act.dates.planned_end), ("days", (as_of - end).days)),
            )
        )
    if codes["off-track"] and s.progress is not None:
        expected = _expected(s)
        severe.append(
            Reason(
                "progress",
                N_("%(progress)s%% done when %(expected)s%% of its time had passed"),
                (("progress", f"{s.progress:g}"), ("expected", f"{expected or 0:.0f}")),
            )
        )
    late = [m for m in act.milestones if m.id not in s.milestones_done and m.due.end < as_of]
    if late:
        moderate.append(
            Reason(
                "milestones",
                N_("%(n)s milestone(s) overdue, the first due %(date)s"),
                (("n", len(late)), ("date", min(late, key=lambda m: m.due.end).due)),
            )
        )
    if codes["stale"]:
        moderate.append(Reason("reporting", N_("no recent update")))
    if codes["conflicting-reports"] or codes["progress-regression"]:
        moderate.append(Reason("reporting", N_("its reports disagree or its progress fell")))
    if not act.indicators:
        moderate.append(Reason("indicators", N_("no indicator to measure it by")))
    rating = OFF_TRACK if severe else AT_RISK if moderate else ON_TRACK
    return Health(rating, severe + moderate)


def of_group(ratings: list[Health], reports_missing: int = 0) -> Health:
    """An area's or an institution's rating from its activities' (and its missing reports)."""
    counts = Counter(h.rating for h in ratings)
    rated = len(ratings)
    reasons = []
    if counts[OFF_TRACK]:
        reasons.append(
            Reason(
                "schedule", N_("%(n)s of %(total)s activities off track"), (("n", counts[OFF_TRACK]), ("total", rated))
            )
        )
    if counts[AT_RISK]:
        reasons.append(
            Reason("progress", N_("%(n)s of %(total)s activities at risk"), (("n", counts[AT_RISK]), ("total", rated)))
        )
    if reports_missing:
        reasons.append(Reason("reporting", N_("%(n)s quarterly report(s) missing"), (("n", reports_missing),)))
    if rated and counts[OFF_TRACK] * 3 > rated:
        rating = OFF_TRACK
    elif counts[OFF_TRACK] or (rated and counts[AT_RISK] * 3 > rated) or reports_missing:
        rating = AT_RISK
    else:
        rating = ON_TRACK
    return Health(rating, reasons)


@dataclass
class HealthReport:
    activities: dict[str, Health]  # by activity id; ended activities absent
    areas: dict[str, Health]
    institutions: dict[str, Health]

    def counts(self) -> dict[str, int]:
        found = Counter(h.rating for h in self.activities.values())
        return {rating: found[rating] for rating in RATINGS}


def rate(snap: Snapshot, areas: list[str]) -> HealthReport:
    """Every rating of a snapshot; `areas` gives the areas' order."""
    activities = {}
    for s in snap.activities:
        health = of_activity(s, snap.as_of)
        if health is not None:
            activities[s.activity.id] = health
    by_area: dict[str, list[Health]] = {}
    by_lead: dict[str, list[Health]] = {}
    for s in snap.activities:
        if s.activity.id in activities:
            by_area.setdefault(s.activity.area, []).append(activities[s.activity.id])
            for org in (*s.activity.leads.un, *s.activity.leads.oic):
                by_lead.setdefault(org, []).append(activities[s.activity.id])
    missing = Counter(row.organization for row in snap.grid for c in row.cells if c.state == "missing")
    orgs = sorted(set(by_lead) | set(missing))
    return HealthReport(
        activities,
        {a: of_group(by_area[a]) for a in areas if a in by_area},
        {org: of_group(by_lead.get(org, []), missing[org]) for org in orgs},
    )


@dataclass(frozen=True)
class Late:
    """One late thing: a planned end or a milestone past due, with its activity's leads."""

    state: ActivityState
    milestone: Any  # model.Milestone, or None for the planned end
    due: Any  # dates.FlexDate
    days: int

    @property
    def leads(self) -> tuple[str, ...]:
        return (*self.state.activity.leads.un, *self.state.activity.leads.oic)


def late_items(snap: Snapshot) -> list[Late]:
    """Every planned end and milestone past due on open activities, most late first."""
    items = []
    for s in snap.activities:
        if s.ended:
            continue
        end = s.activity.dates.planned_end
        if end.end < snap.as_of:
            items.append(Late(s, None, end, (snap.as_of - end.end).days))
        for m in s.activity.milestones:
            if m.id not in s.milestones_done and m.due.end < snap.as_of:
                items.append(Late(s, m, m.due, (snap.as_of - m.due.end).days))
    return sorted(items, key=lambda i: (-i.days, i.state.activity.id, i.milestone.id if i.milestone else ""))
