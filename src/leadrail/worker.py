"""The delivery worker: drains the outbox (invites, calendar writes, lead deliveries, CRM
writes, password-reset e-mails, admin alerts). Runs in the server process by default;
`leadrail worker` runs it alone. Several at once never run one job twice: a claimed job is
held by its worker's database session (PostgreSQL) or by a file lock (SQLite) until it is
done; see docs/decisions/0005-outbox-claims.md."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from leadrail.adapters.lead_delivery import LeadDeliverer
from leadrail.adapters.mail.reset import ResetMailJob
from leadrail.adapters.notify import CalDavAccess, JobRunner
from leadrail.app.accounts import RESET_JOB
from leadrail.app.outbox import ClaimedJob, drain
from leadrail.bootstrap import Container, mailer_for

log = logging.getLogger("leadrail.worker")


class Jobs:
    """Hands each job to the runner of its kind (default: the meetings' and leads' runner)."""

    def __init__(self, default: JobRunner, **by_kind: ResetMailJob) -> None:
        self.default = default
        self.by_kind = by_kind

    def run(self, job: ClaimedJob, now: datetime) -> str:
        return self.by_kind.get(job.kind, self.default).run(job, now)


def runner_for(c: Container) -> Jobs:
    s = c.settings
    mailer = mailer_for(s)
    w = c.wiring  # the concrete adapters: this builder moves into bootstrap (i12-outbox)
    hooks = w.outbound.http_client("webhook URL", timeout=10.0, follow_redirects=False)
    leads = LeadDeliverer(
        w.db.engine, mailer, s.mail_from, s.base_url, c.leads.lead_config, http=hooks
    )
    runner = JobRunner(
        c.routing, c.catalog, c.accounts.admin_emails, w.crm, mailer, s.mail_from, c.signer,
        s.base_url, c.calendar.forget, leads, c.leads,
        caldav=CalDavAccess(w.credentials, w.outbound),
    )  # fmt: skip
    resets = ResetMailJob(c.accounts, mailer, s.base_url)
    return Jobs(runner, **{RESET_JOB: resets})


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
