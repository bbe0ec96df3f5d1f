"""The follow-up findings of `uncoop status`: one module per rule, holding its catalogue rows,
its check and the examples that show it.

A new timeline finding is a new module here that declares `FOLLOW_UP` (see `_unit.FollowUp`):
the catalogue, `--only`, the status summary, the terminal, the report, `uncoop rules CODE`
and the tests that run every example pick it up from there.  Its words are translated in the
fr and ar catalogs (`tests/regen.py` extracts them).
"""

from __future__ import annotations

import importlib
import pkgutil

from ._example import DESCRIPTION as EXAMPLE_MATRIX
from ._example import files as example_files
from ._unit import ActivityCheck, Example, FollowUp, ReportCheck


def _discover() -> tuple[FollowUp, ...]:
    # the package's own modules, in the order they place themselves (nothing read from a Matrix)
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            found.append(importlib.import_module(f"{__name__}.{info.name}").FOLLOW_UP)
    return tuple(sorted(found, key=lambda unit: unit.order))


UNITS = _discover()
RULES = tuple(rule for unit in UNITS for rule in unit.rules)
EXAMPLES = tuple(example for unit in UNITS for example in unit.examples)

__all__ = [
    "EXAMPLES",
    "EXAMPLE_MATRIX",
    "RULES",
    "UNITS",
    "ActivityCheck",
    "Example",
    "FollowUp",
    "ReportCheck",
    "example_files",
]
