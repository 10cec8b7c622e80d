"""A meeting as the people invited to it see it (``Invite``), and what leadrail writes in
it: who is invited, the title, the prospect's notes and the cancel/reschedule links.
iCalendar and MIME are the adapter's (``adapters/calendar/ics.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadrail.app.ports import MeetingRow, RouterSnapshot
from leadrail.app.signing import LinkSigner
from leadrail.i18n import gettext_for

Method = Literal["REQUEST", "CANCEL"]  # iTIP: an invitation (or its update), a cancellation
_EMAIL = re.compile(r"[^\s@\"<>(),;:\[\]\\]+@[^\s@\"<>(),;:\[\]\\]+")


@dataclass(frozen=True)
class Invite:
    """One meeting as the people invited to it see it. ``tz`` is the organiser's IANA zone."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    tz: str
    summary: str
    description: str
    location: str | None
    organizer_name: str
    organizer_email: str
    attendees: tuple[tuple[str, str], ...]  # (name, email)
    cancel_url: str | None = None
    reschedule_url: str | None = None

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("invite times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("an invite must end after it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative")
        if not self.uid or not self.uid.isprintable():
            raise ValueError("an invite needs a printable UID")
        zone(self.tz)
        check_email(self.organizer_email)
        for _, address in self.attendees:
            check_email(address)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or ValueError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {name!r}") from e


def check_email(address: str) -> str:
    """``address`` if it is a plain ``local@domain`` address, else ValueError."""
    if not address.isprintable() or _EMAIL.fullmatch(address) is None:
        raise ValueError(f"not an e-mail address: {address!r}")
    return address


def usable_email(address: str) -> bool:
    """Whether ``address`` can be written as an attendee or a recipient."""
    try:
        check_email(address)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class MeetingLinks:
    """The signed links a prospect uses to cancel or reschedule a meeting."""

    signer: LinkSigner
    base_url: str

    def url(self, meeting_id: str, action: Literal["cancel", "reschedule"]) -> str:
        return f"{self.base_url.rstrip('/')}{self.signer.path(meeting_id, action)}"


def meeting_invite(
    m: MeetingRow,
    snap: RouterSnapshot | None,
    links: MeetingLinks,
    lang: str = "en",
    tz: str | None = None,
) -> Invite:
    """The invitation of ``m`` (``snap``: its router, for the rep's name and zone and the
    meeting type's title) in ``lang``, its times in ``tz`` (default: the rep's zone).
    ValueError when it cannot be written."""
    _ = gettext_for(lang)
    rep = snap.users.get(m.rep) if snap else None
    tz = tz or (rep.timezone if rep else None) or (snap.spec.timezone if snap else "UTC")
    title = snap.meeting.name if snap and snap.meeting else _("Meeting")
    who = m.name or m.email
    rep_name = (rep.name if rep else "") or m.rep
    cancel, reschedule = links.url(m.id, "cancel"), links.url(m.id, "reschedule")
    notes = (_("Notes from %(who)s:") % {"who": who} + f"\n{m.notes}\n\n") if m.notes else ""
    description = notes + "\n".join(
        (_("Cancel: %(url)s") % {"url": cancel}, _("Reschedule: %(url)s") % {"url": reschedule})
    )
    # An address that cannot be written (stored before the edge checked it) is left
    # out rather than holding back the invitation of everyone else.
    attendees = [
        (n, a) for n, a in [(m.name, m.email), *((g, g) for g in m.guests)] if usable_email(a)
    ]
    return Invite(
        uid=f"{m.id}@leadrail", sequence=m.sequence, start=m.start, end=m.end, tz=tz,
        summary=_("%(title)s: %(who)s and %(rep)s") % {"title": title, "who": who, "rep": rep_name},
        description=description,
        location=(m.location or "").replace("{rep}", m.rep.split("@")[0]) or None,
        organizer_name=rep_name, organizer_email=m.rep,
        attendees=tuple(attendees), cancel_url=cancel, reschedule_url=reschedule,
    )  # fmt: skip
