"""`make bench`: measure, then write docs/benchmarks.md (machine, date, medians, ratios)."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import httpx

from bench.wrk import WrkResult, run_wrk

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
PG_ADMIN = os.environ.get("LEADRAIL_TEST_PG", "postgresql://127.0.0.1:5432/test")


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
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"server {cmd} did not start")
            time.sleep(0.2)
        yield base
    finally:
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


def bench_core() -> dict[str, float]:
    from bench.core import measure_core

    return measure_core()


def prepare_leadrail(env: dict[str, str]) -> str:
    from bench.core import bench_workspace_yaml

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        fh.write(bench_workspace_yaml())
    leadrail(env, "apply", "-f", fh.name)
    leadrail(env, "user", "create", "bench@acme.test", "--admin")
    return leadrail(env, "token", "create", "--email", "bench@acme.test", "--name", "bench")


ROUTE_BODY = '{"email":"p{i}@example{i%97}.test","country":"us"}'


def load_route(base: str, path: str, token: str | None) -> WrkResult:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    run_wrk(base, path, method="POST", body=ROUTE_BODY.replace("p{i}", "w{i}"), headers=headers,
            seconds=2, connections=CONCURRENCY)  # fmt: skip
    return run_wrk(base, path, method="POST", body=ROUTE_BODY, headers=headers,
                   seconds=SECONDS, connections=CONCURRENCY)  # fmt: skip


@cache
def floor() -> WrkResult:
    """The floor, measured once per run: every ratio in the report divides by it."""
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


def bench_http_sqlite(tmp: Path) -> WrkResult:
    env = {"LEADRAIL_DATABASE_URL": f"sqlite:///{tmp / 'leadrail.db'}"}
    token = prepare_leadrail(env)
    port = free_port()
    with server([str(BIN / "leadrail"), "serve", "--port", str(port)], env, port) as base:
        return load_route(base, "/api/v1/routers/bench/route", token)


def bench_http_postgres() -> WrkResult | str:
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
        with server(
            [str(BIN / "leadrail"), "serve", "--port", str(port), "--workers", "2"], env, port
        ) as base:
            return load_route(base, "/api/v1/routers/bench/route", token)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_click_page(tmp: Path) -> WrkResult:
    """GET /c/{slug}?email=... (routes, records the click, computes a week of slots for a
    flexible pool of 5 and renders the page), a fresh e-mail each request."""
    from bench.booking import booking_workspace_yaml

    env = {
        "LEADRAIL_DATABASE_URL": f"sqlite:///{tmp / 'click.db'}",
        "LEADRAIL_PUBLIC_RATE_LIMIT": "100000000/minute",
        "LEADRAIL_WORKER": "false",
    }
    ws = tmp / "click.yaml"
    ws.write_text(booking_workspace_yaml())
    leadrail(env, "apply", "-f", str(ws))
    port = free_port()
    path = "/c/click?email=p{i}%40example{i%7}.test&name=Pat&utm_source=bench"
    with server([str(BIN / "leadrail"), "serve", "--port", str(port)], env, port) as base:
        run_wrk(base, path.replace("p{i}", "w{i}"), seconds=2, connections=CONCURRENCY)
        return run_wrk(base, path, seconds=SECONDS, connections=CONCURRENCY)


def bench_crm() -> dict[str, dict[str, float] | str]:
    from bench.crm import measure

    out: dict[str, dict[str, float] | str] = {}
    with tempfile.TemporaryDirectory() as d:
        out["SQLite"] = measure(f"sqlite:///{d}/crm.db")
    try:
        import psycopg

        name = f"leadrail_crm_{os.getpid()}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as e:  # no server: say so in the report
        out["PostgreSQL"] = f"skipped: PostgreSQL unreachable ({type(e).__name__})"
        return out
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        out["PostgreSQL"] = measure(f"{base}/{name}")
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return out


def crm_lines(results: dict[str, dict[str, float] | str]) -> list[str]:
    from bench.crm import COMPANIES, CONTACTS

    lines = [
        "## Built-in CRM",
        "",
        f"{CONTACTS:,} contacts and {COMPANIES:,} companies imported from CSV with "
        "`import_csv` (parsing, validation, one transaction), then 3,000 ownership "
        "lookups (contact by e-mail + company by domain, database included).",
        "",
        "| database | contacts import | companies import | lookup median | lookup p99 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for db, r in results.items():
        if isinstance(r, str):
            lines.append(f"| {db} | {r} | | | |")
        else:
            lines.append(
                f"| {db} | **{r['contacts_s']:.1f} s** (aim < 60 s) | "
                f"{r['companies_s']:.1f} s | **{r['lookup_median_ms']:.2f} ms** "
                f"(aim < 1 ms) | {r['lookup_p99_ms']:.2f} ms |"
            )
    return [*lines, ""]


def fmt(r: WrkResult) -> str:
    return r.line()


def core_lines() -> list[str]:
    core = bench_core()
    return [
        "## Routing engine (pure core)",
        "",
        f"- One decision, {core['rules']:.0f} rules (none matching) then a default pool of "
        f"{core['members']:.0f} weighted members: median **{core['median_us']:.1f} µs** "
        f"(p99 {core['p99_us']:.1f} µs over {core['samples']:.0f} decisions; aim < 50 µs).",
        f"- Same, first rule matching: median {core['first_median_us']:.1f} µs.",
        "",
    ]


def http_lines() -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        ours = bench_http_sqlite(Path(d))
    pg = bench_http_postgres()
    return [
        "## HTTP routing throughput",
        "",
        "| what | result |",
        "| --- | --- |",
        f"| floor: bare Starlette + one sqlite3 transaction | {fmt(floor())} |",
        f"| leadrail `POST /api/v1/routers/bench/route`, SQLite, 1 process | {fmt(ours)} |",
        f"| ratio leadrail / floor | **{ratio(ours):.2f}** (aim ≥ 0.5) |",
        f"| leadrail, PostgreSQL, 2 server processes | "
        f"{fmt(pg) if isinstance(pg, WrkResult) else pg} |",
        "",
        "Each leadrail request: token check, workspace revision check (the router snapshot is "
        "cached per revision), one write transaction holding the router's lock (rotation "
        "state read, ledger insert, state upsert), JSON trace in the response. The "
        "floor does one transaction with no framework, no auth and no decision. In process, "
        "a leadrail decision with its transaction takes about 0.25 ms; the rest of the gap "
        "is the framework's per-request work and the JSON trace in the answer (this "
        "endpoint already reads its own body and token to skip FastAPI's dependency "
        "machinery).",
        "",
    ]


def click_lines() -> list[str]:
    from bench.booking import measure_slots

    slots = measure_slots()
    with tempfile.TemporaryDirectory() as d:
        click = bench_click_page(Path(d))
    return [
        "## Click routers",
        "",
        f"- Open slots of a flexible pool of 20 reps over a 30-day horizon, ~200 busy "
        f"intervals per rep (CalDAV busy data cached): median **{slots['median_ms']:.1f} ms** "
        f"({slots['per_rep_ms']:.2f} ms per rep, {slots['slots']:.0f} distinct slot starts).",
        f"- Click page `GET /c/click?email=…` (route, record the click, a week of slots of a "
        f"flexible pool of 5, render), SQLite, 1 process, 100 concurrent clients: {fmt(click)}.",
        "",
    ]


def leads_lines() -> list[str]:
    from bench.leads import LEADS, intake_and_drain

    with tempfile.TemporaryDirectory() as d:
        intake, drained, delivered = intake_and_drain(Path(d), leadrail, server, free_port, BIN)
    return [
        "## Form leads",
        "",
        f"- Intake of {LEADS:,} leads over HTTP (`POST /api/v1/leads`, 16 connections, SQLite, "
        f"1 process, worker off): {fmt(intake)}; {intake.rps:,.0f} leads per second.",
        f"- Then draining them all to a local SMTP server (aiosmtpd) with one `leadrail "
        f"worker` (ADF and text e-mails, a receipt per attempt): **{drained:.1f} s** "
        f"({delivered:,} messages, {delivered / drained:,.0f} per second).",
        "",
    ]


def live_section() -> list[str]:
    from bench.live import live_lines, run

    return live_lines(run(leadrail, server, free_port))


SECTIONS: dict[str, Callable[[], list[str]]] = {
    "core": core_lines,
    "http": http_lines,
    "click": click_lines,
    "crm": lambda: crm_lines(bench_crm()),
    "leads": leads_lines,
    "live": live_section,
}


def replace_section(doc: str, lines: list[str]) -> str:
    """``doc`` with the section that starts with ``lines[0]`` (a ``## `` heading) replaced by
    ``lines`` (appended when the section is new)."""
    head = lines[0]
    block = "\n".join(lines).rstrip("\n") + "\n\n"
    start = doc.find(head + "\n")
    if start < 0:
        return doc.rstrip("\n") + "\n\n" + block
    end = doc.find("\n## ", start + len(head))
    rest = doc[end + 1 :] if end >= 0 else ""
    return doc[:start] + block + rest


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.run`` measures everything and rewrites docs/benchmarks.md;
    ``python -m bench.run live crm`` measures only those sections and replaces them in it."""
    names = sys.argv[1:] if argv is None else argv
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    started = datetime.now(UTC)
    out = ROOT / "docs" / "benchmarks.md"
    if names:
        doc = out.read_text() if out.exists() else "# Benchmarks\n"
        for name in names:
            lines = SECTIONS[name]()
            lines.insert(2, f"_Section re-measured alone on {started:%Y-%m-%d %H:%M} UTC._")
            lines.insert(3, "")
            doc = replace_section(doc, lines)
            print("\n".join(lines))
        out.write_text(doc)
        return
    body = [line for name in SECTIONS for line in SECTIONS[name]()]
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {started:%Y-%m-%d %H:%M} UTC.",
        f"Machine: {machine()}.",
        f"Load: {CONCURRENCY} keep-alive connections for {SECONDS:.0f} s after a 2 s warm-up, "
        "from a small asyncio client on the same machine (it shares the CPU with the server).",
        "",
        *body,
    ]
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
