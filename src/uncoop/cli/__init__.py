"""The `uncoop` command line.  Each module registers its commands on the one Typer app."""

from __future__ import annotations

# imported in the order `uncoop --help` lists the commands
# isort: off
from . import findings, publish, website, cycle, editing, translating, history, reference, starting  # noqa: F401

# isort: on
from .app import app
from .workspace import LoadProgress

__all__ = ["LoadProgress", "app", "main"]


def main() -> None:  # pragma: no cover - console script entry
    app(prog_name="uncoop")
