"""What the use cases need from the world. Adapters implement these; tests may use twins."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from leadrail.app.workspace import BrandingDoc, MeetingTypeDoc, RouterDoc, UserDoc, WorkspaceDoc
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead
from leadrail.leads.nearest import GeoPoint, LocationHints
from leadrail.routing.model import CrmRecord, Decision, PoolState, Prospect, RouterSpec, UserInfo
from leadrail.routing.trace import Trace


@dataclass(frozen=True)
class RouterSnapshot:
    """A router ready for the engine, with the users and lists it may refer to."""

    revision: int
    doc: RouterDoc
    spec: RouterSpec
    users: Mapping[str, UserInfo]
    lists: Mapping[str, frozenset[str]]
    meeting: MeetingTypeDoc | None = None
    user_docs: Mapping[str, UserDoc] = field(default_factory=dict)
    branding: BrandingDoc = field(default_factory=BrandingDoc)
    language: str = "en"  # the workspace's, for e-mails to reps


@dataclass(frozen=True)
class RecordedDecision:
    id: str | None  # None for a dry run
    router: str
    decision: Decision
    prospect: Prospect
    created_at: datetime
    extra: Mapping[str, Any] = field(default_factory=dict)


class Clock(Protocol):
    def now(self) -> datetime: ...  # timezone-aware


class StaleState(Exception):
    """The state a decision was computed from changed underneath it: compute it again."""


class Routers(Protocol):
    """Routers ready for the engine (the app's ``RouterCatalog``)."""

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None: ...


class RoutingRepo(Routers, Protocol):
    """What routing a prospect needs: the router (from the catalog), the CRM's records of the
    prospect, and the router's transaction."""

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]: ...

    def transaction(
        self, slug: str, *, write: bool
    ) -> AbstractContextManager[RoutingTransaction]: ...


@dataclass(frozen=True)
class LedgerRow:
    id: str
    router: str
    created_at: datetime
    email: str
    rule: str | None
    via: str
    assignees: list[str]
    trace: Trace
    prospect: dict[str, Any]


class WorkspaceRepo(Protocol):
    def revision(self) -> int:
        """The workspace's revision: one more after each save."""
        ...

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc: ...

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        """The document and the revision it is at (read in one transaction)."""
        ...

    def save(self, doc: WorkspaceDoc, *, revision: int | None = None) -> int:
        """Make the workspace match ``doc``; returns the new revision. With ``revision`` (the
        one the document was read at), a workspace saved by someone else since raises
        ``Stale`` and nothing is written."""
        ...

    def outbound_url_problem(self, url: str) -> str | None:
        """Why a user-typed URL leadrail would call (CalDAV, webhook, CRM) cannot be saved:
        it names a loopback/private/link-local address or a local network name that the
        operator has not allowed; None when it may be saved."""
        ...


class LedgerRepo(Protocol):
    """The decisions ledger, read."""

    def decisions(
        self, router: str | None = None, email: str | None = None, limit: int = 100
    ) -> Iterator[LedgerRow]: ...

    def decision(self, decision_id: str) -> LedgerRow | None: ...


class CredentialSealer(Protocol):
    """Keeps a password a user typed: ``seal`` gives the stored (encrypted) form, bound to
    the user and to the server of ``url``."""

    def seal(self, secret: str, owner: str, url: str) -> str: ...


@dataclass(frozen=True)
class TokenOwner:
    user_id: int
    email: str
    is_admin: bool


# --- click routers: meetings, calendars, the outbox -------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    id: str
    router: str
    rep: str
    start: datetime
    end: datetime
    status: str
    email: str
    name: str
    notes: str
    guests: list[str]
    location: str | None
    sequence: int
    decision_id: str | None
    meeting_type: str | None
    timezone: str | None = None  # the prospect's, when they booked on the page
    locale: str | None = None  # the prospect's language (en, de, fr, es)


@dataclass(frozen=True)
class NewMeeting:
    id: str
    router: str
    rep: str
    start: datetime
    end: datetime
    email: str
    name: str
    notes: str
    guests: list[str]
    location: str | None
    prospect: Mapping[str, Any]
    decision_id: str | None
    meeting_type: str | None
    timezone: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class Job:
    kind: str  # "invite", "calendar_put", "calendar_delete"
    ref: str  # the meeting's id
    payload: Mapping[str, Any] = field(default_factory=dict)


