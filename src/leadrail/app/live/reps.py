"""Live routing, the reps' side: what a console sees on connect, accepting a chat (atomic in
the database), chatting, closing, and the transcripts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.live.chats import Chats
from leadrail.app.live.views import (
    MAX_TEXT,
    alert_json,
    clean,
    conversation_json,
    message_json,
    visitor_conversation,
    visitor_json,
)
from leadrail.app.ports.live import ConversationRow, LiveUser, MessageRow

IDLE = timedelta(seconds=30)  # LEADRAIL_LIVE_VISITOR_IDLE_SECONDS


@dataclass(frozen=True)
class Rep:
    email: str
    name: str
    is_admin: bool


class LiveReps:
    """``idle``: a visitor with no open stream and no event for this long has left."""

    def __init__(self, chats: Chats, idle: timedelta = IDLE) -> None:
        self.chats, self.live, self.push, self.now = chats, chats.live, chats.push, chats.now
        self.idle = idle

    def _users(self) -> dict[str, LiveUser]:
        return dict(self.live.users())

    def conversation(self, c: ConversationRow) -> dict[str, Any]:
        v = self.live.visitor(c.visitor_id)
        return conversation_json(c, v, self.live.messages(c.id), self._users())

    def hello(self, rep: Rep, status: str) -> dict[str, Any]:
        """The console's first frame: my visitors (all for an admin), my alerts, my chats."""
        now = self.now()
        visitors = [
            v
            for v in self.live.recent_visitors(now - self.idle)  # still here, nobody else
            if rep.is_admin or rep.email in v.routed_to
        ]
        alerts = []
        for c in self.live.conversations(status="waiting"):
            v = self.live.visitor(c.visitor_id)
            if rep.email in c.alerted and v is not None and c.expires_at > now:
                alerts.append(alert_json(c, v, self.chats.countdown(c.site)))
        mine = self.live.conversations(status="active", rep=None if rep.is_admin else rep.email)
        return {
            "type": "hello",
            "me": {"email": rep.email, "name": rep.name, "is_admin": rep.is_admin},
            "status": status,
            "visitors": [visitor_json(v) for v in visitors],
            "alerts": alerts,
            "conversations": [self.conversation(c) for c in mine],
        }

    def _find(self, conversation_id: object) -> ConversationRow:
        found = (
            self.live.conversation(conversation_id) if isinstance(conversation_id, str) else None
        )
        if found is None:
            raise NotFound("no such conversation", field="conversation_id")
        return found

    def accept(self, rep: Rep, conversation_id: object) -> dict[str, Any] | None:
        """Take the chat. Exactly one of several reps accepting at once wins (the database
        decides); the others get ``taken``."""
        c = self._find(conversation_id)
        if rep.email not in c.alerted:
            raise InvalidInput("this chat was not offered to you", field="conversation_id")
        users = self._users()
        if not self.live.accept(c.id, rep.email, self.now()):
            now = self.live.conversation(c.id) or c
            if now.status == "active":
                return None  # the winner's ``taken`` reaches every other alerted rep
            return {"type": "expired", "conversation_id": c.id}
        name = users[rep.email].name if rep.email in users else rep.email
        v = self.live.visitor(c.visitor_id)
        if v is not None:
            v.last_rep = rep.email
            self.live.save_visitor(v)
        others = [e for e in c.alerted if e != rep.email]
        self.push.reps(others, {"type": "taken", "conversation_id": c.id, "by": name})
        self.push.visitor(
            c.visitor_id, "chat.accepted", {"conversation_id": c.id, "rep": {"name": name}}
        )
        accepted = self.live.conversation(c.id) or c
        return {"type": "accepted", "conversation": self.conversation(accepted)}

    def _mine(self, rep: Rep, conversation_id: object) -> ConversationRow:
        c = self._find(conversation_id)
        if c.rep != rep.email:
            raise InvalidInput("this chat is not yours", field="conversation_id")
        return c

    def message(self, rep: Rep, conversation_id: object, text: object) -> None:
        c = self._mine(rep, conversation_id)
        body = clean(text, "text", MAX_TEXT)
        if not body:
            raise InvalidInput("text is empty", field="text")
        if c.status != "active":
            raise InvalidInput("this chat is closed", field="conversation_id")
        m = MessageRow(uuid.uuid4().hex, c.id, "rep", rep.name, body, self.now())
        self.chats.log.say(m, reps=[rep.email], visitor=c.visitor_id)

    def close(self, rep: Rep, conversation_id: object) -> None:
        c = self._mine(rep, conversation_id)
        if self.live.finish(c.id, ["active"], "closed", self.now()):
            self.chats.closed(c)

    def visitor_hello(self, visitor_id: str) -> dict[str, Any]:
        """The visitor stream's first event: lets a reloaded page restore its open chat."""
        c = self.live.open_conversation(visitor_id)
        users = self._users()
        countdown = self.chats.countdown(c.site) if c else 0
        return {
            "visitor_id": visitor_id,
            "conversation": visitor_conversation(c, countdown, users) if c else None,
            "messages": [message_json(m) for m in self.live.messages(c.id)] if c else [],
        }

    # --- presence of visitors: here while a stream is open or events come -----------------
    def visitor_connected(self, visitor_id: str) -> None:
        """A stream opened: the visitor is here (again: a visitor who had left comes back to
        the consoles of their reps)."""
        self.live.touch_visitors([visitor_id], self.now())
        v = self.live.visitor(visitor_id)
        if v is not None:
            self.push.reps(
                v.routed_to, {"type": "visitor", "visitor": visitor_json(v)}, admins=True
            )

    def visitor_disconnected(self, visitor_id: str) -> None:
        """The visitor's last stream closed: they leave ``idle`` from now unless they come
        back (a page that loads the next one reconnects within a second)."""
        self.live.touch_visitors([visitor_id], self.now())

    def keep(self, connected: list[str]) -> None:
        """Visitors with an open stream in this process are still here."""
        self.live.touch_visitors(connected, self.now())

    def departures(self, since: datetime, until: datetime, connected: set[str]) -> None:
        """Visitors last seen in [since, until) (``until`` = now - idle) have left: their
        consoles drop them. Called with consecutive windows, so each departure goes out once."""
        for v in self.live.visitors_seen_between(since, until):
            if v.id not in connected:
                # every process finds the same departures: each tells its own consoles
                self.push.here(v.routed_to, {"type": "visitor_left", "id": v.id}, admins=True)

    def transcripts(
        self,
        *,
        visitor: str | None = None,
        rep: str | None = None,
        site: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        found = self.live.conversations(
            visitor=visitor, rep=rep, site=site, status=status, limit=limit
        )
        return [self.conversation(c) for c in found]

    def transcript(self, conversation_id: str) -> dict[str, Any]:
        return self.conversation(self._find(conversation_id))
