"""In-memory fakes of the app's ports, for the use-case tests in tests/unit/app/ (the model:
cosmicpython's FakeUnitOfWork). Plain classes that do what the real adapter promises and
record what happened; no mocks. Where an adapter promises something of storage (a claim's
fencing token, a hand-over once per lead), the fake keeps the same promise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from leadrail.app.accounts import ResetMail
from leadrail.app.crm_sync.ports import MeetingActivity, Owner, Person
from leadrail.app.delivery.ports import Attempt, DeliveryToSend, Failure, WebhookReply
from leadrail.app.meetings.invite import Invite, Method
from leadrail.app.outbox import ClaimedJob, JobKind, SendFailed
from leadrail.app.ports import LeadConfig, MeetingRow, RouterSnapshot, StoredLead
from leadrail.app.specs import router_spec, user_info
from leadrail.app.workspace import CalendarDoc, WorkspaceDoc
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead


class FakeJitter:
    """A random source that always picks the same point of the range (0: its low end)."""

    def __init__(self, at: float = 0.5) -> None:
        self.at = at
        self.ranges: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.ranges.append((a, b))
        return a + (b - a) * self.at


# --- the outbox ------------------------------------------------------------------------------
@dataclass
class FakeJob:
    id: int
    kind: str
    ref: str
    payload: dict[str, Any]
    next_at: datetime
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    done_at: datetime | None = None
    claim: str | None = None


class FakeOutboxRepo:
    """The outbox table: a claimed job is held until released; an outcome is recorded only
    under the claim that ran it (an admin's stop ends the claim)."""

    def __init__(self) -> None:
        self.jobs: dict[int, FakeJob] = {}
        self.held: set[int] = set()
        self._claims = 0

    def add(
        self, kind: str, ref: str, now: datetime, payload: Mapping[str, Any] | None = None
    ) -> int:
        job_id = len(self.jobs) + 1
        self.jobs[job_id] = FakeJob(job_id, kind, ref, dict(payload or {}), now)
        return job_id

    def of_kind(self, kind: str) -> list[FakeJob]:
        return [j for j in self.jobs.values() if j.kind == kind]

    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]:
        due = [
            j
            for j in self.jobs.values()
            if j.status in ("pending", "running", "waiting")
            and j.next_at <= now
            and j.id not in self.held
        ][:limit]
        out = []
        for j in due:
            self._claims += 1
            j.status, j.attempts, j.next_at = "running", j.attempts + 1, lease_until
            j.claim = f"claim-{self._claims}"
            self.held.add(j.id)
            out.append(ClaimedJob(j.id, j.kind, j.ref, dict(j.payload), j.attempts, j.claim))
        return out

    def release(self, job: ClaimedJob) -> None:
        self.held.discard(job.id)

    def _record(self, job: ClaimedJob, **values: Any) -> bool:
        row = self.jobs[job.id]
        if row.claim != job.token:
            return False
        for name, value in {**values, "claim": None}.items():
            setattr(row, name, value)
        return True

    def finish(self, job: ClaimedJob, now: datetime, result: str) -> bool:
        payload = {**job.payload, "result": result}
        return self._record(job, status="done", done_at=now, last_error=None, payload=payload)

    def retry(self, job: ClaimedJob, next_at: datetime, error: str) -> bool:
        return self._record(job, status="pending", next_at=next_at, last_error=error)

    def wait(self, job: ClaimedJob, next_at: datetime, error: str) -> bool:
        return self._record(job, status="waiting", next_at=next_at, last_error=error)

    def fail(self, job: ClaimedJob, now: datetime, error: str) -> bool:
        return self._record(job, status="failed", done_at=now, last_error=error)

    def stop(self, job_id: int, now: datetime) -> None:
        """An admin stops the job (its claim, if any, is over)."""
        row = self.jobs[job_id]
        row.status, row.claim, row.done_at = "stopped", None, now


# --- lead deliveries -----------------------------------------------------------------------
@dataclass
class FakeDelivery:
    id: str
    lead: Lead
    target: Target
    role: str
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    delivered_at: datetime | None = None
    receipts: list[tuple[bool, Attempt]] = field(default_factory=list)


