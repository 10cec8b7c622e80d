"""Sizes, depths, counts and numbers a client cannot make the server choke on (413/422, never
a 500, nothing written), and integers beyond 64 bits anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from leadrail.settings import Settings
from leadrail.web.edge import INT64_MAX, INT64_MIN
from leadrail.web.main import create_app
from tests.factories import SITE_KEY
from tests.integration.edge.support import counts, edge_app

HUGE = "3795" + "0" * 40


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_deep_json_is_refused_without_a_recursion_error(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        nested = b"[" * 10_000 + b"]" * 10_000
        r = client.post(
            "/api/v1/routers/strict/route",
            content=b'{"email": "a@b.test", "x": ' + nested + b"}",
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "too_deep"
        deep = b'{"site_key": "' + SITE_KEY.encode() + b'", "x": ' + b"[" * 20_000
        deep += b"]" * 20_000 + b"}"  # 40 KB, 20,000 levels, on a public endpoint
        r = client.post("/api/v1/visitors/events", content=deep)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "too_deep")
        r = client.post(
            "/api/v1/leads",
            content=b'{"category": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            headers={"X-Site-Key": SITE_KEY, "Content-Type": "application/json"},
        )
        assert r.status_code == 422
        assert counts(c) == before


def test_huge_bodies_are_refused_before_they_are_read(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        ten_mb = json.dumps({"email": "a@b.test", "pad": "x" * 10_000_000}).encode()
        for url, headers in [
            ("/api/v1/routers/strict/route", bearer(token)),
            ("/api/v1/visitors/events", {}),
            ("/api/v1/bookings", {}),
            ("/api/v1/leads", {"X-Site-Key": SITE_KEY}),
            ("/c/solo/book", {}),
            ("/login", {}),
        ]:
            r = client.post(
                url, content=ten_mb, headers={**headers, "Content-Type": "application/json"}
            )
            assert r.status_code == 413, (url, r.text)
            assert r.json()["error"] == {
                "code": "too_large",
                "message": "the request body is larger than 64 KiB, the limit of this endpoint",
                "field": "body",
            }

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            yield b'{"email": "a@b.test", "pad": "'
            for _ in range(200):
                yield b"y" * 1024
            yield b'"}'

        r = client.post(
            "/api/v1/routers/strict/route",
            content=chunks(),
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert r.status_code == 413
        r = client.put(
            "/api/v1/workspace", content=b"[" + b"0," * 700_000 + b"0]", headers=bearer(token)
        )
        assert r.status_code == 413
        assert "1 MiB" in r.json()["error"]["message"]
        assert counts(c) == before


def test_a_prospect_with_too_many_fields_is_refused(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        many = {"email": "a@b.test", **{f"f{i}": 1 for i in range(2000)}}  # 30 KB
        r = client.post("/api/v1/routers/strict/route", json=many, headers=bearer(token))
        assert (r.status_code, r.json()["error"]["code"]) == (422, "too_many")
        wide = {"email": "a@b.test", **{f"f{i}": i for i in range(100_000)}}
        r = client.post("/api/v1/routers/strict/route", json=wide, headers=bearer(token))
        assert r.status_code == 413
        assert counts(c) == before
        r = client.post(
            "/api/v1/routers/strict/route",
            json={"email": "a@b.test", **{f"f{i}": "v" for i in range(100)}},
            headers=bearer(token),
        )
        assert r.status_code == 200, r.text


def test_admin_documents_may_be_larger(db_url: str) -> None:
    with edge_app(db_url) as (_, client, token):
        values = [f"account-{i}.test" for i in range(20_000)]  # about 400 KB
        r = client.post(
            "/api/v1/lists", json={"name": "big", "values": values}, headers=bearer(token)
        )
        assert r.status_code in (200, 201), r.text[:300]


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("DELETE", f"/api/v1/crm/companies/{HUGE}", "company_id"),
        ("GET", f"/api/v1/crm/contacts/{HUGE}", "record_id"),
        ("DELETE", f"/api/v1/crm/leads/-{HUGE}", "record_id"),
        ("GET", "/api/v1/crm/companies?after=-6144" + "0" * 30, "after"),
        ("GET", f"/api/v1/crm/contacts?after={HUGE}", "after"),
        ("GET", f"/api/v1/decisions?limit={HUGE}", "limit"),
        ("GET", f"/api/v1/conversations?limit={HUGE}", "limit"),
    ],
)
def test_integers_beyond_64_bits_in_paths_and_queries(
    db_url: str, method: str, url: str, field: str
) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        r = client.request(method, url, headers=bearer(token))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
        assert counts(c) == before


def test_integers_beyond_64_bits_in_bodies(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        r = client.put(
            "/api/v1/users/rep0@acme.test",
            content=f'{{"email": "rep0@acme.test", "credits": {HUGE}}}',
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "credits")
        r = client.post(
            "/api/v1/routers/strict/route",
            content=f'{{"email": "a@b.test", "employee_count": {HUGE}}}',
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "employee_count")
        assert counts(c) == before


def test_every_integer_parameter_of_every_route_is_bounded_to_64_bits() -> None:
    """The class: no route takes an integer the database cannot store (hidden pages too)."""
    app = create_app(Settings(database_url="sqlite://", secret_key="e" * 32, worker=False))
    unbounded = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        params = route.dependant.path_params + route.dependant.query_params
        for sub in route.dependant.dependencies:
            params += sub.path_params + sub.query_params
        for param in params:
            if param.field_info.annotation is not int:
                continue
            bounds = {type(m).__name__: m for m in param.field_info.metadata}
            low = getattr(bounds.get("Ge"), "ge", None)
            high = getattr(bounds.get("Le"), "le", None)
            if low is None or high is None or low < INT64_MIN or high > INT64_MAX:
                unbounded.append(f"{context.path} {param.name}")
    assert unbounded == []


def test_a_query_string_cannot_carry_control_characters(db_url: str) -> None:
    with edge_app(db_url) as (c, client, token):
        r = client.get("/api/v1/decisions?router=a%00b", headers=bearer(token))
        assert (r.status_code, r.json()["error"]["field"]) == (422, "router")
        r = client.get("/healthz?x%0Ay=1")
        assert r.status_code == 422
        assert isinstance(client, TestClient)


def test_a_broken_multipart_form_is_a_400(db_url: str) -> None:
    with edge_app(db_url) as (c, client, _):
        before = counts(c)
        r = client.post(
            "/leads/form",
            content=b"--xyz\r\nBroken\r\n\r\nb\r\n--xyz--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        )
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "bad_form"
        assert counts(c) == before
