"""What the CRM writes are made of, and the CRM they go to (built-in, HubSpot, Salesforce:
``adapters/crm``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

PersonKind = Literal["contact", "lead"]


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
    # the prospect's fields as submitted (the mapping's ``write`` picks from them)
    fields: Mapping[str, str] = field(default_factory=dict)
    # the CRM's properties to write, by the CRM's names (set by the mapping)
    properties: Mapping[str, str] = field(default_factory=dict)


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


class CrmWriter(Protocol):
    """The workspace's CRM as it is now. Each call raises ``app.outbox.SendFailed`` ("CRM:
    ...", retryable for a network fault, a 429 or a 5xx) when the CRM did not take it."""

    def owners(self) -> list[Owner]: ...

    def upsert_person(self, person: Person) -> str:
        """Create or update the contact/lead with this e-mail; returns its CRM id."""
        ...

    def create_meeting(self, meeting: MeetingActivity) -> str:
        """Log the meeting as an activity of its record; returns its CRM id."""
        ...
