"""The Matrix's fixed vocabulary, spelt once: languages, sides, activity states.

Standard library only, so the schema, the core and the command line's choices
all read the same tuples without importing pydantic.
"""

from __future__ import annotations

from typing import Literal

LANGS = ("en", "fr", "ar")  # the OIC's working languages; English is the fallback
SIDES = ("un", "oic")
STATUSES = ("pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended")
ENDED = frozenset(("closed", "cancelled"))
FUNDING_STATUSES = ("sought", "pledged", "committed", "disbursed")
PROVENANCES = ("confirmed", "provisional", "illustrative")
# what an activity's field is when the source document does not state it: reasoned from the
# document (inferred) or made up to show how follow-up works (illustrative)
FIELD_PROVENANCES = ("inferred", "illustrative")
# the fields of an activity that `field_provenance` can mark, in the order an activity holds them
MARKABLE_FIELDS = (
    "leads.un",
    "leads.oic",
    "partners",
    "countries",
    "dates",
    "milestones",
    "deliverables",
    "indicators",
    "funding",
)
# a cell of the reporting grid: one institution, one quarter
CELL_STATES = ("submitted", "late", "incomplete", "missing", "not-due", "idle", "not-required")
# the kinds of Matrix file, in the order a Matrix is read
FILE_KINDS = ("matrix", "organizations", "areas", "activity", "update")

# The same words as types for the schema; tests/test_model.py checks they match the tuples.
Lang = Literal["en", "fr", "ar"]
Side = Literal["un", "oic"]
Status = Literal["pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended"]
FundingStatus = Literal["sought", "pledged", "committed", "disbursed"]
Provenance = Literal["confirmed", "provisional", "illustrative"]
FieldProvenance = Literal["inferred", "illustrative"]
MarkableField = Literal[
    "leads.un", "leads.oic", "partners", "countries", "dates", "milestones", "deliverables", "indicators", "funding"
]
