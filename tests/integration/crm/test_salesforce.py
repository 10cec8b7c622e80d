"""The Salesforce connector against a fake org over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from leadrail.adapters.crm.base import CrmError, MeetingActivity, Owner, Person
from leadrail.adapters.crm.salesforce import SalesforceConnector, SalesforceSettings, website_domain
from leadrail.adapters.crm.salesforce_http import soql_like, soql_string
from leadrail.adapters.outbound import Outbound
from leadrail.routing.model import CrmRecord
from tests.integration.crm.fake_salesforce import FakeSalesforce

Make = Callable[..., SalesforceConnector]


@pytest.fixture
def fake() -> Iterator[FakeSalesforce]:
    with FakeSalesforce() as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make(fake: FakeSalesforce, sleeps: list[float]) -> Iterator[Make]:
    made: list[SalesforceConnector] = []

    def build(**overrides: Any) -> SalesforceConnector:
        options: dict[str, Any] = {
            "instance_url": fake.url, "access_token": "token-0",
            "refresh_token": fake.refresh_token, "client_id": fake.client_id,
            "client_secret": fake.client_secret, "timeout_seconds": 2.0,
        }  # fmt: skip
        connector = SalesforceConnector(
            SalesforceSettings(**{**options, **overrides}), sleep=sleeps.append,
            outbound=Outbound.allowing("127.0.0.1"),  # the fake org is a local server
        )  # fmt: skip
        made.append(connector)
        return connector

    yield build
    for connector in made:
        connector.close()


def test_settings_repr_hides_secrets() -> None:
    settings = SalesforceSettings(
        "https://x.my.salesforce.com", access_token="AT", refresh_token="RT", client_secret="CS"
    )
    shown = repr(settings)
    assert "x.my.salesforce.com" in shown
    assert not {"'AT'", "'RT'", "'CS'"} & {part.split("=")[-1] for part in shown.split(", ")}


def test_soql_literals_escape_quotes_backslashes_and_like_wildcards() -> None:
    assert soql_string("o'brien\\x@acme.test") == "'o\\'brien\\\\x@acme.test'"
    assert soql_string('a"b\nc') == "'a\\\"b\\nc'"
    assert soql_like("%://", "my_co%.test", "%") == "'%://my\\_co\\%.test%'"


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("acme.test", "acme.test"),
        ("HTTPS://www.Acme.test:443/about?x=1", "acme.test"),
        ("http://sales.acme.test/de", "sales.acme.test"),
        ("//www.acme.test.", "acme.test"),
        ("", ""),
    ],
)
def test_website_domain(website: str, domain: str) -> None:
    assert website_domain(website) == domain


def test_lookup_finds_contact_lead_and_account(fake: FakeSalesforce, make: Make) -> None:
    contact = fake.add("Contact", Email="Ann@Acme.test", OwnerId="005A")
    lead = fake.add("Lead", Email="ann@acme.test", OwnerId="005B", IsConverted=False)
    fake.add("Lead", Email="ann@acme.test", OwnerId="005X", IsConverted=True)
    account = fake.add("Account", Website="https://www.acme.test/about", OwnerId="005C")
    fake.add("Account", Website="acme.test.evil.example", OwnerId="005X")
    fake.add("Account", Website="notacme.test", OwnerId="005X")

    records = make().lookup("ann@acme.test", "acme.test")

    assert records == (
        CrmRecord("contact", contact, "ann@acme.test", "005A", exact=True),
        CrmRecord("lead", lead, "ann@acme.test", "005B", exact=True),
        CrmRecord("company", account, "acme.test", "005C", exact=False),
    )
    assert make().lookup("nobody@else.test", "else.test") == ()


def test_lookup_matches_accounts_of_parent_domains_most_specific_first(
    fake: FakeSalesforce, make: Make
) -> None:
    parent = fake.add("Account", Website="acme.test", OwnerId="005P")
    division = fake.add("Account", Website="http://sales.acme.test/de/", OwnerId="005D")
    fake.add("Account", Website="https://eu.sales.acme.test.other.test", OwnerId="005X")

    records = make().lookup("", "eu.sales.acme.test")

    assert [(r.kind, r.id, r.matched_on, r.exact) for r in records] == [
        ("company", division, "sales.acme.test", False),
        ("company", parent, "acme.test", False),
    ]
    (query,) = fake.data_requests()
    assert (query.soql or "").startswith("SELECT Id, OwnerId, Website FROM Account WHERE (")


def test_quotes_and_wildcards_reach_the_server_escaped(fake: FakeSalesforce, make: Make) -> None:
    contact = fake.add("Contact", Email="o'brien@my_co.test", OwnerId="005A")
    fake.add("Account", Website="myXco.test", OwnerId="005X")

    records = make().lookup("o'brien@my_co.test", "my_co.test")

    assert [r.id for r in records] == [contact]
    sent = [s.soql or "" for s in fake.data_requests()]
    assert "Email = 'o\\'brien@my_co.test'" in sent[0]
    assert "Website LIKE 'my\\_co.test%'" in sent[2]


def test_lookup_is_cached_per_email_and_domain(fake: FakeSalesforce, make: Make) -> None:
    fake.add("Contact", Email="ann@acme.test", OwnerId="005A")
    connector = make()
    first = connector.lookup("ann@acme.test", "acme.test")
    assert connector.lookup("ANN@acme.test ", "acme.test") == first
    assert len(fake.data_requests()) == 3
    connector.lookup("ann@acme.test", "other.test")
    assert len(fake.data_requests()) == 6

    uncached = make(cache_seconds=0)
    uncached.lookup("ann@acme.test", "acme.test")
    uncached.lookup("ann@acme.test", "acme.test")
    assert len(fake.data_requests()) == 12


def test_owners_follow_next_records_url_across_three_pages(make: Make) -> None:
    with FakeSalesforce(page_size=2) as fake:
        users = [fake.add("User", Email=f"Rep{i}@Acme.test", IsActive=True) for i in range(5)]
        fake.add("User", Email="gone@acme.test", IsActive=False)
        connector = make(instance_url=fake.url)

        owners = connector.owners()

        assert owners == [Owner(u, f"rep{i}@acme.test") for i, u in enumerate(users)]
        paths = [s.path for s in fake.data_requests()]
        assert len(paths) == 3
        assert paths[0].endswith("/query")
        assert all("/query/01gFAKE" in p for p in paths[1:])


@pytest.mark.parametrize(("kind", "sobject"), [("contact", "Contact"), ("lead", "Lead")])
def test_upsert_creates_then_updates(
    fake: FakeSalesforce, make: Make, kind: Any, sobject: str
) -> None:
    connector = make()
    created = connector.upsert_person(Person(kind, "new@acme.test"))
    record = fake.records[sobject][created]
    assert record["LastName"] == "[not provided]"
    assert "FirstName" not in record
    assert "OwnerId" not in record
    if sobject == "Lead":
        assert record["Company"] == "[not provided]"

    person = Person(kind, "new@acme.test", "Ann", "Lee", "Acme", owner_id="005R")
    assert connector.upsert_person(person) == created

    patch = fake.seen[-1]
    assert (patch.method, patch.path.rsplit("/", 2)[-2:]) == ("PATCH", [sobject, created])
    expected = {"FirstName": "Ann", "LastName": "Lee", "Email": "new@acme.test", "OwnerId": "005R"}
    if sobject == "Lead":
        expected["Company"] = "Acme"
    assert patch.body == expected
    assert len(fake.records[sobject]) == 1


def test_upsert_forgets_the_cached_lookup(fake: FakeSalesforce, make: Make) -> None:
    connector = make()
    assert connector.lookup("ann@acme.test", "") == ()
    created = connector.upsert_person(Person("contact", "ann@acme.test", owner_id="005R"))
    assert [r.id for r in connector.lookup("ann@acme.test", "")] == [created]


def test_create_meeting_posts_an_event(fake: FakeSalesforce, make: Make) -> None:
    paris = timezone(timedelta(hours=2))
    meeting = MeetingActivity(
        record_id="003FAKE", record_kind="contact", owner_id="005R",
        start=datetime(2025, 6, 2, 16, 30, tzinfo=paris),
        end=datetime(2025, 6, 2, 17, 0, tzinfo=paris),
        title="Intro call", body="Booked via leadrail",
    )  # fmt: skip

    event_id = make().create_meeting(meeting)

    assert event_id.startswith("00U")
    post = fake.seen[-1]
    assert (post.method, post.path) == ("POST", "/services/data/v62.0/sobjects/Event")
    assert post.body == {
        "WhoId": "003FAKE", "OwnerId": "005R", "Subject": "Intro call",
        "Description": "Booked via leadrail",
        "StartDateTime": "2025-06-02T14:30:00.000Z", "EndDateTime": "2025-06-02T15:00:00.000Z",
    }  # fmt: skip
    naive = MeetingActivity("003X", "lead", None, datetime(2025, 6, 2), datetime(2025, 6, 2), "x")
    with pytest.raises(ValueError, match="timezone-aware"):
        make().create_meeting(naive)


def test_expired_session_is_refreshed_once_and_the_new_token_kept(
    fake: FakeSalesforce, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.expire_session()
    fake.fail_next(503)
    connector = make()

    assert connector.owners() == []
    connector.lookup("ann@acme.test", "")

    token_calls = [s for s in fake.seen if s.path == "/services/oauth2/token"]
    assert len(token_calls) == 1
    assert "grant_type=refresh_token" in token_calls[0].body
    assert f"client_id={fake.client_id}" in token_calls[0].body
    data = fake.data_requests()
    assert [s.token for s in data] == ["token-0"] * 2 + [data[2].token] * 3
    assert data[2].token in fake.valid_tokens
    assert "refreshed" in caplog.text
    for secret in ("token-0", data[2].token, fake.refresh_token, fake.client_secret):
        assert secret not in caplog.text


def test_refresh_can_move_the_instance(fake: FakeSalesforce, make: Make) -> None:
    with FakeSalesforce() as moved:
        moved.valid_tokens = fake.valid_tokens  # one org, two hosts
        moved.add("User", Email="rep@acme.test", IsActive=True)
        fake.instance_url_on_refresh = moved.url
        fake.expire_session()

        assert len(make().owners()) == 1
        (expired,) = fake.data_requests()
        (retried,) = moved.data_requests()
        assert expired.token == "token-0"
        assert retried.token in moved.valid_tokens


def test_expired_session_without_refresh_settings_or_refused(
    fake: FakeSalesforce, make: Make
) -> None:
    fake.expire_session()
    with pytest.raises(CrmError) as plain:
        make(refresh_token=None).owners()
    assert (plain.value.retryable, plain.value.status) == (False, 401)
    assert "INVALID_SESSION_ID" in str(plain.value)

    with pytest.raises(CrmError) as refused:
        make(refresh_token="revoked").owners()
    assert (refused.value.retryable, refused.value.status) == (False, 400)
    assert "invalid_grant" in str(refused.value)


def test_rate_limits_honour_retry_after_capped(
    fake: FakeSalesforce, make: Make, sleeps: list[float]
) -> None:
    fake.fail_next(429, retry_after="7", code="REQUEST_LIMIT_EXCEEDED", message="slow down")
    fake.fail_next(403, retry_after="3600", code="REQUEST_LIMIT_EXCEEDED", message="limit")
    fake.add("User", Email="rep@acme.test", IsActive=True)

    assert len(make().owners()) == 1
    assert sleeps == [7.0, 60.0]


def test_503_once_then_success(fake: FakeSalesforce, make: Make, sleeps: list[float]) -> None:
    fake.fail_next(503)
    assert make().owners() == []
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 1.0
    assert len(fake.data_requests()) == 2


def test_persistent_503_gives_up_retryable(
    fake: FakeSalesforce, make: Make, sleeps: list[float]
) -> None:
    fake.fail_next(503, times=10)
    with pytest.raises(CrmError) as err:
        make(max_retries=3).owners()
    assert (err.value.retryable, err.value.status) == (True, 503)
    assert len(fake.data_requests()) == 4
    assert len(sleeps) == 3
    assert sleeps == sorted(sleeps)  # exponential (jitter is smaller than each step)


def test_400_is_not_retried_and_carries_the_message(
    fake: FakeSalesforce, make: Make, sleeps: list[float]
) -> None:
    fake.fail_next(400, code="INVALID_FIELD", message="No such column 'Emial' on entity 'Contact'")
    with pytest.raises(CrmError) as err:
        make().lookup("ann@acme.test", "")
    assert (err.value.retryable, err.value.status) == (False, 400)
    assert "INVALID_FIELD: No such column 'Emial'" in str(err.value)
    assert sleeps == []
    assert len(fake.data_requests()) == 1


def test_timeouts_are_retried_then_give_up_retryable(
    fake: FakeSalesforce, make: Make, sleeps: list[float]
) -> None:
    fake.delay_next(0.6)
    assert make(timeout_seconds=0.2).owners() == []
    assert len(sleeps) == 1

    fake.delay_next(0.6, times=2)
    with pytest.raises(CrmError) as err:
        make(timeout_seconds=0.2, max_retries=1).owners()
    assert err.value.retryable
    assert "Timeout" in str(err.value)


def test_connection_refused_is_retryable(make: Make, sleeps: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CrmError) as err:
        make(instance_url=f"http://127.0.0.1:{port}", max_retries=2).owners()
    assert err.value.retryable
    assert len(sleeps) == 2


def test_next_records_url_to_another_host_is_refused(make: Make) -> None:
    connector = make(instance_url="https://org.my.salesforce.com")
    with pytest.raises(CrmError, match="another host"):
        connector._http.local_path("https://evil.example/services/data/v62.0/query/x-2")
    assert connector._http.local_path("/services/data/v62.0/query/x-2") == (
        "/services/data/v62.0/query/x-2"
    )
