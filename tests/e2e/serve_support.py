"""Start `leadrail serve` in a real process with its own environment, and an SMTP inbox."""

from __future__ import annotations

import email
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.test_http import BIN, free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait(self, n: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.messages) >= n, f"{len(self.messages)} of {n} messages arrived"
        return self.messages


@dataclass
class Server:
    base: str
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def leadrail(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "leadrail"), *args],
        input=stdin,
        env=dict(env),
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout


def environment(tmp: Path, workspace: Mapping[str, Any], **settings: str) -> dict[str, str]:
    """A fresh SQLite database with ``workspace`` applied; ``settings``: LEADRAIL_* values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADRAIL_")}
    env["LEADRAIL_DATABASE_URL"] = f"sqlite:///{tmp / 'serve.db'}"
    env.update({f"LEADRAIL_{k.upper()}": v for k, v in settings.items()})
    (tmp / "ws.yaml").write_text(yaml.safe_dump(dict(workspace)))
    leadrail(env, "apply", "-f", str(tmp / "ws.yaml"))
    return env


@contextmanager
def serving(env: Mapping[str, str], tmp: Path, *options: str) -> Iterator[Server]:
    """`leadrail serve --port <free> *options`, answering /healthz; stopped afterwards."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "leadrail"), "serve", "--port", str(port), *options],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"leadrail serve did not start: {server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
