"""The composition root: the one module that wires use cases to adapters.

The ``Container`` the entry points get is typed with ports (``app/ports.py`` and the ports
beside their use cases) and app services: an entry point calls use cases with these, and
never sees a SQL class."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from leadrail.adapters.calendar.caldav_access import CalDavAccess
from leadrail.adapters.calendar.cloud_calendars import CloudApi, ConnectedCalendars
from leadrail.adapters.calendar.cloud_http import PURPOSE as CALENDAR_API
from leadrail.adapters.calendar.cloud_http import CloudHttp
from leadrail.adapters.calendar.google_calendar import GoogleCalendar
from leadrail.adapters.calendar.graph_calendar import GraphCalendar
from leadrail.adapters.calendar.ics import IcsInvitations
from leadrail.adapters.calendar.oauth_apps import google_app, microsoft_app
from leadrail.adapters.credentials import CredentialBox
from leadrail.adapters.crm.base import CrmError
from leadrail.adapters.crm.factory import CrmConnectors
from leadrail.adapters.crm.writer import CrmWrites
from leadrail.adapters.db.accounts_repo import SqlAccountsRepo
from leadrail.adapters.db.analytics_repo import SqlAnalyticsRepo
from leadrail.adapters.db.audit_repo import SqlAuditRepo
from leadrail.adapters.db.busy_repo import BusyTimesRepo
from leadrail.adapters.db.calendar_connections_repo import SqlCalendarConnections
from leadrail.adapters.db.crm_repo import SqlCrmRepo
from leadrail.adapters.db.database import Database
from leadrail.adapters.db.deliveries_repo import SqlDeliveriesRepo
from leadrail.adapters.db.engine import Migrated
from leadrail.adapters.db.engine import migrate as migrate_database
from leadrail.adapters.db.images_repo import SqlImageStore
from leadrail.adapters.db.leads_repo import SqlLeadsRepo
from leadrail.adapters.db.ledger_repo import SqlLedgerRepo
from leadrail.adapters.db.link_secret import link_secret
from leadrail.adapters.db.live_repo import SqlLiveRepo
from leadrail.adapters.db.ops_repo import DbReadiness, SqlOpsRepo
from leadrail.adapters.db.outbox_repo import SqlOutboxRepo
from leadrail.adapters.db.routing_repo import SqlRoutingRepo
from leadrail.adapters.db.target_lists_repo import SqlTargetLists
from leadrail.adapters.db.workspace_repo import SqlWorkspaceRepo
from leadrail.adapters.geo.place import PlaceFinder
from leadrail.adapters.mail.sender import SmtpSender
from leadrail.adapters.mail.smtp import SmtpMailer, SmtpSettings
from leadrail.adapters.outbound import Outbound
from leadrail.adapters.passwords import Argon2Passwords
from leadrail.adapters.shared_state import LocalEpoch, RedisEpoch
from leadrail.adapters.webhook import EnvSecrets, HttpWebhooks
from leadrail.app.accounts import AccountService
from leadrail.app.analytics_report import AnalyticsRepo
from leadrail.app.audit import AuditRepo
from leadrail.app.calendars.ports import CalendarServices
from leadrail.app.catalog import RouterCatalog
from leadrail.app.crm_check import CheckLine, CrmUnreachable, check_mapping
from leadrail.app.crm_records import CrmRepo
from leadrail.app.crm_sync.sync import SyncToCrm
from leadrail.app.delivery.alerts import AlertAdmins
from leadrail.app.delivery.deliver import DeliverLead
from leadrail.app.images import ImageStore, logo_address
from leadrail.app.live.chats import Chats
from leadrail.app.live.presence import RepsGoing
from leadrail.app.live.reps import LiveReps
from leadrail.app.live.takers import ChatTakers
from leadrail.app.live.views import VisitorTokens
from leadrail.app.live.visitors import LiveService
from leadrail.app.meetings.invite import MeetingLinks
from leadrail.app.meetings.notify import MeetingJobs
from leadrail.app.ops import OpsRepo, Readiness, Revocations
from leadrail.app.outbox import JobTable, OutboxRepo, RetryPolicy
from leadrail.app.outbox.table import job_table
from leadrail.app.password_reset import SendResetMail
from leadrail.app.ports import (
    ClickRouterRepo,
    Clock,
    CredentialSealer,
    Health,
    LeadRepo,
    LedgerRepo,
    Locator,
    RepCalendars,
    TokenRepo,
    WorkspaceRepo,
)
from leadrail.app.ports.live import LiveBus, LivePush, LiveRepo
from leadrail.app.signing import LinkSigner
from leadrail.app.target_lists import Refreshed, refresh_lists
from leadrail.settings import Settings


@dataclass
class LiveParts:
    """Live visitor routing's storage, visitor tokens and IP places (the hub is the web
    layer's: ``app.state.live``; ``build_live`` puts the use cases on it)."""

    repo: LiveRepo
    tokens: VisitorTokens
    place: Callable[[str | None], dict[str, str] | None]
    bus: Callable[[], LiveBus] | None = None  # one per event loop; None: one process alone


