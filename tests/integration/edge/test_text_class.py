"""The class: every text field of every public front door, with every kind of text the edge
refuses (NUL, a lone surrogate, a control character; in one-line fields a line break or a
tab), on SQLite and PostgreSQL. Each answers 422 naming the field and writes nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import SITE_KEY
from tests.integration.edge.support import ADMIN, NINE_Z, counts, edge_app, site_headers
from tests.support.dashboard import login

ANYWHERE = ["\x00", "\x1b[31m", "\x7f", "\ufffe"]  # refused in any text
JSON_ONLY = ["\ud800", "\udfff"]  # lone surrogates: only JSON's \u escapes can carry them
ONE_LINE = ["a\nb", "a\r\nBcc: x@evil.test", "a\tb", "a\u2028b", "a\rb"]  # in one-line fields


@dataclass(frozen=True)
class Door:
    """One front door: how to send ``fields`` (path -> value) and the good values."""

    name: str
    send: Callable[[TestClient, dict[str, str]], Response]
    good: dict[str, str]
    multiline: frozenset[str] = frozenset()
    json: bool = False


def _set(doc: dict[str, Any], path: str, value: str) -> None:
    keys = path.replace("[0]", ".0").split(".")
    node: Any = doc
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


def post_json(
    client: TestClient, url: str, doc: Any, headers: dict[str, str] | None = None
) -> Response:
    """JSON as a client writes it: ASCII with \\u escapes (so a lone surrogate can be sent)."""
    body = json.dumps(doc).encode()
    return client.post(
        url, content=body, headers={"Content-Type": "application/json", **(headers or {})}
    )


def json_door(name: str, url: str, body: dict[str, Any], fields: dict[str, str], **kw: Any) -> Door:
    headers = kw.pop("headers", {})

    def send(client: TestClient, values: dict[str, str]) -> Response:
        doc = copy.deepcopy(body)
        for path, value in values.items():
            _set(doc, path, value)
        return post_json(client, url, doc, headers)

    return Door(name, send, fields, json=True, **kw)


def form_door(name: str, url: str, fields: dict[str, str], **kw: Any) -> Door:
    def send(client: TestClient, values: dict[str, str]) -> Response:
        return client.post(url, data=values)

    return Door(name, send, fields, **kw)


def multipart_door(name: str, url: str, fields: dict[str, str], **kw: Any) -> Door:
    """A form posted as multipart/form-data (``enctype`` on a customer's form)."""

    def send(client: TestClient, values: dict[str, str]) -> Response:
        parts = {k: (None, v.encode()) for k, v in values.items()}
        return client.post(url, files=parts)

    return Door(name, send, fields, **kw)


def query_door(name: str, url: str, fields: dict[str, str], **kw: Any) -> Door:
    def send(client: TestClient, values: dict[str, str]) -> Response:
        return client.get(url, params=values)

    return Door(name, send, fields, **kw)


BOOKING = {"router": "solo", "start": NINE_Z, "prospect": {}, "notes": ""}
LEAD = {
    "category": "Service", "offer": "", "comments": "", "timeframe": "", "page_url": "",
    "store": "", "utm": {"utm_source": ""},
    "customer": {"first_name": "", "last_name": "", "name": "", "email": "",
                 "address": {"street": [""], "city": ""}},
    "vehicle": {"make": "", "model": ""},
}  # fmt: skip
EVENT = {"site_key": SITE_KEY, "visitor": None, "type": "identify", "fields": {"team": ""}}
DOORS = [
    json_door(
        "booking API", "/api/v1/bookings", BOOKING,
        {"router": "solo", "prospect.email": "pat@example.test", "prospect.name": "Pat Smith",
         "prospect.company": "Acme", "prospect.utm_source": "mail", "notes": "Hello"},
        multiline=frozenset({"notes"}),
    ),
    json_door(
        "lead API", "/api/v1/leads", LEAD,
        {"category": "Service", "offer": "Oil change", "comments": "Call me",
         "timeframe": "soon", "page_url": "https://dealer.test/x", "store": "Downtown",
         "utm.utm_source": "google", "customer.first_name": "Jo", "customer.last_name": "Ng",
         "customer.name": "Jo Ng", "customer.email": "jo@example.test",
         "customer.address.street[0]": "1 Main St", "customer.address.city": "Springfield",
         "vehicle.make": "Ford", "vehicle.model": "F-150"},
        multiline=frozenset({"comments"}), headers=site_headers(),
    ),
    json_door(
        "visitor events", "/api/v1/visitors/events", EVENT,
        {"email": "v@example.test", "name": "Vi", "company": "Acme", "fields.team": "Ops",
         "url": "https://www.acme.test/pricing", "title": "Pricing", "referrer": "x"},
    ),
    json_door(
        "visitor messages", "/api/v1/visitors/events",
        {"site_key": SITE_KEY, "visitor": None, "type": "leave_message"},
        {"email": "v@example.test", "name": "Vi", "text": "Please call"},
        multiline=frozenset({"text"}),
    ),
    query_door("open slots", "/api/v1/routers/solo/slots",
               {"email": "pat@example.test", "end": "2026-12-01T00:00:00Z"}),
    query_door("click link", "/c/solo",
               {"name": "Pat", "email": "pat@example.test", "company": "Acme",
                "utm_source": "mail", "tz": "America/New_York"}),
    form_door("booking form", "/c/solo/book",
              {"name": "Pat", "email": "pat@example.test", "company": "Acme",
               "notes": "Hello", "start": NINE_Z, "tz": "UTC"},
              multiline=frozenset({"notes"})),
    form_door("lead form", "/leads/form",
              {"site_key": SITE_KEY, "category": "Service", "first_name": "Jo",
               "email": "jo@example.test", "phone": "555 0100", "comments": "Hi"},
              multiline=frozenset({"comments"})),
    multipart_door("lead form (multipart)", "/leads/form",
                   {"site_key": SITE_KEY, "category": "Service", "first_name": "Jo",
                    "email": "jo@example.test", "comments": "Hi"},
                   multiline=frozenset({"comments"})),
    form_door("login", "/login", {"email": "admin@acme.test", "password": "secret pw"}),
    form_door("forgotten password", "/password/forgot", {"email": "admin@acme.test"}),
    form_door("password reset", "/password/reset/sometoken", {"password": "a new password"}),
]  # fmt: skip


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.name)
def test_every_text_field_refuses_what_is_not_text(db_url: str, door: Door) -> None:
    with edge_app(db_url) as (c, client, _):
        before = counts(c)
        bad_values = ANYWHERE + (JSON_ONLY if door.json else [])
        for field in door.good:
            one_line = field not in door.multiline
            for bad in bad_values + (ONE_LINE if one_line else []):
                r = door.send(client, {**door.good, field: f"x{bad}y"})
                assert r.status_code == 422, (door.name, field, repr(bad), r.text)
                error = r.json()["error"]
                assert error["field"] == field, (door.name, field, repr(bad), error)
                assert field in error["message"]
        assert counts(c) == before  # nothing of any refused request was written
        r = door.send(client, door.good)  # the same request with good text gets through
        assert r.status_code != 422 or r.json()["error"]["field"] not in door.good, r.text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/c/so%00lo", "slug"),
        ("/c/so%0Alo/book", "slug"),
        ("/api/v1/routers/so%1Blo/slots?email=a@b.test", "slug"),
        ("/m/abc%00def?t=x", "meeting_id"),
        ("/password/reset/tok%0Den", "token"),
        ("/api/v1/meetings/m%00", "meeting_id"),
    ],
)
def test_path_parameters_refuse_control_characters(db_url: str, path: str, field: str) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        r = client.get(path, headers={"Authorization": f"Bearer {token}"})
        if "/book" in path or "/reset/" in path:
            r = client.post(path, data={"name": "x"})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
        assert counts(c) == before


