"""The composition root: the one module that wires use cases to adapters."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from leadrail.adapters.calendar.caldav_access import CalDavAccess
from leadrail.adapters.calendar.ics import IcsInvitations
from leadrail.adapters.credentials import CredentialBox
from leadrail.adapters.crm.writer import CrmWrites
from leadrail.adapters.db.accounts_repo import SqlAccounts
from leadrail.adapters.db.busy import BusyTimes
from leadrail.adapters.db.crm_repo import SqlCrm
from leadrail.adapters.db.deliveries_repo import SqlDeliveries
from leadrail.adapters.db.engine import make_engine, migrate
from leadrail.adapters.db.leads_repo import SqlLeads
from leadrail.adapters.db.live_repo import SqlLive
from leadrail.adapters.db.outbox_repo import SqlOutbox
from leadrail.adapters.db.store import SqlStore
from leadrail.adapters.geo.place import PlaceFinder
from leadrail.adapters.mail.sender import SmtpSender
from leadrail.adapters.mail.smtp import SmtpMailer, SmtpSettings
from leadrail.adapters.outbound import Outbound
from leadrail.adapters.passwords import Argon2Passwords
from leadrail.adapters.webhook import EnvSecrets, HttpWebhooks
from leadrail.app.accounts import AccountService
from leadrail.app.crm_sync.sync import SyncToCrm
from leadrail.app.delivery.alerts import AlertAdmins
from leadrail.app.delivery.deliver import DeliverLead
from leadrail.app.live_views import VisitorTokens
from leadrail.app.meetings.invite import MeetingLinks
from leadrail.app.meetings.notify import MeetingJobs
from leadrail.app.outbox import JobTable, RetryPolicy
from leadrail.app.outbox.table import job_table
from leadrail.app.password_reset import SendResetMail
from leadrail.app.ports import Locator
from leadrail.app.signing import LinkSigner
from leadrail.settings import Settings


@dataclass
class LiveParts:
    """Live visitor routing's storage, visitor tokens and IP places (the hub is the web
    layer's: ``app.state.live``)."""

    store: SqlLive
    tokens: VisitorTokens
    place: PlaceFinder


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    engine: Engine
    store: SqlStore
    clock: SystemClock
    calendar: BusyTimes
    outbox: SqlOutbox
    signer: LinkSigner
    leads: SqlLeads
    locator: Locator
    crm: SqlCrm
    accounts: AccountService
    live: LiveParts
    outbound: Outbound  # the guard for every URL a user typed (CalDAV, webhooks, the CRM)
    credentials: CredentialBox  # keeps the passwords users type, encrypted
    wake: threading.Event = field(default_factory=threading.Event)

    def wake_worker(self) -> None:
        """New outbox work: let the worker look now rather than at its next tick."""
        self.wake.set()

    def close(self) -> None:
        self.engine.dispose()


def mailer_for(settings: Settings) -> SmtpMailer:
    tls = settings.smtp_tls if settings.smtp_tls in ("none", "starttls", "implicit") else "none"
    return SmtpMailer(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            tls=tls,  # type: ignore[arg-type]
            username=settings.smtp_username,
            password=settings.smtp_password,
            sender=settings.mail_from,
        )
    )


def bootstrap(settings: Settings, *, run_migrations: bool = False) -> Container:
    if run_migrations:
        migrate(settings.database_url)
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    outbound = Outbound.allowing(settings.outbound_allow_hosts)
    store = SqlStore(engine, outbound)
    credentials = CredentialBox(settings.secret_key or store.link_secret)
    caldav = CalDavAccess(credentials, outbound)
    calendar = BusyTimes(engine, store.calendars, caldav.busy, settings.caldav_cache_seconds)
    signer = LinkSigner(settings.secret_key or store.link_secret)
    from leadrail.adapters.geo.locate import Locator as GeoLocator

    leads = SqlLeads(engine, store.write_lock)
    locator = GeoLocator(mmdb_path=settings.geo_mmdb_path)
    outbox = SqlOutbox(engine)
    crm = SqlCrm(engine, store.write_lock)
    accounts = AccountService(SqlAccounts(engine, store.write_lock), Argon2Passwords())
    return Container(
        settings,
        engine,
        store,
        SystemClock(),
        calendar,
        outbox,
        signer,
        leads,
        locator,
        crm,
        accounts,
        LiveParts(
            SqlLive(engine, store.write_lock),
            VisitorTokens(settings.secret_key or store.link_secret),
            PlaceFinder(settings.geo_mmdb_path),
        ),
        outbound,
        credentials,
    )


def build_jobs(c: Container) -> JobTable:
    """The worker's job table: each kind of outbox job's use case, over the adapters it
    sends and writes through."""
    s = c.settings
    mail = SmtpSender(mailer_for(s))
    hooks = c.outbound.http_client("webhook URL", timeout=10.0, follow_redirects=False)
    deliveries = DeliverLead(
        SqlDeliveries(c.engine), c.leads.lead_config, mail, HttpWebhooks(hooks), EnvSecrets(),
        sender=s.mail_from, base_url=s.base_url, wall_clock=SystemClock().now,
    )  # fmt: skip
    meetings = MeetingJobs(
        c.store, c.store, c.store, IcsInvitations(), mail,
        CalDavAccess(c.credentials, c.outbound), MeetingLinks(c.signer, s.base_url),
        sender=s.mail_from, forget_busy=c.calendar.forget,
    )  # fmt: skip
    return job_table(
        meetings=meetings,
        crm=SyncToCrm(CrmWrites(c.store.crm), c.store, c.store, c.leads),
        deliveries=deliveries,
        alerts=AlertAdmins(c.store, c.leads, mail, sender=s.mail_from, base_url=s.base_url),
        resets=SendResetMail(c.accounts, mail, base_url=s.base_url),
        retries=RetryPolicy(
            random.Random(), wait_every=timedelta(seconds=s.worker_wait_retry_seconds)
        ),
    )
