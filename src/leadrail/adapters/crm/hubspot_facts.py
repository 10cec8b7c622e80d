"""HubSpot's CRM facts for routing conditions: contacts and companies with the properties a
router reads, and the open deals associated with them.

- Properties are read by their HubSpot internal names (``lifecyclestage``, ``industry``, a
  custom ``tier``); the workspace's field mapping turns condition names into those.
- Deals: ``POST /crm/v3/objects/deals/search`` with one filter group per contact or company
  found (``associations.contact`` / ``associations.company`` EQ its id) and
  ``hs_is_closed`` EQ false: open deals only. HubSpot takes at most 5 filter groups; the
  contact's and the most specific companies come first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord, Opportunity

Filters = list[dict[str, Any]]
# (object type, filter groups: any group holds when all its filters do, properties) -> rows
Search = Callable[[str, list[Filters], list[str]], list[dict[str, Any]]]
OWNER = "hubspot_owner_id"
MAX_FILTER_GROUPS = 5  # HubSpot's search limit
DEAL_PROPERTIES = ["dealname", "dealstage", "amount", OWNER, "hs_is_closed"]


@dataclass(frozen=True)
class Where:
    """Where this portal keeps what lookups read: the owner property (a custom owner field
    instead of ``hubspot_owner_id``) and more company properties holding domains
    (``hs_additional_domains``: ``;``-separated, searched with ``CONTAINS_TOKEN``)."""

    owner: str = OWNER
    company_domains: tuple[str, ...] = ()


def lookup_facts(
    search: Search,
    email: str,
    candidates: Sequence[str],
    domain: str,
    want: CrmWant,
    where: Where = Where(),
) -> CrmFound:
    """Contacts by e-mail and companies by ``candidates`` (the domain and its parents), with
    the properties ``want`` names, and their open deals when asked."""
    owner = where.owner
    records: list[CrmRecord] = []
    if email:
        for row in search("contacts", [[_eq("email", email)]], ["email", owner, *want.contact]):
            props = _props(row, want.contact)
            records.append(CrmRecord("contact", row["id"], email, _owner(row, owner), True, props))
    if candidates:
        found = [(_matched(row, candidates, where) or domain, row)
                 for row in _companies(search, candidates, want, where)]  # fmt: skip
        found.sort(key=lambda pair: (-len(pair[0]), pair[1]["id"]))  # most specific first
        records += [
            CrmRecord("company", r["id"], d, _owner(r, owner), False, _props(r, want.company))
            for d, r in found
        ]
    deals = _deals(search, records) if want.opportunities else ()
    return CrmFound(tuple(records), deals)


def _companies(
    search: Search, candidates: Sequence[str], want: CrmWant, where: Where
) -> list[dict[str, Any]]:
    groups = [[_in("domain", candidates)]]
    groups += [
        [{"propertyName": p, "operator": "CONTAINS_TOKEN", "value": c}]
        for p in where.company_domains
        for c in candidates
    ]
    props = ["domain", *where.company_domains, where.owner, *want.company]
    return search("companies", groups[:MAX_FILTER_GROUPS], props)


def _matched(row: dict[str, Any], candidates: Sequence[str], where: Where) -> str | None:
    """The candidate domain this company holds (its primary domain first)."""
    primary = prop(row, "domain").lower().removeprefix("www.")
    if primary in candidates:
        return primary
    for name in where.company_domains:
        tokens = [t.strip().lower().removeprefix("www.") for t in prop(row, name).split(";")]
        hit = next((c for c in candidates if c in tokens), None)
        if hit:
            return hit
    return None


def _deals(search: Search, records: list[CrmRecord]) -> tuple[Opportunity, ...]:
    groups = [[_eq(f"associations.{r.kind}", r.id), _eq("hs_is_closed", "false")] for r in records][
        :MAX_FILTER_GROUPS
    ]
    if not groups:
        return ()
    rows = search("deals", groups, DEAL_PROPERTIES)
    return tuple(
        Opportunity(
            row["id"],
            owner_of(row),
            prop(row, "dealname"),
            prop(row, "dealstage"),
            prop(row, "amount"),
        )
        for row in rows
    )


def _eq(prop: str, value: str) -> dict[str, Any]:
    return {"propertyName": prop, "operator": "EQ", "value": value}


def _in(prop: str, values: Sequence[str]) -> dict[str, Any]:
    return {"propertyName": prop, "operator": "IN", "values": list(values)}


def prop(row: Mapping[str, Any], name: str) -> str:
    """A search result's property as trimmed text ("" when absent)."""
    props = row.get("properties")
    value = props.get(name) if isinstance(props, dict) else None
    return str(value).strip() if value is not None else ""


def owner_of(row: Mapping[str, Any]) -> str | None:
    return prop(row, OWNER) or None


def _owner(row: Mapping[str, Any], owner: str) -> str | None:
    return prop(row, owner) or None


def _props(row: dict[str, Any], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((n, v) for n in names if (v := prop(row, n)))
