"""The HubSpot connector: owner lookups for routing, contacts and meetings written back after a
booking. HubSpot's public CRM v3 API (``/crm/v3/objects/...``, ``/crm/v3/owners``); the HTTP
policy (auth, OAuth refresh, retries) is in ``hubspot_http``.

How leadrail's records map onto HubSpot:

- Contacts: found by exact ``email`` (search, ``EQ``); owner from ``hubspot_owner_id`` (or
  the workspace mapping's ``owner_field``).
- Companies: found by ``domain`` and its parent domains (``eu.bigco.test`` also tries
  ``bigco.test``), the most specific first; never an exact match. The primary ``domain``
  property is searched, and the mapping's ``company_domains`` (``hs_additional_domains``).
- Leads: **not looked up.** HubSpot's lead object (newer portals) has no e-mail of its own: a
  lead hangs off a contact through an association, so the contact found by e-mail already
  carries the relationship's owner. ``lookup`` returns no ``"lead"`` records.
- Writing a ``Person`` of kind ``"lead"``: upserts the *contact* with ``lifecyclestage=lead``
  (only when the contact has no stage yet or is a ``subscriber``: HubSpot stages move forward,
  and a customer must not be turned back into a lead). No HubSpot lead object is created.
- Meetings: a meeting engagement associated with the contact (type 200, meeting to contact,
  ``HUBSPOT_DEFINED``); leadrail's meeting id goes in ``hs_internal_meeting_notes``.

Lookups are cached per (email, domain) for ``cache_seconds`` (per connector instance) so that
routing stays fast; upserting a person forgets the cached lookups of that e-mail.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from cachetools import TTLCache

from leadrail.adapters.crm.base import CrmError, MeetingActivity, Owner, Person
from leadrail.adapters.crm.hubspot_facts import Where, lookup_facts
from leadrail.adapters.crm.hubspot_facts import prop as _prop
from leadrail.adapters.crm.hubspot_http import PURPOSE, HubSpotHttp, HubSpotSettings
from leadrail.adapters.outbound import Outbound
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord

if TYPE_CHECKING:
    from leadrail.adapters.crm.base import CrmConnector

__all__ = ["MEETING_TO_CONTACT", "HubSpotConnector", "HubSpotSettings", "parent_domains"]

MEETING_TO_CONTACT = 200  # HubSpot-defined association type: meeting -> contact
OWNER = "hubspot_owner_id"
PAGE_SIZE = 100  # the search endpoints' largest page
MAX_SEARCH_PAGES = 10  # a lookup never reads more than this many pages
CACHE_ENTRIES = 4096
_EARLIER_STAGES = frozenset({"", "subscriber"})  # lifecycle stages that may become "lead"
_EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")

Key = tuple[str, str]


def parent_domains(domain: str) -> list[str]:
    """``eu.sales.bigco.test`` -> itself, ``sales.bigco.test``, ``bigco.test`` (two labels at
    least: a subdomain of a company's domain belongs to the company)."""
    labels = [label for label in domain.strip().lower().rstrip(".").split(".") if label]
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


class HubSpotConnector:
    """``CrmConnector`` for HubSpot. Thread-safe; ``close()`` it (or use ``with``) when it made
    its own ``httpx.Client`` (through ``outbound``, the guard for user-typed URLs)."""

    def __init__(
        self,
        settings: HubSpotSettings,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        outbound: Outbound | None = None,
        where: Where | None = None,
    ) -> None:
        self.settings = settings
        self.where = where or Where()
        self._owns_client = client is None
        self._client = client or (outbound or Outbound()).http_client(PURPOSE)
        self._http = HubSpotHttp(settings, self._client, sleep)
        self._cache: TTLCache[Key, tuple[CrmRecord, ...]] | None = None
        if settings.cache_seconds > 0:
            self._cache = TTLCache(maxsize=CACHE_ENTRIES, ttl=settings.cache_seconds)
        self._facts: TTLCache[tuple[str, str, CrmWant], CrmFound] | None = None
        if settings.cache_seconds > 0:
            self._facts = TTLCache(maxsize=CACHE_ENTRIES, ttl=settings.cache_seconds)
        self._cache_lock = threading.Lock()

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> HubSpotConnector:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- lookups -------------------------------------------------------------------------

    def lookup(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        key = (email.strip().lower(), domain.strip().lower().rstrip("."))
        if self._cache is not None:
            with self._cache_lock:
                cached = self._cache.get(key)
            if cached is not None:
                return cached
        records = self._lookup(key[0], key[1], CrmWant()).records
        if self._cache is not None:
            with self._cache_lock:
                self._cache[key] = records
        return records

    def lookup_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        """See ``hubspot_facts`` (cached like ``lookup``)."""
        key = (email.strip().lower(), domain.strip().lower().rstrip("."), want)
        if self._facts is not None:
            with self._cache_lock:
                cached = self._facts.get(key)
            if cached is not None:
                return cached
        found = self._lookup(key[0], key[1], want)
        if self._facts is not None:
            with self._cache_lock:
                self._facts[key] = found
        return found

    def _lookup(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        candidates = parent_domains(domain)
        return lookup_facts(self._search_any, email, candidates, domain, want, self.where)

    def _search(
        self, kind: str, filters: list[dict[str, Any]], properties: list[str]
    ) -> list[dict[str, Any]]:
        return list(self._search_pages(kind, [filters], properties))

    def _search_any(
        self, kind: str, groups: list[list[dict[str, Any]]], properties: list[str]
    ) -> list[dict[str, Any]]:
        """Records matching any of the filter groups (all filters of a group)."""
        return list(self._search_pages(kind, groups, properties))

    def _search_pages(
        self, kind: str, groups: list[list[dict[str, Any]]], properties: list[str]
    ) -> Iterator[dict[str, Any]]:
        body: dict[str, Any] = {
            "filterGroups": [{"filters": filters} for filters in groups],
            "properties": properties,
            "limit": PAGE_SIZE,
        }
        for _ in range(MAX_SEARCH_PAGES):
            page = self._http.call("POST", f"/crm/v3/objects/{kind}/search", body=body)
            yield from _rows(page)
            after = _next_after(page)
            if after is None:
                return
            body = {**body, "after": after}

    def property_names(self, kind: str) -> frozenset[str] | None:
        """``GET /crm/v3/properties/{contacts|companies}``; HubSpot has no lead records."""
        objects = {"contact": "contacts", "company": "companies"}
        if kind not in objects:
            return None
        page = self._http.call("GET", f"/crm/v3/properties/{objects[kind]}")
        return frozenset(str(row.get("name", "")).lower() for row in _list(page, "results"))

    def owners(self) -> list[Owner]:
        out: list[Owner] = []
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        while True:
            page = self._http.call("GET", "/crm/v3/owners", params=params)
            for row in _list(page, "results"):
                email = str(row.get("email") or "").strip().lower()
                if row.get("id") is not None and email:  # queues have no e-mail
                    out.append(Owner(id=str(row["id"]), email=email))
            after = _next_after(page)
            if after is None:
                return out
            params = {**params, "after": after}

    # --- writes --------------------------------------------------------------------------

    def upsert_person(self, person: Person) -> str:
        email = person.email.strip().lower()
        if not email:
            raise CrmError("HubSpot: a contact needs an e-mail address", retryable=False)
        found = self._search(
            "contacts", [_filter("email", "EQ", email)], ["email", "lifecyclestage"]
        )
        existing = found[0] if found else None
        props = _person_properties(person, email, self.where.owner)
        if person.kind == "lead" and (
            existing is None or _prop(existing, "lifecyclestage") in _EARLIER_STAGES
        ):
            props["lifecyclestage"] = "lead"
        record_id = self._update(existing["id"], props) if existing else self._create(props)
        self._forget(email)
        return record_id

    def _create(self, props: Mapping[str, str]) -> str:
        try:
            created = self._http.call(
                "POST", "/crm/v3/objects/contacts", body={"properties": props}
            )
        except CrmError as e:
            # created meanwhile (search results lag writes by some seconds): update that one
            match = _EXISTING_ID.search(str(e)) if e.status == 409 else None
            if match is None:
                raise
            return self._update(match.group(1), props)
        return _id_of(created, "contact")

    def _update(self, record_id: str, props: Mapping[str, str]) -> str:
        path = f"/crm/v3/objects/contacts/{quote(record_id, safe='')}"
        updated = self._http.call("PATCH", path, body={"properties": props})
        return str(updated.get("id") or record_id) if isinstance(updated, dict) else record_id

    def create_meeting(self, meeting: MeetingActivity) -> str:
        start, end = _utc_iso(meeting.start), _utc_iso(meeting.end)
        props = {
            "hs_timestamp": start,
            "hs_meeting_title": meeting.title,
            "hs_meeting_start_time": start,
            "hs_meeting_end_time": end,
            "hs_meeting_outcome": "SCHEDULED",
        }
        if meeting.body:
            props["hs_meeting_body"] = meeting.body
        if meeting.owner_id:
            props[OWNER] = meeting.owner_id
        if meeting.external_id:
            props["hs_internal_meeting_notes"] = f"leadrail meeting {meeting.external_id}"
        association = {
            "to": {"id": meeting.record_id},
            "types": [
                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": MEETING_TO_CONTACT}
            ],
        }
        body = {"properties": props, "associations": [association]}
        return _id_of(self._http.call("POST", "/crm/v3/objects/meetings", body=body), "meeting")

    def _forget(self, email: str) -> None:
        if self._cache is None:
            return
        with self._cache_lock:
            for key in [k for k in self._cache if k[0] == email]:
                self._cache.pop(key, None)
            for found in [k for k in self._facts or {} if k[0] == email]:
                self._facts.pop(found, None)  # type: ignore[union-attr]


def _filter(prop: str, operator: str, value: str | Sequence[str]) -> dict[str, Any]:
    if isinstance(value, str):
        return {"propertyName": prop, "operator": operator, "value": value}
    return {"propertyName": prop, "operator": operator, "values": list(value)}


def _person_properties(person: Person, email: str, owner: str = OWNER) -> dict[str, str]:
    """The contact's properties; blanks left out (an empty string would clear the field)."""
    props = {"email": email}
    for name, value in (
        ("firstname", person.first_name),
        ("lastname", person.last_name),
        ("company", person.company),
    ):
        if value.strip():
            props[name] = value.strip()
    if person.owner_id:
        props[owner] = person.owner_id
    props.update({k: v for k, v in person.properties.items() if k not in props and v.strip()})
    return props


def _utc_iso(when: datetime) -> str:
    """``2026-03-02T14:00:00.000Z`` (HubSpot takes UTC ISO 8601 or epoch milliseconds)."""
    if when.tzinfo is None:
        raise ValueError("meeting times must be timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _list(page: Any, key: str) -> list[dict[str, Any]]:
    items = page.get(key) if isinstance(page, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _rows(page: Any) -> list[dict[str, Any]]:
    """Search results with an id, ``id`` made a string."""
    return [{**row, "id": str(row["id"])} for row in _list(page, "results") if row.get("id")]


def _next_after(page: Any) -> str | None:
    paging = page.get("paging") if isinstance(page, dict) else None
    nxt = paging.get("next") if isinstance(paging, dict) else None
    after = nxt.get("after") if isinstance(nxt, dict) else None
    return str(after) if after not in (None, "") else None


def _id_of(answer: Any, what: str) -> str:
    record_id = answer.get("id") if isinstance(answer, dict) else None
    if record_id in (None, ""):
        raise CrmError(f"HubSpot created the {what} but gave no id", retryable=False)
    return str(record_id)


if TYPE_CHECKING:  # HubSpotConnector satisfies the port
    _port: CrmConnector = HubSpotConnector(HubSpotSettings())
