"""Target accounts as saved CRM queries: a named list whose values are the domains of the
CRM's companies matching a condition (``lists: [{name, query: {companies: ...,
refresh_minutes}}]``), refreshed on a schedule by the worker (docs/workspace.md, "lists")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from leadrail.routing.conditions import Condition, evaluate, load_condition
from leadrail.routing.model import Prospect


@dataclass(frozen=True)
class QueryList:
    name: str
    companies: Mapping[str, object]  # the condition over company fields, as data
    refresh_minutes: int
    refreshed_at: datetime | None


@dataclass(frozen=True)
class Company:
    """A CRM company as a query sees it: its domains and its fields by lower-case name
    (``name``, ``owner``, ``tier`` and its properties)."""

    domains: tuple[str, ...]
    fields: Mapping[str, str]


class TargetListsRepo(Protocol):
    def query_lists(self) -> list[QueryList]: ...

    def store_list(self, name: str, values: list[str], now: datetime) -> bool:
        """Keep the list's values (and when they were read); True when they changed (the
        workspace's revision moves on then, so every router sees them)."""
        ...


class CompanySource(Protocol):
    def companies(self) -> Iterable[Company]:
        """Every company of the CRM, with its fields (the built-in CRM's)."""
        ...


@dataclass(frozen=True)
class Refreshed:
    name: str
    domains: int
    changed: bool


def matching_domains(condition: Condition, companies: Iterable[Company]) -> list[str]:
    """The domains of the companies the condition holds for, sorted."""
    found: set[str] = set()
    for company in companies:
        first = company.domains[0] if company.domains else ""
        seen = Prospect("", first, False, {**company.fields, "domain": first})
        if company.domains and evaluate(condition, seen, {}):
            found.update(company.domains)
    return sorted(found)


def due(lists: Iterable[QueryList], now: datetime) -> list[QueryList]:
    return [
        x
        for x in lists
        if x.refreshed_at is None or now - x.refreshed_at >= timedelta(minutes=x.refresh_minutes)
    ]


def refresh_lists(
    repo: TargetListsRepo, source: CompanySource, now: datetime, *, force: bool = False
) -> list[Refreshed]:
    """Refresh the query lists that are due (all of them with ``force``), reading the CRM's
    companies once."""
    lists = repo.query_lists()
    todo = lists if force else due(lists, now)
    if not todo:
        return []
    companies = list(source.companies())
    out = []
    for x in todo:
        domains = matching_domains(load_condition(dict(x.companies)), companies)
        out.append(Refreshed(x.name, len(domains), repo.store_list(x.name, domains, now)))
    return out
