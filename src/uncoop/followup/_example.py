"""The small Matrix every follow-up example is laid over (`DESCRIPTION` says what it holds)."""

from __future__ import annotations

from collections.abc import Mapping

DESCRIPTION = (
    "one activity, HUM-01, led by OCHA (UN) and ICHAD (OIC), planned from 2014-07-01 to 2015-12-31 "
    "with milestone M1 due 2014-12-31; a report owed each quarter from 2014-Q3, due 30 days after it ends; "
    "default thresholds"
)
BASE: dict[str, str] = {
    "matrix.yaml": """\
title: Example Matrix
adopted: {date: 2014-05-22, place: Istanbul, source: Annex VI}
period: {start: 2014-07-01, end: 2016-06-30}
reporting: {cadence: quarterly, first_period: 2014-Q3, due_days: 30}
focal_points:
  un: {organization: OCHA, title: Focal point}
  oic: {organization: ICHAD, title: Focal point}
""",
    "organizations.yaml": """\
organizations:
  - {id: OCHA, name: Office for the Coordination of Humanitarian Affairs, side: un, kind: office}
  - {id: ICHAD, name: Islamic Cooperation and Humanitarian Affairs Department, side: oic, kind: department}
""",
    "areas.yaml": """\
areas:
  - {id: humanitarian, code: HUM, title: Humanitarian Cooperation, paragraphs: [50]}
""",
    "activities/humanitarian/HUM-01.yaml": """\
id: HUM-01
title: OIC-OCHA Plan of Action
area: humanitarian
source: [50]
leads: {un: [OCHA], oic: [ICHAD]}
status: implementation
dates: {planned_start: 2014-07-01, planned_end: 2015-12-31}
milestones:
  - {id: M1, title: Working group formed, due: 2014-12-31}
indicators:
  - {id: I1, title: Meetings held, unit: meetings, baseline: 0, target: 8}
""",
}


def update(org: str, period: str, submitted: str, *entries: str) -> dict[str, str]:
    """One quarterly report as an example file: each entry is a flow mapping without its braces,
    e.g. "activity: HUM-01, status: implementation, progress: 10"."""
    lines = [f"organization: {org}", f"period: {period}", f"submitted: {submitted}"]
    lines += ["entries:", *(f"  - {{{entry}}}" for entry in entries)] if entries else ["entries: []"]
    return {f"updates/{period}/{org}.yaml": "\n".join(lines) + "\n"}


def files(over: Mapping[str, str]) -> dict[str, str]:
    """The example Matrix with `over` laid on it, by path."""
    return {**BASE, **over}
