"""`make bench-scale`: the scale-out figures of issue 13 (PostgreSQL, several processes).

- Route throughput: ``POST /api/v1/routers/<slug>/route`` driven by ``wrk`` against
  ``leadrail serve --workers K`` (K = 1, 2, 4) on one PostgreSQL database, with one router
  (every decision takes the same router lock) and with ten routers (decisions spread over ten
  locks), next to SQLite with one process.
- Outbox drain: 10,000 form leads (one e-mail each, to a local SMTP sink) drained by
  1, 2 and 4 ``leadrail worker`` processes on PostgreSQL.

Prints a Markdown report (``--out FILE`` also writes it). It starts real processes and keeps
the CPU busy for several minutes: run it on a quiet machine. ``--quick`` is a smoke run
(seconds, tiny numbers) that only checks the script works.

Needs PostgreSQL (``LEADRAIL_TEST_PG``, default postgresql://127.0.0.1:5432/test) and ``wrk``."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import yaml

from bench.run import free_port, machine

BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("LEADRAIL_TEST_PG", "postgresql://127.0.0.1:5432/test")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SITE_KEY = "pk_bench_scale_0000000001"


@dataclass
class Http:
    what: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def row(self) -> str:
        return (
            f"| {self.what} | {self.rps:,.0f} req/s | {self.p50_ms:.1f} ms | {self.p99_ms:.1f} ms "
            f"| {self.requests:,} | {self.errors} |"
        )


# --- databases and processes ------------------------------------------------------------
@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database (a copy of ``template`` when given), dropped after."""
    name = f"leadrail_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADRAIL_")}
    env |= {
        "LEADRAIL_DATABASE_URL": url,
        "LEADRAIL_LOG_LEVEL": "warning",
        "LEADRAIL_PUBLIC_BASE_URL": "http://127.0.0.1",
        "LEADRAIL_WORKER": "false",
    }
    env |= {f"LEADRAIL_{k.upper()}": v for k, v in settings.items()}
    return env


def leadrail(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "leadrail"), *args], env=env, input=stdin, text=True,
        capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    return done.stdout


@contextmanager
def serving(env: dict[str, str], processes: int) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "leadrail"), "serve", "--port", str(port), "--workers", str(processes)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("leadrail serve did not become ready")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- route throughput ---------------------------------------------------------------------
def routers_workspace(routers: int) -> dict[str, Any]:
    users = [{"email": f"rep{i}@acme.test", "name": f"Rep {i}"} for i in range(8)]
    members = [{"user": u["email"]} for u in users]
    return {
        "timezone": "UTC",
        "users": [*users, {"email": "admin@acme.test", "name": "Admin", "admin": True}],
        "teams": [{"name": "SDR", "members": members}],
        "routers": [
            {"slug": f"r{i}", "title": f"Router {i}", "default": {"team": "SDR"}}
            for i in range(routers)
        ],
    }


WRK_SCRIPT = """
local n = 0
local routers = %d
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
request = function()
  n = n + 1
  local path = "/api/v1/routers/r" .. (n %% routers) .. "/route"
  local body = '{"email": "p' .. n .. '@bench.test"}'
  return wrk.format(nil, path, nil, body)
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(base: str, token: str, routers: int, seconds: int, connections: int, what: str) -> Http:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (routers, token))
    try:
        out = subprocess.run(
            [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, base],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    done = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return Http(
        what,
        float(rps.group(1)) if rps else 0.0,
        _ms(latency.get("50", "0us")),
        _ms(latency.get("99", "0us")),
        int(done.group(1)) if done else 0,
        (int(bad.group(1)) if bad else 0) + socket_errors,
    )


def bench_routes(quick: bool) -> list[Http]:
    seconds, connections = (2, 8) if quick else (15, 32)
    counts = (1,) if quick else (1, 2, 4)
    results: list[Http] = []
    tmp = Path(tempfile.mkdtemp(prefix="leadrail-scale-"))
    try:
        for routers in (1, 10):
            (tmp / "ws.yaml").write_text(yaml.safe_dump(routers_workspace(routers)))
            sqlite = f"sqlite:///{tmp / f'r{routers}.db'}"
            targets: list[tuple[str, str, int]] = [(sqlite, "SQLite", 1)]
            with pg_database() as pg:
                targets += [(pg, "PostgreSQL", k) for k in counts]
                for url, kind, processes in targets:
                    env = environment(url, public_rate_limit="1000000/minute", db_pool_size="20")
                    leadrail(env, "apply", "-f", str(tmp / "ws.yaml"))
                    token = leadrail(env, "token", "create", "--email", "admin@acme.test").strip()
                    label = (
                        f"{kind}, {processes} process{'es' if processes > 1 else ''}, "
                        f"{routers} router{'s' if routers > 1 else ''}"
                    )
                    with serving(env, processes) as base:
                        wrk(base, token, routers, 2, connections, "warm-up")
                        results.append(wrk(base, token, routers, seconds, connections, label))
                    print(results[-1].row(), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


# --- outbox drain ---------------------------------------------------------------------------
class Sink:
    """An SMTP server that only counts what it is sent."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


