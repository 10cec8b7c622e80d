"""The HTTP paths under load (wrk), each server started for its own measurement: the floor,
the route API (SQLite; PostgreSQL with two processes), the click page, the booking API."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from bench.proc import BIN, PIDS, free_port, leadrail, server
from bench.wrk import WrkResult, run_wrk

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WARM = float(os.environ.get("BENCH_WARM_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONCURRENCY", "16"))
PG_ADMIN = os.environ.get("LEADRAIL_TEST_PG", "postgresql://127.0.0.1:5432/test")
ROUTE_BODY = '{"email":"p{i}@example{i%97}.test","country":"us"}'
PUBLIC = {"LEADRAIL_PUBLIC_RATE_LIMIT": "100000000/minute", "LEADRAIL_WORKER": "false"}


def load_route(base: str, path: str, token: str | None) -> WrkResult:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    pid = PIDS.get(base)
    run_wrk(base, path, method="POST", body=ROUTE_BODY.replace("p{i}", "w{i}"), headers=headers,
            seconds=WARM, connections=CONNECTIONS)  # fmt: skip
    return run_wrk(base, path, method="POST", body=ROUTE_BODY, headers=headers,
                   seconds=SECONDS, connections=CONNECTIONS, pid=pid)  # fmt: skip


@cache
def floor() -> WrkResult:
    """The floor (a bare Starlette endpoint, one sqlite3 transaction), measured once per run:
    every ratio in the report divides by it."""
    from bench.floor import setup

    with tempfile.TemporaryDirectory() as tmp:
        floor_db = Path(tmp) / "floor.db"
        setup(str(floor_db))
        port = free_port()
        cmd = [str(BIN / "uvicorn"), "bench.floor:app", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
        with server(cmd, {"FLOOR_DB": str(floor_db)}, port) as base:
            return load_route(base, "/route", None)


def ratio(r: WrkResult, ref: WrkResult | None = None) -> float:
    ref = ref or floor()
    return r.rps / ref.rps if ref.rps else float("nan")


def prepare_leadrail(env: dict[str, str]) -> str:
    from bench.core import bench_workspace_yaml

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        fh.write(bench_workspace_yaml())
    leadrail(env, "apply", "-f", fh.name)
    leadrail(env, "user", "create", "bench@acme.test", "--admin")
    return leadrail(env, "token", "create", "--email", "bench@acme.test", "--name", "bench")


def route_sqlite() -> WrkResult:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LEADRAIL_DATABASE_URL": f"sqlite:///{Path(tmp) / 'leadrail.db'}"}
        token = prepare_leadrail(env)
        port = free_port()
        with server([str(BIN / "leadrail"), "serve", "--port", str(port)], env, port) as base:
            return load_route(base, "/api/v1/routers/bench/route", token)


def route_postgres() -> WrkResult | str:
    try:
        import psycopg

        name = f"leadrail_bench_{os.getpid()}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as e:  # no server: say so in the report
        return f"skipped: PostgreSQL unreachable at {PG_ADMIN} ({type(e).__name__})"
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    env = {"LEADRAIL_DATABASE_URL": f"{url}/{name}"}
    try:
        token = prepare_leadrail(env)
        port = free_port()
        cmd = [str(BIN / "leadrail"), "serve", "--port", str(port), "--workers", "2"]
        with server(cmd, env, port) as base:
            PIDS.pop(base, None)  # two worker processes: no one process's CPU time to report
            return load_route(base, "/api/v1/routers/bench/route", token)
    except Exception as e:  # reported; the other measurements still run
        return f"failed: {type(e).__name__}: {e}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def click_page() -> WrkResult:
    """GET /c/{slug}?email=... (routes, records the click, a week of slots of a flexible pool
    of 5, renders the page), a fresh e-mail each request."""
    from bench.booking import booking_workspace_yaml

    with tempfile.TemporaryDirectory() as tmp:
        env = {"LEADRAIL_DATABASE_URL": f"sqlite:///{Path(tmp) / 'click.db'}", **PUBLIC}
        ws = Path(tmp) / "click.yaml"
        ws.write_text(booking_workspace_yaml())
        leadrail(env, "apply", "-f", str(ws))
        port = free_port()
        path = "/c/click?email=p{i}%40example{i%7}.test&name=Pat&utm_source=bench"
        with server([str(BIN / "leadrail"), "serve", "--port", str(port)], env, port) as base:
            run_wrk(base, path.replace("p{i}", "w{i}"), seconds=WARM, connections=CONNECTIONS)
            return run_wrk(base, path, seconds=SECONDS, connections=CONNECTIONS,
                           pid=PIDS.get(base))  # fmt: skip


BOOKING_BODY = '{"router":"click","prospect":{"email":"b{i}@example{i%97}.test"},"start":"{start}"}'


def _slot_starts(first: datetime) -> dict[str, str]:
    """Lua: the half-hour slots from ``first``, five bookings each (five reps), 50 requests
    apart so that no two requests in flight race for the same slot (the loser's 409 is
    right, but it is not what this measures)."""
    epoch = int(first.timestamp())
    return {
        "slot": "math.floor((i - 1) / 250) * 50 + (i - 1) % 50",
        "start": f'os.date("!%Y-%m-%dT%H:%M:%SZ", {epoch} + slot * 1800)',
    }


def booking() -> WrkResult:
    """POST /api/v1/bookings: a prospect books a slot of the flexible pool of 5 (routing, the
    rep's lock, the meeting and its jobs written), each request another slot or rep."""
    from bench.booking import booking_workspace_yaml

    with tempfile.TemporaryDirectory() as tmp:
        env = {"LEADRAIL_DATABASE_URL": f"sqlite:///{Path(tmp) / 'book.db'}", **PUBLIC}
        ws = Path(tmp) / "book.yaml"
        ws.write_text(booking_workspace_yaml())
        leadrail(env, "apply", "-f", str(ws))
        port = free_port()
        hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        with server([str(BIN / "leadrail"), "serve", "--port", str(port)], env, port) as base:
            kw = {"method": "POST", "connections": CONNECTIONS}
            run_wrk(base, "/api/v1/bookings", body=BOOKING_BODY.replace("b{i}", "w{i}"),
                    lua_vars=_slot_starts(hour + timedelta(days=20)), seconds=WARM,
                    **kw)  # type: ignore[arg-type]  # fmt: skip
            return run_wrk(base, "/api/v1/bookings", body=BOOKING_BODY,
                           lua_vars=_slot_starts(hour + timedelta(hours=2)), seconds=SECONDS,
                           pid=PIDS.get(base), **kw)  # type: ignore[arg-type]  # fmt: skip
