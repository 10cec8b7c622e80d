"""apply / export on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.errors import InvalidWorkspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings

DEMO = Path(__file__).parents[2] / "examples" / "demo.yaml"


@pytest.fixture
def c(db_url: str) -> Container:
    return bootstrap(Settings(database_url=db_url))


def demo() -> dict:
    return yaml.safe_load(DEMO.read_text())


def test_apply_then_export_round_trips_the_demo(c: Container) -> None:
    changes = apply_workspace(c.workspace, demo())
    assert any(str(ch) == "+ routers: q2-enterprise" for ch in changes)
    exported = export_workspace(c.workspace)
    # The export is itself a valid file that changes nothing when applied again.
    assert apply_workspace(c.workspace, exported) == []
    assert apply_workspace(c.workspace, demo()) == []
    again = export_workspace(c.workspace)
    assert again == exported
    router = next(r for r in exported["routers"] if r["slug"] == "q2-enterprise")
    assert router["rules"][1]["when"] == {
        "field": "domain",
        "op": "in_list",
        "value": "target-accounts",
    }
    assert router["redirect_url"] == "https://example.com/thank-you"
    bo = next(u for u in exported["users"] if u["email"] == "bo@acme.test")
    assert bo["vacations"] == [{"from": "2026-12-20", "to": "2027-01-02"}]
    assert exported["crm"]["companies"][0]["domain"] == "bigco.test"


def test_apply_reports_each_change_and_removals(c: Container) -> None:
    apply_workspace(c.workspace, demo())
    doc = demo()
    doc["teams"] = [t for t in doc["teams"] if t["name"] != "EMEA"]
    for r in doc["routers"]:
        r["rules"] = [x for x in r["rules"] if x["name"] != "EMEA"]
    doc["routers"][1]["title"] = "Demo requests"
    doc["users"] = [u for u in doc["users"] if u["email"] != "kofi@acme.test"]
    doc["teams"][0]["members"] = [
        m for m in doc["teams"][0]["members"] if m["user"] != "kofi@acme.test"
    ]
    changes = {str(ch) for ch in apply_workspace(c.workspace, doc)}
    assert "- teams: EMEA" in changes
    assert "~ routers: inbound-demo (title)" in changes
    assert "~ routers: q2-enterprise (rules)" in changes
    assert "- users: kofi@acme.test (deactivated: not in the file)" in changes
    exported = export_workspace(c.workspace)
    kofi = next(u for u in exported["users"] if u["email"] == "kofi@acme.test")
    assert kofi["active"] is False
    assert apply_workspace(c.workspace, doc) == []


def test_invalid_file_names_every_bad_path_and_writes_nothing(c: Container) -> None:
    apply_workspace(c.workspace, demo())
    before = export_workspace(c.workspace)
    doc = demo()
    bad = copy.deepcopy(doc)
    bad["routers"][0]["rules"][0]["when"] = {"field": "domain", "op": "equalz", "value": "x"}
    bad["routers"][2]["default"] = {"team": "Nobody"}
    bad["teams"][0]["members"].append({"user": "ghost@acme.test"})
    bad["routers"][1]["redirect_url"] = "javascript:alert(1)"
    bad["users"][0]["timezone"] = "Mars/Olympus"
    with pytest.raises(InvalidWorkspace) as exc:
        apply_workspace(c.workspace, bad)
    messages = {str(p) for p in exc.value.problems}
    assert (
        "users[0].timezone: unknown timezone 'Mars/Olympus' (use an IANA name such as "
        "Europe/Paris)" in messages
    )
    assert (
        "routers[1].redirect_url: redirect_url must be an absolute http:// or https:// URL"
        in messages
    )
    # Shape problems are reported first; fix them and the reference problems all show.
    bad["users"][0]["timezone"] = "America/New_York"
    bad["routers"][1]["redirect_url"] = None
    with pytest.raises(InvalidWorkspace) as exc:
        apply_workspace(c.workspace, bad)
    messages = {str(p) for p in exc.value.problems}
    assert (
        "routers[0].rules[0].when.op: unknown operator 'equalz' (did you mean 'equals'?)"
        in messages
    )
    assert (
        "routers[2].default.team: unknown team 'Nobody' (known: AE Enterprise, EMEA, SDR)"
        in messages
    )
    assert "teams[0].members[5].user: unknown user 'ghost@acme.test'" in messages
    assert export_workspace(c.workspace) == before


def test_a_partial_file_refers_to_what_is_already_there(c: Container) -> None:
    apply_workspace(c.workspace, demo())
    only_router = {
        "routers": [{"slug": "solo", "title": "Solo", "default": {"team": "SDR"}}],
        "sites": [],  # the demo site's live settings use the routers this file removes
    }
    changes = {str(ch) for ch in apply_workspace(c.workspace, only_router)}
    assert "+ routers: solo" in changes
    assert "- routers: q2-enterprise" in changes  # the section is the whole truth
    exported = export_workspace(c.workspace)
    assert len(exported["teams"]) == 3  # sections not in the file are left alone
