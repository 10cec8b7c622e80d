"""What every CRM connector offers (the built-in store, HubSpot, Salesforce)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from leadrail.routing.model import CrmRecord

PersonKind = Literal["contact", "lead"]


class CrmError(Exception):
    """A CRM call failed. ``retryable``: worth trying again later (network, 429, 5xx)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class Owner:
    id: str  # the CRM's owner/user id
    email: str


@dataclass(frozen=True)
class Person:
    kind: PersonKind
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    owner_id: str | None = None  # set the record owner (None: leave it)


@dataclass(frozen=True)
class MeetingActivity:
    record_id: str  # the contact or lead it belongs to
    record_kind: PersonKind
    owner_id: str | None
    start: datetime  # aware
    end: datetime
    title: str
    body: str = ""
    external_id: str = ""  # leadrail's meeting id, to find it again


class CrmConnector(Protocol):
    def lookup(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        """Contacts and leads by exact e-mail, companies by domain (and parent domains), each
        with its owner id; an empty tuple when nothing matches. Raises CrmError."""
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
