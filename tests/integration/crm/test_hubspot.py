"""HubSpotConnector against a fake HubSpot on 127.0.0.1 (fake_hubspot.py): lookups and their
cache, owners' pages, contact upserts, meetings, OAuth refresh and the retry policy."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadrail.adapters.crm.base import CrmError, MeetingActivity, Owner, Person
from leadrail.adapters.crm.hubspot import HubSpotConnector, HubSpotSettings, parent_domains
from leadrail.adapters.outbound import Outbound
from leadrail.routing.model import CrmRecord
from tests.support.net import free_port

from .fake_hubspot import CLIENT_ID, CLIENT_SECRET, FakeHubSpot

Connect = Callable[..., HubSpotConnector]
LOCAL = Outbound.allowing("127.0.0.1")  # the fake HubSpot is a local server: allowed explicitly


class Sleeps(list[float]):
    """The injected ``sleep``: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    yield fake
    fake.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connect(hubspot: FakeHubSpot, sleeps: Sleeps) -> Iterator[Connect]:
    made: list[HubSpotConnector] = []

    def make(**overrides: Any) -> HubSpotConnector:
        options: dict[str, Any] = {
            "base_url": hubspot.url,
            "access_token": hubspot.token,
            "refresh_token": hubspot.refresh_token,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "timeout_seconds": 2.0,
            "max_retries": 3,
        }
        options.update(overrides)
        made.append(HubSpotConnector(HubSpotSettings(**options), sleep=sleeps, outbound=LOCAL))
        return made[-1]

    yield make
    for connector in made:
        connector.close()


# --- lookups ----------------------------------------------------------------------------


def test_lookup_finds_the_contact_by_email_and_the_company_by_domain(
    hubspot: FakeHubSpot, connect: Connect
) -> None:
    contact = hubspot.add_contact("ana@bigco.test", owner="501")
    company = hubspot.add_company("bigco.test", owner="502", name="BigCo")
    hubspot.add_contact("bob@bigco.test", owner="503")

    records = connect().lookup("Ana@BigCo.test", "bigco.test")

    assert records == (
        CrmRecord("contact", contact, "ana@bigco.test", "501", exact=True),
        CrmRecord("company", company, "bigco.test", "502", exact=False),
    )
    contacts, companies = hubspot.api_requests()
    assert contacts.path == "/crm/v3/objects/contacts/search"
    assert contacts.headers["authorization"] == "Bearer tok-1"
    assert contacts.body["filterGroups"] == [
        {"filters": [{"propertyName": "email", "operator": "EQ", "value": "ana@bigco.test"}]}
    ]
    assert "hubspot_owner_id" in contacts.body["properties"]
    assert companies.path == "/crm/v3/objects/companies/search"


def test_a_subdomain_finds_the_parent_companies_most_specific_first(
    hubspot: FakeHubSpot, connect: Connect
) -> None:
    parent = hubspot.add_company("bigco.test", owner="502")
    division = hubspot.add_company("sales.bigco.test", owner="504")
    hubspot.add_company("otherco.test", owner="505")

    records = connect().lookup("", "eu.sales.bigco.test")

    assert records == (
        CrmRecord("company", division, "sales.bigco.test", "504", exact=False),
        CrmRecord("company", parent, "bigco.test", "502", exact=False),
    )
    (search,) = hubspot.api_requests()  # no e-mail: no contact search
    assert search.body["filterGroups"][0]["filters"] == [
        {
            "propertyName": "domain",
            "operator": "IN",
            "values": ["eu.sales.bigco.test", "sales.bigco.test", "bigco.test"],
        }
    ]


def test_no_match_no_owner_and_no_leads(hubspot: FakeHubSpot, connect: Connect) -> None:
    unowned = hubspot.add_contact("cy@smallco.test")
    connector = connect()

    assert connector.lookup("cy@smallco.test", "smallco.test") == (
        CrmRecord("contact", unowned, "cy@smallco.test", None, exact=True),
    )
    assert connector.lookup("nobody@nowhere.test", "nowhere.test") == ()
    assert connector.lookup("", "") == ()
    # leads are not looked up (see the module's docstring)
    assert not [r for r in hubspot.requests if "leads" in r.path]


def test_parent_domains() -> None:
    assert parent_domains("eu.sales.BigCo.test.") == [
        "eu.sales.bigco.test",
        "sales.bigco.test",
        "bigco.test",
    ]
    assert parent_domains("bigco.test") == ["bigco.test"]
    assert parent_domains("localhost") == []