class SlotTaken(Exception):
    """The chosen time is no longer free for that rep."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BookingTransaction(Protocol):
    """Holds the rep's lock: no other booking for that rep commits in between."""

    def busy_between(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The rep's booked meetings and busy blocks, read in this transaction (on its own
        connection: a transaction never asks the pool for a second one)."""
        ...

    def insert_meeting(self, meeting: NewMeeting, now: datetime) -> None: ...

    def cancel_meeting(self, meeting_id: str, now: datetime) -> bool: ...

    def enqueue(self, job: Job, now: datetime) -> None: ...


class RoutingTransaction(BookingTransaction, Protocol):
    """One routing decision's unit of work. A writing transaction holds the router's lock
    (PostgreSQL: row lock on the router; SQLite: the database write lock) from its start."""

    def revision(self) -> int: ...

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]: ...

    def credits(self) -> Mapping[str, int]: ...

    def recent_assignee(self, router: str, email: str, since: datetime) -> str | None: ...

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str: ...

    def save_lead(
        self,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool = False,
    ) -> None:
        """A form lead routed by this transaction's decision, written with it (see
        ``LeadStore.save_lead``; a duplicate key raises DuplicateLead)."""
        ...


class BookingRepo(Protocol):
    def booking(self, rep: str) -> AbstractContextManager[BookingTransaction]: ...

    def meeting(self, meeting_id: str) -> MeetingRow | None: ...

    def record_click(
        self,
        router: str,
        email: str,
        decision_id: str | None,
        utm: Mapping[str, str],
        now: datetime,
    ) -> None: ...

    def latest_decision(self, router: str, email: str, since: datetime) -> LedgerRow | None: ...


class ClickRouterRepo(RoutingRepo, BookingRepo, Protocol):
    """What a click router's use cases need: routing and bookings."""