@dataclass
class OpsParts:
    """Readiness and the database's figures for /readyz and /metrics."""

    repo: OpsRepo
    readiness: Readiness


@dataclass
class Wiring:
    """The concrete adapters, for the builders in this module. Until their builders move
    here, ``worker.runner_for`` (i12-outbox) reads them too; no other entry point may."""

    db: Database
    outbound: Outbound  # the guard for every URL a user typed (CalDAV, webhooks, the CRM)
    credentials: CredentialBox  # keeps the passwords users type, encrypted
    crm: CrmConnectors
    calendars: ConnectedCalendars  # CalDAV, Google, Microsoft 365: busy time and events


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    clock: Clock
    catalog: RouterCatalog  # routers ready for the engine, the reps' calendars
    routing: ClickRouterRepo  # routing transactions, bookings, clicks, CRM lookups
    workspace: WorkspaceRepo
    ledger: LedgerRepo
    calendar: RepCalendars
    outbox: OutboxRepo
    signer: LinkSigner
    leads: LeadRepo
    locator: Locator
    crm: CrmRepo  # the built-in CRM's records
    accounts: AccountService
    tokens: TokenRepo  # API tokens
    analytics: AnalyticsRepo
    audit: AuditRepo
    health: Health
    credentials: CredentialSealer  # keeps the passwords users type, encrypted
    live: LiveParts
    wiring: Wiring
    ops: OpsParts
    revocations: Revocations  # the API-token revocation epoch (Redis when configured)
    calendars: CalendarServices  # connecting reps' Google / Microsoft 365 calendars, status
    images: ImageStore  # the workspace logo, the reps' photos
    wake: threading.Event = field(default_factory=threading.Event)

    def wake_worker(self) -> None:
        """New outbox work: let the worker look now rather than at its next tick."""
        self.wake.set()

    def close(self) -> None:
        self.wiring.db.dispose()


def refresh_target_lists(c: Container, *, force: bool = False) -> list[Refreshed]:
    """Refresh the query lists that are due (all with ``force``) from the built-in CRM's
    companies; a list whose domains changed moves the workspace's revision on."""
    found = SqlTargetLists(c.wiring.db)
    done = refresh_lists(found, found, c.clock.now(), force=force)
    if any(r.changed for r in done):
        c.catalog.forget()
    return done


def check_crm(c: Container) -> list[CheckLine]:
    """``leadrail crm check``: the mapping tested against the connected CRM (CrmUnreachable
    when the CRM cannot be asked)."""
    try:
        return check_mapping(c.workspace, c.wiring.crm.connector())
    except CrmError as e:
        raise CrmUnreachable(str(e)) from None


