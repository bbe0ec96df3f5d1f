"""What changed since the last general meeting (changes.*.j2)."""

from __future__ import annotations

from ..health import late_items
from ..i18n import (
    Language,
    localized,
    long_date,
    translations,
)
from ..timeline import Snapshot
from .view import Changes


def changes_since(then: Snapshot, now: Snapshot, lang: Language) -> Changes:
    """Activities started and closed, progress moved, milestones met and items fallen late
    between `then` and `now` (two snapshots of one Matrix)."""
    before = {s.activity.id: s for s in then.activities}
    was_late = {(i.state.activity.id, i.milestone.id if i.milestone else "") for i in late_items(then)}
    gettext = translations(lang).gettext
    changes = Changes(then.as_of, [], [], [], [], [])
    for s in now.activities:
        old, title = before.get(s.activity.id), localized(s.activity.title, lang)
        if old is None:
            continue
        began = s.activity.dates.actual_start
        if (old.status == "pipeline" and s.status not in ("pipeline", "cancelled")) or (
            began is not None and then.as_of < began.start <= now.as_of
        ):
            changes.started.append((s.activity.id, title))
        if not old.ended and s.status == "closed":
            changes.closed.append((s.activity.id, title))
        if (s.progress or 0) != (old.progress or 0):
            changes.progress.append((s.activity.id, title, f"{old.progress or 0:g}", f"{s.progress or 0:g}"))
        for m in s.activity.milestones:
            done = s.milestones_done.get(m.id)
            if done is not None and m.id not in old.milestones_done:
                changes.milestones.append((s.activity.id, localized(m.title, lang), done))
    for late in late_items(now):
        m = late.milestone
        if (late.state.activity.id, m.id if m else "") not in was_late:
            what = (
                gettext("milestone %(id)s: %(title)s") % {"id": m.id, "title": localized(m.title, lang)}
                if m
                else gettext("the activity's planned end")
            )
            changes.slipped.append((late.state.activity.id, what))
    changes.slipped.sort()
    return changes


def changes_sentence(c: Changes, lang: Language) -> str:
    """What changed, in one sentence of the executive summary (counts as figures after their
    label, so no noun has to agree with them)."""
    return translations(lang).gettext(
        "Since %(date)s: activities started, %(started)d; closed, %(closed)d; progress reported moved for"
        " %(moved)d; milestones met, %(met)d; items fallen late, %(late)d."
    ) % {
        "date": long_date(c.since, lang),
        "started": len(c.started),
        "closed": len(c.closed),
        "moved": len(c.progress),
        "met": len(c.milestones),
        "late": len(c.slipped),
    }
