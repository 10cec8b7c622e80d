"""Target accounts as saved CRM queries: a list whose values are the domains of the built-in
CRM's companies matching a condition, read again on its schedule (by the worker) or by
``leadrail crm refresh-lists``; routers see the new values; the YAML round-trips."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.errors import InvalidWorkspace
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap, refresh_target_lists
from leadrail.cli import app
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, workspace
from tests.support.dashboard import login, make_account

TIER_1 = {"name": "tier-1", "query": {"companies": {"field": "tier", "op": "equals", "value": 1},
                                     "refresh_minutes": 60}}  # fmt: skip
RULE = {"name": "Tier 1 accounts", "route": {"user": "rep1@acme.test"},
        "when": {"field": "domain", "op": "in_list", "value": "tier-1"}}  # fmt: skip


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=db_url, worker=False))
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    doc = workspace(rules=[RULE])
    doc["lists"] = [TIER_1]
    doc["crm"] = {"companies": [
        {"domains": ["bigco.test", "bigco.eu.test"], "tier": "1"},
        {"domain": "smallco.test", "tier": "3"},
        {"domain": "partner.test", "properties": {"tier": 1}},
    ]}  # fmt: skip
    apply_workspace(container.workspace, doc)
    yield container
    container.close()


def rule_of(c: Container, email: str) -> str | None:
    done = route_prospect(c.routing, "inbound", {"email": email}, c.clock.now(), dry_run=True)
    return done.decision.rule


def test_the_list_is_the_query_answer_and_routers_see_it(c: Container) -> None:
    assert rule_of(c, "cto@bigco.test") == "default"  # not read yet
    done = refresh_target_lists(c)
    assert [(r.name, r.domains, r.changed) for r in done] == [("tier-1", 3, True)]
    (exported,) = export_workspace(c.workspace)["lists"]
    assert exported["values"] == ["bigco.eu.test", "bigco.test", "partner.test"]
    assert exported["query"]["companies"] == TIER_1["query"]["companies"]
    assert rule_of(c, "cto@sales.bigco.test") == "Tier 1 accounts"
    assert rule_of(c, "cto@smallco.test") == "default"


def test_refreshed_on_its_schedule(c: Container) -> None:
    refresh_target_lists(c)
    doc = c.workspace.load()
    assert doc.crm is not None
    apply_workspace(c.workspace, {"crm": {"companies": [{"domain": "smallco.test", "tier": "1"}]}})
    assert refresh_target_lists(c) == []  # not due yet
    c.clock.current += timedelta(minutes=61)  # type: ignore[attr-defined]
    (done,) = refresh_target_lists(c)
    assert (done.domains, done.changed) == (4, True)
    assert rule_of(c, "cto@smallco.test") == "Tier 1 accounts"


def test_applying_the_file_again_keeps_the_last_answer(c: Container) -> None:
    refresh_target_lists(c)
    revision = c.workspace.revision()
    doc = workspace(rules=[RULE])
    doc["lists"] = [TIER_1]
    apply_workspace(c.workspace, doc)  # the file has no values: the last answer is kept
    assert c.workspace.revision() > revision
    assert rule_of(c, "cto@bigco.test") == "Tier 1 accounts"
    assert refresh_target_lists(c) == []  # the same query: not due again


def test_a_bad_query_is_refused_naming_the_field(c: Container) -> None:
    doc = workspace()
    doc["lists"] = [{"name": "x", "query": {"companies": {"field": "tier", "op": "equalz",
                                                          "value": 1}}}]  # fmt: skip
    with pytest.raises(InvalidWorkspace) as refused:
        apply_workspace(c.workspace, doc)
    problem = refused.value.problems[0]
    assert problem.path.startswith("lists[0].query.companies")
    assert "did you mean 'equals'" in problem.message


def test_the_command_refreshes_now(c: Container, db_url: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("LEADRAIL_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["crm", "refresh-lists"])
    assert result.exit_code == 0, result.output
    assert "tier-1: 3 domains (changed)" in result.output


def test_the_dashboard_says_the_list_is_a_query_and_keeps_it(db_url: str) -> None:
    c = bootstrap(Settings(database_url=db_url, worker=False, secret_key="t" * 32))
    doc = workspace()
    doc["lists"] = [TIER_1]
    apply_workspace(c.workspace, doc)
    make_account(c, "admin@acme.test", admin=True)
    client = TestClient(create_app(c.settings, container=c), base_url="https://testserver")
    login(client, "admin@acme.test")
    page = client.get("/dashboard/lists/tier-1").text
    assert 'id="list-query"' in page
    assert "read again every 60 minutes" in page
    assert "(CRM query)" in client.get("/dashboard/lists").text
    c.close()
