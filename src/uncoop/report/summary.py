"""The executive summary: its figures and its sentences (summary.*.j2)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from ..i18n import (
    Language,
    long_date,
    number,
    translations,
)
from ..timeline import Snapshot
from ..vocab import FUNDING_STATUSES, STATUSES
from .view import SECURED, SLIPPING, Compliance, FundingTotal, Institution, LateItem, StatusCount, Summary


def document_symbol(as_of: date) -> str:
    """The report's document symbol: the joint body, the series (Progress and Evaluation Report)
    and the as-of date (year, then month and day, not an ISO date that right-to-left text could
    reorder), so two reports never share one: UN-OIC/PER/2016/0331."""
    return f"UN-OIC/PER/{as_of.year}/{as_of.month:02d}{as_of.day:02d}"


def summary_of(snap: Snapshot, lang: Language) -> Summary:
    states = snap.activities
    codes = Counter(f.code for f in snap.findings)
    due = [(s, m) for s in states for m in s.activity.milestones if m.due.end < snap.as_of]
    compliance = {
        side: compliance_of(Counter(c.state for row in snap.grid if row.side == side for c in row.cells if c.owed))
        for side in ("un", "oic")
    }
    by_role = {
        role: compliance_of(Counter(c.state for row in snap.grid for c in row.cells if c.role == role))
        for role in ("lead", "partner")
    }
    funding: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in states:
        for f in s.activity.funding:
            funding[f.currency][f.status] += f.amount
    by_status = Counter(s.status for s in states)
    return Summary(
        activities=len(states),
        by_status=[StatusCount(status, by_status[status]) for status in STATUSES if by_status[status]],
        overdue=codes["overdue-activity"],
        off_track=codes["off-track"],
        on_time=sum(1 for s in states if not s.ended and not any(f.code in SLIPPING for f in s.findings)),
        milestones_total=sum(len(s.activity.milestones) for s in states),
        milestones_due=len(due),
        milestones_met=sum(1 for s, m in due if m.id in s.milestones_done),
        compliance=compliance,
        funding=funding_totals(funding, lang),
        by_role=by_role,
    )


def compliance_of(cells: Counter[str]) -> Compliance:
    """On time, late, incomplete and missing apart, of the reports owed and past due."""
    filed = cells["submitted"] + cells["late"] + cells["incomplete"]
    owed = filed + cells["missing"]
    rate = round(100 * filed / owed) if owed else None
    return Compliance(owed, cells["submitted"], cells["late"], cells["missing"], rate, cells["incomplete"])


def funding_totals(sums: dict[str, defaultdict[str, float]], lang: Language) -> list[FundingTotal]:
    return [
        FundingTotal(
            currency=cur,
            sought=number(v["sought"], lang),
            pledged=number(v["pledged"], lang),
            committed=number(v["committed"], lang),
            disbursed=number(v["disbursed"], lang),
            secured=number(sum(v[k] for k in SECURED), lang),
            total=number(sum(v[k] for k in FUNDING_STATUSES), lang),
            gap=number(sum(v[k] for k in FUNDING_STATUSES) - sum(v[k] for k in SECURED), lang),
        )
        for cur, v in sorted(sums.items())
    ]


def summary_sentences(
    summary: Summary,
    counts: dict[str, int],
    late: list[LateItem],
    institutions: list[Institution],
    lang: Language,
    as_of: date,
) -> list[str]:
    """The executive summary as a few sentences, each of one fact the meeting needs: where the
    cooperation stands, milestones, who owes reports, what is late.  Counts agree with their
    nouns in every language (ngettext: CLDR plural forms, six in Arabic)."""
    t = translations(lang)
    by_status = dict(summary.by_status)
    closed = by_status.get("closed", 0)
    out = [
        t.ngettext(
            "The Matrix holds %(num)d joint activity: %(closed)d closed, %(on)d on track, %(risk)d at risk"
            " and %(off)d off track.",
            "The Matrix holds %(num)d joint activities: %(closed)d closed, %(on)d on track, %(risk)d at risk"
            " and %(off)d off track.",
            summary.activities,
        )
        % {
            "num": summary.activities,
            "closed": closed,
            "on": counts["on-track"],
            "risk": counts["at-risk"],
            "off": counts["off-track"],
        }
    ]
    if summary.milestones_due:
        out.append(
            t.ngettext(
                "%(met)d of the %(num)d milestone due by %(date)s was met.",
                "%(met)d of the %(num)d milestones due by %(date)s were met.",
                summary.milestones_due,
            )
            % {"met": summary.milestones_met, "num": summary.milestones_due, "date": long_date(as_of, lang)}
        )
    # by acronym, as written throughout and spelled out in the abbreviations; in Arabic, where most
    # acronyms are Latin letters, by name
    owing = [str(o.name) if lang.rtl else o.id for o in institutions if o.owes]
    if owing:
        out.append(
            t.ngettext(
                "%(num)d institution still owes quarterly reports: %(names)s.",
                "%(num)d institutions still owe quarterly reports: %(names)s.",
                len(owing),
            )
            % {"num": len(owing), "names": lang.list(owing) if lang.rtl else t.gettext(", ").join(owing)}
        )
    rates = {side: c.rate for side, c in summary.compliance.items() if c.rate is not None}
    if len(rates) == 2:
        out.append(t.gettext("The UN side submitted %(un)s%% of the reports it owed, the OIC side %(oic)s%%.") % rates)
    ends = sorted({i.activity for i in late if i.what == t.gettext("the activity's planned end")})
    if ends:
        worst = max((i for i in late if i.days is not None), key=lambda i: i.days or 0)
        days = worst.days or 0
        out.append(
            t.ngettext(
                "%(num)d activity is past its planned end and not closed; the most late item is %(id)s, %(delay)s.",
                "%(num)d activities are past their planned end and not closed; the most late item is %(id)s,"
                " %(delay)s.",
                len(ends),
            )
            % {
                "num": len(ends),
                "id": worst.activity,
                "delay": t.ngettext("%(num)d day late", "%(num)d days late", days) % {"num": days},
            }
        )
    return out
