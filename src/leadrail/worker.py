"""The delivery worker: drains the outbox (invites, calendar writes, lead deliveries, CRM
writes, password-reset e-mails, admin alerts). Runs in the server process by default;
`leadrail worker` runs it alone. Several at once never run one job twice: a claimed job is
held by its worker's database session (PostgreSQL) or by a file lock (SQLite) until it is
done; see docs/decisions/0005-outbox-claims.md. What each job does is the use cases'
(``app.outbox.table``), built in ``bootstrap.build_jobs``."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from leadrail.app.outbox import JobTable, drain
from leadrail.bootstrap import Container, build_jobs, refresh_target_lists

log = logging.getLogger("leadrail.worker")


def runner_for(c: Container) -> JobTable:
    """The job table this worker runs (the tests drain with it too)."""
    return build_jobs(c)


def run_worker(c: Container, stop: threading.Event) -> None:
    jobs = runner_for(c)
    while not stop.is_set():
        try:
            busy = drain(
                c.outbox,
                jobs,
                c.clock.now,  # read before each claim: a lease starts when its job is claimed
                lease=timedelta(seconds=c.settings.worker_lease_seconds),
            )
        except Exception:  # keep the worker alive; the job's lease brings it back
            log.exception("outbox drain failed")
            busy = 0
        try:
            refresh_target_lists(c)  # query lists that are due (one small query otherwise)
        except Exception:  # the next look tries again
            log.exception("refreshing the query lists failed")
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
