"""The SQL implementation of the use cases' ports (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.workspace_repo import load_workspace, save_workspace
from leadrail.app.errors import Conflict
from leadrail.app.ports import LedgerRow, RouterSnapshot, StaleState, TokenOwner
from leadrail.app.specs import router_spec, user_info
from leadrail.app.workspace import WorkspaceDoc
from leadrail.routing.model import CrmRecord, Decision, PoolState, Prospect


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SqlRoutingTransaction:
    def __init__(self, session: Session) -> None:
        self.s = session

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]:
        if not pool_keys:
            return {}
        rows = self.s.execute(
            select(t.RotationState.pool_key, t.RotationState.period, t.RotationState.current).where(
                t.RotationState.pool_key.in_(pool_keys)
            )
        )
        return {k: PoolState(period=p, current=dict(c)) for k, p, c in rows}

    def credits(self) -> Mapping[str, int]:
        rows = self.s.execute(select(t.User.email, t.User.credits).where(t.User.credits > 0))
        return {str(e): int(c) for e, c in rows}

    def recent_assignee(self, router: str, email: str, since: datetime) -> str | None:
        return self.s.scalar(
            select(t.Decision.assignee)
            .where(
                t.Decision.router == router,
                t.Decision.email == email,
                t.Decision.created_at >= since,
                t.Decision.assignee.is_not(None),
            )
            .order_by(t.Decision.seq.desc())
            .limit(1)
        )

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str:
        s = self.s
        if decision.credit_spent:
            spent = s.execute(
                update(t.User)
                .where(t.User.email == decision.credit_spent, t.User.credits > 0)
                .values(credits=t.User.credits - 1)
            )
            if spent.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleState("the credit was spent by another decision")
        if decision.pool_key and decision.pool_state is not None:
            self._save_state(decision.pool_key, decision.pool_state)
        decision_id = uuid.uuid4().hex
        s.add(
            t.Decision(
                id=decision_id,
                router=router,
                created_at=decision.decided_at or _now(),
                email=prospect.email,
                rule=decision.rule,
                via=decision.via,
                assignee=decision.assignee,
                assignees=list(decision.assignees),
                pool_key=decision.pool_key,
                period=decision.pool_state.period if decision.pool_state else None,
                credit_spent=decision.credit_spent,
                category=decision.category,
                prospect=dict(prospect.fields),
                trace=[_step(x) for x in decision.trace],
                source=source,
            )
        )
        s.flush()
        return decision_id

    def _save_state(self, key: str, state: PoolState) -> None:
        values = {"pool_key": key, "period": state.period, "current": dict(state.current)}
        ins = (
            pg_insert
            if self.s.bind is not None and self.s.bind.dialect.name == "postgresql"
            else sqlite_insert
        )
        stmt = ins(t.RotationState).values(**values)
        self.s.execute(
            stmt.on_conflict_do_update(
                index_elements=["pool_key"],
                set_={"period": stmt.excluded.period, "current": stmt.excluded.current},
            )
        )


def _step(step: Any) -> dict[str, Any]:
    d = asdict(step)
    d["data"] = {
        k: (v if isinstance(v, int | float | str | bool | None) else str(v))
        for k, v in dict(step.data).items()
    }
    return d


class SqlStore:
    """Routing, workspace and account storage over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_immediate=True) if not self.is_postgres else engine
        self.writer_sessions = sessionmaker(writer, expire_on_commit=False)
        self._cache: tuple[int, dict[str, RouterSnapshot]] | None = None
        self._cache_lock = threading.Lock()

    # --- routing -----------------------------------------------------------------------
    def revision(self) -> int:
        with self.sessions() as s:
            return int(
                s.scalar(select(t.WorkspaceMeta.revision).where(t.WorkspaceMeta.id == 1)) or 0
            )

    def router(self, slug: str) -> RouterSnapshot | None:
        revision = self.revision()
        cached = self._cache
        if cached is None or cached[0] != revision:
            with self._cache_lock:
                cached = self._cache
                if cached is None or cached[0] != revision:
                    cached = (revision, self._snapshots(revision))
                    self._cache = cached
        return cached[1].get(slug)

    def _snapshots(self, revision: int) -> dict[str, RouterSnapshot]:
        doc = self.load(include_crm=False)
        users = {u.email: user_info(u, doc.timezone) for u in doc.users or []}
        lists = {x.name: frozenset(x.values) for x in doc.lists or []}
        return {
            r.slug: RouterSnapshot(revision, r, router_spec(r, doc), users, lists)
            for r in doc.routers or []
        }

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        from leadrail.adapters.db.crm_lookup import lookup

        with self.sessions() as s:
            return lookup(s, email, domain)

    @contextmanager
    def transaction(self, slug: str, *, write: bool) -> Iterator[SqlRoutingTransaction]:
        maker = self.writer_sessions if write else self.sessions
        with maker() as s, s.begin():
            if write and self.is_postgres:
                # Serialise decisions of one router: its pools' state lives under this lock.
                s.execute(select(t.Router.id).where(t.Router.slug == slug).with_for_update())
            yield SqlRoutingTransaction(s)

    # --- workspace ---------------------------------------------------------------------
    def load(self, *, include_crm: bool = True) -> WorkspaceDoc:
        with self.sessions() as s:
            return load_workspace(s, include_crm=include_crm)

    def save(self, doc: WorkspaceDoc) -> int:
        with self.writer_sessions() as s, s.begin():
            if self.is_postgres:
                s.execute(
                    select(t.WorkspaceMeta.id).where(t.WorkspaceMeta.id == 1).with_for_update()
                )
            return save_workspace(s, doc, _now())

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

    def token_owner(self, secret: str) -> TokenOwner | None:
        with self.sessions() as s:
            row = s.execute(
                select(t.User.id, t.User.email, t.User.is_admin)
                .join(t.ApiToken, t.ApiToken.user_id == t.User.id)
                .where(t.ApiToken.token_hash == hash_token(secret), t.User.active.is_(True))
            ).first()
        return TokenOwner(row[0], row[1], row[2]) if row else None


def _ledger_row(r: t.Decision) -> LedgerRow:
    return LedgerRow(
        id=r.id,
        router=r.router,
        created_at=r.created_at,
        email=r.email,
        rule=r.rule,
        via=r.via,
        assignees=list(r.assignees),
        trace=list(r.trace),
        prospect=dict(r.prospect),
    )
