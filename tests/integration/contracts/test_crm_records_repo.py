"""The built-in CRM's records (SQLite, PostgreSQL and tests/fakes/ alike): one contact or lead
per e-mail (a second write updates it), listed in the order created and paged by id, deleted
once; a company found by its domain or a parent domain of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leadrail.app.crm_import import CompanyRow, PersonRow
from tests.fakes import FakeCrmRecords

from .conftest import KINDS, each_store

CTO = PersonRow("cto@bigco.test", "OWN-1", "Chris", "BigCo")


@pytest.fixture(params=KINDS)
def crm(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from each_store(request, FakeCrmRecords, lambda c: c.crm)


def test_a_person_is_created_then_updated_by_email(crm: Any) -> None:
    created, is_new = crm.put_person("contacts", CTO)
    assert is_new is True
    assert created == {"id": created["id"], "email": "cto@bigco.test", "owner": "OWN-1",
                       "name": "Chris", "company": "BigCo"}  # fmt: skip
    moved = PersonRow("cto@bigco.test", "OWN-2", "Chris", "BigCo")
    updated, is_new = crm.put_person("contacts", moved)
    assert (is_new, updated["id"], updated["owner"]) == (False, created["id"], "OWN-2")
    assert crm.person("contacts", int(created["id"])) == updated
    assert crm.people("leads", email=None, owner=None, after=0, limit=10) == []  # kept apart


def test_people_are_filtered_and_paged_in_the_order_created(crm: Any) -> None:
    emails = [f"p{n}@bigco.test" for n in range(5)]
    created, updated = crm.import_people(
        "leads", [PersonRow(e, f"OWN-{n % 2}", None, None) for n, e in enumerate(emails)]
    )
    assert (created, updated) == (5, 0)
    first = crm.people("leads", email=None, owner=None, after=0, limit=3)
    rest = crm.people("leads", email=None, owner=None, after=int(first[-1]["id"]), limit=3)
    assert [p["email"] for p in first + rest] == emails
    owned = crm.people("leads", email=None, owner="OWN-1", after=0, limit=10)
    assert [p["email"] for p in owned] == ["p1@bigco.test", "p3@bigco.test"]
    (one,) = crm.people("leads", email="p2@bigco.test", owner=None, after=0, limit=10)
    assert crm.delete_person("leads", int(one["id"])) is True
    assert crm.delete_person("leads", int(one["id"])) is False
    assert crm.person("leads", int(one["id"])) is None


def test_a_company_is_found_by_its_domain_or_a_parent_domain(crm: Any) -> None:
    rows = [CompanyRow(("bigco.test", "bigco.example"), "BigCo", "OWN-1", "enterprise"),
            CompanyRow(("eu.bigco.test",), "BigCo EU", "OWN-2", None)]  # fmt: skip
    assert crm.import_companies(rows) == (2, 0)
    big, eu = crm.company_for_domain("bigco.test"), crm.company_for_domain("eu.bigco.test")
    assert crm.company_for_domain("sales.bigco.test") == big
    assert crm.company_for_domain("paris.eu.bigco.test") == eu != big  # the longest match
    assert crm.company_for_domain("acme.test") is None
    (company,) = crm.companies(after=0, limit=10, only=big)
    assert company == {"id": str(big), "domains": ["bigco.example", "bigco.test"],
                       "name": "BigCo", "owner": "OWN-1", "tier": "enterprise"}  # fmt: skip
    assert crm.delete_company(big) is True
    assert crm.company_for_domain("bigco.test") is None
    assert [c["name"] for c in crm.companies(after=0, limit=10)] == ["BigCo EU"]
