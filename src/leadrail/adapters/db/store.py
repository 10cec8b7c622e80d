"""The SQL implementation of the use cases' ports (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from leadrail.adapters.crm.base import CrmConnector, CrmError
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.routing_tx import SqlRoutingTransaction, Statements
from leadrail.adapters.db.turns import Turns
from leadrail.adapters.db.workspace_repo import load_workspace, save_workspace
from leadrail.adapters.outbound import Outbound
from leadrail.app.errors import Conflict
from leadrail.app.ports import LedgerRow, MeetingRow, RouterSnapshot, TokenOwner
from leadrail.app.specs import router_spec, user_info
from leadrail.app.workspace import CalendarDoc, WorkspaceDoc
from leadrail.routing.model import CrmRecord
from leadrail.routing.trace import Trace

TOKEN_CACHE_SECONDS = 5.0
log = logging.getLogger("leadrail.store")


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SqlStore:
    """Routing, workspace and account storage over one SQLAlchemy engine."""

    def __init__(self, engine: Engine, outbound: Outbound | None = None) -> None:
        self.engine = engine
        self.outbound = outbound or Outbound()  # the guard for user-typed URLs (the CRM's)
        self.is_postgres = engine.dialect.name == "postgresql"
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_immediate=True) if not self.is_postgres else engine
        self.writer_sessions = sessionmaker(writer, expire_on_commit=False)
        self.sql = Statements(engine.dialect.name)
        self.immediate = engine.execution_options(sqlite_immediate=True)
        self._cache: tuple[int, dict[str, RouterSnapshot]] | None = None
        self._tokens: dict[str, tuple[TokenOwner, float]] = {}
        self._sqlite_writer = threading.Lock()
        self._turns = Turns()  # PostgreSQL writers of one router (one rep) queue here
        self._crm: tuple[str, CrmConnector] | None = None
        self._cache_lock = threading.Lock()

    # --- routing -----------------------------------------------------------------------
    def revision(self) -> int:
        with self.sessions() as s:
            return int(
                s.scalar(select(t.WorkspaceMeta.revision).where(t.WorkspaceMeta.id == 1)) or 0
            )

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None:
        """The router, from the snapshot cache. The cache is rebuilt when ``revision`` (read
        by the caller's transaction) differs from it, or when the slug is unknown to it and
        the database has moved on (a router created by another process)."""
        cached = self._cache
        if cached is not None and (revision is None or cached[0] == revision):
            found = cached[1].get(slug)
            if found is not None or cached[0] == self.revision():
                return found
        with self._cache_lock:
            cached = self._cache
            if cached is None or cached[0] != (revision or self.revision()):
                cached = self._snapshots()
                self._cache = cached
        return cached[1].get(slug)

    def _snapshots(self) -> tuple[int, dict[str, RouterSnapshot]]:
        with self.sessions() as s, s.begin():
            revision = int(s.scalar(select(t.WorkspaceMeta.revision)) or 0)
            doc = load_workspace(s, include_crm=False)
        users = {u.email: user_info(u, doc.timezone) for u in doc.users or []}
        lists = {x.name: frozenset(x.values) for x in doc.lists or []}
        meetings = {m.slug: m for m in doc.meeting_types or []}
        user_docs = {u.email: u for u in doc.users or []}
        return revision, {
            r.slug: RouterSnapshot(
                revision,
                r,
                router_spec(r, doc),
                users,
                lists,
                meetings.get(r.meeting_type) if r.meeting_type else None,
                user_docs,
            )
            for r in doc.routers or []
        }

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        """Ownership lookups through the workspace's CRM. A CRM that cannot be reached does
        not stop routing: the prospect is routed without ownership (and it is logged)."""
        try:
            return self.crm().lookup(email, domain)
        except CrmError as e:
            log.warning("CRM lookup failed, routing without ownership: %s", e)
            return ()

    def crm(self) -> CrmConnector:
        """The workspace's CRM connector (rebuilt when its settings change)."""
        from leadrail.adapters.crm.factory import connector_for

        with self.sessions() as s:
            settings = s.scalar(select(t.WorkspaceMeta.settings)) or {}
        key = json.dumps(
            [settings.get("crm_provider"), settings.get("crm_connection")], sort_keys=True
        )
        if self._crm is None or self._crm[0] != key:
            self._crm = (
                key,
                connector_for(
                    settings.get("crm_provider") or "builtin",
                    settings.get("crm_connection"),
                    self.engine,
                    self.write_lock,
                    self.outbound,
                ),
            )
        return self._crm[1]

    @contextmanager
    def transaction(self, slug: str, *, write: bool) -> Iterator[SqlRoutingTransaction]:
        """A routing transaction. Writers serialise per router: PostgreSQL locks the router's
        row; SQLite takes the database write lock (BEGIN IMMEDIATE), and threads of this
        process queue on a mutex first, so they wait in line instead of in SQLite's
        sleep-and-retry busy handler (other processes still meet the busy timeout)."""
        if write and not self.is_postgres:
            with self._sqlite_writer, self._transaction(slug, write=True) as tx:
                yield tx
        else:
            with self._transaction(slug, write=write) as tx:
                yield tx

    @contextmanager
    def _transaction(self, slug: str, *, write: bool) -> Iterator[SqlRoutingTransaction]:
        if self.is_postgres and write:  # wait for the router's turn without a connection
            with self._turns.hold(("router", slug)), self._connection(slug, write=True) as tx:
                yield tx
        else:
            with self._connection(slug, write=write) as tx:
                yield tx

    @contextmanager
    def _connection(self, slug: str, *, write: bool) -> Iterator[SqlRoutingTransaction]:
        """A pooled DB-API connection with the transaction driven by hand (the hot path)."""
        raw = self.engine.raw_connection()
        cursor = raw.cursor()
        try:
            if self.is_postgres:
                if write:  # serialise decisions of one router: its pools live under this lock
                    cursor.execute(self.sql.lock_router, (slug,))
            else:
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield SqlRoutingTransaction(cursor, self.sql)
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            cursor.close()
            raw.close()  # back to the pool

    def link_secret(self) -> str:
        """The key that signs meeting links when LEADRAIL_SECRET_KEY is not set: made once,
        kept in the database (never exported), shared by every process."""
        with self.writer_sessions() as s, s.begin():
            meta = s.get_one(t.WorkspaceMeta, 1, with_for_update=self.is_postgres)
            secret = meta.settings.get("link_secret")
            if not secret:
                secret = secrets.token_urlsafe(32)
                meta.settings = {**meta.settings, "link_secret": secret}
            return str(secret)

    def routers(self) -> list[RouterSnapshot]:
        """Every router of the current workspace."""
        self.router("")  # refreshes the snapshot cache when the workspace moved on
        return list(self._cache[1].values()) if self._cache else []

    def calendars(self) -> dict[str, tuple[CalendarDoc, str]]:
        """The reps' calendar settings and timezones, from the current workspace snapshot."""
        snap = next(iter(self._cache[1].values()), None) if self._cache else None
        if snap is None:
            return {}
        return {
            e: (u.calendar, u.timezone or snap.spec.timezone)
            for e, u in snap.user_docs.items()
            if u.calendar is not None
        }

    # --- click routers -----------------------------------------------------------------
    @contextmanager
    def booking(self, rep: str) -> Iterator[SqlRoutingTransaction]:
        """A write transaction for one rep's calendar (the rep's row lock on PostgreSQL)."""
        if self.is_postgres:
            with self._turns.hold(("rep", rep)), self._transaction("", write=False) as tx:
                tx.lock(rep)
                yield tx
        else:
            with self._sqlite_writer, self._transaction("", write=True) as tx:
                yield tx

    def meeting(self, meeting_id: str) -> MeetingRow | None:
        with self.sessions() as s:
            m = s.get(t.Meeting, meeting_id)
            if m is None:
                return None
            return MeetingRow(
                id=m.id, router=m.router, rep=m.rep, start=m.start, end=m.end,
                status=m.status, email=m.email, name=m.name, notes=m.notes,
                guests=list(m.guests), location=m.location, sequence=m.sequence,
                decision_id=m.decision_id, meeting_type=m.meeting_type,
            )  # fmt: skip

    def record_click(
        self,
        router: str,
        email: str,
        decision_id: str | None,
        utm: Mapping[str, str],
        now: datetime,
    ) -> None:
        """One row per open of a link (a write: queued like the routing writes)."""
        with self.write_lock(), self._transaction(router, write=True) as tx:
            tx.cur.execute(
                self.sql.insert_click,
                (router, self.sql.when(now), email, decision_id, json.dumps(dict(utm))),
            )

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """SQLite: threads of this process take turns before asking for the write lock."""
        if self.is_postgres:
            yield
        else:
            with self._sqlite_writer:
                yield

    def latest_decision(self, router: str, email: str, since: datetime) -> LedgerRow | None:
        with self.sessions() as s:
            row = s.scalar(
                select(t.Decision)
                .where(
                    t.Decision.router == router,
                    t.Decision.email == email,
                    t.Decision.created_at >= since,
                )
                .order_by(t.Decision.seq.desc())
                .limit(1)
            )
            return _ledger_row(row) if row else None

    # --- workspace ---------------------------------------------------------------------
    def outbound_url_problem(self, url: str) -> str | None:
        return self.outbound.saved_url_problem(url)

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc:
        with self.sessions() as s:
            return load_workspace(s, include_crm=include_crm)

    def save(self, doc: WorkspaceDoc) -> int:
        with self.writer_sessions() as s, s.begin():
            if self.is_postgres:
                s.execute(
                    select(t.WorkspaceMeta.id).where(t.WorkspaceMeta.id == 1).with_for_update()
                )
            revision = save_workspace(s, doc, _now())
        self._cache = None
        return revision

    def decisions(
        self, router: str | None = None, email: str | None = None, limit: int = 100
    ) -> Iterator[LedgerRow]:
        q = select(t.Decision).order_by(t.Decision.seq.desc()).limit(limit)
        if router:
            q = q.where(t.Decision.router == router)
        if email:
            q = q.where(t.Decision.email == email.strip().lower())
        with self.sessions() as s:
            rows = s.scalars(q).all()
        return iter([_ledger_row(r) for r in rows])

    def decision(self, decision_id: str) -> LedgerRow | None:
        with self.sessions() as s:
            row = s.scalar(select(t.Decision).where(t.Decision.id == decision_id))
            return _ledger_row(row) if row else None

    # --- accounts ----------------------------------------------------------------------
    def create_user(self, email: str, name: str, *, admin: bool) -> int:
        email = email.strip().lower()
        with self.writer_sessions() as s, s.begin():
            row = s.scalar(select(t.User).where(t.User.email == email))
            if row is None:
                row = t.User(
                    email=email, name=name, is_admin=admin, created_at=_now(), working_hours={}
                )
                s.add(row)
            else:
                row.is_admin = row.is_admin or admin
                row.active = True
                row.name = name or row.name
            meta = s.get_one(t.WorkspaceMeta, 1)
            meta.revision += 1
            s.flush()
            return row.id

    def create_token(self, email: str, name: str) -> str:
        secret = "lr_" + secrets.token_urlsafe(32)
        with self.writer_sessions() as s, s.begin():
            user = s.scalar(select(t.User).where(t.User.email == email.strip().lower()))
            if user is None:
                raise Conflict(
                    f"no user {email!r}: create it first with `leadrail user create`", field="email"
                )
            s.add(
                t.ApiToken(
                    user_id=user.id,
                    name=name,
                    prefix=secret[:10],
                    token_hash=hash_token(secret),
                    created_at=_now(),
                )
            )
        return secret

    def admin_emails(self) -> list[str]:
        with self.sessions() as s:
            q = select(t.User.email).where(t.User.is_admin.is_(True), t.User.active.is_(True))
            return list(s.scalars(q.order_by(t.User.id)))

    def cached_token_owner(self, secret: str) -> TokenOwner | None:
        """The token's owner if it was checked within TOKEN_CACHE_SECONDS (no I/O)."""
        hit = self._tokens.get(hash_token(secret))
        return hit[0] if hit is not None and hit[1] > time.monotonic() else None

    def token_owner(self, secret: str) -> TokenOwner | None:
        """The active user a token belongs to. Valid tokens are remembered for
        TOKEN_CACHE_SECONDS, so a revoked token or deactivated user stops working within
        that time; unknown tokens are always looked up."""
        hit = self.cached_token_owner(secret)
        if hit is not None:
            return hit
        key = hash_token(secret)
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(self.sql.token_owner, (key,))
            row = cursor.fetchone()
            cursor.close()
        if row is None:
            self._tokens.pop(key, None)
            return None
        owner = TokenOwner(int(row[0]), str(row[1]), bool(row[2]))
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[key] = (owner, time.monotonic() + TOKEN_CACHE_SECONDS)
        return owner


def _ledger_row(r: t.Decision) -> LedgerRow:
    return LedgerRow(
        id=r.id,
        router=r.router,
        created_at=r.created_at,
        email=r.email,
        rule=r.rule,
        via=r.via,
        assignees=list(r.assignees),
        trace=Trace.from_json(r.trace),
        prospect=dict(r.prospect),
    )
