"""A rule's own reason and the opportunity-owner route, through the dashboard: saved by the
rule editor, shown (escaped) on the decision page beside the rule and in its trace."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from leadrail.app.route import route_prospect
from tests.integration.dashboard import router_support as support
from tests.support.dashboard import Dash


@pytest.fixture
def dash_setup() -> tuple[dict[str, Any], Any]:
    return support.router_setup()


URL = "/dashboard/routers/inbound/rules"
REASON = "Target account <b>owner</b> is in Tokyo"


def test_the_reason_is_saved_and_shown_with_the_decision(dash: Dash) -> None:
    rules = dash.router()["rules"]
    rules[0]["reason"] = REASON
    deal = {"field": "crm.opportunity.open", "op": "equals", "value": True}
    rules.insert(0, {"name": "Open deal", "route": {"opportunity_owner": True}, "when": deal})
    r = dash.post(URL, {"rules_json": json.dumps(rules)})
    assert r.status_code == 303
    saved = dash.router()["rules"]
    assert saved[0]["route"] == {"opportunity_owner": True}
    assert saved[1]["reason"] == REASON
    now = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    done = route_prospect(dash.c.routing, "inbound", {"email": "cto@bigco.test"}, now)
    assert done.decision.rule == "Big accounts"
    page = dash.client.get(f"/dashboard/decisions/{done.id}").text
    shown = "Target account &lt;b&gt;owner&lt;/b&gt; is in Tokyo"
    assert f'<dd id="reason">{shown}</dd>' in page
    assert "reason · given" in page
    assert "<b>owner</b>" not in page


def test_a_reason_too_long_is_refused_naming_the_rule(dash: Dash) -> None:
    rules = dash.router()["rules"]
    rules[1]["reason"] = "x" * 301
    r = dash.post(URL, {"rules_json": json.dumps(rules)})
    assert r.status_code == 422
    assert "rules[1].reason" in r.text
    assert "reason" not in dash.router()["rules"][1]
