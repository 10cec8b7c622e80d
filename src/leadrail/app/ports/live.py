"""Live website visitors: visitors, conversations, messages, the live users, the push."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass
class VisitorRow:
    id: str
    site: str  # the site's name
    started_at: datetime
    last_seen: datetime
    email: str = ""
    name: str = ""
    company: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    page_url: str = ""
    page_title: str = ""
    referrer: str = ""
    pages: int = 0
    location: dict[str, str] | None = None
    routed_to: list[str] = field(default_factory=list)
    why: str = ""
    crm: dict[str, str] | None = None
    last_rep: str | None = None


@dataclass
class ConversationRow:
    id: str
    visitor_id: str
    site: str
    status: str  # waiting | active | unanswered | closed
    created_at: datetime
    expires_at: datetime
    rep: str | None = None
    alerted: list[str] = field(default_factory=list)
    why: str = ""
    decision_id: str | None = None
    lead_id: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    accepted_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class MessageRow:
    id: str
    conversation_id: str
    sender: str  # visitor | rep | system
    name: str
    text: str
    at: datetime
    number: int = 0  # 1, 2, 3 ... within the conversation (given when it is stored)


@dataclass(frozen=True)
class LiveUser:
    email: str
    name: str
    is_admin: bool
    active: bool
    max_chats: int
    aligned: tuple[str, ...]


class LiveRepo(Protocol):
    def site(self, key: str) -> Any: ...  # the SiteDoc with this key, or None

    def sites(self) -> list[Any]: ...  # every SiteDoc

    def users(self) -> Mapping[str, LiveUser]: ...

    def visitor(self, visitor_id: str) -> VisitorRow | None: ...

    def save_visitor(self, row: VisitorRow) -> None: ...

    def open_conversation(self, visitor_id: str) -> ConversationRow | None: ...

    def last_conversation(self, visitor_id: str) -> ConversationRow | None: ...

    def conversation(self, conversation_id: str) -> ConversationRow | None: ...

    def add_conversation(self, row: ConversationRow) -> None: ...

    def accept(self, conversation_id: str, rep: str, now: datetime) -> bool: ...

    def finish(self, conversation_id: str, was: Sequence[str], status: str, now: datetime) -> bool:
        """Conditional status change (from one of ``was``); True when this call made it."""
        ...

    def set_lead(
        self, conversation_id: str, lead_id: str | None, answers: Mapping[str, str]
    ) -> None: ...

    def add_message(self, row: MessageRow) -> MessageRow:
        """Store ``row`` with the next number of its conversation (in the same transaction);
        returns it numbered."""
        ...

    def messages(self, conversation_id: str) -> list[MessageRow]: ...

    def active_counts(self) -> Mapping[str, int]: ...

    def recent_visitors(self, since: datetime, limit: int = 200) -> list[VisitorRow]: ...

    def visitors_seen_between(self, start: datetime, end: datetime) -> list[VisitorRow]:
        """Visitors last seen in [start, end), oldest first."""
        ...

    def touch_visitors(self, visitor_ids: Sequence[str], now: datetime) -> None: ...

    def conversations(
        self,
        *,
        visitor: str | None = None,
        rep: str | None = None,
        site: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[ConversationRow]: ...


class LivePush(Protocol):
    """The real-time side (the web layer's hub). Safe to call from any thread."""

    def reps(
        self, emails: Iterable[str], message: Mapping[str, Any], *, admins: bool = False
    ) -> None: ...

    def visitor(self, visitor_id: str, event: str, data: Mapping[str, Any]) -> None: ...

    def presence(self) -> Mapping[str, str]: ...  # e-mail -> "online" | "away"

    def later(self, seconds: float, job: Callable[[], None]) -> None: ...