class FakeDeliveryRepo:
    """Deliveries with their receipts; a new delivery (and an alert) is an outbox job."""

    def __init__(self, outbox: FakeOutboxRepo) -> None:
        self.outbox = outbox
        self.deliveries: dict[str, FakeDelivery] = {}
        self.alerted: list[str] = []  # lead ids, in the order admins were told

    def add(self, lead: Lead, target: Target, now: datetime, role: str = "primary") -> str:
        delivery_id = f"d{len(self.deliveries) + 1}"
        self.deliveries[delivery_id] = FakeDelivery(delivery_id, lead, target, role)
        self.outbox.add(JobKind.LEAD, delivery_id, now)
        return delivery_id

    def of_lead(self, lead_id: str, role: str | None = None) -> list[FakeDelivery]:
        found = [d for d in self.deliveries.values() if d.lead.id == lead_id]
        return [d for d in found if role is None or d.role == role]

    def delivery(self, delivery_id: str) -> DeliveryToSend | None:
        d = self.deliveries.get(delivery_id)
        if d is None:
            return None
        t = d.target
        return DeliveryToSend(
            d.id, d.lead, t.address, t.format, t.secret_env, t.attach_xml, d.role, d.status
        )

    def delivered(self, delivery_id: str, attempt: Attempt) -> None:
        d = self.deliveries[delivery_id]
        d.status, d.delivered_at, d.last_error = "delivered", attempt.at, None
        d.attempts += 1
        d.receipts.append((True, attempt))

    def failed(self, delivery_id: str, attempt: Attempt, failure: Failure) -> None:
        d = self.deliveries[delivery_id]
        d.attempts += 1
        d.last_error = attempt.response
        d.receipts.append((False, attempt))
        if d.status == "stopped":
            return
        d.status, d.last_error = failure.status, failure.last_error
        if failure.hand_over is not None and not self.of_lead(d.lead.id, "fallback"):
            self.add(d.lead, failure.hand_over, attempt.at, role="fallback")
        if failure.alert and d.lead.id not in self.alerted:
            self.alerted.append(d.lead.id)
            unsent = [
                j
                for j in self.outbox.of_kind(JobKind.LEAD_ALERT)
                if j.status in ("pending", "waiting")
            ]
            if unsent:
                unsent[0].payload["leads"].append(d.lead.id)
            else:
                self.outbox.add(JobKind.LEAD_ALERT, "admins", attempt.at, {"leads": [d.lead.id]})

    def stop(self, delivery_id: str) -> None:
        """An admin stops a delivery (``outbox.stop`` stops its job)."""
        self.deliveries[delivery_id].status = "stopped"


# --- senders ---------------------------------------------------------------------------------
class FakeMailSender:
    """Takes every message, unless the server is ``down`` (every send fails with it) or
    refuses a recipient (``refusals``)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.down: SendFailed | None = None
        self.refusals: dict[str, SendFailed] = {}

    def send(self, message: EmailMessage) -> str:
        if self.down is not None:
            raise self.down
        for to in str(message["To"]).split(", "):
            if to in self.refusals:
                raise self.refusals[to]
        self.sent.append(message)
        return f"250 OK queued as {len(self.sent)}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sent if address in str(m["To"]).split(", ")]


class FakeWebhookSender:
    """Answers each POST with the next of ``replies`` (a reply, or a SendFailed to raise);
    200 OK when there are none left."""

    def __init__(self, *replies: WebhookReply | SendFailed) -> None:
        self.replies = list(replies)
        self.posts: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        self.posts.append((url, body, dict(headers)))
        reply = self.replies.pop(0) if self.replies else WebhookReply(200, "OK", "")
        if isinstance(reply, SendFailed):
            raise reply
        return reply


class FakeSecrets:
    def __init__(self, **values: str) -> None:
        self.values = values

    def secret(self, name: str | None, field: str) -> str | None:
        if name and not name.startswith("LEADRAIL_CRED_"):
            raise SendFailed(f"{field}: {name} is not used as a credential", retryable=False)
        return self.values.get(name or "")


# --- meetings, routers, calendars, the CRM ---------------------------------------------------
class FakeWorkspace:
    """Routers (as the engine sees them), the reps' calendars, meetings, leads and admins."""

    def __init__(self, workspace: Mapping[str, Any], lead_config: LeadConfig | None = None):
        doc = WorkspaceDoc.model_validate(workspace)
        users = {u.email: user_info(u, doc.timezone) for u in doc.users or []}
        meetings = {m.slug: m for m in doc.meeting_types or []}
        self.user_docs = {u.email: u for u in doc.users or []}
        self.snapshots = {
            r.slug: RouterSnapshot(
                1, r, router_spec(r, doc), users, {},
                meetings.get(r.meeting_type) if r.meeting_type else None, self.user_docs,
                doc.branding, doc.language,
            )
            for r in doc.routers or []
        }  # fmt: skip
        self.timezone = doc.timezone
        self.meetings: dict[str, MeetingRow] = {}
        self.leads: dict[str, StoredLead] = {}
        self.config = lead_config or LeadConfig(0, {}, None, {}, False, None, {})
        self.admins: list[str] = []

    def router(self, slug: str) -> RouterSnapshot | None:
        return self.snapshots.get(slug)

    def calendars(self) -> dict[str, tuple[CalendarDoc, str]]:
        return {
            e: (u.calendar, u.timezone or self.timezone)
            for e, u in self.user_docs.items()
            if u.calendar is not None
        }

    def meeting(self, meeting_id: str) -> MeetingRow | None:
        return self.meetings.get(meeting_id)

    def lead(self, lead_id: str) -> StoredLead | None:
        return self.leads.get(lead_id)

    def lead_config(self) -> LeadConfig:
        return self.config

    def admin_emails(self) -> list[str]:
        return list(self.admins)


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
