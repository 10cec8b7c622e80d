"""The rule stack editor: add, edit, reorder, delete; bad conditions refused with the rule and
field named, the input kept, nothing written; the editor's operators come from the engine."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from leadrail.routing.operators import OPERATORS
from tests.integration.dashboard import router_support as support
from tests.support.dashboard import Dash


@pytest.fixture
def dash_setup() -> tuple[dict[str, Any], Any]:
    return support.router_setup()


URL = "/dashboard/routers/inbound/rules"


def save(d: Dash, rules: Any) -> Any:
    text = rules if isinstance(rules, str) else json.dumps(rules)
    return d.post(URL, {"rules_json": text})


def schema_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="rules-schema">(.*?)</script>', page)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_page_shows_the_stack_and_the_engines_vocabulary(dash: Dash) -> None:
    page = dash.client.get(URL).text
    schema = schema_of(page)
    assert schema["operators"] == list(OPERATORS)
    assert schema["groups"] == ["all", "any", "not"]
    assert {"email", "domain", "free_mail", "country"} <= set(schema["fields"])
    assert schema["lists"] == ["target-accounts", "vip"]
    assert schema["teams"] == ["SDR"]
    assert {w["name"] for w in schema["ownership"]} >= {"enabled", "match", "exact_match"}
    assert "Big accounts" in page
    assert "France" in page
    assert 'name="rules_json"' in page
    assert 'name="csrf"' in page
    assert "domain in list &#39;target-accounts&#39;" in page  # the no-JS summary


def test_add_edit_reorder_delete(dash: Dash) -> None:
    rules = dash.router()["rules"]
    rules.append({"name": "Partners", "when": {"any": [
        {"field": "utm_source", "op": "equals", "value": "partner"},
        {"all": [{"field": "employee_count", "op": "greater_than", "value": 500},
                 {"not": {"field": "domain", "op": "in_list", "value": "vip"}}]}]},
        "route": {"team": "SDR", "members": ["rep0@acme.test"], "round_robin": "flexible"},
        "ownership": {"enabled": True, "match": ["contacts"], "exact_match": True}})  # fmt: skip
    assert save(dash, rules).status_code == 303
    assert [r["name"] for r in dash.router()["rules"]] == ["Big accounts", "France", "Partners"]
    assert dash.router()["rules"][2]["ownership"]["match"] == ["contacts"]
    rules = dash.router()["rules"]
    rules[1]["when"]["value"] = "de"  # edit
    rules.insert(0, rules.pop(2))  # reorder
    assert save(dash, rules).status_code == 303
    saved = dash.router()["rules"]
    assert [r["name"] for r in saved] == ["Partners", "Big accounts", "France"]
    assert saved[2]["when"]["value"] == "de"
    assert save(dash, saved[:1]).status_code == 303  # delete two
    assert [r["name"] for r in dash.router()["rules"]] == ["Partners"]
    assert save(dash, []).status_code == 303  # delete all
    assert "rules" not in dash.router()


def test_yaml_by_hand_works_too(dash: Dash) -> None:
    text = "- name: Germany\n  when: {field: country, op: equals, value: de}\n" \
           "  route: {user: rep3@acme.test}\n"  # fmt: skip
    assert save(dash, text).status_code == 303
    assert dash.router()["rules"][0]["route"] == {"user": "rep3@acme.test"}


def test_an_invalid_condition_names_the_rule_and_field(dash: Dash) -> None:
    before = dash.router()
    rules = before["rules"] + [{"name": "Typo", "when": {"field": "country", "op": "equalz",
                                                        "value": "<b>fr</b>"},
                                "route": {"team": "SDR"}}]  # fmt: skip
    r = save(dash, rules)
    assert r.status_code == 422
    assert "rules[2].when.op" in r.text
    assert "unknown operator &#39;equalz&#39; (did you mean &#39;equals&#39;?)" in r.text
    errors = json.loads(re.search(r'id="rules-errors">(.*?)</script>', r.text).group(1))
    assert errors == {"rules[2].when.op": "unknown operator 'equalz' (did you mean 'equals'?)"}
    assert "&#34;equalz&#34;" in r.text
    assert "&lt;b&gt;fr&lt;/b&gt;" in r.text
    assert "<b>fr</b>" not in r.text
    assert 'aria-invalid="true"' in r.text
    assert dash.router() == before  # nothing written


def test_unknown_list_team_and_broken_text(dash: Dash) -> None:
    before = dash.router()
    r = save(dash, [{"name": "X", "when": {"field": "domain", "op": "in_list", "value": "nope"},
                     "route": {"team": "Ghosts"}}])  # fmt: skip
    assert r.status_code == 422
    assert "rules[0].when.value" in r.text
    assert "unknown list &#39;nope&#39;" in r.text
    assert "rules[0].route.team" in r.text
    r = save(dash, "[{not json")
    assert r.status_code == 422
    assert "not valid JSON or YAML" in r.text
    assert "[{not json" in r.text
    r = save(dash, '{"name": "not a list"}')
    assert r.status_code == 422
    assert "a list of rules" in r.text
    assert dash.router() == before


def test_csrf_is_required(dash: Dash) -> None:
    before = dash.router()
    r = dash.client.post(URL, data={"rules_json": "[]", "csrf": "nope"})
    assert r.status_code == 403
    assert dash.client.post(URL, data={"rules_json": "[]"}).status_code == 403
    assert dash.router() == before


def test_a_rep_cannot_save_rules(rep_dash: Dash) -> None:
    before = rep_dash.router()
    r = rep_dash.post(URL, {"rules_json": "[]"})
    assert r.status_code == 403
    assert rep_dash.router() == before


def rules_data(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="rules-data">(.*?)</script>', page)
    assert found
    return json.loads(found.group(1))


def test_an_untouched_new_rule_is_refused_and_marked(dash: Dash) -> None:
    before = dash.router()
    placeholder = {"name": "Rule 3", "when": {"field": "country", "op": "equals", "value": ""},
                   "route": {"team": "SDR"}}  # what "Add a rule" puts in the stack  # fmt: skip
    r = save(dash, before["rules"] + [placeholder])
    assert r.status_code == 422
    errors = json.loads(re.search(r'id="rules-errors">(.*?)</script>', r.text).group(1))
    assert list(errors) == ["rules[2].when.value"]
    assert "empty value never matches" in errors["rules[2].when.value"]
    assert len(rules_data(r.text)) == 3  # the editor keeps all three, the new one marked
    assert dash.router() == before


def test_yaml_with_an_error_keeps_the_stack_for_the_editor(dash: Dash) -> None:
    before = dash.router()
    text = ("- name: Germany\n  when: {field: country, op: equalz, value: de}\n"
            "  route: {user: rep3@acme.test}\n"
            "- name: Later\n  when: {field: since, op: equals, value: 2024-05-01}\n"
            "  route: {team: SDR}\n")  # fmt: skip
    r = save(dash, text)
    assert r.status_code == 422
    stack = rules_data(r.text)
    assert [rule["name"] for rule in stack] == ["Germany", "Later"]
    assert stack[1]["when"]["value"] == "2024-05-01"  # a YAML date comes back as text
    errors = json.loads(re.search(r'id="rules-errors">(.*?)</script>', r.text).group(1))
    assert list(errors) == ["rules[0].when.op"]
    assert dash.router() == before
    r = save(dash, "- name: [unclosed\n")
    assert r.status_code == 422
    assert rules_data(r.text) is None  # unreadable: the text box alone, with the reason
    assert "not valid JSON or YAML" in r.text


def test_the_editor_reads_yaml_as_a_save_would(dash: Dash) -> None:
    url = URL + "/read"
    text = "- name: Germany\n  when: {field: country, op: equals, value: de}\n" \
           "  route: {user: rep3@acme.test}\n"  # fmt: skip
    r = dash.post(url, {"rules_json": text})
    assert r.status_code == 200
    assert r.json()["rules"][0]["route"] == {"user": "rep3@acme.test"}
    r = dash.post(url, {"rules_json": "name: not a list"})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "the rule stack is a list of rules"
    assert dash.post(url, {"rules_json": "- x: .nan"}).status_code == 422
    r = dash.client.post(url, data={"rules_json": text})  # no CSRF token
    assert r.status_code == 403
