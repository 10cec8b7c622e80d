"""HTTP load with `wrk` (C, one thread): it leaves the CPU to the server under test, which a
Python client on the same two cores does not. Each request is built by a small Lua script
from a template: ``{i}`` is the request's number and ``{i%N}`` that number modulo N, so each
request carries a different e-mail."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_PLACEHOLDER = re.compile(r"\{(i|[a-z_]+)(?:%(\d+))?\}")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class WrkResult:
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float | None = None  # the server process's CPU time per request (all threads)

    def line(self) -> str:
        cpu = f"; server CPU {self.cpu_us:,.0f} µs a request" if self.cpu_us else ""
        return (
            f"{self.rps:,.0f} req/s, median {self.p50_ms:.2f} ms, p99 {self.p99_ms:.1f} ms "
            f"({self.requests:,} requests, {self.errors} errors{cpu})"
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return found


def _lua_expr(template: str) -> str:
    """A Lua expression building ``template`` with its placeholders filled in (``{i}``,
    ``{i%N}``, or ``{name}``: a local the script computed from ``i``)."""
    parts: list[str] = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(f"[==[{template[last : m.start()]}]==]")
        name, mod = m.group(1), m.group(2)
        parts.append(f"tostring({name} % {mod})" if mod else f"tostring({name})")
        last = m.end()
    parts.append(f"[==[{template[last:]}]==]")
    return " .. ".join(parts)


def lua_script(
    method: str,
    path: str,
    body: str | None,
    headers: dict[str, str],
    lua_vars: dict[str, str] | None = None,
) -> str:
    lines = ["local i = 0"]
    for k, v in headers.items():
        lines.append(f"wrk.headers[ [==[{k}]==] ] = [==[{v}]==]")
    if body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    lines += [
        "request = function()",
        "  i = i + 1",
        *(f"  local {k} = {v}" for k, v in (lua_vars or {}).items()),
        f"  local body = {_lua_expr(body) if body is not None else 'nil'}",
        f"  return wrk.format([==[{method}]==], {_lua_expr(path)}, nil, body)",
        "end",
    ]
    return "\n".join(lines) + "\n"


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if m is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse(output: str) -> WrkResult:
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None or rps is None:
        raise RuntimeError(f"unreadable wrk output:\n{output}")
    pcts = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.M))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sock is not None:
        errors += sum(int(n) for n in sock.groups())
    return WrkResult(
        requests=int(found.group(1)),
        errors=errors,
        seconds=_ms(found.group(2) + found.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_ms(pcts["50"]) if "50" in pcts else float("nan"),
        p99_ms=_ms(pcts["99"]) if "99" in pcts else float("nan"),
    )


def run_wrk(
    base: str,
    path: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    seconds: float = 8.0,
    connections: int = 16,
    lua_vars: dict[str, str] | None = None,
    pid: int | None = None,
) -> WrkResult:
    """``wrk -t1`` against ``base`` (loopback only) for ``seconds``. ``lua_vars`` are Lua
    expressions of ``i`` the templates can name. ``pid``: the server's process, whose CPU
    time per request is reported."""
    host = urlsplit(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the benchmarks only load loopback addresses")
    before = cpu_seconds(pid) if pid else 0.0
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "bench.lua"
        script.write_text(lua_script(method, path, body, headers or {}, lua_vars))
        done = subprocess.run(
            [wrk_binary(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
             "--latency", "--timeout", "30s", "-s", str(script), base],
            capture_output=True, text=True, check=True, timeout=seconds + 120,
        )  # fmt: skip
    result = parse(done.stdout)
    if pid and result.requests:
        result.cpu_us = (cpu_seconds(pid) - before) * 1e6 / result.requests
    return result
