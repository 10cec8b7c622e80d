"""Live website visitors: the visitor side (events from the snippet).

Pounce: the first page view (and an identify) routes the visitor with the site's pounce
router; the routed reps (and admins) see them in their console. Chat: a chat request routes
with the chat router among reps who are online and under their chat limit (a returning
visitor's last rep first); all of them get an alert with a countdown; the first to accept gets
the chat (see ``reps``). Nobody in time, or nobody online: the visitor gets the offers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from leadrail.app.errors import InvalidInput
from leadrail.app.leads import Unauthorized, take_lead
from leadrail.app.live.chats import Chats
from leadrail.app.live.routing import route_visitor
from leadrail.app.live.takers import ChatTakers
from leadrail.app.live.views import (
    MAX_TEXT,
    Forbidden,
    VisitorTokens,
    alert_json,
    clean,
    clean_fields,
    visitor_conversation,
    visitor_json,
)
from leadrail.app.ports import LeadRepo, Locator, RoutingRepo
from leadrail.app.ports.live import ConversationRow, MessageRow, VisitorRow
from leadrail.app.workspace import SiteDoc
from leadrail.leads.model import Customer, Lead
from leadrail.leads.nearest import LocationHints


@dataclass
class Intake:
    """One event as it is handled: the site, the visitor, and what the reply says."""

    site: SiteDoc
    visitor: VisitorRow
    token: str
    body: Mapping[str, Any]
    fresh: bool  # the visitor's first event (no token yet)
    conversation: ConversationRow | None = None
    offer: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class On:
    """An event's handler, and whether it stores the visitor itself (if not, the intake
    records that the visitor was seen)."""

    run: Callable[[LiveService, Intake], None]
    saves_visitor: bool = True


class LiveService:
    def __init__(
        self,
        chats: Chats,
        takers: ChatTakers,
        routing: RoutingRepo,
        leads: LeadRepo,
        locator: Locator,
        tokens: VisitorTokens,
        *,
        place: Callable[[str | None], dict[str, str] | None],
    ) -> None:
        self.chats, self.live, self.push, self.now = chats, chats.live, chats.push, chats.now
        self.takers, self.routing, self.leads, self.locator = takers, routing, leads, locator
        self.tokens, self.place = tokens, place

    # --- who may send ----------------------------------------------------------------------
    def site(self, key: object) -> SiteDoc:
        site = self.live.site(key) if isinstance(key, str) and len(key) <= 64 else None
        if not isinstance(site, SiteDoc):
            raise Unauthorized("unknown site key", field="site_key")
        return site

    @staticmethod
    def origin_allowed(site: SiteDoc, origin: str | None) -> bool:
        return not site.origins or (origin or "").rstrip("/").lower() in site.origins

    def visitor_of(self, site: SiteDoc, token: object) -> VisitorRow:
        if not isinstance(token, str):
            raise Forbidden("send the visitor token", field="visitor")
        found = self.live.visitor(self.tokens.read(token, site.key))
        if found is None or found.site != site.name:
            raise Forbidden("the visitor token is not valid for this site", field="visitor")
        return found

    # --- the snippet's events --------------------------------------------------------------
    def event(self, body: Mapping[str, Any], *, origin: str | None, ip: str | None) -> Intake:
        site = self.site(body.get("site_key"))
        if not self.origin_allowed(site, origin):
            raise Forbidden("this page's origin may not send events for the site", field="origin")
        kind = body.get("type")
        on = HANDLERS.get(kind) if isinstance(kind, str) else None
        if on is None:
            raise InvalidInput(f"type must be one of {', '.join(HANDLERS)}", field="type")
        now = self.now()
        token = body.get("visitor")
        if token is None:
            v = VisitorRow(uuid.uuid4().hex, site.name, now, now, location=self.place(ip))
            token = self.tokens.make(v.id, site.key)
            fresh = True
        else:
            v, fresh = self.visitor_of(site, token), False
        it = Intake(site, v, token, body, fresh)
        v.last_seen = now  # any event says the visitor is here
        on.run(self, it)
        if not on.saves_visitor and not fresh:
            self.live.touch_visitors([v.id], now)  # these handlers do not save the visitor
        if it.conversation is None:
            it.conversation = self.live.open_conversation(v.id)
        return it

    def on_page_view(self, it: Intake) -> None:
        v, body = it.visitor, it.body
        v.page_url = clean(body.get("url"), "url", 2000)
        v.page_title = clean(body.get("title"), "title", 300)
        v.referrer = v.referrer or clean(body.get("referrer"), "referrer", 2000)
        v.pages += 1
        v.last_seen = self.now()
        self._pounce(it, reroute=it.fresh)

    def on_identify(self, it: Intake) -> None:
        self._identity(it.visitor, it.body)
        self._pounce(it, reroute=True)

    def _identity(self, v: VisitorRow, body: Mapping[str, Any]) -> None:
        email = clean(body.get("email"), "email", 254).lower()
        if email and ("@" not in email or " " in email):
            raise InvalidInput("email is not an e-mail address", field="email")
        v.email = email or v.email
        v.name = clean(body.get("name"), "name", 120) or v.name
        v.company = clean(body.get("company"), "company", 120) or v.company
        v.fields = {**v.fields, **clean_fields(body.get("fields"))}
        v.last_seen = self.now()

    def _pounce(self, it: Intake, *, reroute: bool) -> None:
        """Route for pounce (first page view, identify) and show the visitor to the reps."""
        v, pounce = it.visitor, it.site.live.pounce if it.site.live else None
        before = list(v.routed_to)
        if reroute and pounce is not None:
            present = self.push.presence()
            routed = route_visitor(
                self.routing,
                pounce.router,
                v,
                self.now(),
                available=lambda e: e in present,
                users=self.live.users(),
            )
            v.routed_to, v.why, v.crm = list(routed.reps), routed.why, routed.crm or v.crm
        self.live.save_visitor(v)
        gone = [e for e in before if e not in v.routed_to]
        if gone:
            self.push.reps(gone, {"type": "visitor_left", "id": v.id})
        self.push.reps(v.routed_to, {"type": "visitor", "visitor": visitor_json(v)}, admins=True)

    # --- chat --------------------------------------------------------------------------------
    def on_chat_request(self, it: Intake) -> None:
        v, chat = it.visitor, it.site.live.chat if it.site.live else None
        if chat is None:
            raise InvalidInput("this site has no live chat", field="type")
        if it.fresh:
            self.live.save_visitor(v)
        now = self.now()
        found = self.live.open_conversation(v.id)
        if found is not None and found.status == "waiting" and found.expires_at < now:
            self.chats.expire(found.id)  # its timer died with a restart
            found = None
        if found is not None:
            it.conversation = found
            return
        picked = self.takers.pick(chat, v, now)
        reps, why, decision = picked.reps, picked.why, picked.decision_id
        status = "waiting" if reps else "unanswered"
        c = ConversationRow(
            uuid.uuid4().hex, v.id, it.site.name, status, now,
            now + timedelta(seconds=chat.countdown_seconds),
            alerted=list(reps), why=why, decision_id=decision,
        )  # fmt: skip
        self.live.add_conversation(c)
        it.conversation = c
        if not reps:
            it.offer = self.chats.offers(chat, v)
            self.chats.system(c, "Nobody is available right now.")
            return
        alert = alert_json(c, v, chat.countdown_seconds)
        self.push.reps(reps, {"type": "alert", "alert": alert})
        data = {"conversation_id": c.id, "countdown_seconds": chat.countdown_seconds}
        self.push.visitor(v.id, "chat.waiting", data)  # ``Chats.expire_due`` ends it in time

    def on_message(self, it: Intake) -> None:
        text = clean(it.body.get("text"), "text", MAX_TEXT)
        if not text:
            raise InvalidInput("text is empty", field="text")
        c = self.live.open_conversation(it.visitor.id)
        if c is None:
            raise InvalidInput("no open chat: send chat_request first", field="type")
        v = it.visitor
        m = MessageRow(uuid.uuid4().hex, c.id, "visitor", v.name or "Visitor", text, self.now())
        self.chats.log.say(m, reps=[c.rep] if c.rep else [], visitor=v.id)
        it.conversation = c

    def on_answers(self, it: Intake) -> None:
        answers = clean_fields(it.body.get("answers"), "answers")
        it.visitor.fields = {**it.visitor.fields, **answers}
        self.live.save_visitor(it.visitor)
        c = self.live.last_conversation(it.visitor.id)
        if c is not None and answers:
            text = "; ".join(f"{k}: {x}" for k, x in answers.items())[:MAX_TEXT]
            self.live.add_message(
                MessageRow(uuid.uuid4().hex, c.id, "visitor", it.visitor.name, text, self.now())
            )
            self.live.set_lead(c.id, None, {**c.answers, **answers})

    def on_leave_message(self, it: Intake) -> None:
        self._identity(it.visitor, it.body)
        text = clean(it.body.get("text"), "text", MAX_TEXT)
        v = it.visitor
        if not v.email:
            raise InvalidInput("email is needed to leave a message", field="email")
        self.live.save_visitor(v)
        chat = it.site.live.chat if it.site.live else None
        category = (chat.message_category if chat else None) or "Live chat"
        now = self.now()
        lead = Lead(
            id="", created_at=now, category=category, offer="Live chat message",
            customer=Customer(full_name=v.name, email=v.email), comments=text,
            page_url=v.page_url[:2000],
        )  # fmt: skip
        taken = take_lead(
            self.leads, self.routing, self.locator, site_key=it.site.key, lead=lead,
            hints=LocationHints(), idempotency_key=None, now=now,
        )  # fmt: skip
        c = self.live.last_conversation(v.id)
        if c is not None and c.status in ("unanswered", "waiting"):
            self.live.set_lead(c.id, taken.lead.id, c.answers)
            self.live.add_message(MessageRow(uuid.uuid4().hex, c.id, "visitor", v.name, text, now))
            self.live.finish(c.id, ["waiting", "unanswered"], "closed", now)

    def on_close(self, it: Intake) -> None:
        c = self.live.open_conversation(it.visitor.id)
        if c is not None and self.live.finish(c.id, ["waiting", "active"], "closed", self.now()):
            self.chats.closed(c)

    def visitor_conversation(self, it: Intake) -> dict[str, Any] | None:
        chat = it.site.live.chat if it.site.live else None
        countdown = chat.countdown_seconds if chat else 30
        return visitor_conversation(it.conversation, countdown, self.live.users())


HANDLERS: dict[str, On] = {
    "page_view": On(LiveService.on_page_view),
    "identify": On(LiveService.on_identify),
    "chat_request": On(LiveService.on_chat_request, saves_visitor=False),
    "message": On(LiveService.on_message, saves_visitor=False),
    "leave_message": On(LiveService.on_leave_message),
    "answers": On(LiveService.on_answers),
    "close": On(LiveService.on_close, saves_visitor=False),
}
