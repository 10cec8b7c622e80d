"""A prospect needs an e-mail (or the documented alternative: a domain or website field) on
every path that routes it by request; site keys are checked before the body."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from leadrail.cli import app as cli_app
from tests.factories import SITE_KEY
from tests.integration.edge.support import counts, edge_app
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("body", [{"name": "no email"}, {}, {"email": "  "}, {"website": "n/a"}])
def test_routing_without_an_email_is_refused_and_records_nothing(
    db_url: str, body: dict[str, str], dry_run: bool
) -> None:
    with edge_app(db_url) as (c, client, token):
        before = counts(c)
        r = client.post(
            "/api/v1/routers/strict/route",
            params={"dry_run": dry_run},
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == "email"
        assert "e-mail" in r.json()["error"]["message"]
        assert counts(c) == before


def test_a_domain_is_the_documented_alternative_to_an_email(db_url: str) -> None:
    with edge_app(db_url) as (_, client, token):
        r = client.post(
            "/api/v1/routers/strict/route",
            json={"website": "https://www.BigCo.test/about", "name": "Account"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["domain"] == "bigco.test"
        assert r.json()["decision_id"]


def test_the_cli_refuses_a_prospect_without_an_email(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with edge_app(sqlite_url) as (c, _, _token):
        before = counts(c)
        monkeypatch.setenv("LEADRAIL_DATABASE_URL", sqlite_url)
        runner = CliRunner()
        for args in (["route", "strict"], ["route", "strict", "--field", "name=x", "--dry-run"]):
            result = runner.invoke(cli_app, args)
            assert result.exit_code == 1, result.output
            assert "email: a prospect needs an e-mail address" in result.stderr
        assert counts(c) == before


def test_slots_and_bookings_without_an_email_take_no_turn(db_url: str) -> None:
    with edge_app(db_url) as (c, client, _):
        before = counts(c)
        r = client.get("/api/v1/routers/strict/slots", params={"email": ""})
        assert (r.status_code, r.json()["error"]["field"]) == (422, "email")
        r = client.post(
            "/api/v1/bookings",
            json={"router": "strict", "start": "2026-11-30T14:00:00Z", "prospect": {"name": "x"}},
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "email")
        page = client.get("/c/strict", params={"name": "No Email"})  # asks for the e-mail
        assert page.status_code == 200
        after = counts(c)
        assert after["decisions"] == before["decisions"]
        assert after["meetings"] == before["meetings"]


@pytest.mark.parametrize(
    "body",
    [
        {"category": 5},
        {"customer": "nobody"},
        {"site_key": "pk_wrong_0000000000000", "category": ""},
        {},
    ],
)
def test_a_wrong_site_key_is_401_whatever_the_body(db_url: str, body: dict[str, object]) -> None:
    with edge_app(db_url) as (c, client, _):
        before = counts(c)
        for headers in ({"X-Site-Key": "pk_wrong_0000000000000"}, {}):
            r = client.post("/api/v1/leads", json=body, headers=headers)
            assert r.status_code == 401, r.text
            assert r.json()["error"]["field"] == "site_key"
            r = client.post("/api/v1/visitors/events", json=body, headers=headers)
            assert r.status_code == 401, r.text
            assert r.json()["error"]["field"] == "site_key"
        r = client.post("/api/v1/visitors/events", json=["a list"], headers={"X-Site-Key": "x"})
        assert r.status_code == 401
        assert counts(c) == before
        r = client.post("/api/v1/leads", json={"category": 5}, headers={"X-Site-Key": SITE_KEY})
        assert (r.status_code, r.json()["error"]["field"]) == (422, "category")  # then the body
        r = client.post(
            "/api/v1/visitors/events", json={"type": "dance"}, headers={"X-Site-Key": SITE_KEY}
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "type")
