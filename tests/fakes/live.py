"""In-memory fakes of live routing's ports (``app/live/ports.py``) and of the routing
transaction a visitor's routing writes to, for the use-case tests in tests/unit/app/live/.
They keep the adapters' promises: an accept or a status change happens for exactly one
caller, messages are numbered 1, 2, 3 ... per conversation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from leadrail.app.ports import RouterSnapshot
from leadrail.app.ports.live import ConversationRow, LiveUser, MessageRow, VisitorRow
from leadrail.app.workspace import SiteDoc, WorkspaceDoc
from leadrail.routing.model import CrmRecord, Decision, PoolState, Prospect
from tests.fakes.workspace import FakeWorkspace


class FakeLiveRepo:
    """Sites, users, visitors, conversations and messages in dictionaries."""

    def __init__(self, workspace: Mapping[str, Any]) -> None:
        doc = WorkspaceDoc.model_validate(workspace)
        self._sites: dict[str, SiteDoc] = {s.key: s for s in doc.sites or []}
        self._users = {
            u.email: LiveUser(
                u.email, u.name or u.email, False, True, u.max_chats, tuple(u.aligned)
            )
            for u in doc.users or []
        }
        self.visitors: dict[str, VisitorRow] = {}
        self.rows: dict[str, ConversationRow] = {}  # conversations, in the order added
        self.texts: dict[str, list[MessageRow]] = {}

    def site(self, key: str) -> SiteDoc | None:
        return self._sites.get(key)

    def sites(self) -> list[SiteDoc]:
        return list(self._sites.values())

    def users(self) -> Mapping[str, LiveUser]:
        return self._users

    def visitor(self, visitor_id: str) -> VisitorRow | None:
        found = self.visitors.get(visitor_id)
        return replace(found) if found else None

    def save_visitor(self, row: VisitorRow) -> None:
        self.visitors[row.id] = replace(row)

    def _latest(self, visitor_id: str, statuses: Sequence[str]) -> ConversationRow | None:
        mine = [c for c in self.rows.values() if c.visitor_id == visitor_id]
        mine = [c for c in mine if not statuses or c.status in statuses]
        return replace(mine[-1]) if mine else None

    def open_conversation(self, visitor_id: str) -> ConversationRow | None:
        return self._latest(visitor_id, ("waiting", "active"))

    def last_conversation(self, visitor_id: str) -> ConversationRow | None:
        return self._latest(visitor_id, ())

    def conversation(self, conversation_id: str) -> ConversationRow | None:
        found = self.rows.get(conversation_id)
        return replace(found) if found else None

    def add_conversation(self, row: ConversationRow) -> None:
        self.rows[row.id] = replace(row)

    def accept(self, conversation_id: str, rep: str, now: datetime) -> bool:
        c = self.rows.get(conversation_id)
        if c is None or c.status != "waiting":
            return False
        c.status, c.rep, c.accepted_at = "active", rep, now
        return True

    def finish(self, conversation_id: str, was: Sequence[str], status: str, now: datetime) -> bool:
        c = self.rows.get(conversation_id)
        if c is None or c.status not in was:
            return False
        c.status = status
        if status == "closed":
            c.closed_at = now
        return True

    def set_lead(
        self, conversation_id: str, lead_id: str | None, answers: Mapping[str, str]
    ) -> None:
        c = self.rows[conversation_id]
        c.answers = dict(answers)
        if lead_id is not None:
            c.lead_id = lead_id

    def add_message(self, row: MessageRow) -> MessageRow:
        texts = self.texts.setdefault(row.conversation_id, [])
        numbered = replace(row, number=len(texts) + 1)
        texts.append(numbered)
        return numbered

    def messages(self, conversation_id: str) -> list[MessageRow]:
        return list(self.texts.get(conversation_id, []))

    def active_counts(self) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for c in self.rows.values():
            if c.status == "active" and c.rep:
                counts[c.rep] = counts.get(c.rep, 0) + 1
        return counts

    def recent_visitors(self, since: datetime, limit: int = 200) -> list[VisitorRow]:
        found = [v for v in self.visitors.values() if v.last_seen >= since]
        return sorted(found, key=lambda v: v.last_seen, reverse=True)[:limit]

    def visitors_seen_between(self, start: datetime, end: datetime) -> list[VisitorRow]:
        found = [v for v in self.visitors.values() if start <= v.last_seen < end]
        return sorted(found, key=lambda v: v.last_seen)

    def touch_visitors(self, visitor_ids: Sequence[str], now: datetime) -> None:
        for vid in visitor_ids:
            v = self.visitors.get(vid)
            if v is not None and v.last_seen < now:
                v.last_seen = now

    def due(self, now: datetime, limit: int = 100) -> list[ConversationRow]:
        found = [c for c in self.rows.values() if c.status == "waiting" and c.expires_at <= now]
        return [replace(c) for c in sorted(found, key=lambda c: c.expires_at)][:limit]

    def withdraw(self, rep: str) -> list[ConversationRow]:
        changed = []
        for c in self.rows.values():
            if c.status == "waiting" and rep in c.alerted:
                c.alerted = [e for e in c.alerted if e != rep]
                changed.append(replace(c))
        return changed

    def realert(self, conversation_id: str, alerted: Sequence[str], expires_at: datetime) -> bool:
        c = self.rows.get(conversation_id)
        if c is None or c.status != "waiting":
            return False
        c.alerted, c.expires_at = list(alerted), expires_at
        return True

    def conversations(
        self,
        *,
        visitor: str | None = None,
        rep: str | None = None,
        site: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[ConversationRow]:
        found = [
            replace(c)
            for c in reversed(self.rows.values())
            if (visitor is None or c.visitor_id == visitor)
            and (rep is None or c.rep == rep)
            and (site is None or c.site == site)
            and (status is None or c.status == status)
        ]
        return found[:limit]


@dataclass
class FakePush:
    """The hub: what was pushed to whom, and the reps' presence as the test sets it."""

    presence_of: dict[str, str] = field(default_factory=dict)
    to_reps: list[tuple[list[str], dict[str, Any], bool]] = field(default_factory=list)
    to_visitors: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def reps(
        self, emails: Iterable[str], message: Mapping[str, Any], *, admins: bool = False
    ) -> None:
        self.to_reps.append((list(emails), dict(message), admins))

    def visitor(self, visitor_id: str, event: str, data: Mapping[str, Any]) -> None:
        self.to_visitors.append((visitor_id, event, dict(data)))

    def here(self, emails: Iterable[str], message: Mapping[str, Any], *, admins: bool) -> None:
        self.to_reps.append((list(emails), dict(message), admins))

    def presence(self) -> Mapping[str, str]:
        return dict(self.presence_of)

    def sent_to(self, email: str, kind: str) -> list[dict[str, Any]]:
        """The messages of type ``kind`` that went to ``email``'s consoles."""
        return [m for emails, m, _ in self.to_reps if email in emails and m["type"] == kind]

    def events_of(self, visitor_id: str) -> list[str]:
        return [event for vid, event, _ in self.to_visitors if vid == visitor_id]


