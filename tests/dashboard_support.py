"""Helpers for dashboard tests: accounts with passwords, logged-in clients, CSRF tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from leadrail.bootstrap import Container

PASSWORD = "correct horse battery staple"


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
