"""``POST /api/v1/routers/{slug}/route`` answers exactly what its OpenAPI schema declares: every
field the schema names is in every answer (required), no answer holds a field the schema
does not name (no additional properties), and the types agree, for the decision and for each
step of its trace, whatever kind of decision it is. The endpoint writes its JSON by hand (the
hot path); the schema and that JSON come from one declaration (``web/schemas.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, workspace
from tests.support.dashboard import make_account

ADMIN = "admin@acme.test"
PATH = "/api/v1/routers/{slug}/route"
RULES = [
    {"name": "Service", "when": {"field": "topic", "op": "equals", "value": "service"},
     "route": {"category": "Service"}},
    {"name": "Live", "when": {"field": "topic", "op": "equals", "value": "live"},
     "route": {"broadcast": ["rep0@acme.test", "rep1@acme.test"]}},
]  # fmt: skip
CASES = [  # (router, query, prospect, the decision's via)
    ("inbound", "", {"email": "pat@example.test", "employee_count": 12}, "rotation"),
    ("inbound", "?dry_run=true", {"email": "pat@example.test"}, "memory"),
    ("inbound", "", {"email": "cto@bigco.test"}, "owner"),
    ("inbound", "", {"email": "x@y.test", "topic": "service"}, "category"),
    ("inbound", "", {"email": "z@y.test", "topic": "live", "vip": True}, "broadcast"),
    ("closed", "", {"email": "z@y.test"}, "none"),
    ("credits", "?dry_run=true", {"email": "c@y.test"}, "credit"),
]


@pytest.fixture
def client(sqlite_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    c: Container = bootstrap(Settings(database_url=sqlite_url, secret_key="t" * 32, worker=False))
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    pair = {"team": "SDR", "members": ["rep0@acme.test", "rep1@acme.test"]}
    doc = workspace(ownership={"enabled": True}, rules=RULES, default=pair)
    doc["users"][2]["vacations"] = [{"from": "2026-11-01", "to": "2026-12-31"}]
    doc["users"][3]["credits"] = 2
    doc["routers"] += [
        {"slug": "closed", "title": "Closed", "default": {"user": "rep2@acme.test"}},
        {"slug": "credits", "title": "Credits", "default": {"team": "SDR"}},
    ]
    doc["categories"] = [{"name": "Service", "destinations": [{"address": "s@dealer.test"}]}]
    doc["fallback_destination"] = {"address": "manager@dealer.test"}
    doc["crm"] = {"contacts": [{"email": "cto@bigco.test", "owner": "OWN-1"}]}
    apply_workspace(c.workspace, doc)
    make_account(c, ADMIN, admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token(ADMIN, 'test')}"}
    with TestClient(create_app(c.settings, container=c)) as http:
        yield http, auth
    c.close()


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return resolve(doc, found)


def test_every_answer_has_exactly_the_fields_and_types_the_schema_declares(client: Any) -> None:
    http, auth = client
    doc = http.get("/openapi.json").json()
    declared = doc["paths"][PATH]["post"]["responses"]["200"]["content"]["application/json"]
    validator = jsonschema_rs.validator_for({**declared["schema"], "components": doc["components"]})
    decision = resolve(doc, declared["schema"])
    step = resolve(doc, decision["properties"]["trace"]["items"])
    assert decision.get("additionalProperties") is False
    assert step.get("additionalProperties") is False
    for slug, query, prospect, via in CASES:
        r = http.post(f"/api/v1/routers/{slug}/route{query}", json=prospect, headers=auth)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["via"] == via, body
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], (via, errors)
        assert set(body) == set(decision["properties"]) == set(decision["required"])
        assert body["trace"], via
        for s in body["trace"]:
            assert set(s) == set(step["properties"]) == set(step["required"])
