"""The outbox's use cases over the fakes of tests/fakes/: a worker with nothing real."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from leadrail.app.crm_sync.sync import SyncToCrm
from leadrail.app.delivery.alerts import AlertAdmins
from leadrail.app.delivery.deliver import DeliverLead
from leadrail.app.meetings.invite import MeetingLinks
from leadrail.app.meetings.notify import MeetingJobs
from leadrail.app.outbox import RetryPolicy, drain
from leadrail.app.outbox.table import job_table
from leadrail.app.password_reset import SendResetMail
from leadrail.app.ports import LeadConfig, SiteInfo, StoredLead
from leadrail.app.signing import LinkSigner
from leadrail.leads.codec import lead_to_data
from leadrail.leads.destinations import Target
from leadrail.leads.model import Customer, Lead
from tests.factories import SITE_KEY, booking_workspace
from tests.fakes import (
    FakeCalendarWriter,
    FakeCrm,
    FakeDeliveryRepo,
    FakeInviteFormat,
    FakeJitter,
    FakeMailSender,
    FakeOutboxRepo,
    FakeResetMails,
    FakeSecrets,
    FakeWebhookSender,
    FakeWorkspace,
)

T0 = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 08:00 in New York
WALL = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)  # the real time, as webhooks are signed
FALLBACK = Target("manager@dealer.test", "adf")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BASE_URL = "https://leadrail.test/"
SENDER = "leads@leadrail.test"


class World:
    """Every port faked, every job kind's use case built over them, as bootstrap does."""

    def __init__(
        self,
        workspace: Mapping[str, Any] | None = None,
        *,
        fallback: Target | None = FALLBACK,
        site_router: str | None = None,
    ) -> None:
        site = SiteInfo("dealer-site", SITE_KEY, None, site_router)
        config = LeadConfig(1, {}, fallback, {}, False, None, {SITE_KEY: site})
        self.workspace = FakeWorkspace(workspace or booking_workspace(), config)
        self.outbox = FakeOutboxRepo()
        self.deliveries = FakeDeliveryRepo(self.outbox)
        self.mail, self.hooks = FakeMailSender(), FakeWebhookSender()
        self.calendar, self.crm = FakeCalendarWriter(), FakeCrm()
        self.resets = FakeResetMails("ana@acme.test")
        self.jitter = FakeJitter()
        self.forgotten: list[str] = []  # reps whose cached busy time was dropped
        w = self.workspace
        self.meeting_jobs = MeetingJobs(
            w, w, w, FakeInviteFormat(), self.mail, self.calendar,
            MeetingLinks(LinkSigner("a test secret, long enough"), BASE_URL),
            sender=SENDER, forget_busy=self.forgotten.append,
        )  # fmt: skip
        self.crm_sync = SyncToCrm(self.crm, w, w, w)
        self.deliver = DeliverLead(
            self.deliveries, w.lead_config, self.mail, self.hooks,
            FakeSecrets(LEADRAIL_CRED_HOOK=SECRET), sender=SENDER, base_url=BASE_URL,
            wall_clock=lambda: WALL,
        )  # fmt: skip
        self.alerts = AlertAdmins(w, w, self.mail, sender=SENDER, base_url=BASE_URL)
        self.reset_mail = SendResetMail(self.resets, self.mail, base_url=BASE_URL)
        self.table = job_table(
            meetings=self.meeting_jobs, crm=self.crm_sync, deliveries=self.deliver,
            alerts=self.alerts, resets=self.reset_mail, retries=RetryPolicy(self.jitter),
        )  # fmt: skip

    def drain(self, now: datetime) -> int:
        return drain(self.outbox, self.table, now)

    def take_lead(self, *targets: Target, email: str = "zoe@example.test") -> Lead:
        """A form lead as intake leaves it: stored, with a delivery (and its job) per target."""
        lead = Lead(
            id=f"lead-{len(self.workspace.leads) + 1}", created_at=T0, category="Service",
            customer=Customer(first_name="Zoë", last_name="O'Brien", email=email),
            site="dealer-site",
        )  # fmt: skip
        self.workspace.leads[lead.id] = StoredLead(
            lead.id, T0, lead.site, lead_to_data(lead), [], []
        )
        for target in targets:
            self.deliveries.add(lead, target, T0)
        return lead
