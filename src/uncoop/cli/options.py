"""The options commands share, spelt once: types, choices and help.

Choices are built from the core's own constants (the finding catalogue's groups, the
language list, the two sides), so a new `--only` group or language needs no change here.
Only light modules are imported: `uncoop --help` must not pay for pydantic or jinja.
"""

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..catalogue import groups
from ..vocab import LANGS, SIDES


def choices(name: str, values: tuple[str, ...] | list[str]) -> Any:
    """A str enum for Typer, member value = the word the user types."""
    return enum.Enum(name, [(value.replace("-", "_"), value) for value in values], type=str)


if TYPE_CHECKING:  # what the checker sees: str enums, whose members are built below

    class Lang(str, enum.Enum): ...

    class Side(str, enum.Enum): ...

    class Only(str, enum.Enum): ...

else:
    Lang = choices("Lang", LANGS)
    Side = choices("Side", SIDES)
    Only = choices("Only", list(groups()))


class FindingFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


class StatusFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


class ReportFormat(str, enum.Enum):
    md = "md"
    html = "html"
    pdf = "pdf"
    all = "all"  # md and html; pdf is asked for by name (it needs WeasyPrint)


class DiffFormat(str, enum.Enum):
    markdown = "markdown"
    json = "json"


class FormFormat(str, enum.Enum):
    xlsx = "xlsx"
    csv = "csv"


class RemindFormat(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    eml = "eml"


class Level(str, enum.Enum):
    warning = "warning"
    error = "error"


_LANG_LIST = ", ".join(LANGS[:-1]) + f" or {LANGS[-1]}"

MatrixDir = Annotated[
    Path | None,
    typer.Option(
        "--matrix",
        "-m",
        metavar="DIR",
        help="The matrix directory (default: $UNCOOP_MATRIX, else the nearest matrix/ upward from here).",
    ),
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", metavar="DATE", help="Judge as of this date, YYYY-MM-DD (default: today).")
]
LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help=f"Language of titles and texts: {_LANG_LIST} (falls back to English); "
        "default: languages.default in matrix.yaml, else en.",
    ),
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Read every file afresh and leave the cache alone (also: UNCOOP_NO_CACHE=1).")
]
Sarif = Annotated[
    Path | None,
    typer.Option(
        "--sarif", metavar="FILE", help="Also write the findings as SARIF 2.1.0 to this file (for code scanning)."
    ),
]
Gitlab = Annotated[
    Path | None,
    typer.Option("--gitlab", metavar="FILE", help="Also write the findings as GitLab Code Quality JSON to this file."),
]
ChangedSince = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        metavar="REV",
        help="Report only findings in files changed since this git revision (e.g. origin/main).",
    ),
]
FailOn = Annotated[Level, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")]
ExitZero = Annotated[bool, typer.Option("--exit-zero", help="Always exit 0 when the run itself succeeds.")]
PlanAsCommitted = Annotated[
    bool,
    typer.Option(
        "--plan-as-committed",
        help="Read the plan (matrix.yaml, organizations, areas, activities) from the last git commit on or "
        "before --as-of; updates come from the working tree.  Without it the plan is today's.",
    ),
]
Areas = Annotated[
    list[str], typer.Option("--area", "-a", metavar="AREA", help="Only these areas (repeatable), e.g. humanitarian.")
]
Orgs = Annotated[
    list[str],
    typer.Option(
        "--org", "-o", metavar="ORG", help="Only these institutions (repeatable): what they lead, partner or owe."
    ),
]
SideFilter = Annotated[
    Side | None,
    typer.Option("--side", help="Only institutions of one side: " + " or ".join(SIDES) + "."),
]
OnlyGroups = Annotated[
    list[Only],
    typer.Option(
        "--only", metavar="GROUP", help="Only activities with these findings (repeatable): " + ", ".join(groups()) + "."
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Change nothing; print what would be written.")]
