"""Outbox jobs: what a worker claims, how a job fails, and the typed table that says what
each kind of job does (``JobTable``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from leadrail.app.outbox.retries import RetryPolicy


class JobKind(StrEnum):
    """Every kind of outbox job (the ``kind`` column)."""

    INVITE = "invite"  # e-mail a meeting's invitation (or its cancellation)
    CALENDAR_PUT = "calendar_put"  # write a meeting into the rep's CalDAV calendar
    CALENDAR_DELETE = "calendar_delete"  # remove it from there
    CRM_SYNC = "crm_sync"  # a booked meeting: the prospect and the meeting into the CRM
    CRM_LEAD = "crm_lead"  # a form lead: the customer into the CRM
    LEAD = "lead"  # deliver a lead to one destination
    LEAD_ALERT = "lead_alert"  # e-mail the admins the leads that could not be delivered
    PASSWORD_RESET = "password_reset"  # e-mail a password-reset link
    REMINDER = "reminder"  # e-mail the prospect and the rep N hours before a meeting


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    ref: str
    payload: Mapping[str, Any]
    attempts: int  # including this one
    token: str = ""  # this claim's fencing token: outcomes are recorded only under it


class JobFailed(Exception):
    """A job did not do its work. ``retryable``: it may later (a server that is down);
    otherwise it never will (a refusal for good, a job that cannot be built)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


JobHandler = Callable[[ClaimedJob, datetime], str]
"""Runs one job at ``now``: returns a short result for the job's record, raises JobFailed."""


@dataclass(frozen=True)
class JobTable:
    """What each kind of job does (one handler per kind) and what follows a failure."""

    handlers: Mapping[str, JobHandler]
    retries: RetryPolicy

    def run(self, job: ClaimedJob, now: datetime) -> str:
        handler = self.handlers.get(job.kind)
        if handler is None:  # a kind this version does not know: retrying will not help
            raise JobFailed(f"unknown job kind {job.kind!r}", retryable=False)
        return handler(job, now)
