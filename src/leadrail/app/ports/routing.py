"""Routing a prospect: routers ready for the engine, the routing transaction, the
decisions ledger, click routers (routing and booking)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from leadrail.app.ports.booking import BookingRepo, BookingTransaction
from leadrail.app.workspace import BrandingDoc, MeetingTypeDoc, RouterDoc, UserDoc
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead
from leadrail.routing.model import CrmRecord, Decision, PoolState, Prospect, RouterSpec, UserInfo
from leadrail.routing.trace import Trace

if TYPE_CHECKING:
    from leadrail.app.ports.leads import StoredLead


@dataclass(frozen=True)
class RouterSnapshot:
    """A router ready for the engine, with the users and lists it may refer to."""

    revision: int
    doc: RouterDoc
    spec: RouterSpec
    users: Mapping[str, UserInfo]
    lists: Mapping[str, frozenset[str]]
    meeting: MeetingTypeDoc | None = None
    user_docs: Mapping[str, UserDoc] = field(default_factory=dict)
    branding: BrandingDoc = field(default_factory=BrandingDoc)
    language: str = "en"  # the workspace's, for e-mails to reps


@dataclass(frozen=True)
class RecordedDecision:
    id: str | None  # None for a dry run
    router: str
    decision: Decision
    prospect: Prospect
    created_at: datetime
    extra: Mapping[str, Any] = field(default_factory=dict)


class StaleState(Exception):
    """The state a decision was computed from changed underneath it: compute it again."""


class WouldWait(Exception):
    """A ``wait=False`` transaction could not begin at once (another writer holds the lock, or
    the database is across a network): nothing was done; begin it again where waiting is
    fine (a worker thread)."""


class Routers(Protocol):
    """Routers ready for the engine (the app's ``RouterCatalog``)."""

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None: ...


class RoutingRepo(Routers, Protocol):
    """What routing a prospect needs: the router (from the catalog), the CRM's records of the
    prospect, and the router's transaction."""

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]: ...

    def transaction(
        self, slug: str, *, write: bool, wait: bool = True
    ) -> AbstractContextManager[RoutingTransaction]:
        """``wait=False``: begin now or raise ``WouldWait`` (see ``route_prospect``)."""
        ...


class RoutingTransaction(BookingTransaction, Protocol):
    """One routing decision's unit of work. A writing transaction holds the router's lock
    (PostgreSQL: row lock on the router; SQLite: the database write lock) from its start."""

    def revision(self) -> int: ...

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]: ...

    def credits(self) -> Mapping[str, int]: ...

    def recent_assignee(self, router: str, email: str, since: datetime) -> str | None: ...

    def save_rotation(self, pool_key: str, state: PoolState) -> None: ...

    def decision_turn(self, decision_id: str) -> tuple[str, str, str] | None:
        """(pool key, period, assignee) of a decision that rotated a pool, or None."""
        ...

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str: ...

    def save_lead(
        self,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool = False,
    ) -> StoredLead:
        """A form lead routed by this transaction's decision, written with it (see
        ``LeadStore.save_lead``; a duplicate key raises DuplicateLead)."""
        ...


@dataclass(frozen=True)
class LedgerRow:
    id: str
    router: str
    created_at: datetime
    email: str
    rule: str | None
    via: str
    assignees: list[str]
    trace: Trace
    prospect: dict[str, Any]


class LedgerRepo(Protocol):
    """The decisions ledger, read."""

    def decisions(
        self, router: str | None = None, email: str | None = None, limit: int = 100
    ) -> Iterator[LedgerRow]: ...

    def decision(self, decision_id: str) -> LedgerRow | None: ...


class ClickRouterRepo(RoutingRepo, BookingRepo, Protocol):
    """What a click router's use cases need: routing and bookings."""
