"""Progress is judged at the end of the period it was reported for, not today: the time since
the last report is what `stale` measures."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import N_, NP_
from ..problem import Problem
from ..rules import finding, timeline_rule
from ..state import ActivityState, Judging, Reported
from ._example import update
from ._unit import Example, FollowUp

OFF_TRACK = timeline_rule(
    "off-track",
    group="off-track",
    label=N_("off track"),
    tally=NP_("%(num)d off track", "%(num)d off track"),
    style="magenta",
    summary="reported progress trails the share of planned time elapsed by more than off_track_points",
    slipping=True,
)


def expected(s: ActivityState) -> float | None:
    """The share of planned time elapsed at the end of the last reported quarter, in percent."""
    if s.latest is None:
        return None
    start, end = s.activity.dates.planned_start.start, s.activity.dates.planned_end.end
    at, span = s.latest.update.value.period.end, (end - start).days
    return None if span <= 0 or at <= start else min(100.0, 100.0 * (at - start).days / span)


def check(j: Judging, s: ActivityState, reports: list[Reported]) -> Iterator[Problem]:
    if s.latest is None or s.status != "implementation" or s.progress is None:
        return
    share = expected(s)
    if share is not None and share - s.progress > j.thresholds.off_track_points:
        yield finding(
            OFF_TRACK,
            j.m.at(s.latest.update, "entries", s.latest.index, "progress"),
            N_(
                "%(id)s reported %(progress)s%% at the end of %(period)s, when "
                "%(expected)s%% of its planned time had passed"
            ),
            key=s.activity.id,
            id=s.activity.id,
            progress=f"{s.progress:g}",
            period=s.latest.update.value.period,
            expected=f"{share:.0f}",
        )


def _at(progress: int) -> dict[str, str]:
    return update("OCHA", "2015-Q2", "2015-07-10", f"activity: HUM-01, status: implementation, progress: {progress}")


FOLLOW_UP = FollowUp(
    order=30,
    rules=(OFF_TRACK,),
    activity=check,
    examples=(
        Example(OFF_TRACK, "2015-07-15", "40% at the end of 2015-Q2, when 66% of its planned time had passed: "
                "26 points behind, over off_track_points (25)", _at(40)),
        Example(OFF_TRACK, "2015-07-15", "45% then: 21 points behind", _at(45), finds=False),
    ),
)  # fmt: skip
