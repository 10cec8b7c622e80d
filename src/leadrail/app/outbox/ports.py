"""What the outbox's jobs need from the world: the outbox table, and the senders they send
through (each raises ``SendFailed``)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

from leadrail.app.outbox.jobs import ClaimedJob, JobFailed


class SendFailed(JobFailed):
    """A server did not take what was sent (a message, a webhook, a calendar or CRM write).
    ``retryable``: it may later. The message names the transport ("SMTP: 550 ...") and never
    holds what was sent. A job whose send fails, fails with it."""


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send ``message`` to the recipients in its headers; returns the server's final
        reply ("250 OK ..."); raises SendFailed."""
        ...


class OutboxRepo(Protocol):
    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]:
        """Due jobs, each claimed for this worker alone until ``release``: no other worker
        claims a job while the worker that claimed it is alive, even past the lease (the
        lease only brings back the jobs of a worker that died)."""
        ...

    def finish(self, job: ClaimedJob, now: datetime, result: str) -> bool: ...

    def retry(self, job: ClaimedJob, next_at: datetime, error: str) -> bool: ...

    def wait(self, job: ClaimedJob, next_at: datetime, error: str) -> bool: ...

    def fail(self, job: ClaimedJob, now: datetime, error: str) -> bool: ...

    def release(self, job: ClaimedJob) -> None: ...

    def jobs(
        self, status: str | None = None, ref: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The newest jobs, for admins."""
        ...
