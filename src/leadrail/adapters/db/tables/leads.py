"""Form leads, their deliveries and each delivery's attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


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
