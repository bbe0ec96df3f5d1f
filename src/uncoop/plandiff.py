"""What a change does to the plan: two loaded Matrices compared in the Matrix's own terms.

`plan_diff` says which activities were added or removed, which deadlines moved
and by how many days, which milestones were added, dropped or completed, which
statuses and leads changed, which updates were submitted, and which findings
appeared or disappeared.  `slippage` follows one activity's deadlines through
its git history.  Both are pure: the git reading happens in the caller.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .dates import FlexDate
from .i18n import EN, Language, localized
from .load import Matrix
from .markup import json_text, md_code, md_text
from .problem import Problem
from .timeline import Snapshot


@dataclass
class Move:
    activity: str
    what: str  # "planned_end", "milestone M2", ...
    old: str
    new: str
    days: int  # positive: later

    @property
    def direction(self) -> str:
        return "later" if self.days > 0 else "earlier" if self.days < 0 else "same day, new precision"


@dataclass
class PlanDiff:
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    milestones_added: list[str] = field(default_factory=list)
    milestones_dropped: list[str] = field(default_factory=list)
    milestones_completed: list[str] = field(default_factory=list)
    status_changes: list[tuple[str, str, str]] = field(default_factory=list)
    lead_changes: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)
    updates_submitted: list[tuple[str, str, str]] = field(default_factory=list)
    findings_new: list[Problem] = field(default_factory=list)
    findings_gone: list[Problem] = field(default_factory=list)
    # (side, path, errors) of files that did not load: never counted as removed or added
    unreadable: list[tuple[str, str, list[str]]] = field(default_factory=list)
    # (kind, old id, new id): a record that left under one id and came back, otherwise the same
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    # update files that did not load in base and do in head: what they report is not compared
    repaired: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not any(asdict(self).values())


def _move(activity: str, what: str, old: FlexDate, new: FlexDate) -> Move | None:
    if old.text == new.text:
        return None
    return Move(activity, what, old.text, new.text, (new.end - old.end).days)


def _activity_changes(diff: PlanDiff, old, new, orgs: dict[str, str]) -> None:
    ident = new.id
    for name in ("planned_start", "planned_end"):
        move = _move(ident, name, getattr(old.dates, name), getattr(new.dates, name))
        if move:
            diff.moves.append(move)
    old_ms = {m.id: m for m in old.milestones}
    new_ms = {m.id: m for m in new.milestones}
    diff.milestones_added += [f"{ident} {m}" for m in new_ms if m not in old_ms]
    diff.milestones_dropped += [f"{ident} {m}" for m in old_ms if m not in new_ms]
    for mid in new_ms.keys() & old_ms.keys():
        move = _move(ident, f"milestone {mid}", old_ms[mid].due, new_ms[mid].due)
        if move:
            diff.moves.append(move)
    if old.status != new.status:
        diff.status_changes.append((ident, old.status, new.status))
    for side in ("un", "oic"):
        before, after = [orgs.get(o, o) for o in getattr(old.leads, side)], getattr(new.leads, side)
        if before != after:
            diff.lead_changes.append(
                (ident, side, [o for o in after if o not in before], [o for o in before if o not in after])
            )


def _identity(problem: Problem) -> tuple:
    """A finding's identity across revisions: not its line, not a day count."""
    return (problem.code, problem.location.path, problem.key or problem.message)