def migrate(url: str) -> Migrated:
    """Apply the database's migrations (idempotent); says which."""
    return migrate_database(url)


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
    db = Database.connect(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    outbound = Outbound.allowing(settings.outbound_allow_hosts)
    secret: str | Callable[[], str] = settings.secret_key or (lambda: link_secret(db))
    workspace = SqlWorkspaceRepo(db, outbound)
    catalog = RouterCatalog(workspace)
    workspace.on_save(lambda _revision: catalog.forget())
    crm = CrmConnectors(db, outbound)
    credentials = CredentialBox(secret)
    calendars, services = connected_calendars(settings, db, outbound, credentials)
    calendars.on_away = catalog.set_away
    from leadrail.adapters.geo.locate import Locator as GeoLocator

    shared = RedisEpoch(settings.redis_url, settings.redis_prefix) if settings.redis_url else None
    revocations: Revocations = shared or LocalEpoch()
    workspace.on_save(lambda _revision: revocations.bump())  # it may have deactivated users
    accounts = SqlAccountsRepo(db, on_revoke=revocations.bump)
    return Container(
        settings=settings,
        clock=SystemClock(),
        catalog=catalog,
        routing=SqlRoutingRepo(db, catalog, crm),
        workspace=workspace,
        ledger=SqlLedgerRepo(db),
        calendar=BusyTimesRepo(
            db, catalog.calendars, calendars.busy, settings.caldav_cache_seconds
        ),
        outbox=SqlOutboxRepo(db),
        signer=LinkSigner(secret),
        leads=SqlLeadsRepo(db),
        locator=GeoLocator(mmdb_path=settings.geo_mmdb_path),
        crm=SqlCrmRepo(db),
        accounts=AccountService(accounts, Argon2Passwords()),
        tokens=accounts,
        analytics=SqlAnalyticsRepo(db),
        audit=SqlAuditRepo(db),
        health=db,
        credentials=credentials,
        live=LiveParts(
            SqlLiveRepo(db),
            VisitorTokens(secret),
            PlaceFinder(settings.geo_mmdb_path),
            live_bus(settings),
        ),  # fmt: skip
        wiring=Wiring(db, outbound, credentials, crm, calendars),
        calendars=services,
        ops=OpsParts(
            SqlOpsRepo(db),
            DbReadiness(db, settings.database_url, shared.ping if shared else None),
        ),
        revocations=revocations,
        images=SqlImageStore(db),
    )


def live_bus(settings: Settings) -> Callable[[], LiveBus] | None:
    """With ``LEADRAIL_REDIS_URL``: live routing across processes through Redis."""
    url = settings.redis_url
    if not url:
        return None
    from leadrail.adapters.redis_bus import RedisLiveBus

    grace, prefix = settings.presence_grace_seconds, settings.redis_prefix
    return lambda: RedisLiveBus(url, prefix, presence_ttl=grace)


def connected_calendars(
    settings: Settings, db: Database, outbound: Outbound, credentials: CredentialBox
) -> tuple[ConnectedCalendars, CalendarServices]:
    """Reps' calendars of every kind; the OAuth clients and grants of the cloud ones."""
    http = outbound.http_client(CALENDAR_API, timeout=10.0, follow_redirects=False)
    apps = {"google": google_app(settings, http), "microsoft": microsoft_app(settings, http)}
    grants = SqlCalendarConnections(db)
    cloud = CloudHttp(
        apps, grants, credentials, http, retries=settings.calendar_api_retries,
        retry_after_cap=settings.calendar_retry_after_cap_seconds,
    )  # fmt: skip
    apis: dict[str, CloudApi] = {"google": GoogleCalendar(cloud, settings.google_api_url),
            "microsoft": GraphCalendar(cloud, settings.microsoft_api_url)}  # fmt: skip
    calendars = ConnectedCalendars(CalDavAccess(credentials, outbound), apis, grants)
    return calendars, CalendarServices(apps, grants, calendars)


def build_jobs(c: Container) -> JobTable:
    """The worker's job table: each kind of outbox job's use case, over the adapters it
    sends and writes through."""
    s, w = c.settings, c.wiring
    mail = SmtpSender(mailer_for(s))
    hooks = w.outbound.http_client("webhook URL", timeout=10.0, follow_redirects=False)
    deliveries = DeliverLead(
        SqlDeliveriesRepo(w.db), c.leads.lead_config, mail, HttpWebhooks(hooks), EnvSecrets(),
        sender=s.mail_from, base_url=s.base_url, wall_clock=SystemClock().now,
    )  # fmt: skip
    meetings = MeetingJobs(
        c.routing, c.catalog, c.catalog, IcsInvitations(), mail,
        CalDavAccess(w.credentials, w.outbound), MeetingLinks(c.signer, s.base_url),
        sender=s.mail_from, forget_busy=c.calendar.forget, cloud=w.calendars,
        logo_url=lambda: logo_address(c.images, s.base_url),
    )  # fmt: skip
    return job_table(
        meetings=meetings,
        crm=SyncToCrm(CrmWrites(w.crm.connector), c.catalog, c.routing, c.leads, c.ledger),
        deliveries=deliveries,
        alerts=AlertAdmins(c.accounts, c.leads, mail, sender=s.mail_from, base_url=s.base_url),
        resets=SendResetMail(c.accounts, mail, base_url=s.base_url),
        retries=RetryPolicy(
            random.Random(), wait_every=timedelta(seconds=s.worker_wait_retry_seconds)
        ),
    )


@dataclass(frozen=True)
class Live:
    """Live routing's use cases, over one hub: the visitors' events, the reps' console, and
    what both do to a chat."""

    chats: Chats
    service: LiveService
    reps: LiveReps
    going: RepsGoing


def build_live(c: Container, push: LivePush) -> Live:
    """Live routing's use cases, pushing through ``push`` (the web layer's hub)."""
    parts = c.live
    chats = Chats(parts.repo, push, c.clock.now)
    takers = ChatTakers(parts.repo, push, c.routing)
    service = LiveService(
        chats, takers, c.routing, c.leads, c.locator, parts.tokens, place=parts.place
    )
    reps = LiveReps(chats, timedelta(seconds=c.settings.live_visitor_idle_seconds))
    return Live(chats, service, reps, RepsGoing(chats, takers))