def leads_template(url: str, leads: int) -> None:
    """``leads`` form leads, each with one e-mail delivery due now, in ``url``."""
    from leadrail.app.apply import apply_workspace
    from leadrail.app.leads import take_lead
    from leadrail.bootstrap import bootstrap
    from leadrail.leads.model import Customer, Lead
    from leadrail.leads.nearest import LocationHints
    from leadrail.settings import Settings

    c = bootstrap(Settings(database_url=url, worker=False), run_migrations=True)
    apply_workspace(
        c.workspace,
        {
            "timezone": "UTC",
            "categories": [
                {"name": "Sales", "destinations": [{"address": "sales@dealer.test"}]},
            ],
            "fallback_destination": {"address": "manager@dealer.test"},
            "sites": [{"name": "site", "key": SITE_KEY, "thank_you_url": "https://x.test/"}],
        },
    )
    now = datetime.now(UTC)
    for i in range(leads):
        lead = Lead(
            id="", created_at=now, category="Sales", customer=Customer(email=f"p{i}@x.test")
        )
        take_lead(
            c.leads, c.routing, c.locator, site_key=SITE_KEY, lead=lead, hints=LocationHints(),
            idempotency_key=None, now=now,
        )  # fmt: skip
    c.close()


def open_jobs(url: str) -> int:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'running')"
        ).fetchone()
        return int(row[0]) if row else 0


def bench_outbox(quick: bool) -> list[str]:
    from aiosmtpd.controller import Controller

    leads = 200 if quick else 10_000
    counts = (1, 2) if quick else (1, 2, 4)
    rows: list[str] = []
    with pg_database() as template_url:
        print(f"preparing {leads:,} form leads...", flush=True)
        leads_template(template_url, leads)
        template = template_url.rsplit("/", 1)[1]
        for workers in counts:
            sink = Sink()
            smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
            smtp.start()
            try:
                with pg_database(template) as url:
                    env = environment(url, smtp_port=str(smtp.port), worker_interval_seconds="0.2")
                    start = time.monotonic()
                    procs = [
                        subprocess.Popen(
                            [str(BIN / "leadrail"), "worker"],
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )  # fmt: skip
                        for _ in range(workers)
                    ]
                    try:
                        while open_jobs(url) and time.monotonic() - start < 1800:
                            time.sleep(0.2)
                        took = time.monotonic() - start
                        left = open_jobs(url)
                    finally:
                        for p in procs:
                            p.terminate()
                        for p in procs:
                            p.wait(timeout=60)
            finally:
                smtp.stop()
            rows.append(
                f"| {workers} | {leads:,} | {took:.1f} s | {leads / took:,.0f} leads/s "
                f"| {sink.count:,} | {left} |"
            )
            print(rows[-1], flush=True)
    return rows


def report(http: list[Http], outbox: list[str], quick: bool) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Scale-out (`make bench-scale`)" + (" — QUICK SMOKE RUN, NOT FIGURES" if quick else ""),
        "",
        f"Measured on {when}. Machine: {machine()}.",
        "Load: `wrk` (2 threads, keep-alive) on the same machine; every server process "
        "without its in-process worker; one PostgreSQL server on the same machine.",
        "",
        "### Route throughput (`POST /api/v1/routers/<slug>/route`)",
        "",
        "| setup | throughput | median | p99 | requests | errors |",
        "| --- | --- | --- | --- | --- | --- |",
        *[h.row() for h in http],
        "",
        "### Outbox drain (form leads, one e-mail each, PostgreSQL)",
        "",
        "| `leadrail worker` processes | leads | time to drain | rate | e-mails received "
        "| jobs left |",
        "| --- | --- | --- | --- | --- | --- |",
        *outbox,
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: seconds, not figures")
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument("--only", choices=("routes", "outbox"), help="run one part")
    args = parser.parse_args()
    http = bench_routes(args.quick) if args.only != "outbox" else []
    outbox = bench_outbox(args.quick) if args.only != "routes" else []
    text = report(http, outbox, args.quick)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
