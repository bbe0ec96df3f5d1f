"""`uncoop init`: a repository that holds a Matrix and nothing else, checked from its first commit."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .app import Fail, command, today
from .places import key_folder, write_file

ACTION = "uncoop/uncoop@v0.1.0"  # where the uncoop action is published; --action names another


def _starter(name: str) -> str:
    return (Path(__file__).resolve().parent.parent / "starter" / name).read_text(encoding="utf-8")


def bundled_example() -> Path:
    """The bundled (illustrative) Matrix: inside the installed package, else this checkout's."""
    shipped = Path(__file__).resolve().parent.parent / "example"
    return shipped if (shipped / "matrix.yaml").is_file() else Path(__file__).resolve().parents[3] / "matrix"


_SCHEMA_LINE = re.compile(r"^(# yaml-language-server: \$schema=)(?:\.\./)*schemas/", re.MULTILINE)


def _pointing(text: str, file: Path, schemas: Path) -> str:
    """The file's `$schema=` comment pointed at the new repository's schemas/ from where it lands."""
    relative = Path(os.path.relpath(schemas, file.parent)).as_posix()
    return _SCHEMA_LINE.sub(lambda m: f"{m.group(1)}{relative}/", text, count=1)


def _period(day: date) -> tuple[date, date, str]:
    """A first biennium from `day`: two years, reported on from the quarter it starts in."""
    try:
        end = day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + 2, day=28)
    return day, end, f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def planned_files(target: Path, folder: str, example: bool, action: str, day: date) -> dict[Path, str]:
    """Every file `uncoop init` writes, by path, with its text."""
    from ..schema import schemas

    matrix = target / folder
    schema_dir = target / "schemas"
    files: dict[Path, str] = {}
    if example:
        source = bundled_example()
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                dest = matrix / path.relative_to(source)
                files[dest] = _pointing(path.read_text(encoding="utf-8"), dest, schema_dir)
    else:
        start, end, first = _period(day)
        values = {"start": start.isoformat(), "end": end.isoformat(), "first_period": first}
        for name in ("matrix.yaml", "organizations.yaml", "areas.yaml"):
            dest = matrix / name
            text = _starter(name).format(schemas="../schemas", **values)
            files[dest] = _pointing(text, dest, schema_dir)
    for name, text in schemas().items():
        files[schema_dir / name] = text
    pattern = "^" + re.escape(folder).replace("\\/", "/") + r"/.*\.ya?ml$"
    files[target / "uncoop.toml"] = (
        "# Where the Matrix of this repository is: every uncoop command, the pre-commit hooks and the\n"
        f'# action read it.\nmatrix = "{folder}"\n'
    )
    files[target / ".pre-commit-config.yaml"] = _starter("pre-commit-config.yaml").format(files=f"'{pattern}'")
    paths = ", ".join(f'"{p}"' for p in (f"{folder}/**", "uncoop.toml", ".github/workflows/matrix.yml"))
    files[target / ".github" / "workflows" / "matrix.yml"] = _starter("workflow.yml").format(paths=paths, action=action)
    files[target / ".gitignore"] = _starter("gitignore")
    note = (
        "\n\nThe Matrix here is uncoop's bundled example, the UN-OIC Matrix of 2014-2016: its dates, "
        "milestones, indicators, amounts and updates are illustrative (see its README.md)."
        if example
        else ""
    )
    title = "The UN-OIC Cooperation Matrix (illustrative example)" if example else "Cooperation Matrix"
    files[target / "README.md"] = _starter("README.md").format(title=title, folder=folder, example=note)
    return files


@command()
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The repository to set up (default: here).")] = Path(
        "."
    ),
    example: Annotated[
        bool, typer.Option("--example", help="Start from the bundled (illustrative) UN-OIC Matrix, not an empty one.")
    ] = False,
    folder: Annotated[
        str, typer.Option("--folder", metavar="PATH", help="Where the Matrix goes, relative to DIR (uncoop.toml).")
    ] = "matrix",
    action: Annotated[
        str, typer.Option("--action", metavar="OWNER/REPO@REF", help="The uncoop action the workflow uses.")
    ] = ACTION,
) -> int:
    """Set up a repository that keeps a Matrix: the Matrix, schemas, hooks, workflow and README.

    Writes matrix/ (matrix.yaml with the period, focal points and reporting rules;
    organizations.yaml; areas.yaml), schemas/, uncoop.toml, .pre-commit-config.yaml, the GitHub
    workflow that uses the uncoop action, a .gitignore for forms, letters and the site, and a
    README with the next three commands.  Never overwrites a file: if one exists, nothing is written.
    """
    from ..atomic import Scope

    parts = Path(folder).parts
    if not parts or Path(folder).is_absolute() or ".." in parts or not re.fullmatch(r"[A-Za-z0-9._/-]+", folder):
        raise Fail(f"--folder '{folder}' must be a relative folder name such as matrix or data/matrix")
    if directory.exists() and not directory.is_dir():
        raise Fail(f"{directory} exists and is not a folder")
    target = Path(os.path.abspath(directory))
    files = planned_files(target, Path(folder).as_posix(), example, action, today())
    existing = [str(path.relative_to(target)) for path in files if os.path.lexists(path)]
    if existing:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise Fail(f"{directory} already has {shown}; uncoop init never overwrites a file (nothing was written)")
    scope = Scope((target,), target / folder, (Path(os.path.realpath(key_folder())),))
    for path, text in files.items():
        write_file(path, text.encode("utf-8"), scope, exclusive=True)
    sys.stderr.write(
        f"wrote {len(files)} files to {directory}; next: uncoop validate, uncoop status, pre-commit install\n"
    )
    return 0
