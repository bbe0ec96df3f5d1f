"""The follow-up findings of `uncoop status`: one module per rule, holding its catalogue rows,
its check and the examples that show it.

A new timeline finding is a new module here that declares `FOLLOW_UP` (see `_unit.FollowUp`;
`narrative.py` is a short one to copy): the catalogue, `--only`, the status summary, the
terminal, the report, `uncoop rules CODE` and the tests that run every example pick it up from
there.  Its message, label, count (`NP_`, one form per plural of each language) and evidence gap
are translated; its hint, which names files and fields, stays English.  Then: `tests/regen.py`
(extracts the words into the fr and ar catalogs), translate them there, `tests/regen.py` again
(the sample reports and goldens in every language), and review the diff.  What several rules
share lives in `state.py` (the values they read) or `_progress.py`.
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
