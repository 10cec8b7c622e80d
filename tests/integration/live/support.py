"""Live routing test helpers: a workspace with a site, reps with API tokens, console sockets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.support.dashboard import make_account

KEY = "pk_live_acme_website_0001"
OTHER_KEY = "pk_live_other_site_000001"
ORIGIN = "https://www.acme.test"
ANA, BEN, SAM, ADMIN = "ana@acme.test", "ben@acme.test", "sam@acme.test", "admin@acme.test"


def workspace(countdown: int = 5, offer: list[str] | None = None) -> dict[str, Any]:
    return {
        "users": [
            {"email": ANA, "name": "Ana Ruiz", "max_chats": 1, "aligned": [SAM]},
            {"email": BEN, "name": "Ben Ode"},
            {"email": SAM, "name": "Sam Lee"},
        ],
        "teams": [{"name": "Sales", "members": [ANA, BEN]}],
        "meeting_types": [{"slug": "intro", "name": "Intro", "duration_minutes": 30}],
        "routers": [
            {
                "slug": "website-visitors",
                "title": "Visitors",
                "ownership": {"enabled": True, "match": ["contacts"], "include_aligned": True},
                "default": {"team": "Sales"},
            },
            {
                "slug": "website-chat",
                "title": "Chat",
                "ownership": {"enabled": True, "match": ["contacts"], "include_aligned": True},
                "default": {"broadcast": [ANA, BEN]},
            },
            {
                "slug": "q2-enterprise",
                "title": "Book",
                "meeting_type": "intro",
                "default": {"user": ANA},
            },
        ],
        "crm": {
            "contacts": [
                {"email": "owned@bigco.test", "owner": ANA},
                {"email": "stranger@bigco.test", "owner": "nobody@else.test"},
            ]
        },
        "categories": [
            {"name": "General", "destinations": [{"address": "leads@acme.test", "format": "text"}]}
        ],
        "fallback_destination": {"address": "fallback@acme.test", "format": "text"},
        "sites": [
            {
                "name": "Acme website",
                "key": KEY,
                "origins": [ORIGIN],
                "live": {
                    "pounce": {"router": "website-visitors"},
                    "chat": {
                        "router": "website-chat",
                        "countdown_seconds": countdown,
                        "questions": [{"field": "employees", "label": "How many people?"}],
                        "offer": offer or ["booker", "message", "questions"],
                        "booker_router": "q2-enterprise",
                        "message_category": "General",
                    },
                },
            },
            {"name": "Other", "key": OTHER_KEY},
        ],
    }


@contextmanager
def live_app(
    db_url: str, countdown: int = 5, **settings: Any
) -> Iterator[tuple[Container, TestClient, dict[str, str]]]:
    """The app (lifespan running, so the hub is on one loop), reps and their API tokens."""
    settings.setdefault("presence_grace_seconds", 0.3)
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False, **settings))
    apply_workspace(c.workspace, workspace(countdown))
    tokens = {}
    for email in (ANA, BEN, SAM, ADMIN):
        make_account(c, email, admin=email == ADMIN, name=email.split("@")[0].title())
        tokens[email] = c.tokens.create_token(email, "test")
    apply_workspace(c.workspace, workspace(countdown))  # names back (make_account renamed them)
    try:
        with TestClient(create_app(c.settings, container=c)) as client:
            yield c, client, tokens
    finally:
        c.close()


def event(client: TestClient, body: dict[str, Any], origin: str = ORIGIN) -> Any:
    return client.post(
        "/api/v1/visitors/events", json={"site_key": KEY, **body}, headers={"Origin": origin}
    )


def frames_until(ws: WebSocketTestSession, kind: str = "pong") -> list[dict[str, Any]]:
    """Everything the server sent before the answer to a ping (so nothing blocks)."""
    if kind == "pong":
        ws.send_json({"type": "ping"})
    out = []
    while True:
        frame = ws.receive_json()
        if frame["type"] == kind:
            return out
        out.append(frame)


def of_type(frames: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == kind]


def console(client: TestClient, token: str) -> Any:
    return client.websocket_connect(f"/api/v1/console/ws?token={token}")
