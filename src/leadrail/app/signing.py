"""Signed links in invites: cancel or reschedule one meeting, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer

Action = Literal["cancel", "reschedule"]


class LinkSigner:
    """Signs with ``secret`` (or the value ``secret()`` returns, fetched on first use)."""

    def __init__(self, secret: str | Callable[[], str]) -> None:
        self._secret = secret
        self._s: URLSafeSerializer | None = None

    def _serializer(self) -> URLSafeSerializer:
        if self._s is None:
            secret = self._secret if isinstance(self._secret, str) else self._secret()
            if len(secret) < 16:
                raise ValueError("the link-signing secret must be at least 16 characters")
            self._s = URLSafeSerializer(secret, salt="leadrail.meeting-links")
        return self._s

    def token(self, meeting_id: str, action: Action) -> str:
        return str(self._serializer().dumps([meeting_id, action]))

    def check(self, token: str, meeting_id: str, action: Action) -> bool:
        try:
            value = self._serializer().loads(token)
        except BadSignature:
            return False
        return bool(value == [meeting_id, action])

    def path(self, meeting_id: str, action: Action) -> str:
        return f"/m/{meeting_id}/{action}?t={self.token(meeting_id, action)}"
