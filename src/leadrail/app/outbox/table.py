"""What each kind of outbox job does: the one table from job kinds to the use cases that
run them (``bootstrap.build_jobs`` builds the use cases with their adapters)."""

from __future__ import annotations

from leadrail.app.crm_sync.sync import SyncToCrm
from leadrail.app.delivery.alerts import AlertAdmins
from leadrail.app.delivery.deliver import DeliverLead
from leadrail.app.meetings.notify import MeetingJobs
from leadrail.app.outbox.jobs import JobHandler, JobKind, JobTable
from leadrail.app.outbox.retries import RetryPolicy
from leadrail.app.password_reset import SendResetMail


def job_table(
    *,
    meetings: MeetingJobs,
    crm: SyncToCrm,
    deliveries: DeliverLead,
    alerts: AlertAdmins,
    resets: SendResetMail,
    retries: RetryPolicy,
) -> JobTable:
    handlers: dict[str, JobHandler] = {
        JobKind.INVITE: meetings.invite,
        JobKind.CALENDAR_PUT: meetings.write_event,
        JobKind.CALENDAR_DELETE: meetings.remove_event,
        JobKind.REMINDER: meetings.remind,
        JobKind.CRM_SYNC: crm.meeting,
        JobKind.CRM_LEAD: crm.lead,
        JobKind.LEAD: deliveries,
        JobKind.LEAD_ALERT: alerts,
        JobKind.PASSWORD_RESET: resets,
    }
    return JobTable(handlers, retries)
