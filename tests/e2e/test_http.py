"""`leadrail serve` in a real process, spoken to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.serve import DEMO, environment, leadrail, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("serve")
    env = environment(tmp, DEMO, admin="admin@acme.test")
    token = leadrail(env, "token", "create", "--email", "admin@acme.test").strip()
    with serving(env, tmp) as running:
        yield running.base, token


@pytest.fixture
def api(server: tuple[str, str]) -> Iterator[httpx.Client]:
    base, token = server
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as client:
        yield client


def test_route_returns_assignee_rule_and_trace(api: httpx.Client) -> None:
    r = api.post(
        "/api/v1/routers/q2-enterprise/route",
        json={"email": "Buyer+news@Globex.test", "name": "Pat", "country": "us"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rule"] == "Target accounts"
    assert body["email"] == "buyer@globex.test"  # trimmed, lower-cased, +suffix stripped
    assert body["assignees"][0] in {"carla@acme.test", "hana@acme.test", "jade@acme.test"}
    assert any(s["step"] == "rule" and s["outcome"] == "matched" for s in body["trace"])
    ledger = api.get("/api/v1/decisions", params={"email": "buyer@globex.test"}).json()
    assert [d["decision_id"] for d in ledger] == [body["decision_id"]]
    one = api.get(f"/api/v1/decisions/{body['decision_id']}").json()
    assert one["assignees"] == body["assignees"]
    assert one["created_at"].endswith("+00:00")  # timestamps come back timezone-aware
    assert one["trace"] == body["trace"]


def test_dry_run_records_nothing(api: httpx.Client) -> None:
    r = api.post(
        "/api/v1/routers/q2-enterprise/route",
        params={"dry_run": "true"},
        json={"email": "dry@nowhere.test"},
    )
    assert r.status_code == 200
    assert r.json()["decision_id"] is None
    assert r.json()["dry_run"] is True
    assert api.get("/api/v1/decisions", params={"email": "dry@nowhere.test"}).json() == []


def test_errors_are_json_with_the_field(api: httpx.Client, server: tuple[str, str]) -> None:
    r = api.post("/api/v1/routers/nope/route", json={"email": "a@b.test"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = api.post("/api/v1/routers/q2-enterprise/route", json={"email": "not an email"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "email"
    r = api.post(
        "/api/v1/routers/q2-enterprise/route", json={"email": "a@b.test", "Bad Field!": "x"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"].lower() == "bad field!"
    r = api.post("/api/v1/routers/q2-enterprise/route", json={"email": 5})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "email"
    r = api.post(
        "/api/v1/routers/q2-enterprise/route",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400  # bad JSON is 400 on every endpoint
    assert r.json()["error"] == {
        "code": "bad_json",
        "message": "the body is not valid JSON",
        "field": "body",
    }
    r = api.post("/api/v1/routers/q2-enterprise/route", json=["a list"])
    assert r.status_code == 422
    anonymous = httpx.post(
        f"{server[0]}/api/v1/routers/q2-enterprise/route", json={"email": "a@b.test"}
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    wrong = httpx.post(
        f"{server[0]}/api/v1/routers/q2-enterprise/route",
        json={"email": "a@b.test"},
        headers={"Authorization": "Bearer lr_nope"},
    )
    assert wrong.status_code == 401


def test_workspace_get_and_put(api: httpx.Client) -> None:
    doc = api.get("/api/v1/workspace").json()
    assert {r["slug"] for r in doc["routers"]} == {
        "q2-enterprise",
        "inbound-demo",
        "partner-referrals",
        "website-visitors",  # live routing (docs/live.md)
        "website-chat",
    }
    same = api.put("/api/v1/workspace", json=doc).json()
    assert same["changes"] == []
    assert same["changed"] is False
    doc["routers"][1]["title"] = "Renamed"
    preview = api.put("/api/v1/workspace", params={"dry_run": "true"}, json=doc).json()
    assert [c["text"] for c in preview["changes"]] == ["~ routers: inbound-demo (title)"]
    doc["routers"][1]["rules"][0]["when"] = {"field": "x", "op": "equalz", "value": 1}
    bad = api.put("/api/v1/workspace", json=doc)
    assert bad.status_code == 422
    err = bad.json()["error"]
    assert err["field"] == "routers[1].rules[0].when.op"
    assert "did you mean 'equals'" in err["message"]
    # neither the dry run nor the refused document wrote anything
    assert api.get("/api/v1/workspace").json()["routers"][1]["title"] == "Website Demo Requests"


def test_openapi_and_health(server: tuple[str, str]) -> None:
    spec = httpx.get(f"{server[0]}/openapi.json").json()
    assert "/api/v1/routers/{slug}/route" in spec["paths"]
    assert httpx.get(f"{server[0]}/healthz").json()["database"] == "sqlite"