def test_lookups_are_cached_per_email_and_domain(hubspot: FakeHubSpot, connect: Connect) -> None:
    hubspot.add_contact("ana@bigco.test", owner="501")
    connector = connect()

    first = connector.lookup("ana@bigco.test", "bigco.test")
    asked = len(hubspot.requests)
    assert connector.lookup("ANA@bigco.test", "bigco.test") == first
    assert len(hubspot.requests) == asked  # the second lookup made no request

    connector.lookup("bob@bigco.test", "bigco.test")
    assert len(hubspot.requests) == asked + 2
    connect().lookup("ana@bigco.test", "bigco.test")  # another connector: its own cache
    assert len(hubspot.requests) == asked + 4


def test_cached_lookups_expire(hubspot: FakeHubSpot, connect: Connect) -> None:
    connector = connect(cache_seconds=0.2)
    connector.lookup("ana@bigco.test", "bigco.test")
    time.sleep(0.3)
    connector.lookup("ana@bigco.test", "bigco.test")
    assert len(hubspot.requests) == 4

    uncached = connect(cache_seconds=0)
    uncached.lookup("ana@bigco.test", "bigco.test")
    uncached.lookup("ana@bigco.test", "bigco.test")
    assert len(hubspot.requests) == 8


# --- owners -----------------------------------------------------------------------------


def test_owners_reads_every_page(hubspot: FakeHubSpot, connect: Connect) -> None:
    hubspot.owners_page_size = 2
    for n in range(5):
        hubspot.add_owner(f"Rep{n}@Seller.test", owner_id=str(600 + n))
    hubspot.add_owner(None, owner_id="700")  # a queue: no e-mail

    owners = connect().owners()

    assert owners == [Owner(str(600 + n), f"rep{n}@seller.test") for n in range(5)]
    pages = hubspot.api_requests()
    assert [r.query.get("after") for r in pages] == [None, ["2"], ["4"]]
    assert all(r.method == "GET" and r.path == "/crm/v3/owners" for r in pages)


# --- writes -----------------------------------------------------------------------------


def test_upsert_creates_then_updates_the_contact(hubspot: FakeHubSpot, connect: Connect) -> None:
    connector = connect()
    person = Person("contact", "New@BigCo.test", "Ana", "Lima", "BigCo", owner_id="501")

    created = connector.upsert_person(person)

    assert hubspot.contacts[created] == {
        "email": "new@bigco.test",
        "firstname": "Ana",
        "lastname": "Lima",
        "company": "BigCo",
        "hubspot_owner_id": "501",
    }
    assert hubspot.api_requests()[-1].method == "POST"

    updated = connector.upsert_person(Person("contact", "new@bigco.test", first_name="Ana Maria"))

    assert updated == created
    patch = hubspot.api_requests()[-1]
    assert (patch.method, patch.path) == ("PATCH", f"/crm/v3/objects/contacts/{created}")
    # blanks are left out: the last name and the owner stay as they were
    assert patch.body == {"properties": {"email": "new@bigco.test", "firstname": "Ana Maria"}}
    assert hubspot.contacts[created]["lastname"] == "Lima"
    assert hubspot.contacts[created]["hubspot_owner_id"] == "501"


def test_a_lead_is_a_contact_at_the_lead_stage_never_demoted(
    hubspot: FakeHubSpot, connect: Connect
) -> None:
    connector = connect()
    new = connector.upsert_person(Person("lead", "lee@bigco.test", "Lee"))
    assert hubspot.contacts[new]["lifecyclestage"] == "lead"

    customer = hubspot.add_contact("cus@bigco.test", lifecyclestage="customer")
    assert connector.upsert_person(Person("lead", "cus@bigco.test", "Cus")) == customer
    assert hubspot.contacts[customer]["lifecyclestage"] == "customer"
    assert "lifecyclestage" not in hubspot.api_requests()[-1].body["properties"]

    subscriber = hubspot.add_contact("sub@bigco.test", lifecyclestage="subscriber")
    connector.upsert_person(Person("lead", "sub@bigco.test"))
    assert hubspot.contacts[subscriber]["lifecyclestage"] == "lead"


def test_upsert_when_search_has_not_seen_the_contact_yet(
    hubspot: FakeHubSpot, connect: Connect
) -> None:
    existing = hubspot.add_contact("ana@bigco.test")
    hubspot.search_lags = True  # the search index lags: create answers 409 with the id

    assert connect().upsert_person(Person("contact", "ana@bigco.test", owner_id="501")) == existing
    assert [r.method for r in hubspot.api_requests()] == ["POST", "POST", "PATCH"]
    assert hubspot.contacts[existing]["hubspot_owner_id"] == "501"