def plan_diff(
    base: Matrix,
    head: Matrix,
    base_snap: Snapshot,
    head_snap: Snapshot,
    base_findings: list[Problem],
    head_findings: list[Problem],
    lang: Language = EN,
) -> PlanDiff:
    diff = PlanDiff()
    old_acts, new_acts = base.activity_by_id, head.activity_by_id
    broken = {"base": _unreadable(base_findings), "head": _unreadable(head_findings)}
    diff.unreadable = [(side, path, errors) for side in broken for path, errors in sorted(broken[side].items())]
    orgs = _renames(base.org_by_id, head.org_by_id, lambda o: _plain(o.name))
    acts = _renames(old_acts, new_acts, lambda a: _plain(a.title))
    diff.renamed = [("organization", a, b) for a, b in sorted(orgs.items())]
    diff.renamed += [("activity", a, b) for a, b in sorted(acts.items())]
    diff.added = [
        (i, str(localized(new_acts[i].value.title, lang)))
        for i in sorted(new_acts.keys() - old_acts.keys())
        if i not in base.unloaded_activities and i not in acts.values()
    ]
    diff.removed = [
        (i, str(localized(old_acts[i].value.title, lang)))
        for i in sorted(old_acts.keys() - new_acts.keys())
        if i not in head.unloaded_activities and i not in acts
    ]
    for old_id in sorted(old_acts):
        new_id = acts.get(old_id, old_id)
        if new_id in new_acts:
            _activity_changes(diff, old_acts[old_id].value, new_acts[new_id].value, orgs)
    repaired = [u for u in head.updates if u.path in broken["base"]]
    diff.repaired = sorted({u.path for u in repaired})
    unjudged = {e.activity for u in repaired for e in u.value.entries}
    _reported_changes(diff, base_snap, head_snap, acts, unjudged)
    old_updates = {(orgs.get(u.value.organization, u.value.organization), str(u.value.period)) for u in base.updates}
    diff.updates_submitted = sorted(
        (u.value.organization, str(u.value.period), u.value.submitted.isoformat())
        for u in head.updates
        if (u.value.organization, str(u.value.period)) not in old_updates and u.path not in broken["base"]
    )
    renaming = _renaming({**orgs, **acts})
    old_ids = {renaming(_identity(p)) for p in base_findings}
    new_ids = {_identity(p) for p in head_findings}
    diff.findings_new = [p for p in head_findings if _identity(p) not in old_ids]
    # with a file that does not load, HEAD cannot be judged: nothing counts as resolved
    if not broken["head"]:
        diff.findings_gone = [p for p in base_findings if renaming(_identity(p)) not in new_ids]
    return diff


def _reported_changes(
    diff: PlanDiff, base_snap: Snapshot, head_snap: Snapshot, acts: dict[str, str], unjudged: set[str]
) -> None:
    """Milestones completed and statuses changed by the reports; an activity reported on in a
    repaired file is not judged (its base could not be read, so nothing is new for sure)."""
    old_state = {acts.get(s.activity.id, s.activity.id): s for s in base_snap.activities}
    for state in head_snap.activities:
        if state.activity.id in unjudged:
            continue
        before = old_state.get(state.activity.id)
        done_before = before.milestones_done if before else {}
        diff.milestones_completed += [
            f"{state.activity.id} {m} on {d.isoformat()}"
            for m, d in sorted(state.milestones_done.items())
            if m not in done_before
        ]
        if before and before.status != state.status and before.activity.status == state.activity.status:
            diff.status_changes.append((state.activity.id, f"{before.status} (reported)", f"{state.status} (reported)"))


def _plain(text) -> str:
    return repr(sorted(text.items())) if isinstance(text, dict) else str(text)


def _renames(old: dict, new: dict, same) -> dict[str, str]:
    """old id -> new id for each record that only the one revision has under its id and that
    exactly one record of the other revision matches (`same`: its name or title)."""
    came: dict[str, list[str]] = {}
    for ident in sorted(new.keys() - old.keys()):
        came.setdefault(same(new[ident].value), []).append(ident)
    gone: dict[str, list[str]] = {}
    for ident in sorted(old.keys() - new.keys()):
        gone.setdefault(same(old[ident].value), []).append(ident)
    return {ids[0]: came[key][0] for key, ids in gone.items() if len(ids) == 1 and len(came.get(key, [])) == 1}


def _renaming(renames: dict[str, str]):
    """A finding identity of base written with head's ids (in its file's path and its words)."""
    if not renames:
        return lambda identity: identity
    pattern = re.compile(
        r"(?<![A-Za-z0-9-])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True))) + r")(?![A-Za-z0-9-])"
    )

    def renamed(identity: tuple) -> tuple:
        return tuple(pattern.sub(lambda m: renames[m.group()], v) if isinstance(v, str) else v for v in identity)

    return renamed


