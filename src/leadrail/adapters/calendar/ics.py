"""Meeting invitations as iCalendar data (RFC 5545) sent by e-mail (iTIP/iMIP, RFC 5546/6047).

``build_ics`` makes the VCALENDAR: METHOD:REQUEST invites (or updates, with a higher
SEQUENCE), METHOD:CANCEL cancels. ``invite_message`` wraps it in the MIME shape that Gmail,
Outlook and Apple Mail show as an invitation with accept/decline buttons::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html                                      (optional)
        text/calendar; charset="utf-8"; method="REQUEST"
      application/ics                                  invite.ics (attachment)

Everything a prospect typed (names, notes) is treated as hostile: icalendar escapes text
values, control characters are dropped first, CN parameters lose quotes, backslashes and line
breaks, e-mail addresses must look like addresses. Header text (the subject, SUMMARY,
LOCATION) is made one line here, whatever the caller passes: text stored before the web edge
refused line breaks in names must still make an invitation that goes out.
"""

from __future__ import annotations

import email.policy
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses

from icalendar import STATUS, TRANSP, Calendar, Event, vCalAddress

from leadrail.app.meetings.invite import Invite, Method, check_email, zone

PRODID = "-//leadrail//leadrail//EN"

_NAME_MAX = 200
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# 7bit bodies: non-ASCII text parts get quoted-printable or base64, so a relay without
# 8BITMIME cannot mangle the invitation.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")


def clean_text(value: str) -> str:
    """Text safe for an iCalendar TEXT value: line breaks become LF, other controls go."""
    value = _LINE_BREAKS.sub("\n", value)
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def one_line(value: str) -> str:
    """``clean_text`` on one line: line breaks, tabs and runs of spaces become one space."""
    return " ".join(clean_text(value).split())


def clean_name(value: str) -> str:
    """A person's name safe for a CN parameter: one line, no controls, no double quotes, and
    no backslashes (some parsers, icalendar's among them, read them as escapes there)."""
    flat = clean_text(value).replace('"', "").replace("\\", "")
    return " ".join(flat.split())[:_NAME_MAX]


def build_ics(invite: Invite, *, method: Method) -> bytes:
    """The invitation (REQUEST) or cancellation (CANCEL) of ``invite`` as iCalendar bytes."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_event(invite, method))
    # A VTIMEZONE covering the meeting (with margin) rather than 1970..2038: far smaller.
    tz = zone(invite.tz)
    first_year = max(invite.start.astimezone(tz).year - 1, 1)
    last_year = invite.end.astimezone(tz).year + 2
    calendar.add_missing_timezones(
        first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )
    data: bytes = calendar.to_ical()  # icalendar leaves to_ical unannotated
    return data


def _event(invite: Invite, method: Method) -> Event:
    tz = zone(invite.tz)
    cancelled = method == "CANCEL"
    return Event.new(  # DTSTAMP: now, in UTC
        uid=invite.uid,
        sequence=invite.sequence,
        start=invite.start.astimezone(tz),
        end=invite.end.astimezone(tz),
        summary=one_line(invite.summary),
        description=_description(invite, with_links=not cancelled),
        location=one_line(invite.location) if invite.location else None,
        organizer=_address(invite.organizer_name, invite.organizer_email),
        attendees=[_attendee(name, address) for name, address in invite.attendees],
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        transparency=TRANSP.OPAQUE,
    )


def _description(invite: Invite, *, with_links: bool) -> str:
    """The notes, then the reschedule/cancel links (REQUEST only; unless already there)."""
    notes = clean_text(invite.description).strip()
    links = []
    for label, url in (("Reschedule", invite.reschedule_url), ("Cancel", invite.cancel_url)):
        if with_links and url and clean_name(url) not in notes:
            links.append(f"{label}: {clean_name(url)}")
    return "\n\n".join(block for block in (notes, "\n".join(links)) if block)


def _address(name: str, address: str) -> vCalAddress:
    return vCalAddress.new(check_email(address), cn=clean_name(name) or None)


def _attendee(name: str, address: str) -> vCalAddress:
    return vCalAddress.new(
        check_email(address),
        cn=clean_name(name) or None,
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=True,
    )


def invite_message(
    invite: Invite,
    *,
    method: Method,
    sender: str,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
) -> EmailMessage:
    """An e-mail carrying the invitation. The subject is made one line; a sender or a
    recipient that is not one plain address is a ValueError (never a header injection)."""
    if isinstance(to, str) or not to:
        raise ValueError("an invitation needs a sequence of one or more recipients")
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = one_line(subject)
    message["From"] = mail_address(sender)
    message["To"] = tuple(mail_address(item) for item in to)
    ics = build_ics(invite, method=method)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})
    message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return message


def mail_address(value: str) -> Address:
    """One mailbox (``a@b.c`` or ``Name <a@b.c>``) as an Address; ValueError otherwise."""
    if any(ch in value for ch in "\r\n\x00"):
        raise ValueError(f"not one e-mail address (a line break): {value!r}")
    pairs = getaddresses([value])
    if len(pairs) != 1 or not pairs[0][1]:
        raise ValueError(f"not one e-mail address: {value!r}")
    name, addr_spec = pairs[0]
    try:
        return Address(display_name=clean_name(name), addr_spec=check_email(addr_spec))
    except (HeaderParseError, IndexError) as e:
        raise ValueError(f"not an e-mail address: {value!r}") from e


class IcsInvitations:
    """Implements ``app.meetings.ports.InviteFormat``: invitations as iCalendar and e-mail."""

    def message(
        self, invite: Invite, *, method: Method, sender: str, to: Sequence[str], subject: str,
        text: str, html: str | None = None,
    ) -> EmailMessage:  # fmt: skip
        return invite_message(
            invite, method=method, sender=sender, to=to, subject=subject, text=text, html=html
        )

    def ics(self, invite: Invite, *, method: Method) -> bytes:
        return build_ics(invite, method=method)
