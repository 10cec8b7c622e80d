"""Salesforce's CRM facts for routing conditions: contacts, open leads and accounts with the
fields a router reads, and the open Opportunities of the account(s) found.

- Fields are read by their API names (``Industry``, a custom ``Tier__c``: SOQL names are
  case-insensitive); a name that cannot be a Salesforce field (``-`` or ``.`` in it) is never
  asked for, so the fact is missing.
- Opportunities: ``IsClosed = false`` on the accounts found by website and the contact's
  ``AccountId``, oldest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from leadrail.adapters.crm.salesforce_http import soql_like, soql_string
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord, Opportunity, RecordKind

Query = Callable[[str], list[dict[str, Any]]]
FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")
LIMIT = 10
_PEOPLE: tuple[tuple[RecordKind, str, str], ...] = (
    ("contact", "Contact", "Email = {email}"),
    ("lead", "Lead", "IsConverted = false AND Email = {email}"),
)


def soql_fields(names: Sequence[str]) -> list[str]:
    """The names that can be Salesforce field names."""
    return [n for n in names if FIELD.fullmatch(n)]


def website_patterns(candidates: Sequence[str]) -> str:
    return " OR ".join(
        f"Website LIKE {soql_like(before, candidate, '%')}"
        for candidate in candidates
        for before in ("", "www.", "%://", "%://www.")
    )


def lookup_facts(
    query: Query,
    email: str,
    candidates: Sequence[str],
    site_of: Callable[[str], str],
    want: CrmWant,
    owner: str = "OwnerId",
) -> CrmFound:
    """Records with the fields ``want`` names, and open opportunities when it asks."""
    records: list[CrmRecord] = []
    accounts: list[str] = []
    for kind, sobject, where in _PEOPLE if email else ():
        extra = soql_fields(want.properties(kind))
        parent = ["AccountId"] if kind == "contact" else []
        select = ", ".join(["Id", owner, *parent, *extra])
        rows = query(
            f"SELECT {select} FROM {sobject} WHERE {where.format(email=soql_string(email))}"
            f" ORDER BY CreatedDate ASC LIMIT {LIMIT}"
        )
        for row in rows:
            if record_id := _text(row, "Id"):
                props = _props(row, extra)
                records.append(CrmRecord(kind, record_id, email, text_of(row, owner), True, props))
                if account := _text(row, "AccountId"):
                    accounts.append(account)
    if candidates:
        extra = soql_fields(want.company)
        select = ", ".join(["Id", owner, "Website", *extra])
        rows = query(
            f"SELECT {select} FROM Account WHERE ({website_patterns(candidates)})"
            f" ORDER BY CreatedDate ASC LIMIT {LIMIT * 20}"
        )
        found = []
        for row in rows:
            site, record_id = site_of(_text(row, "Website") or ""), _text(row, "Id")
            if record_id and site in candidates:
                held_by = text_of(row, owner)
                found.append(
                    CrmRecord("company", record_id, site, held_by, False, _props(row, extra))
                )
        found.sort(key=lambda r: -len(r.matched_on))
        records += found[:LIMIT]
        accounts += [r.id for r in found[:LIMIT]]
    opportunities = _opportunities(query, accounts) if want.opportunities else ()
    return CrmFound(tuple(records), opportunities)


def _opportunities(query: Query, accounts: list[str]) -> tuple[Opportunity, ...]:
    ids = list(dict.fromkeys(accounts))
    if not ids:
        return ()
    which = " OR ".join(f"AccountId = {soql_string(i)}" for i in ids)
    rows = query(
        "SELECT Id, Name, OwnerId, StageName, Amount FROM Opportunity"
        f" WHERE IsClosed = false AND ({which}) ORDER BY CreatedDate ASC LIMIT {LIMIT}"
    )
    return tuple(
        Opportunity(
            str(row["Id"]),
            _text(row, "OwnerId"),
            _text(row, "Name") or "",
            _text(row, "StageName") or "",
            _value(row.get("Amount")),
        )
        for row in rows
        if _text(row, "Id")
    )


def text_of(row: dict[str, Any], name: str) -> str | None:
    """A field's text by name, whatever its case in the answer (None when empty)."""
    value = row.get(name)
    if value is None:
        value = next((v for k, v in row.items() if k.lower() == name.lower()), None)
    return value if isinstance(value, str) and value else None


def _text(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    return value if isinstance(value, str) and value else None


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _props(row: dict[str, Any], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The fields by the names asked for (Salesforce answers with its own case)."""
    by_name = {k.lower(): v for k, v in row.items()}
    return tuple((n, v) for n in names if (v := _value(by_name.get(n.lower()))))
