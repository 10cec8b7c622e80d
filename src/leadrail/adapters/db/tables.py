"""The database schema (SQLAlchemy 2). Migrations in ``migrations/`` follow it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always read back timezone-aware (SQLite keeps no
    offset, so one is attached on the way out)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must carry a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class WorkspaceMeta(Base):
    """One row: the workspace's revision (bumped by every change) and its scalar settings."""

    __tablename__ = "workspace_meta"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    crm_owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credits: Mapped[int] = mapped_column(Integer, default=0)
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    live: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # max_chats, aligned


class Vacation(Base):
    __tablename__ = "vacations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class TeamMember(Base):
    __tablename__ = "team_members"
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class NamedList(Base):
    __tablename__ = "named_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    values: Mapped[list[Any]] = mapped_column(JSON, default=list)


class MeetingType(Base):
    __tablename__ = "meeting_types"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)


class Router(Base):
    """A router's settings as its validated workspace document (rules included)."""

    __tablename__ = "routers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    postal_code: Mapped[str | None] = mapped_column(String(20))


class LeadDestination(Base):
    """Where form leads go: a category's, a store's category, or the fallback (both null)."""

    __tablename__ = "lead_destinations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(2000))
    format: Mapped[str] = mapped_column(String(16))
    secret_env: Mapped[str | None] = mapped_column(String(64))
    attach_xml: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CrmContact(Base):
    __tablename__ = "crm_contacts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))


class CrmLead(Base):
    __tablename__ = "crm_leads"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))


class CrmCompany(Base):
    __tablename__ = "crm_companies"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str | None] = mapped_column(String(64))


class CrmCompanyDomain(Base):
    __tablename__ = "crm_company_domains"
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("crm_companies.id", ondelete="CASCADE"), index=True
    )


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Decision(Base):
    """The assignment ledger: append-only, one row per recorded routing decision."""

    __tablename__ = "decisions"
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(32), unique=True)
    router: Mapped[str] = mapped_column(String(63))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    email: Mapped[str] = mapped_column(String(254), default="")
    rule: Mapped[str | None] = mapped_column(String(120))
    via: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(254))
    assignees: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pool_key: Mapped[str | None] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(16))
    credit_spent: Mapped[str | None] = mapped_column(String(254))
    category: Mapped[str | None] = mapped_column(String(120))
    prospect: Mapped[dict[str, Any]] = mapped_column(JSON)
    trace: Mapped[list[Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16), default="api")

    __table_args__ = (
        Index("ix_decisions_router_email_created", "router", "email", "created_at"),
        Index("ix_decisions_router_created", "router", "created_at"),
        Index("ix_decisions_pool_period", "pool_key", "period"),
    )


class RotationState(Base):
    """One row per pool: the smooth weighted round robin 'current' of each member for the
    period, written in the same transaction as the ledger row that moved it."""

    __tablename__ = "rotation_state"
    pool_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    current: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Click(Base):
    """One open of a click link (``GET /c/{slug}``), for click-to-meeting conversion."""

    __tablename__ = "clicks"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    router: Mapped[str] = mapped_column(String(63))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    email: Mapped[str] = mapped_column(String(254), default="")
    decision_id: Mapped[str | None] = mapped_column(String(32))
    utm: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_clicks_router_created", "router", "created_at"),)


class Meeting(Base):
    """A booked meeting. A rep never has two booked meetings that overlap: bookings take the
    rep's lock and check, and (rep, start) is unique among booked meetings."""

    __tablename__ = "meetings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    router: Mapped[str] = mapped_column(String(63))
    decision_id: Mapped[str | None] = mapped_column(String(32))
    meeting_type: Mapped[str | None] = mapped_column(String(63))
    rep: Mapped[str] = mapped_column(String(254))
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="booked")
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    guests: Mapped[list[Any]] = mapped_column(JSON, default=list)
    location: Mapped[str | None] = mapped_column(String(500))
    prospect: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_meetings_rep_start", "rep", "start"),
        Index("ix_meetings_router_created", "router", "created_at"),
        Index(
            "uq_meetings_booked_rep_start",
            "rep",
            "start",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )


