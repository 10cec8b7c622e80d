"""The outbox: work that follows a commit (invites, calendar events, lead deliveries, CRM
writes, password-reset e-mails, admin alerts), done by a worker with retries and backoff,
never blocking the prospect, with failures visible to admins.

- ``jobs``: a claimed job, ``JobFailed``, the job kinds and the ``JobTable`` (what each kind
  does; built by ``table.job_table`` from the use cases of each feature);
- ``retries``: what follows a failed attempt (retry with backoff, wait, fail);
- ``drain``: claim, run, record;
- ``ports``: the outbox table and the mail sender the jobs send through.

Two workers never run one job at the same time: see ``OutboxRepo.claim`` and
docs/decisions/0005-outbox-claims.md.
"""

from leadrail.app.outbox.drain import drain
from leadrail.app.outbox.jobs import ClaimedJob, JobFailed, JobHandler, JobKind, JobTable
from leadrail.app.outbox.ports import MailSender, OutboxRepo, SendFailed
from leadrail.app.outbox.retries import (
    LEASE,
    MAX_ATTEMPTS,
    WAIT_EVERY,
    Jitter,
    RetryPolicy,
    Verdict,
    backoff,
    verdict,
    waiting_backoff,
)

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "WAIT_EVERY",
    "ClaimedJob",
    "Jitter",
    "JobFailed",
    "JobHandler",
    "JobKind",
    "JobTable",
    "MailSender",
    "OutboxRepo",
    "RetryPolicy",
    "SendFailed",
    "Verdict",
    "backoff",
    "drain",
    "verdict",
    "waiting_backoff",
]
