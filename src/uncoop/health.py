"""How each activity, area and institution is doing, in two dimensions kept apart.

*Delivery* (schedule, milestones, progress against elapsed time, reported status) is rated on
track / at risk / off track; *evidence gaps* (no indicator, no recent update, reports that
disagree, missing reports) are listed beside it and never change the rating: a gap in the plan
or the reporting is not a risk to delivery, and folding it in hid the real risks.  Everything is
read from the findings that survive `rules:`, so a finding switched off leaves no trace here.
The rule is `catalogue.HEALTH_RULE`; `uncoop rules` prints it and the README shows it (generated).
Reasons are values (a message marked for translation and its figures), so the report, the
terminal and JSON say them in their own language.  Derived only from the snapshot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .catalogue import EVIDENCE_CODES, HEALTH_RULE, RULES
from .followup.off_track import expected as expected_progress
from .i18n import EN, N_, NP_, Language
from .state import ActivityState
from .timeline import Snapshot

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
    plural: str = ""  # a counted message: its plural, the figure `n` picking the form

    def text(self, lang: Language | None = None) -> str:
        """In words of `lang`: the message translated (in the form its count takes), dates in
        words; without a language, English with dates as the Matrix writes them (`--format json`)."""
        values = {k: (lang.when(v) if lang and hasattr(v, "precision") else v) for k, v in self.figures}
        lang = lang or EN
        if self.plural:
            return lang.ngettext(self.message, self.plural, int(values["n"])) % values  # type: ignore[call-overload]
        return lang.gettext(self.message) % values


def counted(kind: str, singular: str, plural: str, figures: tuple[tuple[str, object], ...]) -> Reason:
    """A reason whose words agree with its figure `n` (one activity, five activities)."""
    return Reason(kind, singular, figures, plural)


@dataclass
class Health:
    rating: str  # on-track | at-risk | off-track: delivery only
    reasons: list[Reason] = field(default_factory=list)  # why the rating is what it is
    gaps: list[Reason] = field(default_factory=list)  # what the evidence lacks, beside the rating

    @property
    def symbol(self) -> str:
        return SYMBOL[self.rating]


def overdue(s: ActivityState) -> tuple[bool, set[str]]:
    """Whether the planned end, and which milestones, are overdue by the surviving findings."""
    end, milestones = False, set()
    for f in s.findings:
        if f.code == "overdue-activity":
            end = True
        elif f.code == "overdue-milestone" and f.key:
            milestones.add(f.key.split("/", 1)[1])
    return end, milestones


def of_activity(s: ActivityState, as_of) -> Health | None:
    """The activity's delivery rating with its reasons, and its evidence gaps; None when it is
    closed or cancelled."""
    if s.ended:
        return None
    codes = Counter(f.code for f in s.findings)
    act = s.activity
    severe, moderate = [], []
    end_overdue, late_ids = overdue(s)
    if end_overdue:
        end = act.dates.planned_end.end
        severe.append(
            Reason(
                "schedule",
                N_("past its planned end (%(date)s) by %(days)s days"),
                (("date", act.dates.planned_end), ("days", (as_of - end).days)),
            )
        )
    if codes["off-track"] and s.progress is not None:
        expected = expected_progress(s)
        severe.append(
            Reason(
                "progress",
                N_("%(progress)s%% done when %(expected)s%% of its time had passed"),
                (("progress", f"{s.progress:g}"), ("expected", f"{expected or 0:.0f}")),
            )
        )
    late = [m for m in act.milestones if m.id in late_ids]
    if late:
        moderate.append(
            counted(
                "milestones",
                *NP_("%(n)s milestone overdue, due %(date)s", "%(n)s milestones overdue, the first due %(date)s"),
                (("n", len(late)), ("date", min(late, key=lambda m: m.due.end).due)),
            )
        )
    if s.status == "pipeline" and act.dates.planned_start.end < as_of:
        moderate.append(
            Reason("status", N_("not started though planned to start %(date)s"), (("date", act.dates.planned_start),))
        )
    elif s.status == "suspended":
        moderate.append(Reason("status", N_("reported suspended")))
    rating = OFF_TRACK if severe else AT_RISK if moderate else ON_TRACK
    return Health(rating, severe + moderate, _gaps(s, codes))


def _gaps(s: ActivityState, codes: Counter) -> list[Reason]:
    gaps = []
    if not s.activity.indicators:
        gaps.append(Reason("indicators", N_("no indicator to measure it by")))
    # each gap once, in catalogue order, however many findings show it
    for text in dict.fromkeys(RULES[code].gap for code in EVIDENCE_CODES if codes[code]):
        gaps.append(Reason("reporting", text))
    return gaps


def of_group(ratings: list[Health], reports_missing: int = 0) -> Health:
    """An area's or an institution's rating from its activities' (and its missing reports)."""
    counts = Counter(h.rating for h in ratings)
    rated = len(ratings)
    reasons = []
    if counts[OFF_TRACK]:
        reasons.append(
            counted(
                "schedule",
                # English counts the activities by their total ("1 of 5 activities"), other languages by n
                *NP_("%(n)s of %(total)s activities off track", "%(n)s of %(total)s activities off track"),
                (("n", counts[OFF_TRACK]), ("total", rated)),
            )
        )
    if counts[AT_RISK]:
        reasons.append(
            counted(
                "progress",
                *NP_("%(n)s of %(total)s activities at risk", "%(n)s of %(total)s activities at risk"),
                (("n", counts[AT_RISK]), ("total", rated)),
            )
        )
    gaps = []
    if reports_missing:
        gaps.append(
            counted(
                "reporting",
                *NP_("%(n)s quarterly report missing", "%(n)s quarterly reports missing"),
                (("n", reports_missing),),
            )
        )
    if rated and counts[OFF_TRACK] * 3 > rated:
        rating = OFF_TRACK
    elif counts[OFF_TRACK] or (rated and counts[AT_RISK] * 3 > rated):
        rating = AT_RISK
    else:
        rating = ON_TRACK
    return Health(rating, reasons, gaps)


@dataclass
class HealthReport:
    activities: dict[str, Health]  # by activity id; ended activities absent
    areas: dict[str, Health]
    institutions: dict[str, Health]

    def counts(self) -> dict[str, int]:
        found = Counter(h.rating for h in self.activities.values())
        return {rating: found[rating] for rating in RATINGS}

    def gap_counts(self) -> dict[str, int]:
        """How many rated activities have each evidence gap, by its message."""
        found = Counter(g.message for h in self.activities.values() for g in h.gaps)
        return dict(sorted(found.items()))


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
    """Every planned end and milestone past due on open activities, most late first: those whose
    overdue finding survives `rules:` (an override leaves no trace in the lists either)."""
    items = []
    for s in snap.activities:
        if s.ended:
            continue
        end_overdue, late_ids = overdue(s)
        end = s.activity.dates.planned_end
        if end_overdue:
            items.append(Late(s, None, end, (snap.as_of - end.end).days))
        for m in s.activity.milestones:
            if m.id in late_ids:
                items.append(Late(s, m, m.due, (snap.as_of - m.due.end).days))
    return sorted(items, key=lambda i: (-i.days, i.state.activity.id, i.milestone.id if i.milestone else ""))
