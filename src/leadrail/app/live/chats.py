"""A chat's life after its request, shared by the visitor's side (``visitors``) and the
reps' (``reps``): the countdown running out, closing, the offers, the system's lines."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from leadrail.app.live.messages import ChatLog
from leadrail.app.live.views import booker_url
from leadrail.app.ports.live import ConversationRow, LivePush, LiveRepo, MessageRow, VisitorRow
from leadrail.app.workspace import LiveChatDoc

DEFAULT_COUNTDOWN = 30


class Chats:
    """What both sides of a chat do to it. ``clock`` is the time (UTC)."""

    def __init__(self, live: LiveRepo, push: LivePush, clock: Callable[[], datetime]) -> None:
        self.live, self.push, self.now = live, push, clock
        self.log = ChatLog(live, push)

    def chat_of(self, site_name: str) -> LiveChatDoc | None:
        """The chat settings of the site called ``site_name`` (None: no chat there)."""
        site = next((s for s in self.live.sites() if s.name == site_name), None)
        return site.live.chat if site and site.live else None

    def countdown(self, site_name: str) -> int:
        chat = self.chat_of(site_name)
        return chat.countdown_seconds if chat else DEFAULT_COUNTDOWN

    @staticmethod
    def offers(chat: LiveChatDoc, v: VisitorRow) -> list[dict[str, Any]]:
        """What the visitor may do when nobody takes the chat (the site's order)."""
        out: list[dict[str, Any]] = []
        for kind in chat.offer:
            if kind == "booker" and chat.booker_router:
                out.append({"kind": "booker", "url": booker_url(chat.booker_router, v)})
            elif kind == "message":
                out.append({"kind": "message"})
            elif kind == "questions":
                questions = [{"field": q.field, "label": q.label} for q in chat.questions]
                out.append({"kind": "questions", "questions": questions})
        return out

    def expire(self, conversation_id: str) -> bool:
        """The countdown is over: if nobody accepted, the visitor gets the offers. True when
        this call ended the chat."""
        c = self.live.conversation(conversation_id)
        if c is None or not self.live.finish(c.id, ["waiting"], "unanswered", self.now()):
            return False
        self.push.reps(c.alerted, {"type": "expired", "conversation_id": c.id})
        chat = self.chat_of(c.site)
        v = self.live.visitor(c.visitor_id)
        offer = self.offers(chat, v) if chat and v else []
        self.system(replace(c, status="unanswered"), "Nobody answered in time.")
        self.push.visitor(
            c.visitor_id, "chat.unanswered", {"conversation_id": c.id, "offer": offer}
        )
        return True

    def expire_due(self) -> int:
        """End every chat whose countdown is over (each process calls this every fraction of
        a second: a chat requested on a process that stopped still ends on time). Of several
        processes ending one chat, one does (``finish`` is conditional). Returns how many
        this call ended."""
        ended = 0
        for c in self.live.due(self.now()):
            ended += self.expire(c.id)
        return ended

    def closed(self, c: ConversationRow) -> None:
        """Tell both sides that ``c`` has just been closed."""
        message = {"type": "closed", "conversation_id": c.id}
        self.push.reps([c.rep] if c.rep else c.alerted, message)
        self.push.visitor(c.visitor_id, "chat.closed", {"conversation_id": c.id})

    def system(self, c: ConversationRow, text: str) -> MessageRow:
        """A line of the transcript written by leadrail (not sent live)."""
        m = MessageRow(uuid.uuid4().hex, c.id, "system", "", text, self.now())
        return self.live.add_message(m)
