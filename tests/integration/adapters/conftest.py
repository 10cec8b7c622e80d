"""Real servers on 127.0.0.1 for the adapter tests: an aiosmtpd SMTP server (in a thread) and a
Radicale CalDAV server (a subprocess). Free ports and tmp dirs only: pytest-xdist runs several
of these at once. They are local servers, so the outbound guard must be told to allow them:
``LOCAL``."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from leadrail.adapters.outbound import Outbound
from tests.support.net import PATIENCE, free_port

LOCAL = Outbound.allowing("127.0.0.1")  # what LEADRAIL_OUTBOUND_ALLOW_HOSTS=127.0.0.1 gives
RADICALE_PASSWORD = "rep-dav-password-7f3a9c"  # distinctive: tests look for it where it must not be


@dataclass
class Inbox:
    """The aiosmtpd handler: keeps what arrived; answers with ``rcpt_reply``/``data_reply``
    instead when a test sets them (e.g. "550 5.1.1 no such user")."""

    envelopes: list[Envelope] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)  # the client's end of each message's connection
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 2.0.0 Ok: queued as TEST1"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, inbox)
    finally:
        controller.stop()


@dataclass(frozen=True)
class Radicale:
    base_url: str  # http://127.0.0.1:PORT/
    user: str
    password: str

    def new_calendar_url(self) -> str:
        """MKCALENDAR a fresh, empty calendar collection of ``user``; returns its URL."""
        from caldav.davclient import DAVClient

        with DAVClient(
            url=self.base_url, username=self.user, password=self.password, enable_rfc6764=False
        ) as client:
            principal = client.principal()  # Radicale creates /user/ when it is first asked
            calendar = principal.make_calendar(name="Work", cal_id=uuid.uuid4().hex[:12])
            return str(calendar.url)


_RADICALE_CONFIG = """\
[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {folder}
[web]
type = none
[logging]
level = warning
"""


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """One Radicale per test session (per xdist worker): user ``rep`` logs in with its
    password (any other is refused), and writes under /rep/; every test makes its own
    calendar in it."""
    root = tmp_path_factory.mktemp("radicale")
    port = free_port()
    config = root / "config"
    (root / "users").write_text(f"rep:{RADICALE_PASSWORD}\n")
    config.write_text(
        _RADICALE_CONFIG.format(port=port, folder=root / "collections", users=root / "users")
    )
    log = (root / "radicale.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "-C", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", process, root / "radicale.log")
        yield Radicale(f"http://127.0.0.1:{port}/", user="rep", password=RADICALE_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + PATIENCE  # it starts in a second, or 15 s and more under load
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"radicale exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"radicale did not answer at {url}:\n{log.read_text()}")
