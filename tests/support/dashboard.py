"""Helpers for dashboard tests: accounts with passwords, logged-in clients, CSRF tokens, and
``Dash`` (an app with a workspace, an admin and a rep, one of them logged in)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.workspace_edit import find_item
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app

PASSWORD = "correct horse battery staple"
ADMIN = "admin@acme.test"
REP = "rep0@acme.test"


def make_account(c: Container, email: str, *, admin: bool, name: str = "") -> str:
    """A user with a dashboard password (created if missing); returns the password."""
    c.accounts.create_user(email, name or email.split("@")[0].title(), admin=admin)
    c.accounts.set_password(email, PASSWORD)
    return PASSWORD


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf" value="([^"]+)"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log ``client`` in; returns the session's CSRF token."""
    r = client.post("/login", data={"email": email, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/dashboard").text)


@dataclass
class Dash:
    """A container and a dashboard client logged in (``csrf``: its session's token)."""

    c: Container
    client: TestClient
    csrf: str

    def item(self, section: str, key: str) -> dict[str, Any]:
        return find_item(self.c.workspace, section, key)[1]

    def router(self, slug: str = "inbound") -> dict[str, Any]:
        return self.item("routers", slug)

    def export(self) -> dict[str, Any]:
        return export_workspace(self.c.workspace)

    def post(self, url: str, data: dict[str, Any], **kw: Any) -> Any:
        return self.client.post(url, data={"csrf": self.csrf, **data}, **kw)


def make_client(c: Container) -> TestClient:
    """A browser-like client of ``c``'s app over https (no redirects followed)."""
    return TestClient(
        create_app(c.settings, container=c), base_url="https://testserver", follow_redirects=False
    )


def make_dash(
    db_url: str, workspace: dict[str, Any], *, admin: bool = True, clock: Any = None
) -> Dash:
    """``workspace`` applied, ADMIN and REP with PASSWORD, one of them logged in."""
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False,
                           public_base_url="https://book.acme.test"))  # fmt: skip
    if clock is not None:
        c.clock = clock
    apply_workspace(c.workspace, workspace)
    make_account(c, ADMIN, admin=True)
    make_account(c, REP, admin=False)
    client = make_client(c)
    return Dash(c, client, login(client, ADMIN if admin else REP))
