"""An aiosmtpd inbox on a loopback port, for tests whose code sends mail over SMTP."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

from tests.support.net import PATIENCE, free_port, wait_until


class Inbox:
    """The aiosmtpd handler: keeps every message as an ``email.message.Message``."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait(self, n: int, timeout: float = PATIENCE) -> list[Message]:
        """The messages once at least ``n`` arrived (fails when they do not)."""
        wait_until(lambda: len(self.messages) >= n, f"{n} message(s), {len(self.messages)} came",
                   timeout)  # fmt: skip
        return self.messages


@contextmanager
def smtp_inbox(handler: Any = None) -> Iterator[Any]:
    """An SMTP server on 127.0.0.1 (a thread) delivering to ``handler`` (a fresh Inbox by
    default); ``handler.port`` is where it listens."""
    from aiosmtpd.controller import Controller

    box = handler if handler is not None else Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()
