"""The workspace's field mapping around any CRM connector: condition names turned into the
CRM's property names (and back), queues' owners turned into teams (``owner_team``), and
prospect fields written back as the CRM's properties. See docs/crm.md, "Field mapping"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from leadrail.adapters.crm.base import CrmConnector, MeetingActivity, Owner, Person
from leadrail.app.workspace import CrmMappingDoc
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord, RecordKind

OWNER_TEAM = "owner_team"  # crm.<kind>.owner_team: the team a queue owner stands for
# with a custom owner field, a queue still owns a record through Salesforce's own OwnerId
QUEUE_OWNER = "OwnerId"


class MappedCrm:
    """A ``CrmConnector`` that reads and writes through the workspace's mapping."""

    def __init__(self, inner: CrmConnector, mapping: CrmMappingDoc) -> None:
        self.inner = inner
        self.mapping = mapping
        self._read: dict[RecordKind, Mapping[str, str]] = {
            "contact": mapping.read.contact,
            "lead": mapping.read.lead,
            "company": mapping.read.company,
        }

    def crm_want(self, want: CrmWant) -> CrmWant:
        """``want`` in the CRM's names (``owner_team`` is leadrail's, never asked for)."""

        def names(kind: RecordKind) -> tuple[str, ...]:
            mapped, asked = self._read[kind], want.properties(kind)
            out = [mapped.get(n, n) for n in asked if n != OWNER_TEAM]
            if OWNER_TEAM in asked and self.mapping.owner_field:
                out.append(QUEUE_OWNER)
            return tuple(dict.fromkeys(out))

        return replace(want, contact=names("contact"), lead=names("lead"), company=names("company"))

    def lookup(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        return self.inner.lookup(email, domain)

    def lookup_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        found = self.inner.lookup_facts(email, domain, self.crm_want(want))
        records = tuple(self._renamed(r, want.properties(r.kind)) for r in found.records)
        return replace(found, records=records)

    def _renamed(self, record: CrmRecord, names: tuple[str, ...]) -> CrmRecord:
        """The record's properties under the names conditions use."""
        mapped = self._read[record.kind]
        props: list[tuple[str, str]] = []
        for name in names:
            if name == OWNER_TEAM:
                owners = (record.owner_id or "", record.prop(QUEUE_OWNER) or "")
                team = next(
                    (self.mapping.queues[o] for o in owners if o in self.mapping.queues), ""
                )
                if team:
                    props.append((name, team))
                continue
            value = record.prop(mapped.get(name, name))
            if value is not None:
                props.append((name, value))
        return replace(record, properties=tuple(props))

    def property_names(self, kind: str) -> frozenset[str] | None:
        return self.inner.property_names(kind)

    def owners(self) -> list[Owner]:
        return self.inner.owners()

    def upsert_person(self, person: Person) -> str:
        written = {
            self.mapping.write[name]: value
            for name, value in person.fields.items()
            if name in self.mapping.write and value
        }
        return self.inner.upsert_person(replace(person, properties=written))

    def create_meeting(self, meeting: MeetingActivity) -> str:
        return self.inner.create_meeting(meeting)