def _unreadable(findings: list[Problem]) -> dict[str, list[str]]:
    """Files whose own errors kept them from loading (reading or schema errors), by path."""
    from .catalogue import RULES

    found: dict[str, list[str]] = {}
    for p in findings:
        rule = RULES.get(p.code)
        if rule is not None and rule.stage in ("read", "schema") and p.severity.label == "error":
            found.setdefault(p.location.path, []).append(f"{p.location.line}:{p.location.column} {p.message}")
    return found


def _days(n: int) -> str:
    return f"{abs(n)} day{'' if abs(n) == 1 else 's'}"


def to_markdown(diff: PlanDiff, base: str, head: str) -> str:
    out = [f"## Matrix changes: {md_text(base)} → {md_text(head)}", ""]
    if diff.empty():
        return "\n".join(out + ["No change to the plan, the updates or the findings.", ""])

    def section(title: str, lines: list[str], escaped: bool = False) -> None:
        if lines:
            out.extend([f"**{title}**", "", *[f"- {line if escaped else md_text(line)}" for line in lines], ""])

    for side, path, errors in diff.unreadable:
        name = base if side == "base" else head
        section(f"Unreadable in {md_text(name)}: {md_text(path)}", errors)
    section("Renamed", [f"{kind} {a} → {b}" for kind, a, b in diff.renamed])
    section(f"Repaired (did not load in {md_text(base)}: what they report is not compared)", diff.repaired)
    section("Activities added", [f"{i} {t}" for i, t in diff.added])
    section("Activities removed", [f"{i} {t}" for i, t in diff.removed])
    section(
        "Deadlines moved",
        [
            f"{m.activity} {m.what}: {m.old} → {m.new} ({_days(m.days)} {m.direction})"
            if m.days
            else f"{m.activity} {m.what}: {m.old} → {m.new} ({m.direction})"
            for m in diff.moves
        ],
    )
    section("Milestones added", diff.milestones_added)
    section("Milestones dropped", diff.milestones_dropped)
    section("Milestones completed", diff.milestones_completed)
    section("Status changes", [f"{i}: {a} → {b}" for i, a, b in diff.status_changes])
    section(
        "Lead changes",
        [
            f"{i} ({side.upper()}): " + ", ".join([f"+{o}" for o in added] + [f"−{o}" for o in removed])
            for i, side, added, removed in diff.lead_changes
        ],
    )
    section(
        "Updates submitted", [f"{org} for {period} (submitted {day})" for org, period, day in diff.updates_submitted]
    )
    section(
        "New findings",
        [f"{md_code(p.location)} {md_text(f'{p.severity.label}[{p.code}] {p.message}')}" for p in diff.findings_new],
        escaped=True,
    )
    if any(side == "head" for side, _, _ in diff.unreadable):
        out.extend(["**Findings resolved**", "", f"Not judged: {md_text(head)} has files that do not load.", ""])
    section("Findings resolved", [f"{p.severity.label}[{p.code}] {p.message}" for p in diff.findings_gone])
    return "\n".join(out)


def to_json(diff: PlanDiff, base: str, head: str) -> str:
    doc = {
        "base": base,
        "head": head,
        "activities_added": [{"id": i, "title": t} for i, t in diff.added],
        "activities_removed": [{"id": i, "title": t} for i, t in diff.removed],
        "deadlines_moved": [
            {"activity": m.activity, "what": m.what, "old": m.old, "new": m.new, "days": m.days} for m in diff.moves
        ],
        "milestones_added": diff.milestones_added,
        "milestones_dropped": diff.milestones_dropped,
        "milestones_completed": diff.milestones_completed,
        "status_changes": [{"activity": i, "old": a, "new": b} for i, a, b in diff.status_changes],
        "lead_changes": [{"activity": i, "side": s, "added": a, "removed": r} for i, s, a, r in diff.lead_changes],
        "updates_submitted": [{"organization": o, "period": p, "submitted": d} for o, p, d in diff.updates_submitted],
        "findings_new": [p.as_dict() for p in diff.findings_new],
        "findings_resolved": [p.as_dict() for p in diff.findings_gone],
        "unreadable": [{"revision": side, "path": path, "errors": errors} for side, path, errors in diff.unreadable],
        "renamed": [{"kind": k, "old": a, "new": b} for k, a, b in diff.renamed],
        "repaired": diff.repaired,
    }
    return json_text(doc)
