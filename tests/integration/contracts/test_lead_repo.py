"""The lead store's promises (SQLite, PostgreSQL and tests/fakes/ alike): a lead saved with
its deliveries reads back by id and by its site's Idempotency-Key, and a second lead with the
same key on the same site is refused (the form answers with the first one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from leadrail.app.ports import DuplicateLead
from leadrail.leads.destinations import Target
from leadrail.leads.model import Customer, Lead
from tests.fakes import FakeLeadRepo

from .conftest import KINDS, T0, each_store

SERVICE = Target("service@dealer.test", "text")
HOOK = Target("https://crm.dealer.test/hook", "json")
LEAD = Lead(id="lead-1", created_at=T0, category="Service", site="dealer-site",
            customer=Customer(first_name="Zoë", email="zoe@example.test"))  # fmt: skip


@pytest.fixture(params=KINDS)
def repo(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from each_store(request, FakeLeadRepo, lambda c: c.leads)


def shape(stored: Any) -> tuple[Any, ...]:
    sent = sorted((d["destination"], d["format"], d["status"]) for d in stored.deliveries)
    return stored.id, stored.site, stored.data["customer"]["email"], stored.trace, sent


def test_a_saved_lead_reads_back_by_id_and_key(repo: Any) -> None:
    trace = ["category 'Service' -> service@dealer.test"]
    saved = repo.save_lead(LEAD, key="k-1", trace=trace, targets=[SERVICE, HOOK], now=T0)
    expected = (
        "lead-1",
        "dealer-site",
        "zoe@example.test",
        trace,
        [
            ("https://crm.dealer.test/hook", "json", "pending"),
            ("service@dealer.test", "text", "pending"),
        ],
    )  # fmt: skip (deliveries in no promised order: sorted)
    assert shape(saved) == expected
    assert shape(repo.lead("lead-1")) == expected
    assert shape(repo.lead_by_key("dealer-site", "k-1")) == expected
    assert repo.lead_by_key("dealer-site", "k-2") is None
    assert repo.lead_by_key("other-site", "k-1") is None
    assert repo.lead("no-such-lead") is None


def test_a_duplicate_key_is_refused_and_the_first_lead_kept(repo: Any) -> None:
    repo.save_lead(LEAD, key="k-1", trace=[], targets=[SERVICE], now=T0)
    again = replace(LEAD, id="lead-2", customer=Customer(email="someone@else.test"))
    with pytest.raises(DuplicateLead):
        repo.save_lead(again, key="k-1", trace=[], targets=[SERVICE], now=T0)
    assert repo.lead("lead-2") is None
    assert repo.lead_by_key("dealer-site", "k-1").id == "lead-1"


def test_the_same_key_on_another_site_or_no_key_is_a_new_lead(repo: Any) -> None:
    repo.save_lead(LEAD, key="k-1", trace=[], targets=[SERVICE], now=T0)
    elsewhere = replace(LEAD, id="lead-2", site="other-site")
    repo.save_lead(elsewhere, key="k-1", trace=[], targets=[SERVICE], now=T0)
    assert repo.lead_by_key("other-site", "k-1").id == "lead-2"
    for n in (3, 4):
        repo.save_lead(replace(LEAD, id=f"lead-{n}"), key=None, trace=[], targets=[], now=T0)
    assert repo.lead("lead-4").deliveries == []