class FakeRoutingTx:
    """A routing transaction that records decisions (no rotation state, no credits)."""

    def __init__(self, ledger: list[tuple[str, Decision, str]]) -> None:
        self.ledger = ledger

    def revision(self) -> int:
        return 1

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]:
        return {}

    def credits(self) -> Mapping[str, int]:
        return {}

    def recent_assignee(self, router: str, email: str, since: datetime) -> str | None:
        return None

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str:
        self.ledger.append((router, decision, source))
        return f"d{len(self.ledger)}"


class FakeRouting:
    """The routers of a workspace, as the engine sees them, and the decisions' ledger."""

    def __init__(self, workspace: Mapping[str, Any]) -> None:
        self._routers = FakeWorkspace(workspace)
        self.ledger: list[tuple[str, Decision, str]] = []

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None:
        return self._routers.router(slug)

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        return ()

    @contextmanager
    def transaction(self, slug: str, *, write: bool, wait: bool = True) -> Iterator[FakeRoutingTx]:
        yield FakeRoutingTx(self.ledger)


class FakeRedis:
    """What the processes' buses share: one channel and the presence of each process."""

    def __init__(self) -> None:
        self.buses: list[FakeBus] = []
        self.presence: dict[str, dict[str, str]] = {}  # process -> its reps

    def merged(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for reps in self.presence.values():
            for email, status in reps.items():
                if out.get(email) != "online":
                    out[email] = status
        return out

    def tell_presence(self) -> None:
        merged = self.merged()
        for bus in self.buses:
            if bus.on_presence is not None:
                bus.on_presence(merged)

    def dies(self, process: str) -> None:
        """The process is gone: its presence expires, it hears nothing more."""
        self.presence.pop(process, None)
        self.buses = [b for b in self.buses if b.process != process]
        self.tell_presence()


class FakeBus:
    """A process's ``LiveBus`` over a ``FakeRedis``: delivery at once, in order."""

    def __init__(self, redis: FakeRedis, process: str) -> None:
        self.redis, self.process = redis, process
        self.deliver: Callable[[Mapping[str, Any]], None] | None = None
        self.on_presence: Callable[[Mapping[str, str]], None] | None = None
        redis.buses.append(self)

    def start(
        self,
        deliver: Callable[[Mapping[str, Any]], None],
        presence: Callable[[Mapping[str, str]], None],
    ) -> None:
        self.deliver, self.on_presence = deliver, presence

    def publish(self, message: Mapping[str, Any]) -> None:
        for bus in list(self.redis.buses):
            if bus.deliver is not None:
                bus.deliver(json.loads(json.dumps(message)))  # as it travels: JSON

    def set_presence(self, status: Mapping[str, str]) -> None:
        self.redis.presence[self.process] = dict(status)
        self.redis.tell_presence()

    def stop(self) -> None:
        self.redis.buses = [b for b in self.redis.buses if b is not self]
