"""Loopback ports, waiting for a condition with a deadline, and an app served by uvicorn in a
thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

# How long a test waits for something that takes milliseconds on an idle machine: long enough
# for a 2-core machine running other suites (a wait ends as soon as the condition holds).
PATIENCE = 60.0


def free_port() -> int:
    """A port nobody listens on (bound by the OS, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    check: Callable[[], T], what: str, timeout: float = PATIENCE, every: float = 0.05
) -> T:
    """Poll ``check`` until it returns something truthy (returned); fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


@contextmanager
def app_in_thread(app: Any, **options: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a daemon thread; yields
    ``127.0.0.1:<port>`` once it accepts connections, and stops it afterwards."""
    import uvicorn

    port = free_port()
    options.setdefault("log_level", "warning")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), "uvicorn to start")
        assert server.started, "uvicorn stopped before it started serving"
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=PATIENCE)
