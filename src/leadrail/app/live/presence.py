"""A rep who goes offline (their last console closed longer ago than the grace period, or
their process died): their open alerts are withdrawn, and a chat nobody else was alerted to
goes to whoever else may take it now, with a new countdown, or to the visitor's offers."""

from __future__ import annotations

from datetime import timedelta

from leadrail.app.live.chats import Chats
from leadrail.app.live.takers import ChatTakers
from leadrail.app.live.views import alert_json
from leadrail.app.ports.live import ConversationRow


class RepsGoing:
    def __init__(self, chats: Chats, takers: ChatTakers) -> None:
        self.chats, self.takers = chats, takers

    def offline(self, email: str) -> list[str]:
        """``email`` is offline now. Safe to call from every process at once: each withdrawn
        alert is handled by one of them. Returns the chats handed on or ended."""
        moved = []
        for c in self.chats.live.withdraw(email):
            self.chats.push.reps([email], {"type": "expired", "conversation_id": c.id})
            if not c.alerted:  # the others alerted still have it
                self._hand_on(c)
                moved.append(c.id)
        return moved

    def _hand_on(self, c: ConversationRow) -> None:
        live, push, now = self.chats.live, self.chats.push, self.chats.now()
        chat = self.chats.chat_of(c.site)
        v = live.visitor(c.visitor_id)
        picked = self.takers.pick(chat, v, now) if chat and v else None
        if chat is None or v is None or picked is None or not picked.reps:
            self.chats.expire(c.id)  # nobody else: the visitor gets the offers now
            return
        countdown = chat.countdown_seconds
        if not live.realert(c.id, picked.reps, now + timedelta(seconds=countdown)):
            return  # accepted or ended meanwhile
        moved = live.conversation(c.id) or c
        push.reps(picked.reps, {"type": "alert", "alert": alert_json(moved, v, countdown)})
        data = {"conversation_id": c.id, "countdown_seconds": countdown}
        push.visitor(c.visitor_id, "chat.waiting", data)
