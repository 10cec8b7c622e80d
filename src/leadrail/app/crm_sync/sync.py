"""The ``crm_sync`` job (after a booking, per the router's CRM settings: create or update
the prospect's record, owned by the meeting's rep, and log the meeting as an activity) and
the ``crm_lead`` job (a form lead whose site's router says ``create_or_update``: the
customer becomes or updates a contact or lead)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from leadrail.app.crm_sync.ports import CrmWriter, MeetingActivity, Person
from leadrail.app.meetings.ports import Meetings
from leadrail.app.outbox import ClaimedJob, JobFailed
from leadrail.app.ports import LeadConfig, Routers, StoredLead
from leadrail.app.workspace import RouterCrmDoc


class Leads(Protocol):
    def lead(self, lead_id: str) -> StoredLead | None: ...

    def lead_config(self) -> LeadConfig: ...


class SyncToCrm:
    def __init__(self, crm: CrmWriter, routers: Routers, meetings: Meetings, leads: Leads) -> None:
        self.crm = crm
        self.routers = routers
        self.meetings = meetings
        self.leads = leads

    def meeting(self, job: ClaimedJob, now: datetime) -> str:
        """The ``crm_sync`` job of the meeting ``job.ref`` (also once the meeting is over)."""
        m = self.meetings.meeting(job.ref)
        if m is None:
            raise JobFailed(f"meeting {job.ref} no longer exists", retryable=False)
        snap = self.routers.router(m.router)
        if snap is None:
            return "the router no longer exists: nothing to write"
        settings = snap.doc.crm
        if not (settings.create_or_update or settings.create_meeting):
            return "the router writes nothing to the CRM"
        info = snap.users.get(m.rep)
        owner = self._owner_id(m.rep, info.crm_owner_id if info else None, settings)
        first, _, last = (m.name or "").strip().partition(" ")
        person = Person(
            kind=settings.record_type, email=m.email, first_name=first, last_name=last,
            owner_id=owner,
        )  # fmt: skip
        record_id = self.crm.upsert_person(person)
        done = [f"{settings.record_type} {record_id}" + (f" owned by {owner}" if owner else "")]
        if settings.create_meeting:
            title = snap.meeting.name if snap.meeting else "Meeting"
            activity = self.crm.create_meeting(
                MeetingActivity(
                    record_id=record_id, record_kind=settings.record_type, owner_id=owner,
                    start=m.start, end=m.end, title=f"{title} with {m.name or m.email}",
                    body=m.notes, external_id=m.id,
                )
            )  # fmt: skip
            done.append(f"meeting {activity}")
        return "; ".join(done)

    def _owner_id(self, rep: str, crm_owner_id: str | None, settings: RouterCrmDoc) -> str | None:
        if not settings.set_owner:
            return None
        if crm_owner_id:
            return crm_owner_id
        return next((o.id for o in self.crm.owners() if o.email.lower() == rep), None)

    def lead(self, job: ClaimedJob, now: datetime) -> str:
        """The ``crm_lead`` job of the lead ``job.ref``."""
        lead = self.leads.lead(job.ref)
        if lead is None:
            raise JobFailed(f"lead {job.ref} no longer exists", retryable=False)
        config = self.leads.lead_config()
        site = next((x for x in config.sites.values() if x.name == lead.site), None)
        snap = self.routers.router(site.router) if site and site.router else None
        if snap is None or not snap.doc.crm.create_or_update:
            return "the site's router writes nothing to the CRM"
        customer = dict(lead.data.get("customer") or {})
        email = str(customer.get("email") or "")
        if not email:
            return "the lead has no e-mail: nothing to write"
        person = Person(
            kind=snap.doc.crm.record_type,
            email=email,
            first_name=str(customer.get("first_name") or ""),
            last_name=str(customer.get("last_name") or ""),
        )
        record_id = self.crm.upsert_person(person)
        return f"{person.kind} {record_id} for lead {lead.id}"
