"""After a booking, per the router's CRM settings: create or update the prospect's record
(contact or lead), set its owner to the meeting's rep, and log the meeting as an activity."""

from __future__ import annotations

from leadrail.adapters.crm.base import CrmError, MeetingActivity, Person
from leadrail.adapters.crm.factory import CrmConnectors
from leadrail.app.catalog import RouterCatalog
from leadrail.app.outbox import JobFailed
from leadrail.app.ports import MeetingRow, RouterSnapshot, StoredLead
from leadrail.app.workspace import RouterCrmDoc
from leadrail.routing.model import UserInfo


def sync_meeting(catalog: RouterCatalog, crm: CrmConnectors, m: MeetingRow) -> str:
    snap = catalog.router(m.router)
    if snap is None:
        return "the router no longer exists: nothing to write"
    settings = snap.doc.crm
    if not (settings.create_or_update or settings.create_meeting):
        return "the router writes nothing to the CRM"
    try:
        return _write(crm, m, snap.users.get(m.rep), settings, _title(snap))
    except CrmError as e:
        raise JobFailed(f"CRM: {e}", retryable=e.retryable) from None


def _owner_id(crm: CrmConnectors, rep: str, crm_owner_id: str | None) -> str | None:
    if crm_owner_id:
        return crm_owner_id
    return next((o.id for o in crm.connector().owners() if o.email.lower() == rep), None)


def _write(
    crm: CrmConnectors, m: MeetingRow, info: UserInfo | None, settings: RouterCrmDoc, title: str
) -> str:
    connector = crm.connector()
    owner = (
        _owner_id(crm, m.rep, info.crm_owner_id if info else None) if settings.set_owner else None
    )
    first, _, last = (m.name or "").strip().partition(" ")
    person = Person(
        kind=settings.record_type, email=m.email, first_name=first, last_name=last, owner_id=owner
    )
    record_id = connector.upsert_person(person)
    done = [f"{settings.record_type} {record_id}" + (f" owned by {owner}" if owner else "")]
    if settings.create_meeting:
        title = f"{title} with {m.name or m.email}"
        activity = connector.create_meeting(
            MeetingActivity(
                record_id=record_id,
                record_kind=settings.record_type,
                owner_id=owner,
                start=m.start,
                end=m.end,
                title=title,
                body=m.notes,
                external_id=m.id,
            )
        )
        done.append(f"meeting {activity}")
    return "; ".join(done)


def _title(snap: RouterSnapshot) -> str:
    return snap.meeting.name if snap.meeting else "Meeting"


def sync_lead(
    catalog: RouterCatalog, crm: CrmConnectors, lead: StoredLead, router: str | None
) -> str:
    """A form lead whose site's router says ``create_or_update``: the customer becomes (or
    updates) a contact or lead in the CRM."""
    snap = catalog.router(router) if router else None
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
    try:
        record_id = crm.connector().upsert_person(person)
    except CrmError as e:
        raise JobFailed(f"CRM: {e}", retryable=e.retryable) from None
    return f"{person.kind} {record_id} for lead {lead.id}"