class BusyCalendar(Protocol):
    """Busy time of a rep as aware UTC intervals: booked meetings, the built-in calendar's
    blocks and the rep's connected calendar (CalDAV, cached briefly)."""

    def busy(self, rep: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]: ...

    def external_busy(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """Only the rep's connected calendar (no database): what a booking reads before it
        takes its lock, to check inside it with the database's busy time."""
        ...


class RepCalendars(BusyCalendar, Protocol):
    """Busy time, and what is known of each rep's connected calendar."""

    def forget(self, rep: str) -> None:
        """Drop what is cached of the rep's calendar (after its settings changed)."""
        ...

    def problem(self, rep: str) -> str | None:
        """Why the rep's calendar could not be read the last time it was asked, or None."""
        ...


# --- form and offer leads -----------------------------------------------------------------


@dataclass(frozen=True)
class SiteInfo:
    name: str
    key: str
    thank_you_url: str | None = None
    router: str | None = None


@dataclass(frozen=True)
class StoreInfo:
    name: str
    latitude: float
    longitude: float
    categories: Mapping[str, tuple[Target, ...]]


@dataclass(frozen=True)
class LeadConfig:
    """The workspace's lead settings, cached per revision."""

    revision: int
    categories: Mapping[str, tuple[Target, ...]]
    fallback: Target | None
    stores: Mapping[str, StoreInfo]
    nearest: bool
    max_km: float | None
    sites: Mapping[str, SiteInfo]  # by key


@dataclass(frozen=True)
class StoredLead:
    id: str
    created_at: datetime
    site: str
    data: Mapping[str, Any]
    trace: list[str]
    deliveries: list[Mapping[str, Any]]


class DuplicateLead(Exception):
    """Another request with the same Idempotency-Key created the lead first."""


class LeadRepo(Protocol):
    def lead_config(self) -> LeadConfig: ...

    def lead_by_key(self, site: str, key: str) -> StoredLead | None: ...

    def lead(self, lead_id: str) -> StoredLead | None: ...

    def save_lead(
        self,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool = False,
    ) -> None: ...

    def deliveries(
        self,
        *,
        lead: str | None = None,
        status: str | None = None,
        destination: str | None = None,
        limit: int = 100,
        with_attempts: bool = True,
    ) -> list[dict[str, Any]]:
        """Deliveries, newest first, as the receipts show them."""
        ...

    def stop(self, delivery_id: str, now: datetime, by: str) -> dict[str, Any] | None: ...

    def resend(self, delivery_id: str, now: datetime) -> str | None: ...


class Locator(Protocol):
    def locate(
        self, hints: LocationHints, stores: Mapping[str, tuple[float, float]]
    ) -> GeoPoint | None:
        """The visitor's most trustworthy location (``stores``: each store's latitude and
        longitude by name), or None when no hint gives one."""
        ...


# --- dashboard accounts ------------------------------------------------------------------
@dataclass(frozen=True)
class AccountUser:
    id: int
    email: str
    name: str
    is_admin: bool
    active: bool
    password_hash: str | None


@dataclass(frozen=True)
class ApiTokenRow:
    id: int
    email: str
    name: str
    prefix: str
    created_at: datetime


class Passwords(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored: str, password: str) -> bool: ...

    def needs_rehash(self, stored: str) -> bool: ...


class AccountsRepo(Protocol):
    def user_by_email(self, email: str) -> AccountUser | None: ...

    def set_password(self, user_id: int, password_hash: str) -> None: ...

    def create_session(self, user_id: int, now: datetime, expires: datetime) -> tuple[str, str]: ...

    def session_user(self, token: str, now: datetime) -> tuple[AccountUser, str] | None: ...

    def end_session(self, token: str) -> None: ...

    def queue_reset(self, email: str, now: datetime) -> None: ...  # an outbox job

    def create_reset(self, user_id: int, now: datetime, expires: datetime) -> str:
        """A new link; the user's older unused links stop working."""
        ...

    def reset_user(self, token: str, now: datetime) -> AccountUser | None: ...

    def use_reset(self, token: str, now: datetime, password_hash: str) -> AccountUser | None:
        """Spend a live link and set the password; every other link of the user ends."""
        ...

    def tokens(self, user_id: int | None) -> list[ApiTokenRow]: ...

    def revoke_token(self, token_id: int, user_id: int | None) -> bool: ...

    def create_user(self, email: str, name: str, *, admin: bool) -> int:
        """A new user (or an existing one made active, and admin when ``admin``)."""
        ...

    def admin_emails(self) -> list[str]: ...


class TokenRepo(Protocol):
    """API tokens (kept by the accounts repo): stored hashed, checked with a short cache."""

    def create_token(self, email: str, name: str) -> str: ...

    def cached_token_owner(self, secret: str) -> TokenOwner | None:
        """The owner if the token was checked a few seconds ago (no I/O), else None."""
        ...

    def token_owner(self, secret: str) -> TokenOwner | None: ...


class Health(Protocol):
    def check(self) -> str:
        """A round trip to the database; returns its kind ("sqlite", "postgresql")."""
        ...


# --- live website visitors ---------------------------------------------------------------
@dataclass
class VisitorRow:
    id: str
    site: str  # the site's name
    started_at: datetime
    last_seen: datetime
    email: str = ""
    name: str = ""
    company: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    page_url: str = ""
    page_title: str = ""
    referrer: str = ""
    pages: int = 0
    location: dict[str, str] | None = None
    routed_to: list[str] = field(default_factory=list)
    why: str = ""
    crm: dict[str, str] | None = None
    last_rep: str | None = None


@dataclass
class ConversationRow:
    id: str
    visitor_id: str
    site: str
    status: str  # waiting | active | unanswered | closed
    created_at: datetime
    expires_at: datetime
    rep: str | None = None
    alerted: list[str] = field(default_factory=list)
    why: str = ""
    decision_id: str | None = None
    lead_id: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    accepted_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class MessageRow:
    id: str
    conversation_id: str
    sender: str  # visitor | rep | system
    name: str
    text: str
    at: datetime
    number: int = 0  # 1, 2, 3 ... within the conversation (given when it is stored)


@dataclass(frozen=True)
class LiveUser:
    email: str
    name: str
    is_admin: bool
    active: bool
    max_chats: int
    aligned: tuple[str, ...]


class LiveRepo(Protocol):
    def site(self, key: str) -> Any: ...  # the SiteDoc with this key, or None

    def sites(self) -> list[Any]: ...  # every SiteDoc

    def users(self) -> Mapping[str, LiveUser]: ...

    def visitor(self, visitor_id: str) -> VisitorRow | None: ...

    def save_visitor(self, row: VisitorRow) -> None: ...

    def open_conversation(self, visitor_id: str) -> ConversationRow | None: ...

    def last_conversation(self, visitor_id: str) -> ConversationRow | None: ...

    def conversation(self, conversation_id: str) -> ConversationRow | None: ...

    def add_conversation(self, row: ConversationRow) -> None: ...

    def accept(self, conversation_id: str, rep: str, now: datetime) -> bool: ...

    def finish(self, conversation_id: str, was: Sequence[str], status: str, now: datetime) -> bool:
        """Conditional status change (from one of ``was``); True when this call made it."""
        ...

    def set_lead(
        self, conversation_id: str, lead_id: str | None, answers: Mapping[str, str]
    ) -> None: ...

    def add_message(self, row: MessageRow) -> MessageRow:
        """Store ``row`` with the next number of its conversation (in the same transaction);
        returns it numbered."""
        ...

    def messages(self, conversation_id: str) -> list[MessageRow]: ...

    def active_counts(self) -> Mapping[str, int]: ...

    def recent_visitors(self, since: datetime, limit: int = 200) -> list[VisitorRow]: ...

    def visitors_seen_between(self, start: datetime, end: datetime) -> list[VisitorRow]:
        """Visitors last seen in [start, end), oldest first."""
        ...

    def touch_visitors(self, visitor_ids: Sequence[str], now: datetime) -> None: ...

    def conversations(
        self,
        *,
        visitor: str | None = None,
        rep: str | None = None,
        site: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[ConversationRow]: ...


class LivePush(Protocol):
    """The real-time side (the web layer's hub). Safe to call from any thread."""

    def reps(
        self, emails: Iterable[str], message: Mapping[str, Any], *, admins: bool = False
    ) -> None: ...

    def visitor(self, visitor_id: str, event: str, data: Mapping[str, Any]) -> None: ...

    def presence(self) -> Mapping[str, str]: ...  # e-mail -> "online" | "away"

    def later(self, seconds: float, job: Callable[[], None]) -> None: ...
