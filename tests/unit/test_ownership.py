from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from leadrail.routing.model import CrmRecord, MatchKind, OwnershipSpec, UserInfo
from leadrail.routing.ownership import OwnerMatch, find_owner
from tests.unit.builders import NOW, TZ, away, record, user, users

ANA, BO = "ana@acme.test", "bo@acme.test"
TEAM = users(user(ANA, crm_owner_id="OWN-1"), user(BO, crm_owner_id="OWN-2"))
ALL_KINDS = OwnershipSpec(enabled=True)

CONTACT = record("contact", "cto@bigco.test", "OWN-1")
LEAD = record("lead", "cto@bigco.test", "OWN-2")
COMPANY = record("company", "bigco.test", "OWN-2", exact=False)


def owner(
    records: Sequence[CrmRecord],
    people: Mapping[str, UserInfo] = TEAM,
    spec: OwnershipSpec = ALL_KINDS,
    *,
    online: bool = False,
) -> OwnerMatch:
    return find_owner(spec, records, people, now=NOW, tz=TZ, require_online=online)


def details(match: OwnerMatch) -> list[str]:
    return [step.detail for step in match.trace]


def test_contact_owner_wins_over_lead_and_company() -> None:
    match = owner([COMPANY, LEAD, CONTACT])
    assert (match.user, match.record) == (ANA, CONTACT)
    assert details(match) == ["contact cto@bigco.test is owned by ana@acme.test (OWN-1): assigned"]


def test_lead_comes_before_company() -> None:
    company = record("company", "bigco.test", "OWN-1", exact=False)
    assert owner([company, LEAD]).user == BO


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        (("contacts",), ANA),
        (("leads",), BO),
        (("companies",), BO),
        ((), None),
    ],
)
def test_only_the_kinds_asked_for_count(match: tuple[MatchKind, ...], expected: str | None) -> None:
    spec = OwnershipSpec(enabled=True, match=match)
    assert owner([COMPANY, LEAD, CONTACT], spec=spec).user == expected


def test_exact_match_ignores_inexact_records_and_so_companies() -> None:
    inexact_contact = record("contact", "cto@bigco.test", "OWN-1", exact=False)
    spec = OwnershipSpec(enabled=True, exact_match=True)
    match = owner([inexact_contact, COMPANY, LEAD], spec=spec)
    assert (match.user, match.record) == (BO, LEAD)
    assert "contact cto@bigco.test ignored: not an exact match" in details(match)
    assert owner([COMPANY], spec=spec).user is None


def test_free_mail_companies_never_match() -> None:
    match = owner([record("company", "gmail.com", "OWN-1", exact=False)])
    assert match.user is None
    assert details(match) == [
        "company gmail.com ignored: a free-mail domain says nothing about the company",
        "no CRM record found (contacts, companies, leads)",
    ]


def test_owner_is_mapped_by_crm_owner_id_then_by_email() -> None:
    by_email = record("contact", "cto@bigco.test", "BO@acme.test")
    match = owner([by_email])
    assert match.user == BO
    assert details(match) == ["contact cto@bigco.test is owned by bo@acme.test: assigned"]


@pytest.mark.parametrize(
    ("people", "online", "reason"),
    [
        (users(BO), False, "owner OWN-1 of contact cto@bigco.test is not a leadrail user"),
        (
            users(user(ANA, crm_owner_id="OWN-1", active=False), BO),
            False,
            "owner ana@acme.test (OWN-1) of contact cto@bigco.test is inactive",
        ),
        (
            users(away(ANA, NOW.date(), NOW.date(), crm_owner_id="OWN-1"), BO),
            False,
            "owner ana@acme.test (OWN-1) of contact cto@bigco.test is on vacation",
        ),
        (
            users(user(ANA, crm_owner_id="OWN-1", online=False), BO),
            True,
            "owner ana@acme.test (OWN-1) of contact cto@bigco.test is offline",
        ),
    ],
)
def test_unavailable_owners_fall_through_to_the_next_record(
    people: dict[str, UserInfo], online: bool, reason: str
) -> None:
    lead = record("lead", "cto@bigco.test", BO)
    match = owner([CONTACT, lead], people, online=online)
    assert (match.user, match.record) == (BO, lead)
    assert details(match) == [reason, "lead cto@bigco.test is owned by bo@acme.test: assigned"]


def test_presence_only_counts_when_asked_and_known() -> None:
    offline = users(user(ANA, crm_owner_id="OWN-1", online=False))
    assert owner([CONTACT], offline).user == ANA
    unknown = users(user(ANA, crm_owner_id="OWN-1", online=None))
    assert owner([CONTACT], unknown, online=True).user == ANA


def test_records_without_owner_are_skipped_and_nobody_is_found() -> None:
    match = owner([record("contact", "cto@bigco.test", None), record("lead", "x@y.test", "OWN-9")])
    assert match == OwnerMatch(None, None, match.trace)
    assert details(match) == [
        "contact cto@bigco.test has no owner",
        "owner OWN-9 of lead x@y.test is not a leadrail user",
        "no CRM record has an available owner",
    ]


def test_no_records() -> None:
    match = owner([])
    assert match.user is None
    assert details(match) == ["no CRM record found (contacts, companies, leads)"]
