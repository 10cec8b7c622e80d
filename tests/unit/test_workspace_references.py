"""What a workspace refers to: comparisons with an empty value are refused (they never match,
or always do), and every reference can say who makes it (by slug and rule name), so a refusal
never reads ``routers[5]`` alone."""

from __future__ import annotations

from typing import Any

import pytest

from leadrail.app.errors import InvalidWorkspace
from leadrail.app.references import referrers
from leadrail.app.workspace import parse_workspace
from tests.factories import workspace


def problems(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidWorkspace) as err:
        parse_workspace(doc)
    return {p.path: p.message for p in err.value.problems}


def ruled(*whens: object) -> dict[str, Any]:
    rules = [
        {"name": f"R{i}", "when": when, "route": {"team": "SDR"}} for i, when in enumerate(whens)
    ]
    return workspace(rules=rules)


@pytest.mark.parametrize(
    ("when", "path"),
    [
        ({"field": "country", "op": "equals", "value": ""}, "when.value"),
        ({"field": "country", "op": "equals", "value": "   "}, "when.value"),
        ({"field": "country", "op": "not_equals", "value": ""}, "when.value"),
        ({"field": "country", "op": "in", "value": ["fr", ""]}, "when.value[1]"),
        ({"field": "country", "op": "not_in", "value": [" "]}, "when.value[0]"),
        ({"all": [{"field": "country", "op": "exists"},
                  {"not": {"field": "name", "op": "equals", "value": ""}}]},
         "when.all[1].not.value"),
    ],
)  # fmt: skip
def test_a_comparison_with_an_empty_value_is_refused(when: object, path: str) -> None:
    found = problems(ruled(when))
    message = found[f"routers[0].rules[0].{path}"]
    assert "empty value" in message
    assert "exists" in message  # says what to use for a missing field


def test_the_dashboards_untouched_placeholder_rule_is_refused() -> None:
    placeholder = {"field": "country", "op": "equals", "value": ""}  # rules.js's fresh rule
    assert "routers[0].rules[0].when.value" in problems(ruled(placeholder))


def test_values_that_make_sense_are_accepted() -> None:
    parse_workspace(
        ruled(
            {"field": "country", "op": "equals", "value": "fr"},
            {"field": "employee_count", "op": "equals", "value": 0},
            {"field": "free_mail", "op": "equals", "value": False},
            {"field": "country", "op": "exists", "value": False},
            {"field": "country", "op": "in", "value": ["fr", "de"]},
        )
    )


def demo_like() -> dict[str, Any]:
    ws = workspace(
        rules=[
            {"name": "Big accounts", "when": {"field": "domain", "op": "in_list",
                                              "value": "target-accounts"},
             "route": {"team": "SDR", "members": ["rep1@acme.test"]}},
            {"name": "VIP", "when": {"any": [{"field": "domain", "op": "in_list",
                                             "value": "target-accounts"}]},
             "route": {"user": "rep2@acme.test"}},
        ],
        meeting_type="intro",
    )  # fmt: skip
    ws["routers"].append({"slug": "emea", "title": "EMEA", "default": {"team": "SDR"}})
    ws["meeting_types"] = [{"slug": "intro", "name": "Intro", "duration_minutes": 30}]
    ws["categories"] = [{"name": "Service"}, {"name": "Sales"}]
    ws["fallback_destination"] = {"address": "leads@acme.test"}
    ws["stores"] = [
        {"name": "Downtown", "latitude": 1, "longitude": 2,
         "categories": {"Service": [{"address": "s@acme.test"}]}},
    ]  # fmt: skip
    ws["routers"].append(
        {"slug": "service", "title": "Service", "default": {"category": "Sales",
                                                             "store": "Downtown"}}
    )  # fmt: skip
    ws["sites"] = [
        {"name": "www", "key": "k" * 20, "router": "service",
         "live": {"chat": {"router": "emea", "message_category": "Service"}}},
    ]  # fmt: skip
    ws["users"][1]["aligned"] = ["rep2@acme.test"]
    return ws


def owners(section: str, key: str) -> list[str]:
    return [r.owner for r in referrers(parse_workspace(demo_like()), section, key)]


def test_every_reference_names_who_makes_it() -> None:
    assert owners("teams", "SDR") == [
        "router 'inbound' (rule 'Big accounts')",
        "router 'inbound' (default route)",
        "router 'emea' (default route)",
    ]
    assert owners("lists", "target-accounts") == [
        "router 'inbound' (rule 'Big accounts')",
        "router 'inbound' (rule 'VIP')",
    ]
    assert owners("meeting_types", "intro") == ["router 'inbound'"]
    assert owners("users", "rep2@acme.test") == [
        "team 'SDR'",
        "user 'rep1@acme.test' (aligned users)",
        "router 'inbound' (rule 'VIP')",
    ]
    assert owners("categories", "Service") == ["store 'Downtown'", "site 'www' (live chat)"]
    assert owners("categories", "Sales") == ["router 'service' (default route)"]
    assert owners("stores", "Downtown") == ["router 'service' (default route)"]
    assert owners("routers", "emea") == ["site 'www' (live chat)"]
    assert owners("routers", "service") == ["site 'www'"]
    assert owners("teams", "Nobody") == []


def test_a_reference_problem_says_whose_it_is() -> None:
    ws = demo_like()
    ws["teams"][0]["name"] = "Inbound NA"  # renamed while routers route to the old name
    with pytest.raises(InvalidWorkspace) as err:
        parse_workspace(ws)
    found = {p.path: p for p in err.value.problems}
    p = found["routers[0].rules[0].route.team"]
    assert p.message == "unknown team 'SDR' (known: Inbound NA)"
    assert p.where == "router 'inbound' (rule 'Big accounts')"
    assert found["routers[1].default.team"].where == "router 'emea' (default route)"
