"""Reps' connected cloud calendars (Google, Microsoft 365): the OAuth grants, the
authorisations under way, and the events leadrail wrote in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


class CalendarConnection(Base):
    """One rep's grant: the refresh token sealed with the server's secret (bound to the rep
    and the provider's token endpoint), never in clear. ``status``: connected |
    disconnected (consent revoked or the token refused: the rep shows no slots)."""

    __tablename__ = "calendar_connections"
    user_email: Mapped[str] = mapped_column(String(254), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))  # google | microsoft
    refresh_sealed: Mapped[str | None] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(String(254))  # the provider's account address
    scopes: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default="connected")
    problem: Mapped[str | None] = mapped_column(String(500))
    connected_by: Mapped[str] = mapped_column(String(254))
    connected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CalendarAuthorisation(Base):
    """An OAuth authorisation under way: the ``state`` sent to the provider (kept as its
    SHA-256), the PKCE verifier, who started it and for whom; taken once, ten minutes."""

    __tablename__ = "calendar_authorisations"
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    user_email: Mapped[str] = mapped_column(String(254))
    started_by: Mapped[str] = mapped_column(String(254))
    verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class CalendarEvent(Base):
    """The event a meeting became in a rep's cloud calendar (to move or remove it)."""

    __tablename__ = "calendar_events"
    meeting_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    user_email: Mapped[str] = mapped_column(String(254))
    event_id: Mapped[str] = mapped_column(String(1100))
    join_url: Mapped[str | None] = mapped_column(String(2000))
