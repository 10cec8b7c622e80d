"""The benchmarks' processes: the machine, free ports, servers started and stopped, the CLI."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
PIDS: dict[str, int] = {}  # a running server's base URL -> its process id


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        mem = "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(cmd: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"server {cmd} did not start")
            time.sleep(0.2)
        PIDS[base] = proc.pid
        yield base
    finally:
        PIDS.pop(base, None)
        proc.terminate()
        proc.wait(timeout=20)


def leadrail(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "leadrail"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout.strip()
