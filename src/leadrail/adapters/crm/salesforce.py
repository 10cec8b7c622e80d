"""Salesforce connector: owners of contacts, leads and accounts for routing, and contacts,
leads and meetings (Events) written back after a booking. REST API + SOQL; the HTTP policy
(OAuth refresh, retries, errors) lives in ``salesforce_http``."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx
from cachetools import TTLCache

from leadrail.adapters.crm.base import CrmError, MeetingActivity, Owner, Person, PersonKind
from leadrail.adapters.crm.salesforce_facts import FIELD, lookup_facts
from leadrail.adapters.crm.salesforce_facts import text_of as _field
from leadrail.adapters.crm.salesforce_http import (
    SalesforceHttp,
    SalesforceSettings,
    json_body,
    soql_like,
    soql_string,
)
from leadrail.adapters.outbound import Outbound
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord

__all__ = ["SalesforceConnector", "SalesforceSettings", "website_domain"]

NOT_PROVIDED = "[not provided]"  # for required fields leadrail does not know
MAX_PAGES = 500  # query pages followed (2,000 records each at most)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(//)?")
_LOOKUP_LIMIT = 10  # records of each kind per e-mail / domain
_PEOPLE: tuple[tuple[PersonKind, str], ...] = (
    ("contact", "Contact WHERE"),
    ("lead", "Lead WHERE IsConverted = false AND"),  # a converted lead is now a contact
)


def website_domain(website: str) -> str:
    """An Account Website as a bare domain: 'HTTPS://www.Acme.com:443/about' -> 'acme.com'."""
    site = _SCHEME.sub("", website.strip().lower()).lstrip("/")
    site = re.split(r"[/?#]", site, maxsplit=1)[0]
    site = site.rpartition("@")[2].partition(":")[0].rstrip(".")
    return site.removeprefix("www.")


def parent_domains(domain: str) -> list[str]:
    """'eu.sales.acme.com' -> itself, 'sales.acme.com', 'acme.com' (never a bare TLD)."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def _sf_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("meeting times must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value if isinstance(value, str) and value else None


