"""Sending e-mail over SMTP (aiosmtplib), with errors sorted into "retry later" and "give up".

``SmtpMailer.send`` is a coroutine (one connection per message); ``send_sync``, for the delivery
worker's threads, keeps one connection per thread open across messages (on an event loop of
the thread's own): no connect, greeting and QUIT per message. A kept connection that fails is
closed; one the server closed while idle is replaced once, at once (the message had not been
accepted on it: at least once, never silently dropped). Nothing is logged that could hold
the password, and message bodies (which hold what prospects typed) are never logged either:
only ids, hosts and server replies.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Literal

import aiosmtplib

log = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "implicit"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    tls: TlsMode = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "leadrail@localhost"
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if any(ch in self.sender for ch in "\r\n\x00"):  # it becomes the From header
            raise ValueError("the mail sender (LEADRAIL_MAIL_FROM) must be one line")


class MailError(Exception):
    """A message was not accepted. ``retryable``: the same message may succeed later (4xx
    replies, refused connections, timeouts); otherwise it never will (5xx, bad TLS, bad
    credentials). ``response``: what the server (or the network) said."""

    def __init__(self, response: str, *, retryable: bool) -> None:
        super().__init__(response)
        self.response = response
        self.retryable = retryable


KEEP_IDLE_SECONDS = 30.0  # a kept connection idle longer is closed and opened afresh


class _Kept(threading.local):
    """This thread's event loop and SMTP connection (``send_sync``)."""

    def __init__(self) -> None:
        self.runner: asyncio.Runner | None = None
        self.client: aiosmtplib.SMTP | None = None
        self.used = 0.0


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._kept = _Kept()

    def __repr__(self) -> str:
        return f"SmtpMailer({self._settings!r})"

    async def send(self, message: EmailMessage) -> str:
        """Send ``message`` to the recipients in its To/Cc/Bcc headers; returns the server's
        final reply (e.g. ``"250 OK queued as 123"``). Sets a missing From (the configured
        sender), Message-ID and Date on ``message`` itself, so the caller can record them."""
        self._complete_headers(message)
        settings = self._settings
        try:
            refused, reply = await aiosmtplib.send(
                message,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password,
                use_tls=settings.tls == "implicit",
                start_tls=settings.tls == "starttls",
                timeout=settings.timeout_seconds,
            )
        except Exception as e:
            raise self._failed(message, e) from e
        return self._accepted(message, refused, reply)

    def send_sync(self, message: EmailMessage) -> str:
        """``send`` for code without an event loop (worker threads), on this thread's kept
        connection (opened when there is none, or after an error, or after idling)."""
        kept = self._kept
        if kept.runner is None:
            kept.runner = asyncio.Runner()
        return kept.runner.run(self._send_kept(message, kept))

    async def _send_kept(self, message: EmailMessage, kept: _Kept) -> str:
        self._complete_headers(message)
        settings = self._settings
        while True:
            reused = kept.client is not None and kept.client.is_connected
            if reused and time.monotonic() - kept.used > KEEP_IDLE_SECONDS:
                await _close(kept)
                reused = False
            try:
                if not reused:
                    await _close(kept)
                    kept.client = aiosmtplib.SMTP(
                        hostname=settings.host, port=settings.port, username=settings.username,
                        password=settings.password, use_tls=settings.tls == "implicit",
                        start_tls=settings.tls == "starttls", timeout=settings.timeout_seconds,
                    )  # fmt: skip
                    await kept.client.connect()
                assert kept.client is not None
                refused, reply = await kept.client.send_message(message)
            except Exception as e:
                await _close(kept)  # never reused after an error
                if reused and isinstance(e, aiosmtplib.SMTPServerDisconnected | ConnectionError):
                    continue  # the server closed it while it idled: once more, on a new one
                raise self._failed(message, e) from e
            kept.used = time.monotonic()
            return self._accepted(message, refused, reply)

    def _failed(self, message: EmailMessage, e: Exception) -> Exception:
        error = _mail_error(e)
        if error is None:
            return e
        settings = self._settings
        log.warning(
            "smtp %s:%s refused %s (retryable=%s): %s",
            settings.host, settings.port, message["Message-ID"], error.retryable, error.response,
        )  # fmt: skip
        return error

    def _accepted(self, message: EmailMessage, refused: dict[str, Any], reply: str) -> str:
        for response in refused.values():  # some recipients refused, the others accepted
            log.warning("smtp refused a recipient of %s: %s", message["Message-ID"], response)
        settings = self._settings
        log.info("smtp %s:%s accepted %s", settings.host, settings.port, message["Message-ID"])
        # aiosmtplib hands back the text only; the end of DATA succeeds with 250 alone.
        return f"250 {reply}"

    def _complete_headers(self, message: EmailMessage) -> None:
        if message["From"] is None:
            message["From"] = self._settings.sender
        if message["Message-ID"] is None:
            _, address = parseaddr(str(message["From"]))
            domain = address.rpartition("@")[2] or "leadrail.invalid"
            message["Message-ID"] = make_msgid(domain=domain)
        if message["Date"] is None:
            message["Date"] = format_datetime(datetime.now(UTC))


async def _close(kept: _Kept) -> None:
    client, kept.client = kept.client, None
    if client is None or not client.is_connected:
        return
    try:
        await client.quit()
    except Exception:  # it was going anyway
        client.close()


def _mail_error(e: Exception) -> MailError | None:
    """``e`` as a MailError, or None for an error that is not about delivery (a bug)."""
    if isinstance(e, aiosmtplib.SMTPRecipientsRefused):
        replies = [f"{r.code} {r.message}" for r in e.recipients]
        transient = any(_transient(r.code) for r in e.recipients)
        return MailError("; ".join(replies) or "all recipients refused", retryable=transient)
    if isinstance(e, aiosmtplib.SMTPResponseException):  # 4xx: try later; 5xx: never
        return MailError(f"{e.code} {e.message}", retryable=_transient(e.code))
    rejected = _certificate_rejection(e)
    if rejected is not None:
        return MailError(f"TLS certificate rejected: {rejected.verify_message}", retryable=False)
    if isinstance(
        e,
        aiosmtplib.SMTPServerDisconnected
        | aiosmtplib.SMTPConnectError
        | aiosmtplib.SMTPTimeoutError
        | OSError
        | TimeoutError,
    ):
        return MailError(str(e) or type(e).__name__, retryable=True)
    if isinstance(e, aiosmtplib.SMTPException):  # STARTTLS or AUTH not offered, and the like
        return MailError(e.message, retryable=False)
    return None


def _transient(code: int) -> bool:
    return 400 <= code < 500


def _certificate_rejection(e: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = e
    for _ in range(8):  # aiosmtplib wraps the ssl error; a chain is short
        if seen is None or isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
