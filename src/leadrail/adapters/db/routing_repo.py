"""Routing's storage: the router's transaction (the hot path), bookings' transactions, clicks,
meetings, and the CRM's records of a prospect."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from leadrail.adapters.crm.base import CrmError
from leadrail.adapters.crm.factory import CrmConnectors
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.db.ledger_repo import ledger_row
from leadrail.adapters.db.routing_tx import SqlRoutingTransaction
from leadrail.adapters.enrichment import Enrichers
from leadrail.app.ports import LedgerRow, MeetingRow, Routers, RouterSnapshot, WouldWait
from leadrail.metrics import DECISIONS
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.enrichment import Enriched
from leadrail.routing.model import CrmRecord

log = logging.getLogger("leadrail.routing")


class SqlRoutingRepo:
    """Implements the ClickRouterRepo port (routing and bookings). Routers come from the
    catalog it is given (the app's ``RouterCatalog``)."""

    def __init__(
        self,
        db: Database,
        catalog: Routers,
        crm: CrmConnectors,
        enrichers: Enrichers | None = None,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.crm = crm
        self.enrichers = enrichers or Enrichers(db, crm.outbound)
        self.sql = db.sql

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None:
        return self.catalog.router(slug, revision=revision)

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        """Ownership lookups through the workspace's CRM. A CRM that cannot be reached does
        not stop routing: the prospect is routed without ownership (and it is logged)."""
        try:
            return self.crm.connector().lookup(email, domain)
        except CrmError as e:
            log.warning("CRM lookup failed, routing without ownership: %s", e)
            return ()

    def crm_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        """The CRM facts a router reads (see ``app.crm_facts``); a CRM that cannot be reached
        gives none (logged), as ownership lookups do."""
        try:
            return self.crm.connector().lookup_facts(email, domain, want)
        except CrmError as e:
            log.warning("CRM lookup failed, routing without CRM facts: %s", e)
            return CrmFound()

    def enriches(self) -> bool:
        return self.enrichers.enabled()

    def enrichment(self, email: str, domain: str) -> Enriched | None:
        """The workspace's enrichment provider's answer (None: enrichment is off)."""
        return self.enrichers.enrichment(email, domain)

    # --- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(
        self, slug: str, *, write: bool, wait: bool = True
    ) -> Iterator[SqlRoutingTransaction]:
        """A routing transaction. Writers serialise per router: PostgreSQL locks the router's
        row (threads of this process take their turn first, without a connection); SQLite
        takes the database write lock (BEGIN IMMEDIATE) after the process's writer lock.

        ``wait=False`` (SQLite writers only; anything else raises ``WouldWait``): the
        process's writer lock and then SQLite's are taken only if free at once, on a
        connection kept for this (no pool to wait on), else ``WouldWait`` with nothing done."""
        db = self.db
        if not wait:
            if not write or db.is_postgres:
                raise WouldWait("only SQLite writers begin without waiting")
            with db.write_lock(wait=False), db.begin_now() as raw:
                yield from self._drive(raw, "")  # begun: BEGIN IMMEDIATE
            return
        if not write:
            with self._connection(slug, write=False) as tx:
                yield tx
        elif db.is_postgres:
            with db.turns.hold(("router", slug)), self._connection(slug, write=True) as tx:
                yield tx
        else:
            with db.write_lock(), self._connection(slug, write=True) as tx:
                yield tx

    @contextmanager
    def booking(self, rep: str) -> Iterator[SqlRoutingTransaction]:
        """A write transaction for one rep's calendar (the rep's row lock on PostgreSQL)."""
        db = self.db
        if db.is_postgres:
            with db.turns.hold(("rep", rep)), self._connection("", write=False) as tx:
                tx.lock(rep)
                yield tx
        else:
            with db.write_lock(), self._connection("", write=True) as tx:
                yield tx

    @contextmanager
    def _connection(self, slug: str, *, write: bool) -> Iterator[SqlRoutingTransaction]:
        """A pooled DB-API connection with the transaction driven by hand (the hot path)."""
        raw = self.db.engine.raw_connection()
        try:
            if self.db.is_postgres:
                # serialise decisions of one router: its pools live under this lock
                yield from self._drive(raw, self.sql.lock_router if write else "", (slug,))
            else:
                yield from self._drive(raw, "BEGIN IMMEDIATE" if write else "BEGIN")
        finally:
            raw.close()  # back to the pool

    def _drive(
        self, raw: Any, begin: str, params: tuple[str, ...] = ()
    ) -> Iterator[SqlRoutingTransaction]:
        """One transaction on ``raw``: ``begin`` (if any), the caller's statements, commit (or
        rollback when anything raised)."""
        cursor = raw.cursor()
        try:
            if begin:
                cursor.execute(begin, params)
            tx = SqlRoutingTransaction(cursor, self.sql)
            yield tx
            raw.commit()
            for router, source in tx.recorded:  # counted once committed
                DECISIONS.labels(router, source).inc()
        except BaseException:
            raw.rollback()
            raise
        finally:
            cursor.close()

    # --- click routers -------------------------------------------------------------------
    def record_click(
        self,
        router: str,
        email: str,
        decision_id: str | None,
        utm: Mapping[str, str],
        now: datetime,
    ) -> None:
        """One row per open of a link (a write: queued like the routing writes)."""
        with self.transaction(router, write=True) as tx:
            tx.cur.execute(
                self.sql.insert_click,
                (router, self.sql.when(now), email, decision_id, json.dumps(dict(utm))),
            )

    def meeting(self, meeting_id: str) -> MeetingRow | None:
        with self.db.sessions() as s:
            m = s.get(t.Meeting, meeting_id)
            if m is None:
                return None
            return MeetingRow(
                id=m.id, router=m.router, rep=m.rep, start=m.start, end=m.end,
                status=m.status, email=m.email, name=m.name, notes=m.notes,
                guests=list(m.guests), location=m.location, sequence=m.sequence,
                decision_id=m.decision_id, meeting_type=m.meeting_type,
                timezone=m.timezone, locale=m.locale,
            )  # fmt: skip

    def latest_decision(self, router: str, email: str, since: datetime) -> LedgerRow | None:
        """The router's newest decision for this e-mail since ``since`` (a link opened again
        reuses it)."""
        with self.db.sessions() as s:
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
            return ledger_row(row) if row else None
