"""What every CRM connector offers (the built-in store, HubSpot, Salesforce)."""

from __future__ import annotations

from typing import Protocol

# the values connectors take and give are the use cases' (re-exported for the connectors)
from leadrail.app.crm_sync.ports import MeetingActivity as MeetingActivity
from leadrail.app.crm_sync.ports import Owner as Owner
from leadrail.app.crm_sync.ports import Person as Person
from leadrail.app.crm_sync.ports import PersonKind as PersonKind
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord


class CrmError(Exception):
    """A CRM call failed. ``retryable``: worth trying again later (network, 429, 5xx)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class CrmConnector(Protocol):
    def lookup(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        """Contacts and leads by exact e-mail, companies by domain (and parent domains), each
        with its owner id; an empty tuple when nothing matches. Raises CrmError."""
        ...

    def lookup_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        """``lookup``, each record with the properties ``want`` names (those it has), and,
        when ``want.opportunities``, the open opportunities (deals) of the contact or
        company found. Raises CrmError."""
        ...

    def property_names(self, kind: str) -> frozenset[str] | None:
        """The property names of records of this kind (contact, lead, company) in the CRM,
        lower-cased; None when it keeps no such records. Raises CrmError."""
        ...

    def owners(self) -> list[Owner]:
        """Every owner (all pages)."""
        ...

    def upsert_person(self, person: Person) -> str:
        """Create or update the contact/lead with this e-mail; returns its CRM id."""
        ...

    def create_meeting(self, meeting: MeetingActivity) -> str:
        """Log the meeting as an activity associated with the record; returns its CRM id."""
        ...
