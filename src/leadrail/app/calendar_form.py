"""A user's calendar settings from a form, and who may set what.

- Anyone editing a calendar (a rep in *My settings*, an admin on the user's page) may type
  its password: it is stored encrypted (``password_encrypted``), bound to the user and the
  server, never shown back.
- Only admins name an environment variable (``password_env``, LEADRAIL_CRED_...); a rep's
  form never reads one, and keeps the one an admin set only while the calendar stays on
  the same server: a stored password never follows a URL to another server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leadrail.app.ports import CredentialSealer
from leadrail.app.workspace import url_origin

MAX_PASSWORD = 512


@dataclass(frozen=True)
class CalendarInput:
    provider: str = ""
    url: str = ""
    username: str = ""
    password: str = ""  # typed now; "" keeps the saved one
    forget: bool = False  # "no password": forget the saved one
    password_env: str | None = None  # None: this user may not name one (not an admin)


class CalendarInputProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def password_state(calendar: Mapping[str, Any] | None) -> str:
    """How the calendar's password is kept: "typed", "environment" or "none"."""
    cal = calendar or {}
    if cal.get("password_encrypted"):
        return "typed"
    return "environment" if cal.get("password_env") else "none"


def calendar_settings(
    current: Mapping[str, Any] | None, given: CalendarInput, owner: str, sealer: CredentialSealer
) -> dict[str, Any] | None:
    """The calendar as the workspace file holds it (None: the built-in calendar)."""
    out = {k: v for k, v in (("provider", given.provider), ("url", given.url),
                             ("username", given.username)) if v}  # fmt: skip
    if out in ({}, {"provider": "builtin"}):
        return None
    if given.provider in ("google", "microsoft"):  # connected by OAuth: no password here
        cur = dict(current or {})
        same = cur.get("provider") == given.provider and cur.get("calendars")
        return {**out, "calendars": cur["calendars"]} if same else out
    if len(given.password) > MAX_PASSWORD:
        raise CalendarInputProblem("calendar.password", f"at most {MAX_PASSWORD} characters")
    if given.password and given.password_env:
        raise CalendarInputProblem(
            "calendar.password_env", "type a password or name a variable, not both"
        )
    if given.forget:
        return out
    if given.password:
        return {**out, "password_encrypted": sealer.seal(given.password, owner, given.url)}
    if given.password_env:  # an admin names it (replacing a typed one)
        return {**out, "password_env": given.password_env}
    cur = dict(current or {})
    keys = ("password_encrypted",) if given.password_env is not None else (
        "password_encrypted", "password_env")  # fmt: skip
    kept = {k: cur[k] for k in keys if cur.get(k)}
    if kept and url_origin(str(cur.get("url") or "")) != url_origin(given.url):
        raise CalendarInputProblem(
            "calendar.password",
            "the calendar moved to another server: type its password (the stored one stays "
            "with the old server), or tick No password",
        )
    return {**out, **kept}
