"""The booking API and pages over HTTP (the app in-process, a fixed clock, a real database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container
from tests.factories import booking_workspace
from tests.integration.booking_support import NINE, NINE_Z, make
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[Container, TestClient]]:
    c, client = make(db_url)
    yield c, client
    c.close()


def test_slots_then_book_then_taken(api: tuple[Container, TestClient]) -> None:
    c, client = api
    r = client.get(
        "/api/v1/routers/solo/slots",
        params={"email": "pat@example.test", "end": "2026-12-01T00:00:00Z"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["timezone"] == "America/New_York"
    assert body["slots"][0] == {
        "start": "2026-11-30T14:00:00+00:00",
        "end": "2026-11-30T14:30:00+00:00",
    }
    assert len(body["slots"]) == 16  # 09:00 to 16:30 New York, every 30 minutes
    r = client.post(
        "/api/v1/bookings",
        json={
            "router": "solo",
            "start": NINE_Z,
            "prospect": {"email": "pat@example.test", "name": "Pat"},
        },
    )
    assert r.status_code == 201, r.text
    booked = r.json()
    redirect = urlsplit(booked["redirect_url"])
    assert (redirect.scheme, redirect.netloc, redirect.path) == ("https", "example.test", "/thanks")
    assert parse_qs(redirect.query) == {
        "src": ["lr"],
        "booking_id": [booked["meeting_id"]],
        "start": ["2026-11-30T14:00:00+00:00"],
    }
    r = client.post(
        "/api/v1/bookings",
        json={"router": "solo", "start": NINE_Z, "prospect": {"email": "sam@example.test"}},
    )
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "slot_taken",
        "message": "that time was just taken",
        "field": "start",
    }
    r = client.get("/api/v1/routers/solo/slots", params={"email": "sam@example.test"})
    assert "2026-11-30T14:00:00+00:00" not in [s["start"] for s in r.json()["slots"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"router": "solo", "start": "2026-11-30T14:00:00", "prospect": {"email": "a@b.test"}},
            "start",
        ),  # no timezone
        ({"router": "solo", "start": NINE_Z, "prospect": {"email": "nope"}}, "email"),
        ({"router": "solo", "start": NINE_Z, "prospect": {}}, "email"),
        ({"router": "solo", "start": "soon", "prospect": {"email": "a@b.test"}}, "start"),
        (
            {
                "router": "solo",
                "start": NINE_Z,
                "prospect": {"email": "a@b.test"},
                "notes": "x" * 2001,
            },
            "notes",
        ),
        (
            {"router": "solo", "start": NINE_Z, "prospect": {"email": "a@b.test"}, "extra": 1},
            "extra",
        ),
    ],
)
def test_bad_bookings_are_4xx_naming_the_field(
    api: tuple[Container, TestClient], body: dict[str, object], field: str
) -> None:
    c, client = api
    r = client.post("/api/v1/bookings", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert c.routing.meeting("x") is None
    assert c.outbox.jobs() == []


def test_unknown_router_is_404_page_and_api(api: tuple[Container, TestClient]) -> None:
    _, client = api
    page = client.get("/c/nope?email=a@b.test")
    assert page.status_code == 404
    assert "This link does not lead anywhere" in page.text
    assert (
        client.post(
            "/api/v1/bookings",
            json={"router": "nope", "start": NINE_Z, "prospect": {"email": "a@b.test"}},
        ).status_code
        == 404
    )


def test_what_a_prospect_types_is_escaped_on_the_page(api: tuple[Container, TestClient]) -> None:
    _, client = api
    evil = '<script>alert("x")</script>'
    page = client.get(
        "/c/solo", params={"name": evil, "company": '"><img src=x>', "email": "pat@example.test"}
    )
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert '"><img' not in page.text


def test_the_booking_form_redirects_or_explains(api: tuple[Container, TestClient]) -> None:
    c, client = api
    form = {
        "email": "pat@example.test",
        "name": "Pat",
        "start": NINE_Z,
        "tz": "Europe/Paris",
        "notes": "hello",
    }
    r = client.post("/c/strict/book", data=form)
    assert r.status_code == 303
    assert r.headers["location"].startswith("https://example.test/thanks?src=lr&booking_id=")
    taken = client.post("/c/solo/book", data={**form, "email": "sam@example.test"})
    assert taken.status_code == 409
    assert "That time was just taken. Here are the times still open." in taken.text
    assert 'value="2026-11-30T14:30:00Z"' in taken.text  # fresh slots, in the form again
    booking_form, view_form = taken.text.split('id="tzform"')
    assert 'value="hello"' not in booking_form  # notes go back in the textarea, escaped
    assert ">hello</textarea>" in booking_form
    assert 'name="notes" value="hello"' in view_form  # and ride along to other dates/zones


def test_without_a_redirect_url_our_page_confirms_with_working_links(db_url: str) -> None:
    c, client = make(db_url)
    doc = booking_workspace(redirect_url=None)
    apply_workspace(c.workspace, doc)
    r = client.post(
        "/c/solo/book",
        data={"email": "pat@example.test", "start": NINE_Z, "tz": "America/New_York"},
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "You&#39;re booked" in page.text
    assert "Monday, November 30, 2026, 9:00\u202fAM (America/New_York) with" in page.text
    cancel_link = page.text.split('">Cancel</a>')[0].rsplit('<a href="', 1)[1].replace("&amp;", "&")
    assert cancel_link.startswith("/m/")
    confirm = client.get(cancel_link)
    assert "Cancel this meeting?" in confirm.text
    forged = client.post(cancel_link.split("?")[0], data={"t": "forged"})
    assert forged.status_code == 404
    token = parse_qs(urlsplit(cancel_link).query)["t"][0]
    done = client.post(cancel_link.split("?")[0], data={"t": token})
    assert "Meeting cancelled" in done.text
    meeting_id = cancel_link.split("/")[2]
    meeting = c.routing.meeting(meeting_id)
    assert meeting is not None
    assert meeting.status == "cancelled"
    c.close()


def test_reschedule_books_the_new_time_then_cancels_the_old(db_url: str) -> None:
    c, client = make(db_url)
    apply_workspace(c.workspace, booking_workspace(redirect_url=None))
    first = client.post("/c/solo/book", data={"email": "pat@example.test", "start": NINE_Z})
    old_id = urlsplit(first.headers["location"]).path.split("/")[2]
    link = c.signer.path(old_id, "reschedule")
    page = client.get(link)
    assert page.status_code == 303
    rebook = client.get(page.headers["location"])
    assert 'name="reschedule"' in rebook.text
    hidden = {
        k: parse_qs(urlsplit(page.headers["location"]).query)[k][0] for k in ("reschedule", "t")
    }
    later = (NINE + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = client.post("/c/solo/book", data={"email": "pat@example.test", "start": later, **hidden})
    assert r.status_code == 303
    old = c.routing.meeting(old_id)
    assert old is not None
    assert old.status == "cancelled"
    assert client.get(c.signer.path(old_id, "reschedule").replace("t=", "t=x")).status_code == 404
    c.close()


def test_public_endpoints_are_rate_limited_per_client(db_url: str) -> None:
    c, client = make(db_url, public_rate_limit="5/minute")
    codes = [
        client.get("/api/v1/routers/solo/slots", params={"email": "a@b.test"}).status_code
        for _ in range(7)
    ]
    assert codes == [200] * 5 + [429] * 2
    r = client.get("/c/solo")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    c.close()


def test_admins_see_the_outbox(api: tuple[Container, TestClient]) -> None:
    c, client = api
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    token = c.tokens.create_token("admin@acme.test", "t")
    client.post(
        "/api/v1/bookings",
        json={"router": "solo", "start": NINE_Z, "prospect": {"email": "pat@example.test"}},
    )
    assert client.get("/api/v1/outbox").status_code == 401
    jobs = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {token}"}).json()
    assert sorted(j["kind"] for j in jobs) == ["calendar_put", "invite"]
    assert {j["status"] for j in jobs} == {"pending"}


def test_a_per_rep_video_link_is_filled_in_on_the_page(api: tuple[Container, TestClient]) -> None:
    _, client = api
    page = client.get("/c/solo", params={"email": "pat@example.test"})
    assert "https://meet.acme.test/rep0" in page.text
    assert "{rep}" not in page.text
    flexible = client.get("/c/flexible", params={"email": "pat@example.test"})
    assert "video link in the invitation" in flexible.text
