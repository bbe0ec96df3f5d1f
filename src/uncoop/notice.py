"""How far the Matrix's data can be relied on, said the same way in every output.

matrix.yaml's `provenance.status` (confirmed, provisional, illustrative) and an activity's or
update's own `provenance` decide; the words live here once, and the report, the site, `status`,
the forms' cover, the letters and the IATI file all take them from here.
"""

from __future__ import annotations

from typing import Any

from .i18n import N_, translations

PROVENANCE_WORDS = {
    "confirmed": N_("confirmed"),
    "provisional": N_("provisional: reported, not yet checked by the focal points"),
    "illustrative": N_("illustrative: made up to show how follow-up works, not real data"),
}


def provenance(matrix: Any) -> str:
    """The Matrix's provenance status (a Matrix without matrix.yaml's notice is taken as confirmed)."""
    meta = matrix.meta.value if matrix.meta is not None else None
    return meta.provenance.status if meta is not None and meta.provenance is not None else "confirmed"


def notice_line(status: str, lang: str) -> str | None:
    """One line saying what the data are, for outputs too small for the report's notice; None
    for confirmed data."""
    if status == "confirmed":
        return None
    _ = translations(lang).gettext
    return _("About the data: %(status)s.") % {"status": _(PROVENANCE_WORDS[status])}
