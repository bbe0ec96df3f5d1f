"""The `uncoop` command line.  Each module registers its commands on the one Typer app."""

from __future__ import annotations

# imported in the order `uncoop --help` lists the commands
from . import editing, findings, history, publish, reference  # noqa: F401,I001
from .app import LoadProgress, app

__all__ = ["LoadProgress", "app", "main"]


def main() -> None:  # pragma: no cover - console script entry
    app(prog_name="uncoop")
