"""Runs outbox jobs: invites by e-mail (iCalendar over SMTP), events in reps' CalDAV
calendars, lead deliveries, CRM writes and the admins' alerts about leads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from leadrail.adapters.calendar.caldav_calendar import CalDavCalendar, CalDavSettings, CalendarError
from leadrail.adapters.calendar.ics import Invite, build_ics, invite_message, usable_email
from leadrail.adapters.credentials import (
    CredentialBox,
    CredentialRefused,
    CredentialUnreadable,
    env_credential,
)
from leadrail.adapters.crm.factory import CrmConnectors
from leadrail.adapters.db.delivery_outcomes import ALERT
from leadrail.adapters.lead_delivery import LeadDeliverer
from leadrail.adapters.mail.smtp import MailError, SmtpMailer
from leadrail.adapters.outbound import Outbound
from leadrail.app.catalog import RouterCatalog
from leadrail.app.deliveries import alert_text
from leadrail.app.outbox import ClaimedJob, JobFailed
from leadrail.app.ports import BookingRepo, LeadRepo, MeetingRow
from leadrail.app.signing import LinkSigner
from leadrail.app.workspace import CalendarDoc
from leadrail.leads.formats.text import text_email


@dataclass(frozen=True)
class CalDavAccess:
    """Opens reps' CalDAV calendars: with the password the rep typed (kept encrypted, bound
    to the rep and the server) or the one an admin named (LEADRAIL_CRED_...), every request
    through the outbound guard."""

    credentials: CredentialBox
    outbound: Outbound
    timeout: float = 10.0

    def password(self, rep: str, cal: CalendarDoc) -> str | None:
        try:
            if cal.password_encrypted:
                return self.credentials.open(cal.password_encrypted, rep, cal.url or "")
            return env_credential(cal.password_env, "calendar.password_env")
        except (CredentialUnreadable, CredentialRefused) as e:
            raise CalendarError(f"CalDAV password: {e}", retryable=False) from None

    def calendar(self, rep: str, cal: CalendarDoc, tz: str) -> CalDavCalendar:
        """A CalDAV client for one rep (``tz``: the rep's zone, for all-day events)."""
        settings = CalDavSettings(
            url=cal.url or "",
            username=cal.username,
            password=self.password(rep, cal),
            timeout_seconds=self.timeout,
            timezone=tz,
        )
        return CalDavCalendar(settings, self.outbound)

    def busy(
        self, rep: str, cal: CalendarDoc, tz: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        with self.calendar(rep, cal, tz) as client:
            return client.busy(start, end)


class JobRunner:
    def __init__(
        self,
        meetings: BookingRepo,
        catalog: RouterCatalog,
        admins: Callable[[], list[str]],
        crm: CrmConnectors,
        mailer: SmtpMailer,
        sender: str,
        signer: LinkSigner,
        base_url: str,
        forget_busy: Callable[[str], None] | None = None,
        leads: LeadDeliverer | None = None,
        lead_records: LeadRepo | None = None,
        caldav: CalDavAccess | None = None,
    ) -> None:
        self.caldav = caldav
        self.leads = leads
        self.lead_records = lead_records
        self.meetings = meetings
        self.catalog = catalog
        self.admins = admins
        self.crm = crm
        self.mailer = mailer
        self.sender = sender
        self.signer = signer
        self.base_url = base_url.rstrip("/")
        self.forget_busy = forget_busy

    def run(self, job: ClaimedJob, now: datetime) -> str:
        if job.kind == "lead":
            if self.leads is None:
                raise JobFailed("no lead deliverer configured", retryable=True)
            return self.leads.run(job, now)
        if job.kind == "crm_lead":
            return self._crm_lead(job.ref)
        if job.kind == ALERT:
            return self._alert(job)
        meeting = self.meetings.meeting(job.ref)
        if meeting is not None and job.kind == "crm_sync":
            from leadrail.adapters.crm_sync import sync_meeting

            return sync_meeting(self.catalog, self.crm, meeting)
        if meeting is None:
            raise JobFailed(f"meeting {job.ref} no longer exists", retryable=False)
        if now >= meeting.end:  # an invite or a calendar write is of no use any more
            raise JobFailed("the meeting is over: not sent", retryable=False)
        try:
            if job.kind == "invite":
                return self._invite(meeting, str(job.payload.get("method", "REQUEST")))
            if job.kind in ("calendar_put", "calendar_delete"):
                return self._calendar(meeting, put=job.kind == "calendar_put")
        except ValueError as e:  # an invite that cannot be written: retrying will not help
            raise JobFailed(f"cannot build the invite: {e}", retryable=False) from None
        raise JobFailed(f"unknown job kind {job.kind!r}", retryable=False)

    def _alert(self, job: ClaimedJob) -> str:
        """E-mail the admins the leads that could not be delivered on time."""
        admins = self.admins()
        records = self.lead_records
        found = [records.lead(str(i)) for i in job.payload.get("leads", [])] if records else []
        leads = [x for x in found if x is not None]
        if not admins or not leads:
            return "nobody to tell" if not admins else "nothing to tell"
        subject, body = alert_text(leads, self.base_url)
        message = text_email(
            body, sender=self.sender, to=admins, subject=subject,
            message_id=f"<alert-{job.id}@leadrail>",
        )  # fmt: skip
        try:
            return self.mailer.send_sync(message)
        except MailError as e:
            raise JobFailed(f"SMTP: {e}", retryable=e.retryable) from None

    def _crm_lead(self, lead_id: str) -> str:
        from leadrail.adapters.crm_sync import sync_lead

        if self.lead_records is None:
            raise JobFailed("no lead store configured", retryable=True)
        lead = self.lead_records.lead(lead_id)
        if lead is None:
            raise JobFailed(f"lead {lead_id} no longer exists", retryable=False)
        config = self.lead_records.lead_config()
        site = next((x for x in config.sites.values() if x.name == lead.site), None)
        return sync_lead(self.catalog, self.crm, lead, site.router if site else None)

    def invite(self, m: MeetingRow) -> Invite:
        snap = self.catalog.router(m.router)
        rep = snap.users.get(m.rep) if snap else None
        tz = (rep.timezone if rep else None) or (snap.spec.timezone if snap else "UTC")
        title = snap.meeting.name if snap and snap.meeting else "Meeting"
        who = m.name or m.email
        links = (
            f"Cancel: {self.base_url}{self.signer.path(m.id, 'cancel')}\n"
            f"Reschedule: {self.base_url}{self.signer.path(m.id, 'reschedule')}"
        )
        description = (f"Notes from {who}:\n{m.notes}\n\n" if m.notes else "") + links
        # An address that cannot be written (stored before the edge checked it) is left
        # out rather than holding back the invitation of everyone else.
        attendees = [
            (n, a) for n, a in [(m.name, m.email), *((g, g) for g in m.guests)] if usable_email(a)
        ]
        return Invite(
            uid=f"{m.id}@leadrail", sequence=m.sequence, start=m.start, end=m.end, tz=tz,
            summary=f"{title}: {who} and {(rep.name if rep else '') or m.rep}",
            description=description, location=(m.location or "").replace("{rep}", m.rep.split(
                "@")[0]) or None,
            organizer_name=(rep.name if rep else "") or m.rep, organizer_email=m.rep,
            attendees=tuple(attendees),
            cancel_url=f"{self.base_url}{self.signer.path(m.id, 'cancel')}",
            reschedule_url=f"{self.base_url}{self.signer.path(m.id, 'reschedule')}",
        )  # fmt: skip

    def _invite(self, m: MeetingRow, method: str) -> str:
        invite = self.invite(m)
        cancel = method == "CANCEL"
        subject = ("Cancelled: " if cancel else "Invitation: ") + invite.summary
        local = m.start.astimezone(ZoneInfo(invite.tz))
        when = f"{local:%A %d %B %Y, %H:%M} ({invite.tz})"
        text = (
            f"{invite.summary}\n{'Cancelled' if cancel else 'When'}: {when}\n\n"
            f"{invite.description}\n"
        )
        message = invite_message(
            invite,
            method="CANCEL" if cancel else "REQUEST",
            sender=self.sender,
            to=[a for a in (m.email, m.rep, *m.guests) if usable_email(a)],
            subject=subject,
            text=text,
        )
        try:
            return self.mailer.send_sync(message)
        except MailError as e:
            raise JobFailed(f"SMTP: {e}", retryable=e.retryable) from None

    def _calendar(self, m: MeetingRow, *, put: bool) -> str:
        found = self.catalog.calendars().get(m.rep)
        if found is None or found[0].provider != "caldav":
            return "built-in calendar: nothing to write"
        if self.caldav is None:
            raise JobFailed("no CalDAV access configured", retryable=True)
        try:
            with self.caldav.calendar(m.rep, *found) as client:
                if put and m.status == "booked":
                    ics = build_ics(self.invite(m), method="REQUEST")
                    client.put_event(f"{m.id}@leadrail", ics)
                    return "event written"
                client.delete_event(f"{m.id}@leadrail")
                return "event removed"
        except CalendarError as e:
            raise JobFailed(f"CalDAV: {e}", retryable=e.retryable) from None
        finally:
            if self.forget_busy is not None:
                self.forget_busy(m.rep)