class BusyBlock(Base):
    """Busy time in the built-in calendar (imported or entered), besides meetings."""

    __tablename__ = "busy_blocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_email: Mapped[str] = mapped_column(String(254), index=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    summary: Mapped[str] = mapped_column(String(200), default="busy")


class OutboxJob(Base):
    """Work to do after a commit (send an invite, write a calendar event), retried with
    backoff until done or out of attempts; written in the transaction that caused it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))  # e.g. the meeting id
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # pending | running | waiting (past the retry budget, retried at a capped interval) |
    # done | failed (refused for good) | stopped (by an admin)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claim: Mapped[str | None] = mapped_column(String(32))  # the worker's fencing token

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LeadRecord(Base):
    """A form or offer lead as received (normalised), with where it went and why."""

    __tablename__ = "leads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    site: Mapped[str] = mapped_column(String(120))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(120))
    offer: Mapped[str] = mapped_column(String(200), default="")
    store: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    lead: Mapped[dict[str, Any]] = mapped_column(JSON)
    trace: Mapped[list[Any]] = mapped_column(JSON, default=list)
    alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # admins were told

    __table_args__ = (
        Index("uq_leads_site_idempotency", "site", "idempotency_key", unique=True),
        Index("ix_leads_created", "created_at"),
    )


class Delivery(Base):
    """One lead to one destination. Its id is the message id receivers see on every attempt,
    so a redelivery is recognisable."""

    __tablename__ = "deliveries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(2000))
    format: Mapped[str] = mapped_column(String(16))
    secret_env: Mapped[str | None] = mapped_column(String(64))
    attach_xml: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default="primary")  # primary|fallback|resend
    # pending | delivered | waiting (for the server) | failed | fell_back | stopped
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_deliveries_status", "status"),)


class DeliveryAttempt(Base):
    """A delivery receipt: one row per attempt, with what was sent and what came back."""

    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    response: Mapped[str] = mapped_column(String(2000), default="")
    payload: Mapped[str] = mapped_column(Text, default="")


class CrmActivity(Base):
    """A meeting logged on a built-in CRM record (what HubSpot calls an engagement)."""

    __tablename__ = "crm_activities"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginSession(Base):
    """A dashboard login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "login_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PasswordReset(Base):
    """A password-reset link: single use, short-lived; only the token's hash is stored."""

    __tablename__ = "password_resets"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# --- live website visitors ------------------------------------------------------------------


class LiveVisitor(Base):
    """A website visitor (one browser) on a site: pages seen, who they said they are."""

    __tablename__ = "live_visitors"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site: Mapped[str] = mapped_column(String(120), index=True)
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    company: Mapped[str] = mapped_column(String(120), default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page_url: Mapped[str] = mapped_column(String(2000), default="")
    page_title: Mapped[str] = mapped_column(String(300), default="")
    referrer: Mapped[str] = mapped_column(String(2000), default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    location: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    routed_to: Mapped[list[Any]] = mapped_column(JSON, default=list)
    why: Mapped[str] = mapped_column(String(2000), default="")
    crm: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_rep: Mapped[str | None] = mapped_column(String(254))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class LiveConversation(Base):
    """A chat: waiting for a rep (alerted), active (accepted), unanswered or closed."""

    __tablename__ = "live_conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(
        ForeignKey("live_visitors.id", ondelete="CASCADE"), index=True
    )
    site: Mapped[str] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    rep: Mapped[str | None] = mapped_column(String(254), index=True)
    alerted: Mapped[list[Any]] = mapped_column(JSON, default=list)
    why: Mapped[str] = mapped_column(String(2000), default="")
    decision_id: Mapped[str | None] = mapped_column(String(32))
    lead_id: Mapped[str | None] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LiveMessage(Base):
    """One chat message, as typed (plain text: escaped wherever it is shown)."""

    __tablename__ = "live_messages"
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("live_conversations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... within the conversation
    sender: Mapped[str] = mapped_column(String(16))  # visitor | rep | system
    name: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("uq_live_messages_conversation_number", "conversation_id", "number", unique=True),
    )
