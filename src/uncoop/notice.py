"""How far the Matrix's data can be relied on, said the same way in every output.

matrix.yaml's `provenance.status` (confirmed, provisional, illustrative) and an activity's or
update's own `provenance` decide; the words live here once, and the report, the site, `status`,
the forms' cover, the letters and the IATI file all take them from here.  An activity's
`field_provenance` says which of its fields the source document does not state (inferred from
it, or illustrative); the report's card and the site's activity page say so in these words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n import N_, Language, translations
from .vocab import FIELD_PROVENANCES, MARKABLE_FIELDS, FieldProvenance, MarkableField

PROVENANCE_WORDS = {
    "confirmed": N_("confirmed"),
    "provisional": N_("provisional: reported, not yet checked by the focal points"),
    "illustrative": N_("illustrative: made up to show how follow-up works, not real data"),
}


def provenance(matrix: Any) -> str:
    """The Matrix's provenance status (a Matrix without matrix.yaml's notice is taken as confirmed)."""
    meta = matrix.meta.value if matrix.meta is not None else None
    return meta.provenance.status if meta is not None and meta.provenance is not None else "confirmed"


def notice_line(status: str, lang: Language) -> str | None:
    """One line saying what the data are, for outputs too small for the report's notice; None
    for confirmed data."""
    if status == "confirmed":
        return None
    _ = translations(lang).gettext
    return _("About the data: %(status)s.") % {"status": _(PROVENANCE_WORDS[status])}


FIELD_WORDS = {
    "leads.un": N_("UN leads"),
    "leads.oic": N_("OIC leads"),
    "partners": N_("partners"),
    "countries": N_("countries"),
    "dates": N_("planned dates"),
    "milestones": N_("milestones"),
    "deliverables": N_("deliverables"),
    "indicators": N_("indicators"),
    "funding": N_("funding"),
}
MARK_WORDS = {
    "inferred": N_("inferred (reasoned from the final document, not stated in it): %(fields)s"),
    "illustrative": N_("illustrative (made up to show how follow-up works): %(fields)s"),
}


def field_marks(marks: Mapping[MarkableField, FieldProvenance], lang: Language) -> list[str]:
    """What an activity's `field_provenance` says, in words of the language: one phrase per kind
    that marks a field (inferred first), its fields in the order an activity holds them; none
    for an activity whose every field is as the document states it."""
    _ = translations(lang).gettext
    phrases = []
    for kind in FIELD_PROVENANCES:
        fields = [
            _(FIELD_WORDS[f]) for f, k in sorted(marks.items(), key=lambda m: MARKABLE_FIELDS.index(m[0])) if k == kind
        ]
        if fields:
            phrases.append(_(MARK_WORDS[kind]) % {"fields": _(", ").join(fields)})
    return phrases
