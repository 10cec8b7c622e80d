"""The delivery worker: drains the outbox (invites, calendar writes, lead deliveries, CRM
writes, admin alerts). Runs in the server process by default; `leadrail worker` runs it
alone. Several at once never run one job twice: a claimed job is held by its worker's
database session (PostgreSQL) or by a file lock (SQLite) until it is done; see
docs/decisions/0005-outbox-claims.md."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from leadrail.adapters.lead_delivery import LeadDeliverer
from leadrail.adapters.notify import JobRunner
from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, mailer_for

log = logging.getLogger("leadrail.worker")


def runner_for(c: Container) -> JobRunner:
    s = c.settings
    mailer = mailer_for(s)
    leads = LeadDeliverer(c.engine, mailer, s.mail_from, s.public_base_url, c.leads.lead_config)
    return JobRunner(
        c.store, mailer, s.mail_from, c.signer, s.public_base_url, c.calendar.forget, leads, c.leads
    )


def run_worker(c: Container, stop: threading.Event) -> None:
    runner = runner_for(c)
    while not stop.is_set():
        try:
            busy = drain(
                c.outbox,
                runner,
                c.clock.now,  # read before each claim: a lease starts when its job is claimed
                lease=timedelta(seconds=c.settings.worker_lease_seconds),
                wait_every=timedelta(seconds=c.settings.worker_wait_retry_seconds),
            )
        except Exception:  # keep the worker alive; the job's lease brings it back
            log.exception("outbox drain failed")
            busy = 0
        if not busy:
            c.wake.wait(c.settings.worker_interval_seconds)
            c.wake.clear()


def start_in_background(c: Container) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(c, stop), name="leadrail-worker", daemon=True
    )
    thread.start()
    return thread, stop
