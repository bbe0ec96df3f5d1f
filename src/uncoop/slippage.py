"""How an activity's deadlines moved over its git history (`uncoop history`, `report --history`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .dates import FlexDate
from .load import Matrix
from .markup import md_text


@dataclass
class SlipRow:
    """One deadline move of one activity, for the report's history section."""

    activity: str
    date: str
    deadline: str
    old: str
    new: str
    days: int
    shallow: bool  # the clone is shallow: the history may be incomplete


@dataclass
class Slip:
    commit: str
    day: str
    subject: str
    what: str
    old: str
    new: str
    days: int


def _deadlines(value: dict) -> dict[str, FlexDate]:
    """planned_start/planned_end and milestone dues of one raw activity, skipping unreadable ones."""
    found = {}
    dates = value.get("dates") if isinstance(value, dict) else None
    for name in ("planned_start", "planned_end"):
        try:
            found[name] = FlexDate.parse(str(dates[name]))  # type: ignore[index]  # TypeError when None
        except (KeyError, TypeError, ValueError):
            pass
    for m in value.get("milestones") or [] if isinstance(value, dict) else []:
        try:
            found[f"milestone {m['id']}"] = FlexDate.parse(str(m["due"]))
        except (KeyError, TypeError, ValueError):
            pass
    return found


def slippage(versions: list[tuple[str, str, str, dict | None]]) -> list[Slip]:
    """Deadline moves across (commit, date, subject, raw activity) versions, oldest first."""
    slips, previous = [], None
    for commit, day, subject, value in versions:
        if value is None:
            continue
        current = _deadlines(value)
        if previous is not None:
            for what, new in current.items():
                old = previous.get(what)
                if old is not None and old.text != new.text:
                    slips.append(Slip(commit, day, subject, what, old.text, new.text, (new.end - old.end).days))
        previous = current
    return slips


def slippage_markdown(
    ident: str, slips: list[Slip], revisions: int, shallow: bool, today: date | None = None, note: str = ""
) -> str:
    out = [
        f"## Deadline history of {md_text(ident)}",
        "",
        f"{revisions} revision{'s' if revisions != 1 else ''} of the activity file.",
    ]
    if note:
        out.append(f"History shortened: {note}.")
    if shallow:
        out.append("History may be incomplete: this is a shallow clone (git fetch --unshallow).")
    out.append("")
    if not slips:
        return "\n".join(out + ["No deadline has moved.", ""])
    out += ["| Date | Commit | Deadline | From | To | Days |", "| --- | --- | --- | --- | --- | ---: |"]
    out += [
        f"| {s.day} | {s.commit[:10]} | {md_text(s.what)} | {md_text(s.old)} | {md_text(s.new)} | {s.days:+d} |"
        for s in slips
    ]
    totals: dict[str, list[int]] = {}
    for s in slips:
        totals.setdefault(s.what, []).append(s.days)
    out += [
        "",
        *[
            f"- {md_text(what)}: moved {len(d)} time{'s' if len(d) != 1 else ''}, {sum(d):+d} days in all"
            for what, d in totals.items()
        ],
        "",
    ]
    return "\n".join(out)


# One activity file's history is read to at most this many revisions, the newest ones: 3,000 took
# 1.2 s in one git process (SECURITY.md), and a deadline moved more often than this is news already.
MAX_REVISIONS = 1_000


@dataclass(frozen=True)
class History:
    """The deadline moves of one activity file, and how much of its git history was read."""

    slips: list[Slip]
    revisions: int  # commits that touched the file
    read: int  # of which read: the newest, MAX_REVISIONS at most
    shallow: bool

    @property
    def note(self) -> str:
        """'' when all of the history was read, else how much was (one sentence)."""
        if self.read >= self.revisions:
            return ""
        return (
            f"read the newest {self.read:,} of {self.revisions:,} revisions (uncoop's limit is "
            f"{MAX_REVISIONS:,}); earlier deadline moves are not shown"
        )


def histories(cwd: Path, paths: list[Path]) -> list[History]:
    """The history of each activity file: one `git log` per file, and ONE git process reading
    every revision's contents (not one `git show` per revision)."""
    from .git import contents, is_shallow, log
    from .yamlsrc import read

    logs = [log(cwd, path) for path in paths]
    kept = [revisions[-MAX_REVISIONS:] for revisions in logs]
    data = iter(contents(cwd, [(rev.commit, rev.path) for revisions in kept for rev in revisions]))
    shallow = is_shallow(cwd) if paths else False
    found = []
    for revisions, chosen in zip(logs, kept, strict=True):
        versions = []
        for rev in chosen:
            value, error = read(next(data) or b"")
            versions.append((rev.commit, rev.date, rev.subject, value if error is None else None))
        found.append(History(slippage(versions), len(revisions), len(chosen), shallow))
    return found


def activity_slips(cwd: Path, path: Path) -> History:
    """The deadline moves of one activity file, from git."""
    return histories(cwd, [path])[0]


def slippage_rows(matrix: Matrix, cwd: Path, until: date, base: Path) -> tuple[list[SlipRow], list[str]]:
    """Every activity's deadline moves committed on or before `until`, and a note for each activity
    whose history was longer than uncoop reads: a report as of a date does not know of later moves.
    Each activity's history is git's for its path below `base` (the repository root its display
    path is relative to), so a plan read from an old commit (--plan-as-committed) has the same
    history as the working tree's."""
    records = sorted(matrix.activities, key=lambda r: r.value.id)
    rows, notes = [], []
    for record, history in zip(records, histories(cwd, [base / r.path for r in records]), strict=True):
        rows += [
            SlipRow(record.value.id, s.day, s.what, s.old, s.new, s.days, history.shallow)
            for s in history.slips
            if s.day <= until.isoformat()
        ]
        if history.note:
            notes.append(f"{record.value.id}: {history.note}")
    return rows, notes
