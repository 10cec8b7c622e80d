"""Who may take a chat now: the reps the site's chat router picks among those available
(online, not away, under their chat limit), a returning visitor's last rep first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from leadrail.app.live.routing import route_visitor
from leadrail.app.ports import RoutingRepo
from leadrail.app.ports.live import LivePush, LiveRepo, VisitorRow
from leadrail.app.workspace import LiveChatDoc


@dataclass(frozen=True)
class Takers:
    reps: tuple[str, ...]
    why: str
    decision_id: str | None


class ChatTakers:
    def __init__(self, live: LiveRepo, push: LivePush, routing: RoutingRepo) -> None:
        self.live, self.push, self.routing = live, push, routing

    def available(self, email: str, counts: Mapping[str, int]) -> bool:
        """Online (not away, not offline) and under their concurrent-chat limit."""
        user = self.live.users().get(email)
        if user is None or not user.active or self.push.presence().get(email) != "online":
            return False
        return counts.get(email, 0) < user.max_chats

    def pick(self, chat: LiveChatDoc, v: VisitorRow, now: datetime) -> Takers:
        """Route the chat (the decision goes to the ledger, unless the last rep takes it)."""
        counts = self.live.active_counts()

        def ready(email: str) -> bool:
            return self.available(email, counts)

        last = v.last_rep
        if last and ready(last):
            return Takers((last,), f"returning visitor: {last} chatted with them last", None)
        users = self.live.users()
        r = route_visitor(self.routing, chat.router, v, now, available=ready, users=users)
        return Takers(tuple(e for e in r.reps if ready(e)), r.why, r.decision_id)
