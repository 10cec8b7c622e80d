"""Routing: the decisions ledger, rotation state, clicks, meetings and busy blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


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
    given_back: Mapped[list[Any] | None] = mapped_column(JSON)  # [[user, why], ...]


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
    # the prospect's zone and language when they booked: their pages and e-mails use them
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))

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
