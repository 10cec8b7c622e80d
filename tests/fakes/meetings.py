"""Invitations, the reps' CalDAV calendars, the CRM, password-reset mails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage

from leadrail.app.accounts import ResetMail
from leadrail.app.crm_sync.ports import MeetingActivity, Owner, Person
from leadrail.app.meetings.invite import Invite, Method
from leadrail.app.outbox import SendFailed
from leadrail.app.workspace import CalendarDoc


class FakeInviteFormat:
    """Invitations as plain e-mails (the iCalendar part is the adapter's: test_ics.py)."""

    def message(
        self, invite: Invite, *, method: Method, sender: str, to: Sequence[str], subject: str,
        text: str, html: str | None = None,
    ) -> EmailMessage:  # fmt: skip
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, ", ".join(to), subject
        message["X-Method"] = method
        message.set_content(text)
        return message

    def ics(self, invite: Invite, *, method: Method) -> bytes:
        return f"{method} {invite.uid} {invite.summary}".encode()


class FakeCalendarWriter:
    def __init__(self) -> None:
        self.events: dict[tuple[str, str], bytes] = {}  # (rep, uid) -> iCalendar
        self.down: SendFailed | None = None

    def put_event(self, rep: str, calendar: CalendarDoc, tz: str, uid: str, ics: bytes) -> None:
        if self.down is not None:
            raise self.down
        self.events[(rep, uid)] = ics

    def delete_event(self, rep: str, calendar: CalendarDoc, tz: str, uid: str) -> None:
        if self.down is not None:
            raise self.down
        self.events.pop((rep, uid), None)


class FakeCrm:
    def __init__(self, *owners: Owner) -> None:
        self.owner_list = list(owners)
        self.people: list[Person] = []
        self.activities: list[MeetingActivity] = []
        self.down: SendFailed | None = None

    def owners(self) -> list[Owner]:
        if self.down is not None:
            raise self.down
        return list(self.owner_list)

    def upsert_person(self, person: Person) -> str:
        if self.down is not None:
            raise self.down
        self.people.append(person)
        return f"crm-{len(self.people)}"

    def create_meeting(self, meeting: MeetingActivity) -> str:
        self.activities.append(meeting)
        return f"activity-{len(self.activities)}"


class FakeResetMails:
    """The account use case's half of a reset: a link for the active addresses it knows."""

    def __init__(self, *active: str) -> None:
        self.active = set(active)

    def reset_mail(self, email: str, now: datetime, base_url: str) -> ResetMail | None:
        if email not in self.active:
            return None
        return ResetMail(email, "", f"{base_url.rstrip('/')}/password/reset/secret-token")
