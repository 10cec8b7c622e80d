"""Live website visitors, their conversations and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


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
