"""The meeting jobs: the ``invite`` e-mail (an invitation, an update or a cancellation) and
the event in the rep's connected calendar: CalDAV, Google or Microsoft 365
(``calendar_put``, ``calendar_delete``). A meeting that is over gets neither; an invitation
that cannot be written fails for good. An online meeting (Meet / Teams) is made by the
rep's cloud calendar: the invitation waits a few tries for its link, then goes without."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from leadrail.app.calendars.ports import CloudEvents
from leadrail.app.meetings.invite import Invite, MeetingLinks, Method, meeting_invite, usable_email
from leadrail.app.meetings.mail_text import invite_text
from leadrail.app.meetings.ports import CalendarSettings, CalendarWriter, InviteFormat, Meetings
from leadrail.app.meetings.reminders import reminder_message
from leadrail.app.outbox import ClaimedJob, JobFailed, MailSender
from leadrail.app.ports import MeetingRow, Routers
from leadrail.app.workspace import BrandingDoc


class MeetingJobs:
    def __init__(
        self,
        meetings: Meetings,
        routers: Routers,
        calendars: CalendarSettings,
        invites: InviteFormat,
        mail: MailSender,
        writer: CalendarWriter,
        links: MeetingLinks,
        *,
        sender: str,
        forget_busy: Callable[[str], None],
        cloud: CloudEvents | None = None,
        logo_url: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.meetings = meetings
        self.routers = routers
        self.calendars = calendars
        self.invites = invites
        self.mail = mail
        self.writer = writer
        self.links = links
        self.sender = sender
        self.forget_busy = forget_busy  # the rep's cached busy time is stale after a write
        self.cloud = cloud  # events in reps' Google / Microsoft 365 calendars
        self.logo_url = logo_url  # the workspace logo's absolute address, when there is one

    def invite(self, job: ClaimedJob, now: datetime) -> str:
        """The ``invite`` job: e-mail the invitation (``payload.method``: CANCEL cancels)."""
        m = self._upcoming(job, now)
        method: Method = "CANCEL" if job.payload.get("method") == "CANCEL" else "REQUEST"
        if method == "REQUEST" and job.attempts <= LINK_WAIT_TRIES and self._link_pending(m):
            raise JobFailed("waiting for the online meeting link of the rep's calendar",
                            retryable=True)  # fmt: skip
        with _writable():
            return self._send_invite(m, method)

    def remind(self, job: ClaimedJob, now: datetime) -> str:
        """The ``reminder`` job: e-mail the prospect and the rep (never for a meeting that
        is no longer booked)."""
        m = self._upcoming(job, now)
        if m.status != "booked":
            return f"meeting {m.status}: no reminder"
        if now >= m.start:
            return "the meeting has started: no reminder"
        hours = int(job.payload.get("hours") or 0)
        with _writable():
            invite = self.invite_of(m)
            to = [a for a in (m.email, m.rep) if usable_email(a)]
            return self.mail.send(reminder_message(invite, hours, sender=self.sender, to=to))

    def write_event(self, job: ClaimedJob, now: datetime) -> str:
        """The ``calendar_put`` job: the booked meeting into the rep's CalDAV calendar (a
        meeting no longer booked is removed instead)."""
        m = self._upcoming(job, now)
        with _writable():
            return self._calendar(m, put=True)

    def remove_event(self, job: ClaimedJob, now: datetime) -> str:
        """The ``calendar_delete`` job: the meeting out of the rep's CalDAV calendar."""
        m = self._upcoming(job, now)
        with _writable():
            return self._calendar(m, put=False)

    def invite_of(self, m: MeetingRow) -> Invite:
        snap = self.routers.router(m.router)
        invite = meeting_invite(m, snap, self.links, snap.language if snap else "en")
        link = self.cloud.join_url(m.id) if self.cloud else None
        if link:
            text = f"Join online: {link}\n\n{invite.description}"
            return replace(invite, location=invite.location or link, description=text)
        return invite

    def _online(self, m: MeetingRow) -> bool:
        snap = self.routers.router(m.router)
        return bool(snap and snap.meeting and snap.meeting.online_meeting)

    def _link_pending(self, m: MeetingRow) -> bool:
        """An online meeting whose link the rep's cloud calendar has not given yet."""
        found = self.calendars.calendars().get(m.rep)
        cloud = found is not None and found[0].provider in CLOUD
        return cloud and self.cloud is not None and self._online(m) and not (
            self.cloud.join_url(m.id))  # fmt: skip

    def _upcoming(self, job: ClaimedJob, now: datetime) -> MeetingRow:
        meeting = self.meetings.meeting(job.ref)
        if meeting is None:
            raise JobFailed(f"meeting {job.ref} no longer exists", retryable=False)
        if now >= meeting.end:  # an invite or a calendar write is of no use any more
            raise JobFailed("the meeting is over: not sent", retryable=False)
        return meeting

    def _send_invite(self, m: MeetingRow, method: Method) -> str:
        """One e-mail per language and zone: the prospect's in the language and zone they
        booked in, the rep's and the guests' in the workspace's language and the rep's zone
        (one e-mail for all when they are the same)."""
        snap = self.routers.router(m.router)
        team = meeting_invite(m, snap, self.links, snap.language if snap else "en")
        team_lang = snap.language if snap else "en"
        groups: dict[tuple[str, str], list[str]] = {}
        prospect = (m.locale or team_lang, m.timezone or team.tz)
        for address, key in [(m.email, prospect)] + [(a, (team_lang, team.tz)) for a in
                                                      (m.rep, *m.guests)]:  # fmt: skip
            if usable_email(address):
                groups.setdefault(key, []).append(address)
        brand = snap.branding if snap else BrandingDoc()
        replies = []
        for (lang, tz), to in groups.items():
            invite = meeting_invite(m, snap, self.links, lang, tz)
            words = invite_text(invite, method, lang, brand, self.logo_url())
            message = self.invites.message(
                invite, method=method, sender=self.sender, to=to, subject=words.subject,
                text=words.text, html=words.html,
            )  # fmt: skip
            replies.append(self.mail.send(message))
        return "; ".join(replies)

    def _calendar(self, m: MeetingRow, *, put: bool) -> str:
        found = self.calendars.calendars().get(m.rep)
        write = put and m.status == "booked"
        if found is not None and found[0].provider in CLOUD and self.cloud is not None:
            try:
                if write:
                    invite = self.invite_of(m)
                    return self.cloud.put_event(m.rep, found[0], m.id, invite, self._online(m))
                return self.cloud.delete_event(m.rep, m.id)
            finally:
                self.forget_busy(m.rep)
        if self.cloud is not None and not write:  # written there before the rep moved
            self.cloud.delete_event(m.rep, m.id)
        if found is None or found[0].provider != "caldav":
            return "built-in calendar: nothing to write"
        calendar, tz = found
        uid = f"{m.id}@leadrail"
        try:
            if put and m.status == "booked":
                ics = self.invites.ics(self.invite_of(m), method="REQUEST")
                self.writer.put_event(m.rep, calendar, tz, uid, ics)
                return "event written"
            self.writer.delete_event(m.rep, calendar, tz, uid)
            return "event removed"
        finally:
            self.forget_busy(m.rep)


CLOUD = ("google", "microsoft")
LINK_WAIT_TRIES = 3  # the invitation waits this many tries for the Meet / Teams link


@contextmanager
def _writable() -> Iterator[None]:
    """An invitation that cannot be written fails for good: retrying will not help."""
    try:
        yield
    except ValueError as e:
        raise JobFailed(f"cannot build the invite: {e}", retryable=False) from None
