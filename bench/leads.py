"""Benchmark of form leads: intake of 10,000 leads over HTTP, then the time to drain them all
to a local SMTP server with `leadrail worker`."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from bench.proc import PIDS
from bench.wrk import WrkResult, run_wrk

LEADS = int(os.environ.get("BENCH_LEADS", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
KEY = "pk_bench_0123456789abcdef"


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def workspace_yaml() -> str:
    return yaml.safe_dump({
        "categories": [{"name": "New Models", "destinations": [{"address": "new@dealer.test"}]},
                       {"name": "ALL", "destinations": [{"address": "all@dealer.test",
                                                         "format": "text"}]}],
        "fallback_destination": {"address": "manager@dealer.test"},
        "sites": [{"name": "bench", "key": KEY}],
    })  # fmt: skip


def lead(i: int) -> dict[str, Any]:
    return {
        "category": "New Models" if i % 2 else "Service",
        "offer": "Spring event",
        "customer": {"first_name": f"P{i}", "last_name": "Bench", "email": f"p{i}@example.test"},
        "vehicle": {"year": "2027", "make": "Ford", "model": "Bronco"},
        "comments": "Please call me back",
        "utm": {"utm_source": "bench"},
    }


def lead_template() -> str:
    """``lead(i)`` as a wrk template: ``{i}`` and the category (Lua ``cat``) vary."""
    body = json.dumps(lead(1))
    return body.replace("P1", "P{i}").replace("p1@", "p{i}@").replace("New Models", "{cat}")


def intake_and_drain(
    tmp: Path, leadrail: Any, server: Any, free_port: Any, bin_dir: Path
) -> tuple[WrkResult, int, float, int]:
    """The intake under load for SECONDS, then (more leads taken until there are LEADS) the
    time one worker takes to deliver them all: (intake, leads, seconds, messages)."""
    db = tmp / "leads.db"
    smtp_box = Counter()
    smtp = Controller(smtp_box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        "LEADRAIL_DATABASE_URL": f"sqlite:///{db}",
        "LEADRAIL_WORKER": "false",
        "LEADRAIL_PUBLIC_RATE_LIMIT": "100000000/minute",
        "LEADRAIL_SMTP_PORT": str(smtp.port),
    }
    (tmp / "leads.yaml").write_text(workspace_yaml())
    leadrail(env, "apply", "-f", str(tmp / "leads.yaml"))
    port = free_port()
    with server([str(bin_dir / "leadrail"), "serve", "--port", str(port)], env, port) as base:
        post = {
            "method": "POST", "headers": {"X-Site-Key": KEY}, "connections": 16,
            "lua_vars": {"cat": '(i % 2 == 1) and "New Models" or "Service"'},
        }  # fmt: skip
        result = run_wrk(base, "/api/v1/leads", body=lead_template(), seconds=SECONDS,
                         pid=PIDS.get(base), **post)  # type: ignore[arg-type]  # fmt: skip
        left = LEADS - result.requests
        if left > 0:  # then enough more leads for the drain (wrk runs for whole seconds)
            seconds = min(300.0, 1 + left / max(result.rps, 1.0))
            run_wrk(base, "/api/v1/leads", body=lead_template().replace("p{i}@", "q{i}@"),
                    seconds=seconds, **post)  # type: ignore[arg-type]  # fmt: skip
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        leads = conn.execute(text("SELECT count(*) FROM leads")).scalar_one()
    started = time.perf_counter()

    worker = subprocess.Popen(
        [str(bin_dir / "leadrail"), "worker"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 300
        while time.perf_counter() < deadline:
            with engine.connect() as conn:
                left = conn.execute(
                    text("SELECT count(*) FROM deliveries WHERE status != 'delivered'")
                ).scalar_one()
            if left == 0:
                break
            time.sleep(0.5)
        drained = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        smtp.stop()
    return result, int(leads), drained, smtp_box.count
