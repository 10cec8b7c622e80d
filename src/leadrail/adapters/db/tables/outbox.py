"""The outbox: jobs for the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


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