def test_upsert_forgets_the_cached_lookup(hubspot: FakeHubSpot, connect: Connect) -> None:
    contact = hubspot.add_contact("ana@bigco.test")
    connector = connect()
    assert connector.lookup("ana@bigco.test", "")[0].owner_id is None

    connector.upsert_person(Person("contact", "ana@bigco.test", owner_id="501"))

    assert connector.lookup("ana@bigco.test", "") == (
        CrmRecord("contact", contact, "ana@bigco.test", "501", exact=True),
    )


def test_create_meeting_logs_it_on_the_contact(hubspot: FakeHubSpot, connect: Connect) -> None:
    contact = hubspot.add_contact("ana@bigco.test")
    paris = ZoneInfo("Europe/Paris")
    meeting = MeetingActivity(
        record_id=contact,
        record_kind="contact",
        owner_id="501",
        start=datetime(2026, 3, 2, 15, 0, tzinfo=paris),
        end=datetime(2026, 3, 2, 15, 30, tzinfo=paris),
        title="Intro call",
        body="Booked through leadrail",
        external_id="m-42",
    )

    meeting_id = connect().create_meeting(meeting)

    assert hubspot.meetings[meeting_id] == {
        "properties": {
            "hs_timestamp": "2026-03-02T14:00:00.000Z",
            "hs_meeting_title": "Intro call",
            "hs_meeting_body": "Booked through leadrail",
            "hs_meeting_start_time": "2026-03-02T14:00:00.000Z",
            "hs_meeting_end_time": "2026-03-02T14:30:00.000Z",
            "hs_meeting_outcome": "SCHEDULED",
            "hubspot_owner_id": "501",
            "hs_internal_meeting_notes": "leadrail meeting m-42",
        },
        "associations": [
            {
                "to": {"id": contact},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 200}],
            }
        ],
    }


# --- auth -------------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_once_and_kept(
    hubspot: FakeHubSpot, connect: Connect
) -> None:
    hubspot.add_contact("ana@bigco.test", owner="501")
    connector = connect()
    hubspot.expire()

    assert connector.lookup("ana@bigco.test", "")[0].owner_id == "501"

    refresh = hubspot.requests[1]
    assert (refresh.method, refresh.path) == ("POST", "/oauth/v1/token")
    assert refresh.headers["content-type"] == "application/x-www-form-urlencoded"
    assert refresh.body == {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": "refresh-1",
    }
    assert [r.headers.get("authorization") for r in hubspot.api_requests()] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    connector.owners()
    assert hubspot.api_requests()[-1].headers["authorization"] == "Bearer tok-2"

    hubspot.expire()  # the next refresh uses the refresh token HubSpot handed back
    connector.owners()
    assert hubspot.requests[-2].body["refresh_token"] == "refresh-2"
    assert hubspot.api_requests()[-1].headers["authorization"] == "Bearer tok-3"


def test_concurrent_calls_refresh_only_once(hubspot: FakeHubSpot, connect: Connect) -> None:
    connector = connect()
    hubspot.expire()
    with ThreadPoolExecutor(max_workers=6) as pool:
        found = list(pool.map(lambda n: connector.lookup(f"p{n}@bigco.test", ""), range(12)))
    assert found == [()] * 12
    assert len([r for r in hubspot.requests if r.path == "/oauth/v1/token"]) == 1


def test_no_access_token_yet_refreshes_first(hubspot: FakeHubSpot, connect: Connect) -> None:
    connect(access_token=None).owners()
    assert [r.path for r in hubspot.requests] == ["/oauth/v1/token", "/crm/v3/owners"]


def test_a_401_without_refresh_credentials_is_final(
    hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps
) -> None:
    connector = connect(refresh_token=None)
    hubspot.expire()
    with pytest.raises(CrmError) as caught:
        connector.owners()
    assert (caught.value.retryable, caught.value.status) == (False, 401)
    assert "EXPIRED_AUTHENTICATION" in str(caught.value)
    assert len(hubspot.requests) == 1
    assert sleeps == []


def test_a_refused_refresh_is_final(hubspot: FakeHubSpot, connect: Connect) -> None:
    connector = connect(client_secret="wrong-secret")
    hubspot.expire()
    with pytest.raises(CrmError) as caught:
        connector.owners()
    assert (caught.value.retryable, caught.value.status) == (False, 400)
    assert "wrong-secret" not in str(caught.value)


