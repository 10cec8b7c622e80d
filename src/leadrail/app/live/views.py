"""Live routing's values as the protocol's JSON (V, A, C, M of docs/live.md), visitor
tokens, and the checks of what visitors type."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from leadrail.app.errors import InvalidInput, LeadrailError
from leadrail.app.ports.live import ConversationRow, LiveUser, MessageRow, VisitorRow

MAX_TEXT = 2000
MAX_FIELD = 500


class Forbidden(LeadrailError):
    code = "forbidden"
    status = 403


class VisitorTokens:
    """Visitor tokens: signed ``[visitor id, site key]``; a token of another site, or one not
    signed by this server, is refused."""

    def __init__(self, secret: str | Callable[[], str]) -> None:
        self._secret = secret
        self._s: URLSafeSerializer | None = None

    def _serializer(self) -> URLSafeSerializer:
        if self._s is None:
            secret = self._secret if isinstance(self._secret, str) else self._secret()
            self._s = URLSafeSerializer(secret, salt="leadrail.live-visitor")
        return self._s

    def make(self, visitor_id: str, site_key: str) -> str:
        return str(self._serializer().dumps([visitor_id, site_key]))

    def read(self, token: str, site_key: str) -> str:
        """The visitor id in ``token``; Forbidden (field ``visitor``) when it is not valid
        for this site."""
        try:
            value = self._serializer().loads(token[:300])
        except BadSignature:
            value = None
        if not (isinstance(value, list) and len(value) == 2 and value[1] == site_key):
            raise Forbidden("the visitor token is not valid for this site", field="visitor")
        return str(value[0])


def clean(value: object, field: str, limit: int = MAX_FIELD) -> str:
    """A visitor's text: a string, stripped, at most ``limit`` characters (never cut
    silently: too long is a 422 naming the field). Kept as typed, shown escaped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field)
    return text.replace("\x00", "")


def clean_fields(value: object, field: str = "fields") -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 50:
        raise InvalidInput(f"{field} must be an object of at most 50 text values", field=field)
    out = {}
    for k, v in value.items():
        key = clean(k, field, 64)
        out[key] = clean(v, f"{field}.{key}")
    return out


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def message_json(m: MessageRow) -> dict[str, Any]:
    return {
        "id": m.id,
        "n": m.number,  # the order of the chat: 1, 2, 3 ...
        "from": m.sender,
        "name": m.name,
        "text": m.text,
        "at": iso(m.at),
    }


def visitor_json(v: VisitorRow) -> dict[str, Any]:
    return {
        "id": v.id,
        "name": v.name,
        "email": v.email,
        "company": v.company,
        "page": {"url": v.page_url, "title": v.page_title},
        "pages": v.pages,
        "started_at": iso(v.started_at),
        "last_seen": iso(v.last_seen),
        "location": v.location,
        "crm": v.crm,
        "why": v.why,
        "routed_to": list(v.routed_to),
    }


def rep_json(email: str | None, users: Mapping[str, LiveUser]) -> dict[str, str] | None:
    if not email:
        return None
    user = users.get(email)
    return {"email": email, "name": user.name if user else email}


def conversation_json(
    c: ConversationRow,
    v: VisitorRow | None,
    messages: Iterable[MessageRow],
    users: Mapping[str, LiveUser],
) -> dict[str, Any]:
    return {
        "id": c.id,
        "visitor": visitor_json(v) if v else None,
        "status": c.status,
        "site": c.site,
        "rep": rep_json(c.rep, users),
        "why": c.why,
        "decision_id": c.decision_id,
        "lead_id": c.lead_id,
        "created_at": iso(c.created_at),
        "messages": [message_json(m) for m in messages],
    }


def alert_json(c: ConversationRow, v: VisitorRow, countdown: int) -> dict[str, Any]:
    return {
        "conversation_id": c.id,
        "visitor": visitor_json(v),
        "why": c.why,
        "expires_at": iso(c.expires_at),
        "countdown_seconds": countdown,
    }


def visitor_conversation(
    c: ConversationRow | None, countdown: int, users: Mapping[str, LiveUser]
) -> dict[str, Any] | None:
    """The conversation as the visitor sees it: no e-mail addresses of reps."""
    if c is None:
        return None
    rep = users.get(c.rep or "")
    return {
        "id": c.id,
        "status": c.status,
        "countdown_seconds": countdown,
        "rep": {"name": rep.name if rep else c.rep} if c.rep else None,
    }


def booker_url(router: str, v: VisitorRow) -> str:
    query = {k: x for k, x in (("email", v.email), ("name", v.name)) if x}
    return f"/c/{router}" + (f"?{urlencode(query)}" if query else "")
