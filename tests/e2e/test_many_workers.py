"""Several `leadrail worker` processes on one PostgreSQL database: every form lead is
delivered exactly once (each outbox job claimed by one worker), none is left behind."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from leadrail.app.apply import apply_workspace
from leadrail.app.leads import take_lead
from leadrail.bootstrap import bootstrap
from leadrail.leads.model import Customer, Lead
from leadrail.leads.nearest import LocationHints
from leadrail.settings import Settings
from tests.factories import SITE_KEY, leads_workspace
from tests.ops_support import fresh_pg  # noqa: F401 (fixture)
from tests.support.mail import Inbox
from tests.support.net import free_port
from tests.support.serve import BIN

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]
LEADS = 60
WORKERS = 3
ONE_DESTINATION = [
    {"name": "Service", "destinations": [{"address": "service@dealer.test", "format": "text"}]}
]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    yield box, smtp.port
    smtp.stop()


def _pending(url: str) -> int:
    c = bootstrap(Settings(database_url=url, worker=False))
    try:
        return sum(1 for job in c.outbox.jobs(limit=1000) if job["status"] != "done")
    finally:
        c.close()


def test_several_workers_deliver_each_lead_exactly_once(
    fresh_pg: str,  # noqa: F811
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    box, smtp_port = inbox
    c = bootstrap(Settings(database_url=fresh_pg, worker=False), run_migrations=True)
    apply_workspace(
        c.workspace,
        leads_workspace(nearest_store_routing=False, stores=[], categories=ONE_DESTINATION),
    )
    now = datetime.now(UTC)  # due at once
    for i in range(LEADS):
        lead = Lead(
            id="", created_at=now, category="Service",
            customer=Customer(email=f"p{i}@x.test"),
        )  # fmt: skip
        take_lead(
            c.leads, c.routing, c.locator, site_key=SITE_KEY, lead=lead, hints=LocationHints(),
            idempotency_key=None, now=now,
        )  # fmt: skip
    c.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADRAIL_")}
    env |= {
        "LEADRAIL_DATABASE_URL": fresh_pg,
        "LEADRAIL_SMTP_PORT": str(smtp_port),
        "LEADRAIL_WORKER_INTERVAL_SECONDS": "0.2",
    }
    logs = [tmp_path / f"worker-{n}.log" for n in range(WORKERS)]
    workers = []
    for log in logs:
        with log.open("wb") as out:
            workers.append(
                subprocess.Popen(
                    [str(BIN / "leadrail"), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
                )
            )
    try:
        box.wait(LEADS, timeout=120)
        deadline = time.monotonic() + 60
        while _pending(fresh_pg) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _pending(fresh_pg) == 0
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(timeout=30)
    assert all(proc.returncode == 0 for proc in workers), [p.read_text() for p in logs]
    sent = Counter(
        found.group(0)
        for message in box.messages
        if (found := re.search(r"p\d+@x\.test", message.as_string()))
    )
    assert len(box.messages) == LEADS
    assert sent == Counter({f"p{i}@x.test": 1 for i in range(LEADS)})
