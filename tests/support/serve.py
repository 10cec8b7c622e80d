"""`leadrail` in a real process: the CLI against a fresh database, and `leadrail serve` on a
free port (waited for with a deadline, its output kept for the failure message)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.net import PATIENCE, free_port

BIN = Path(sys.executable).parent
DEMO = Path(__file__).parents[2] / "examples" / "demo.yaml"
PASSWORD = "correct horse battery staple"


@dataclass
class Server:
    base: str
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def leadrail(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    """Runs `leadrail *args` with ``env``; its standard output."""
    done = subprocess.run(
        [str(BIN / "leadrail"), *args],
        input=stdin,
        env=dict(env),
        check=True,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    return done.stdout


def environment(
    tmp: Path, workspace: Mapping[str, Any] | Path, *, admin: str = "", **settings: str
) -> dict[str, str]:
    """A fresh SQLite database with ``workspace`` (a dict or a YAML file) applied, and
    ``admin`` (if given) able to log in with PASSWORD; ``settings``: LEADRAIL_* values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADRAIL_")}
    env["LEADRAIL_DATABASE_URL"] = f"sqlite:///{tmp / 'serve.db'}"
    env.update({f"LEADRAIL_{k.upper()}": v for k, v in settings.items()})
    if isinstance(workspace, Path):
        source = workspace
    else:
        source = tmp / "ws.yaml"
        source.write_text(yaml.safe_dump(dict(workspace)))
    leadrail(env, "apply", "-f", str(source))
    if admin:
        leadrail(env, "user", "create", admin, "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    return env


@contextmanager
def serving(
    env: Mapping[str, str], tmp: Path, *options: str, port: int | None = None
) -> Iterator[Server]:
    """`leadrail serve --port <free> *options`, answering /healthz; stopped afterwards."""
    port = port or free_port()
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
        deadline = time.monotonic() + PATIENCE
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