class SalesforceConnector:
    """The CrmConnector port over one Salesforce org."""

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        outbound: Outbound | None = None,
        owner_field: str = "OwnerId",
    ) -> None:
        """Without ``client``, calls go through ``outbound`` (the guard for user-typed URLs;
        the instance URL Salesforce sends back included)."""
        self._http = SalesforceHttp(settings, client, sleep, outbound)
        if not FIELD.fullmatch(owner_field):
            raise ValueError(f"{owner_field!r} is not a Salesforce field name")
        self.owner_field = owner_field  # a custom owner field (a lookup to User) or OwnerId
        self._cache: TTLCache[tuple[str, str], tuple[CrmRecord, ...]] | None = None
        if settings.cache_seconds > 0:
            self._cache = TTLCache(maxsize=4096, ttl=settings.cache_seconds)
        self._facts: TTLCache[tuple[str, str, CrmWant], CrmFound] | None = None
        if settings.cache_seconds > 0:
            self._facts = TTLCache(maxsize=4096, ttl=settings.cache_seconds)
        self._cache_lock = threading.Lock()

    def close(self) -> None:
        """Close the HTTP client this connector made (an injected client stays open)."""
        self._http.close()

    def __enter__(self) -> SalesforceConnector:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- reads ------------------------------------------------------------------------------

    def lookup(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        email = email.strip()
        domain = domain.strip().lower().rstrip(".")
        key = (email.lower(), domain)
        if self._cache is not None:
            with self._cache_lock:
                hit = self._cache.get(key)
            if hit is not None:
                return hit
        records = (*self._people(email), *self._companies(domain))
        if self._cache is not None:
            with self._cache_lock:
                self._cache[key] = records
        return records

    def lookup_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        """See ``salesforce_facts`` (cached like ``lookup``)."""
        email, domain = email.strip(), domain.strip().lower().rstrip(".")
        key = (email.lower(), domain, want)
        if self._facts is not None:
            with self._cache_lock:
                hit = self._facts.get(key)
            if hit is not None:
                return hit
        found = lookup_facts(
            self._query, email, parent_domains(domain), website_domain, want, self.owner_field
        )
        if self._facts is not None:
            with self._cache_lock:
                self._facts[key] = found
        return found

    def property_names(self, kind: str) -> frozenset[str] | None:
        """The fields of Contact, Lead or Account (``sobjects/X/describe``), lower-cased."""
        sobject = {"contact": "Contact", "lead": "Lead", "company": "Account"}[kind]
        data = json_body(
            self._http.request("GET", self._http.data_path(f"sobjects/{sobject}/describe"))
        )
        fields = data.get("fields") if isinstance(data, dict) else None
        if not isinstance(fields, list):
            raise CrmError(f"Salesforce described {sobject} without fields", retryable=True)
        return frozenset(str(f.get("name", "")).lower() for f in fields if isinstance(f, dict))

    def owners(self) -> list[Owner]:
        rows = self._query("SELECT Id, Email FROM User WHERE IsActive = true ORDER BY Id")
        out: list[Owner] = []
        for row in rows:
            user_id, email = _text(row, "Id"), _text(row, "Email")
            if user_id and email:
                out.append(Owner(user_id, email.strip().lower()))
        return out

    def _people(self, email: str) -> list[CrmRecord]:
        if not email:
            return []
        out: list[CrmRecord] = []
        for kind, where in _PEOPLE:
            soql = (
                f"SELECT Id, {self.owner_field} FROM {where} Email = {soql_string(email)}"
                f" ORDER BY CreatedDate ASC LIMIT {_LOOKUP_LIMIT}"
            )
            for row in self._query(soql):
                if record_id := _text(row, "Id"):
                    owner = _field(row, self.owner_field)
                    out.append(CrmRecord(kind, record_id, email, owner, exact=True))
        return out

    def _companies(self, domain: str) -> list[CrmRecord]:
        """Accounts whose Website is this domain or a parent of it, the most specific first.
        The LIKE patterns anchor each candidate at the start of the host (bare, www., or after
        a scheme); the exact test is made here, on the normalised Website."""
        candidates = parent_domains(domain)
        if not candidates:
            return []
        patterns = [
            soql_like(before, candidate, "%")
            for candidate in candidates
            for before in ("", "www.", "%://", "%://www.")
        ]
        where = " OR ".join(f"Website LIKE {p}" for p in patterns)
        rows = self._query(
            f"SELECT Id, {self.owner_field}, Website FROM Account WHERE ({where})"
            f" ORDER BY CreatedDate ASC LIMIT {_LOOKUP_LIMIT * 20}"
        )
        found: list[CrmRecord] = []
        for row in rows:
            site = website_domain(_text(row, "Website") or "")
            record_id = _text(row, "Id")
            if record_id and site in candidates:
                owner = _field(row, self.owner_field)
                found.append(CrmRecord("company", record_id, site, owner, False))
        found.sort(key=lambda r: -len(r.matched_on))
        return found[:_LOOKUP_LIMIT]

    def _query(self, soql: str) -> list[dict[str, Any]]:
        """Every record of a SOQL query, following ``nextRecordsUrl``."""
        page = self._page(
            self._http.request("GET", self._http.data_path("query"), params={"q": soql})
        )
        records = list(page["records"])
        for _ in range(MAX_PAGES):
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not isinstance(next_url, str):
                return records
            page = self._page(self._http.request("GET", self._http.local_path(next_url)))
            records.extend(page["records"])
        raise CrmError(f"query has more than {MAX_PAGES} pages", retryable=False)

    @staticmethod
    def _page(resp: httpx.Response) -> dict[str, Any]:
        data = json_body(resp)
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            raise CrmError("Salesforce answered a query without records", retryable=True)
        data["records"] = [r for r in data["records"] if isinstance(r, dict)]
        return data

    # -- writes -----------------------------------------------------------------------------

    def upsert_person(self, person: Person) -> str:
        """Find the contact (or open lead) by e-mail: PATCH the fields leadrail knows, or
        POST a new one (required fields leadrail lacks are set to "[not provided]")."""
        email = person.email.strip()
        if not email:
            raise CrmError("a person needs an e-mail address", retryable=False)
        sobject = "Contact" if person.kind == "contact" else "Lead"
        open_only = " AND IsConverted = false" if sobject == "Lead" else ""
        rows = self._query(
            f"SELECT Id FROM {sobject} WHERE Email = {soql_string(email)}{open_only}"
            " ORDER BY CreatedDate ASC LIMIT 1"
        )
        fields: dict[str, Any] = {
            "FirstName": person.first_name.strip(),
            "LastName": person.last_name.strip(),
            "Email": email,
            "OwnerId": person.owner_id or "",
        }
        if sobject == "Lead":
            fields["Company"] = person.company.strip()
        fields.update({k: v for k, v in person.properties.items() if k not in fields})
        known = {name: value for name, value in fields.items() if value}
        existing = _text(rows[0], "Id") if rows else None
        try:
            if existing:
                path = self._http.data_path(f"sobjects/{sobject}/{existing}")
                self._http.request("PATCH", path, body=known)
                return existing
            known.setdefault("LastName", NOT_PROVIDED)
            if sobject == "Lead":
                known.setdefault("Company", NOT_PROVIDED)
            return self._create(sobject, known)
        finally:
            self._forget(email)

    def create_meeting(self, meeting: MeetingActivity) -> str:
        """Log the meeting as an Event on the contact or lead (WhoId), owned by the rep."""
        body: dict[str, Any] = {
            "WhoId": meeting.record_id,
            "Subject": meeting.title[:255],
            "StartDateTime": _sf_datetime(meeting.start),
            "EndDateTime": _sf_datetime(meeting.end),
        }
        if meeting.owner_id:
            body["OwnerId"] = meeting.owner_id
        if meeting.body:
            body["Description"] = meeting.body[:32000]
        return self._create("Event", body)

    def _create(self, sobject: str, body: dict[str, Any]) -> str:
        resp = self._http.request("POST", self._http.data_path(f"sobjects/{sobject}"), body=body)
        data = json_body(resp)
        record_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(record_id, str) or not record_id or data.get("success") is False:
            raise CrmError(f"Salesforce did not create the {sobject}", retryable=False)
        return record_id

    def _forget(self, email: str) -> None:
        """Drop cached lookups of this e-mail (its record or owner is about to change)."""
        if self._cache is None:
            return
        with self._cache_lock:
            for key in [k for k in self._cache if k[0] == email.lower()]:
                self._cache.pop(key, None)
            for found in [k for k in self._facts or {} if k[0] == email.lower()]:
                self._facts.pop(found, None)  # type: ignore[union-attr]
