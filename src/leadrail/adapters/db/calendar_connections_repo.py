"""Reps' cloud calendar grants, the authorisations under way, and the events leadrail wrote
in those calendars (implements ``app.calendars.ports.ConnectionRepo``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.calendars.ports import Authorisation, Connection, provider_name


def _connection(row: t.CalendarConnection) -> Connection:
    return Connection(
        row.user_email, provider_name(row.provider), row.refresh_sealed, row.account,
        row.scopes, row.status, row.problem, row.connected_by, row.connected_at,
        row.updated_at,
    )  # fmt: skip


class SqlCalendarConnections:
    def __init__(self, db: Database) -> None:
        self._sessions = db.sessions
        self._writers = db.writer_sessions
        self._write_lock = db.write_lock

    # --- authorisations under way ------------------------------------------------------
    def start(self, state_hash: str, auth: Authorisation) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            # old ones nobody came back for go at the same time
            old = auth.created_at - timedelta(hours=1)
            s.execute(
                delete(t.CalendarAuthorisation).where(t.CalendarAuthorisation.created_at < old)
            )
            s.add(t.CalendarAuthorisation(
                state_hash=state_hash, provider=auth.provider, user_email=auth.user,
                started_by=auth.started_by, verifier=auth.verifier, return_to=auth.return_to,
                created_at=auth.created_at,
            ))  # fmt: skip

    def take(self, state_hash: str, now: datetime, max_age_seconds: float) -> Authorisation | None:
        with self._write_lock(), self._writers() as s, s.begin():
            row = s.get(t.CalendarAuthorisation, state_hash)
            if row is None:
                return None
            s.delete(row)  # single use, whatever comes next
            if now - row.created_at > timedelta(seconds=max_age_seconds):
                return None
            return Authorisation(
                provider_name(row.provider), row.user_email, row.started_by, row.verifier,
                row.return_to, row.created_at,
            )  # fmt: skip

    # --- grants -------------------------------------------------------------------------
    def save(self, c: Connection) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            row = s.get(t.CalendarConnection, c.user) or t.CalendarConnection(user_email=c.user)
            row.provider, row.refresh_sealed, row.account = c.provider, c.refresh_sealed, c.account
            row.scopes, row.status, row.problem = c.scopes, c.status, c.problem
            row.connected_by, row.connected_at, row.updated_at = (
                c.connected_by, c.connected_at, c.updated_at)  # fmt: skip
            s.add(row)

    def connection(self, user: str) -> Connection | None:
        with self._sessions() as s:
            row = s.get(t.CalendarConnection, user.lower())
            return _connection(row) if row else None

    def connections(self) -> Sequence[Connection]:
        with self._sessions() as s:
            rows = s.scalars(select(t.CalendarConnection).order_by(t.CalendarConnection.user_email))
            return [_connection(r) for r in rows]

    def mark(self, user: str, status: str, problem: str | None, now: datetime) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            row = s.get(t.CalendarConnection, user.lower())
            if row is not None:
                row.status, row.problem, row.updated_at = status, problem, now

    def reseal(self, user: str, sealed: str, now: datetime) -> None:
        """A rotated refresh token (Microsoft gives a new one with each refresh)."""
        with self._write_lock(), self._writers() as s, s.begin():
            row = s.get(t.CalendarConnection, user.lower())
            if row is not None:
                row.refresh_sealed, row.updated_at = sealed, now

    def remove(self, user: str) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            s.execute(delete(t.CalendarConnection).where(
                t.CalendarConnection.user_email == user.lower()))  # fmt: skip

    # --- events written -----------------------------------------------------------------
    def event(self, meeting_id: str) -> tuple[str, str, str | None] | None:
        """(provider, event id, join URL) of the meeting's event, if one was written."""
        with self._sessions() as s:
            row = s.get(t.CalendarEvent, meeting_id)
            return (row.provider, row.event_id, row.join_url) if row else None

    def remember_event(
        self, meeting_id: str, provider: str, user: str, event_id: str, join_url: str | None
    ) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            row = s.get(t.CalendarEvent, meeting_id) or t.CalendarEvent(meeting_id=meeting_id)
            row.provider, row.user_email, row.event_id = provider, user, event_id
            row.join_url = join_url
            s.add(row)

    def forget_event(self, meeting_id: str) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            s.execute(delete(t.CalendarEvent).where(t.CalendarEvent.meeting_id == meeting_id))
