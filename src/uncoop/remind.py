"""Reminders (¶53): a short letter per institution that owes something, from its focal point.

What is owed comes from the snapshot (the owing rule of `status`): the quarterly reports missing
(which quarter, due when), those that came late, and the milestones and planned ends past due on
the activities the institution leads.  Letters are text in the chosen language, as plain text,
Markdown or an e-mail message (RFC 5322, built with the standard library, never sent).
Deterministic: the date of a letter is the as-of date.

An e-mail letter goes To the institution's `contact` and From its focal point's (when the Matrix
gives them), marked `X-Unsent: 1` so that a mail program opens it as a draft to check and send.
A focal point writes no letter to itself: the institution a focal point belongs to (or one with
the focal point's own address) gets no reminder from it; `status` still shows what it owes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

from .dates import Quarter
from .health import Late, late_items
from .i18n import EN, Language, localized, long_date, quarter_text, translations, when
from .load import Matrix
from .markup import header_address, header_text, md_text
from .notice import notice_line, provenance
from .timeline import Snapshot


@dataclass
class Reminder:
    organization: str
    name: str
    side: str
    sender: str  # the focal point's title and institution
    missing: list[tuple[str, str]]  # (quarter, due), in words
    owed: list[Quarter]  # the quarters of `missing`, for their forms
    late: list[tuple[str, str]]  # (quarter, submitted)
    overdue: list[Late]
    provenance: str = "confirmed"  # the Matrix's (notice.py): an illustrative letter says so
    contact: str | None = None  # the institution's address: the To of an e-mail letter
    sender_contact: str | None = None  # its focal point's address: the From
    to_self: bool = False  # the focal point's own institution: no letter is written


def reminders(matrix: Matrix, snap: Snapshot, orgs: set[str] | None = None, lang: Language = EN) -> list[Reminder]:
    """One reminder per institution that owes a report or leads late work, by institution id."""
    meta = matrix.meta.value if matrix.meta else None
    names = {o.value.id: str(localized(o.value.name, lang)) for o in matrix.organizations}
    sides = {o.value.id: o.value.side for o in matrix.organizations}
    contacts = {o.value.id: o.value.contact for o in matrix.organizations}
    late_work: dict[str, list[Late]] = {}
    for item in late_items(snap):
        for org in item.leads:
            late_work.setdefault(org, []).append(item)
    out = []
    for row in snap.grid:
        org = row.organization
        if orgs is not None and org not in orgs:
            continue
        pairs = list(zip(snap.quarters, row.cells, strict=True))
        missing = [
            (quarter_text(q.year, q.number, lang), long_date(c.due, lang)) for q, c in pairs if c.state == "missing"
        ]
        late = [
            (quarter_text(q.year, q.number, lang), long_date(c.submitted, lang))
            for q, c in pairs
            if c.state == "late" and c.submitted
        ]
        overdue = late_work.get(org, [])
        if not missing and not overdue:
            continue
        sender, sender_contact, to_self = "", None, False
        if meta is not None:
            point = getattr(meta.focal_points, sides.get(org, row.side))
            sender, sender_contact = f"{localized(point.title, lang)} ({point.organization})", point.contact
            to_self = org == point.organization or (point.contact is not None and point.contact == contacts.get(org))
        owed = [q for q, c in pairs if c.state == "missing"]
        out.append(
            Reminder(
                org,
                names.get(org, org),
                row.side,
                sender,
                missing,
                owed,
                late,
                overdue,
                provenance(matrix),
                contacts.get(org),
                sender_contact,
                to_self,
            )
        )
    return sorted(out, key=lambda r: r.organization)


def letter(reminder: Reminder, as_of: date, lang: Language, markdown: bool = False, forms: Sequence[str] = ()) -> str:
    """The reminder as text (or Markdown, with every piece of data escaped); `forms` are the file
    names of the forms attached to it, named in the text so the reader knows what to fill in."""
    _ = translations(lang).gettext
    esc = md_text if markdown else str
    bullet = "- "
    lines = [
        _("To: %(name)s (%(id)s)") % {"name": esc(reminder.name), "id": reminder.organization},
        _("From: %(sender)s") % {"sender": esc(reminder.sender)},
        _("Date: %(date)s") % {"date": long_date(as_of, lang)},
        "",
        _("Quarterly progress reports on the UN-OIC Cooperation Matrix (¶53)"),
        "",
    ]
    if reminder.missing:
        lines.append(_("We have not yet received your report for:"))
        lines += [bullet + _("%(quarter)s, due %(due)s") % {"quarter": q, "due": d} for q, d in reminder.missing]
        lines.append("")
    if forms:
        lines.append(
            translations(lang).ngettext(
                "Attached is the form to fill in and send back:",
                "Attached are the forms to fill in and send back, one per quarter:",
                len(forms),
            )
        )
        lines += [bullet + esc(name) for name in forms]
        lines.append("")
    if reminder.overdue:
        lines.append(_("Past due on the activities you lead:"))
        for item in reminder.overdue:
            act = item.state.activity
            what = (
                _("milestone %(id)s: %(title)s")
                % {"id": item.milestone.id, "title": localized(item.milestone.title, lang)}
                if item.milestone
                else _("the activity's planned end")
            )
            lines.append(
                bullet
                + _("%(id)s %(title)s: %(what)s, due %(due)s (%(days)s days ago)")
                % {
                    "id": act.id,
                    "title": esc(str(localized(act.title, lang))),
                    "what": esc(what),
                    "due": when(item.due, lang),
                    "days": item.days,
                }
            )
        lines.append("")
    if reminder.late:
        lines.append(_("For your information, these reports arrived after their due date:"))
        lines += [bullet + _("%(quarter)s, received %(date)s") % {"quarter": q, "date": d} for q, d in reminder.late]
        lines.append("")
    lines += [
        _(
            "Please send your quarterly update to your focal point: for each activity, its status, "
            "progress, what was done, obstacles and next steps, milestones completed and indicator values."
        ),
        "",
    ]
    notice = notice_line(reminder.provenance, lang)
    if notice:
        lines += [esc(notice), ""]
    return "\n".join(lines)


# Content-independent, and never inside a part: the text goes quoted-printable, which writes
# every '=' as '=3D', and the forms base64, which has no '_': no line of a part can equal it
BOUNDARY = "=_uncoop-reminder_="


def email_message(reminder: Reminder, as_of: date, lang: Language, forms: dict[str, bytes] | None = None) -> bytes:
    """The reminder as an e-mail draft to check and send from one's own mail program: To the
    institution's contact, From its focal point's (each left out when the Matrix gives none),
    `X-Unsent: 1`, dated the as-of date.  `forms` (file name -> workbook) are attached and named
    in the text: the forms of the reports it still owes.  Built by the standard library's
    EmailMessage (SMTP line ends); header values are one line, an address header one address."""
    from datetime import datetime
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    _ = translations(lang).gettext
    message = EmailMessage(policy=SMTP)
    # headers are folded only past RFC 5322's 998-character limit, so a name stays quoted
    headers = SMTP.clone(max_line_length=998)
    if reminder.contact:
        message["To"] = header_address("To", reminder.name, reminder.contact, headers)
    if reminder.sender_contact:
        message["From"] = header_address("From", reminder.sender, reminder.sender_contact, headers)
    message["Subject"] = header_text(_("Quarterly progress report: %(name)s") % {"name": reminder.name})
    message["Date"] = format_datetime(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC))
    message["X-Uncoop-Organization"] = header_text(reminder.organization)
    message["X-Unsent"] = "1"  # a draft: Thunderbird and Outlook open it to be checked and sent
    attached = sorted((forms or {}).items())
    message.set_content(letter(reminder, as_of, lang, forms=[pair[0] for pair in attached]), cte="quoted-printable")
    for name, data in attached:
        message.add_attachment(
            data,
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=header_text(name),
        )
    message["Content-Language"] = lang  # after set_content, which replaces every Content-* header
    if message.is_multipart():  # the same boundary for every letter: same bytes, same input
        message.set_boundary(BOUNDARY)
    return message.as_bytes(policy=headers)
