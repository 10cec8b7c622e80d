"""`make bench`: measure, then write docs/benchmarks.md (machine, date, figures, each next to
its reference measured in the same run). HTTP load comes from `wrk` (see bench/wrk.py)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.paths import (
    CONNECTIONS,
    PG_ADMIN,
    SECONDS,
    WARM,
    booking,
    click_page,
    floor,
    ratio,
    route_postgres,
    route_sqlite,
)
from bench.proc import BIN, ROOT, free_port, leadrail, machine, server
from bench.wrk import WrkResult

__all__ = ["BIN", "free_port", "leadrail", "server"]  # bench.live imports them from here


def bench_core() -> dict[str, float]:
    from bench.core import measure_core

    return measure_core()


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
    ours = route_sqlite()
    booked = booking()
    pg = route_postgres()
    return [
        "## HTTP routing throughput",
        "",
        "| what | result |",
        "| --- | --- |",
        f"| floor: bare Starlette + one sqlite3 transaction | {fmt(floor())} |",
        f"| leadrail `POST /api/v1/routers/bench/route`, SQLite, 1 process | {fmt(ours)} |",
        f"| ratio route API / floor | **{ratio(ours):.2f}** (aim ≥ 0.5) |",
        f"| leadrail `POST /api/v1/bookings` (flexible pool of 5), SQLite, 1 process | "
        f"{fmt(booked)} |",
        f"| ratio booking / route API | **{ratio(booked, ours):.2f}** |",
        f"| leadrail route API, PostgreSQL, 2 server processes | "
        f"{fmt(pg) if isinstance(pg, WrkResult) else pg} |",
        "",
        "Each route request: the edge checks, the token (cached), the workspace revision "
        "(the router snapshot is cached per revision), one write transaction under the "
        "router's lock (rotation state read, ledger insert with the trace, state upsert) and "
        "the JSON answer with the trace. **Where the time goes** (py-spy, GIL samples of the "
        "server under wrk): about a third in writing the answer to the socket (loopback TCP "
        "in uvicorn's write: the floor spends the same share there), a quarter in the "
        "decision and its transaction (the engine itself about 4%), a sixth in FastAPI's and "
        "Starlette's middleware and routing layers, the rest in HTTP parsing and the edge "
        "checks. A SQLite write whose lock is free is now taken on the event loop's thread "
        "(no hand-over to a worker thread and back, which cost about a third of the request); "
        "another writer, a dry run or a CRM lookup still goes to a thread. The endpoint reads "
        "its own slug, query, body and token (FastAPI's parameter solving cost more than the "
        "decision). Booking (not profiled yet): routing, the rep's lock, busy times, the "
        "meeting and its invitation jobs in one transaction.",
        "",
    ]


def click_lines() -> list[str]:
    from bench.booking import measure_slots

    slots = measure_slots()
    click = click_page()
    return [
        "## Click routers",
        "",
        f"- Open slots of a flexible pool of 20 reps over a 30-day horizon, ~200 busy "
        f"intervals per rep, computed afresh (no cache): median **{slots['median_ms']:.1f} ms** "
        f"({slots['per_rep_ms']:.2f} ms per rep, {slots['slots']:.0f} distinct slot starts).",
        f"- Click page `GET /c/click?email=…` (route, record the click, a week of slots of a "
        f"flexible pool of 5 working around the clock, render), SQLite, 1 process, a new "
        f"e-mail each request: {fmt(click)}; ratio to the floor **{ratio(click):.2f}** "
        f"(aim ≥ 0.1).",
        "",
        "**Where the time goes**: before, nine tenths went to computing the slots (every "
        "30-minute start of 5 reps × 8 days in local time, then the busy times). Slots are "
        "now kept per UTC day, keyed by everything they come from (meeting type, each rep's "
        "hours, zone, vacations and the busy times touching that day: a booking, a "
        "cancellation, a busy block, a calendar or a workspace change makes a new key; the "
        "busy times are still read on each request, one query per rep), and the list of "
        "times is rendered once per (times, zone). What is left: the route preview, the "
        "click's insert, the busy reads and the rest of the page.",
        "",
    ]


def leads_lines() -> list[str]:
    from bench.leads import LEADS, intake_and_drain

    with tempfile.TemporaryDirectory() as d:
        intake, leads, drained, delivered = intake_and_drain(
            Path(d), leadrail, server, free_port, BIN
        )
    return [
        "## Form leads",
        "",
        f"- Intake over HTTP (`POST /api/v1/leads`, site key, 2 categories, {CONNECTIONS} "
        f"connections, SQLite, 1 process, worker off, rate limit raised): {fmt(intake)}; "
        f"ratio to the floor **{ratio(intake):.2f}** (aim ≥ 0.15).",
        f"- Then (taken until there were {LEADS:,}) draining all {leads:,} leads to a local "
        f"SMTP server (aiosmtpd, in the benchmark's process) with one `leadrail worker` (ADF "
        f"and text e-mails, a receipt per attempt): **{drained:.1f} s** ({delivered:,} "
        f"messages, {delivered / drained:,.0f} per second; aim < 30 s for 10,000).",
        "",
        "**Where the time goes**, intake: before, 60% re-reading the lead just written "
        "(ORM), 17% checking the workspace revision through an ORM session (twice a request), "
        "and the rate limiter's memory storage starting a timer thread every 10 ms under "
        "traffic. Now the answer is the lead as written, the revision is one plain query, the "
        "write goes on a raw cursor and the limiter sweeps itself once a second: left are the "
        "body's validation, the writes and their commit, and FastAPI's dependencies. "
        "Delivery: before, each message built a new event loop, started a thread to look up "
        "the host name and opened a new SMTP connection (connect, EHLO, QUIT); the worker "
        "now keeps its connection. Left, one message at a time: the claim (file lock and "
        "ORM), reading the delivery, rendering the e-mail (the email package's header "
        "folding), the SMTP round trips, and the receipt and the job's end in two ORM "
        "transactions (not batched yet).",
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
        f"Load: `wrk` (one thread, {CONNECTIONS} keep-alive connections, {SECONDS:.0f} s after "
        f"a {WARM:.0f} s warm-up; each request another e-mail); each server is one process "
        "unless said otherwise. Ratios divide by the floor (or the route API) measured in the "
        "same run; the server's CPU time per request is given as well (it varies less than "
        "throughput on a shared machine).",
        "",
        *body,
    ]
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