def test_admin_requests_follow_the_same_policy(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        auth = {"Authorization": f"Bearer {token}"}
        before = counts(c)
        r = client.put(
            "/api/v1/crm/contacts",
            json={"email": "a@b.test", "name": "A\x00B", "company": "C"},
            headers=auth,
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "name")
        r = client.put(
            "/api/v1/users/rep0@acme.test",
            json={"email": "rep0@acme.test", "name": "Rep\nZero"},
            headers=auth,
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "name")
        r = client.get("/api/v1/decisions", params={"email": "a\x00@b.test"}, headers=auth)
        assert (r.status_code, r.json()["error"]["field"]) == (422, "email")
        r = post_json(
            client, "/api/v1/routers/strict/route", {"email": "a@b.test", "x": "\ud800"}, auth
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "x")
        assert counts(c) == before


def test_dashboard_forms_and_documents_follow_the_same_policy(db_url: str) -> None:
    with edge_app(db_url) as (c, client, _):
        csrf = login(client, ADMIN)
        before = counts(c)
        r = client.post(
            "/dashboard/routers/strict/test", data={"csrf": csrf, "email": "a@b.test\x00"}
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "email")
        documents = {
            "routers:\n" + "".join("  " * i + "- \n" for i in range(1, 60)): "deeper",
            "users:\n  - email: x@acme.test\n    credits: 99999999999999999999999\n": "64 bits",
            'users:\n  - email: x@acme.test\n    name: "A\\0B"\n': "NUL",
        }
        for document, says in documents.items():
            r = client.post(
                "/dashboard/workspace", data={"csrf": csrf, "yaml": document, "action": "apply"}
            )
            assert r.status_code == 422, r.text[:300]
            assert says in r.text
        r = client.post(
            "/dashboard/routers/strict/rules",
            data={"csrf": csrf, "rules_json": "[" * 5000 + "]" * 5000},
        )
        assert r.status_code == 422
        assert counts(c) == before


def test_a_person_in_a_browser_gets_a_page_not_json(db_url: str) -> None:
    """A campaign's merge tag can put a line break in a link: the prospect reads why."""
    with edge_app(db_url) as (c, client, _):
        before = counts(c)
        r = client.get(
            "/c/solo",
            params={"email": "pat@example.test", "name": "Pat\nSmith"},
            headers={"Accept": "text/html,application/xhtml+xml"},
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("text/html")
        assert "name: is one line: it contains a line break (U+000A)" in r.text
        assert counts(c) == before
