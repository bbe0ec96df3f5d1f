"""Generate a synthetic Matrix of N activities with proportional quarterly updates.

Seeded and deterministic: the same N gives the same bytes.  The files are in
house style, valid, and shaped like the bundled Matrix (leads on both sides,
milestones, indicators, funding; one update per lead organization and quarter).

    python bench/generate.py 2000 /tmp/corpus-2000
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

AREAS = [
    ("conflict", "CPV"),
    ("countries", "CTY"),
    ("terrorism", "CTI"),
    ("rights", "HRG"),
    ("disarmament", "DIS"),
    ("south-south", "SSC"),
    ("development", "SDV"),
    ("social", "SOC"),
    ("humanitarian", "HUM"),
]
QUARTERS = [(2014, 3), (2014, 4)] + [(y, q) for y in (2015,) for q in (1, 2, 3, 4)] + [(2016, 1), (2016, 2)]
WORDS = (
    "joint training workshop regional capacity building mediation statistics trade water health "
    "education refugees heritage dialogue youth employment standards halal investment"
).split()


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()


def _quarter_end(year: int, q: int) -> date:
    return (date(year, 3 * q, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def generate(n: int, out: Path, seed: int = 2014) -> None:
    rng = random.Random(seed * 1_000_003 + n)
    orgs = 20 + n // 20
    un = [f"UN{i:04d}" for i in range(orgs // 2)]
    oic = [f"OIC{i:04d}" for i in range(orgs - orgs // 2)]
    (out / "activities").mkdir(parents=True, exist_ok=True)
    (out / "matrix.yaml").write_text(
        "title: Synthetic Matrix\nadopted:\n  date: 2014-05-22\n  place: Istanbul\n  source: Annex VI\n"
        "period:\n  start: 2014-07-01\n  end: 2016-06-30\nreporting:\n  cadence: quarterly\n"
        "  first_period: 2014-Q3\n  due_days: 30\nfocal_points:\n  un:\n    organization: UN0000\n"
        "    title: Focal point\n  oic:\n    organization: OIC0000\n    title: Focal point\n"
    )
    lines = ["organizations:"]
    for side, ids in (("un", un), ("oic", oic)):
        for ident in ids:
            lines += [f"  - id: {ident}", f"    name: Organization {ident}", f"    side: {side}", "    kind: office"]
    (out / "organizations.yaml").write_text("\n".join(lines) + "\n")
    lines = ["areas:"]
    for i, (ident, code) in enumerate(AREAS):
        lines += [f"  - id: {ident}", f"    code: {code}", f"    title: Area {ident}", f"    paragraphs: [{10 + i}]"]
    (out / "areas.yaml").write_text("\n".join(lines) + "\n")
    reports: dict[str, list[str]] = {}
    for i in range(n):
        area, code = AREAS[i % len(AREAS)]
        width = 2 if n <= 9 * 99 else 3 if n <= 9 * 999 else 4
        ident = f"{code}-{i // len(AREAS) + 1:0{width}d}"
        lead_un, lead_oic = rng.choice(un), rng.choice(oic)
        start = rng.choice(QUARTERS[:4])
        end = rng.choice(QUARTERS[4:])
        folder = out / "activities" / area
        folder.mkdir(exist_ok=True)
        text = [
            f"id: {ident}",
            f"title: {_title(rng)}",
            f"area: {area}",
            f"description: {_title(rng)}. {_title(rng)}.",
            f"source: [{10 + i % 42}]",
            "leads:",
            f"  un: [{lead_un}]",
            f"  oic: [{lead_oic}]",
            f"partners: [{rng.choice(un)}]",
            "status: implementation",
            "dates:",
            f"  planned_start: {start[0]}-Q{start[1]}",
            f"  planned_end: {end[0]}-Q{end[1]}",
            "milestones:",
        ]
        for m in (1, 2):
            y, q = QUARTERS[min(QUARTERS.index(end), QUARTERS.index(start) + m)]
            text += [f"  - id: M{m}", f"    title: {_title(rng)}", f"    due: {y}-Q{q}"]
        text += [
            "indicators:",
            "  - id: I1",
            f"    title: {_title(rng)}",
            "    unit: events",
            "    baseline: 0",
            f"    target: {rng.randint(2, 20)}",
            "funding:",
            "  - mechanism: Trust fund",
            f"    funder: {lead_oic}",
            f"    amount: {rng.randint(1, 90) * 10000}",
            "    currency: USD",
            "    status: pledged",
        ]
        (folder / f"{ident}.yaml").write_text("\n".join(text) + "\n")
        for org in (lead_un, lead_oic):
            reports.setdefault(org, []).append(ident)
    for number, (y, q) in enumerate(QUARTERS):
        folder = out / "updates" / f"{y}-Q{q}"
        folder.mkdir(parents=True, exist_ok=True)
        submitted = _quarter_end(y, q) + timedelta(days=rng.randint(5, 45))
        for org, acts in sorted(reports.items()):
            text = [f"organization: {org}", f"period: {y}-Q{q}", f"submitted: {submitted}", "entries:"]
            for act in acts:
                text += [
                    f"  - activity: {act}",
                    "    status: implementation",
                    f"    progress: {_progress(act, org, number)}",
                    f"    narrative: {_title(rng)}.",
                    f"    next_steps: {_title(rng)}.",
                ]
            (folder / f"{org}.yaml").write_text("\n".join(text) + "\n")


def _progress(activity: str, org: str, quarter: int) -> int:
    """Progress as real reports give it: growing quarter by quarter, co-leads agreeing, except
    one activity in 97 whose OIC lead reports 30 points less (a conflict the follow-up flags)."""
    number = int(activity.rsplit("-", 1)[1])
    value = min(100, 11 * quarter + number % 10)
    if number % 97 == 0 and org.startswith("OIC"):
        value = max(0, value - 30)
    return value


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
