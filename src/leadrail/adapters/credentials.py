"""Credentials leadrail sends to other servers, and how they are kept.

- A password a user types (a rep's CalDAV password) is stored encrypted with AES-256-GCM
  under a key derived (HKDF-SHA256) from the server's secret: ``LEADRAIL_SECRET_KEY``, or
  the random secret kept in the database when that is unset. The user's e-mail and the
  server (``scheme://host:port``) it was typed for are bound to the ciphertext, so it opens
  only for that user against that server.
- Secrets an admin keeps in the environment are read only from variables named
  ``LEADRAIL_CRED_...``: no setting of leadrail itself ever leaves as a credential.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from leadrail.app.workspace import CREDENTIAL_PREFIX, is_credential_name, url_origin

_VERSION = "v1"
_INFO = b"leadrail typed credentials v1"


class CredentialUnreadable(ValueError):
    """A stored password that does not open: saved for another user or server, or under
    another server secret."""


class CredentialRefused(ValueError):
    """An environment variable that may not be used as a credential."""


class CredentialBox:
    """Seals and opens the passwords users type (the CredentialSealer port)."""

    def __init__(self, server_secret: str | Callable[[], str]) -> None:
        self._secret = server_secret  # or what it returns, fetched on first use
        self._aead_: AESGCM | None = None
        self._lock = threading.Lock()

    @property
    def _aead(self) -> AESGCM:
        with self._lock:
            if self._aead_ is None:
                secret = self._secret if isinstance(self._secret, str) else self._secret()
                hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
                self._aead_ = AESGCM(hkdf.derive(secret.encode()))
            return self._aead_

    def __repr__(self) -> str:
        return "CredentialBox(***)"

    def seal(self, secret: str, owner: str, url: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), _bound(owner, url))
        text = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{_VERSION}.{text}"

    def open(self, token: str, owner: str, url: str) -> str:
        version, _, text = token.partition(".")
        try:
            if version != _VERSION:
                raise ValueError(version)
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            clear = self._aead.decrypt(raw[:12], raw[12:], _bound(owner, url))
        except (ValueError, InvalidTag):
            raise CredentialUnreadable(
                "the saved password cannot be read here (it was saved for another server or "
                "user, or the server's secret key changed): type it again"
            ) from None
        return clear.decode()


def _bound(owner: str, url: str) -> bytes:
    return f"{owner.strip().lower()}\n{url_origin(url)}".encode()


def env_credential(name: str | None, where: str) -> str | None:
    """The value of the environment variable ``name`` (None when unset or not named). A
    name without the LEADRAIL_CRED_ prefix (stored before the rule) is refused."""
    if not name:
        return None
    if not is_credential_name(name):
        raise CredentialRefused(
            f"{where}: {name} is not used as a credential; rename the variable "
            f"{CREDENTIAL_PREFIX}... and update the workspace"
        )
    return os.environ.get(name)