def test_no_token_at_all(connect: Connect) -> None:
    with pytest.raises(CrmError) as caught:
        connect(access_token=None, refresh_token=None).owners()
    assert caught.value.retryable is False


def test_settings_repr_hides_tokens_and_secrets() -> None:
    settings = HubSpotSettings(
        access_token="pat-na1-secret", refresh_token="rt-secret", client_secret="cs-secret"
    )
    text = repr(settings)
    assert not [secret for secret in ("pat-na1", "rt-secret", "cs-secret") if secret in text]
    assert "access_token='***'" in text
    assert "base_url='https://api.hubapi.com'" in text


# --- retries ----------------------------------------------------------------------------


def test_a_429_waits_what_retry_after_says(
    hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps
) -> None:
    limited = {"status": "error", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}
    hubspot.then(429, limited, headers={"Retry-After": "7"})
    hubspot.then(429, limited, headers={"Retry-After": "600"})

    assert connect().owners() == []
    assert sleeps == [7.0, 60.0]  # capped at 60 s
    assert len(hubspot.requests) == 3


def test_the_daily_limit_is_not_waited_for(
    hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps
) -> None:
    daily = {"status": "error", "message": "You have reached your daily limit."}
    hubspot.then(429, {**daily, "errorType": "RATE_LIMIT", "policyName": "DAILY"})
    with pytest.raises(CrmError) as caught:
        connect().owners()
    assert (caught.value.retryable, caught.value.status) == (True, 429)
    assert sleeps == []


def test_a_500_once_then_success(hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps) -> None:
    hubspot.add_owner("rep@seller.test", owner_id="601")
    hubspot.then(500, {"status": "error", "message": "internal error"})

    assert connect().owners() == [Owner("601", "rep@seller.test")]
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= 30


def test_a_persistent_500_gives_up_retryable(
    hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps
) -> None:
    hubspot.then(502, None, times=10)
    with pytest.raises(CrmError) as caught:
        connect(max_retries=3).lookup("ana@bigco.test", "")
    assert (caught.value.retryable, caught.value.status) == (True, 502)
    assert len(hubspot.requests) == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize(
    ("status", "category"), [(404, "OBJECT_NOT_FOUND"), (400, "VALIDATION_ERROR")]
)
def test_other_client_errors_are_final(
    hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps, status: int, category: str
) -> None:
    hubspot.then(status, {"status": "error", "message": "no", "category": category})
    with pytest.raises(CrmError) as caught:
        connect().upsert_person(Person("contact", "ana@bigco.test"))
    assert (caught.value.retryable, caught.value.status) == (False, status)
    assert category in str(caught.value)
    assert len(hubspot.requests) == 1
    assert sleeps == []


def test_meeting_on_a_missing_contact_is_final(hubspot: FakeHubSpot, connect: Connect) -> None:
    utc = ZoneInfo("UTC")
    start, end = datetime(2026, 3, 2, 9, tzinfo=utc), datetime(2026, 3, 2, 10, tzinfo=utc)
    meeting = MeetingActivity("999999", "contact", None, start, end, "Intro call")
    with pytest.raises(CrmError) as caught:
        connect().create_meeting(meeting)
    assert (caught.value.retryable, caught.value.status) == (False, 400)


def test_a_timeout_is_retried(hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps) -> None:
    hubspot.then(200, {"results": []}, delay=0.8)
    assert connect(timeout_seconds=0.3).owners() == []
    assert len(hubspot.requests) == 2
    assert len(sleeps) == 1


def test_timeouts_give_up_retryable(hubspot: FakeHubSpot, connect: Connect, sleeps: Sleeps) -> None:
    hubspot.then(200, {"results": []}, delay=0.8, times=3)
    with pytest.raises(CrmError) as caught:
        connect(timeout_seconds=0.3, max_retries=2).owners()
    assert (caught.value.retryable, caught.value.status) == (True, None)
    assert "Timeout" in str(caught.value)
    assert len(hubspot.requests) == 3
    assert len(sleeps) == 2


def test_an_unreachable_server_is_retryable(connect: Connect, sleeps: Sleeps) -> None:
    with pytest.raises(CrmError) as caught:
        connect(base_url=f"http://127.0.0.1:{free_port()}", max_retries=1).owners()
    assert caught.value.retryable is True
    assert len(sleeps) == 1
