"""An admin in a real browser (Debian's chromium) against `leadrail serve`: log in, edit a
router setting, add a rule with the condition builder, reorder the stack by keyboard, save,
dry-run a prospect and read the matched rule and the trace. Screenshots go to docs/ when asked
(LEADRAIL_SCREENSHOTS=1)."""

from __future__ import annotations

import re
from typing import Any

from tests.screenshots import screenshot
from tests.support.browser import log_in

ADMIN = "admin@acme.test"


def test_a_wrong_password_shows_an_error(dashboard_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    log_in(page, dashboard_server, password="not it")
    expect(page.locator("#login-error")).to_be_visible()  # the answer to the POST, once here
    expect(page.get_by_label("E-mail")).to_have_value(ADMIN)
    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")


def test_edit_a_router_its_rules_and_dry_run(dashboard_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    log_in(page, dashboard_server)
    page.wait_for_url("**/dashboard")
    page.goto(f"{dashboard_server}/dashboard/routers/inbound")
    page.get_by_label("Title", exact=True).fill("Talk to our sales team")
    page.get_by_label("Reset the rotation").select_option("weekly")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/dashboard/routers/inbound?flash=Saved")
    assert page.get_by_label("Title", exact=True).input_value() == "Talk to our sales team"
    assert page.get_by_label("Reset the rotation").input_value() == "weekly"
    screenshot(page, "dashboard-router.png", full_page=True)

    page.get_by_role("link", name="Rules").click()
    page.get_by_role("button", name="Add a rule").click()
    page.get_by_label("Rule 3 name").fill("Germany")
    page.get_by_label("Rule 3 condition field").fill("country")
    page.get_by_label("Rule 3 condition operator").select_option("in")
    page.get_by_label("Rule 3 condition value").fill("de, at")
    page.get_by_label("Rule 3 condition kind").select_option("all")  # a group around it
    page.get_by_role("button", name="Add a condition").click()
    page.get_by_label("Rule 3 condition item 2 field").fill("employee_count")
    page.get_by_label("Rule 3 condition item 2 operator").select_option("greater_than")
    page.get_by_label("Rule 3 condition item 2 value").fill("10")
    page.get_by_label("Rule 3 route kind").select_option("user")
    page.get_by_label("Rule 3 user").fill("rep3@acme.test")
    rule = page.locator("#rule-list > li").nth(2)
    rule.focus()
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#rule-live")).to_have_text("Moved rule 'Germany' to position 1 of 3.")
    assert (
        page.locator("#rule-list > li")
        .first.get_attribute("aria-label")
        .startswith("Rule 1: Germany")
    )
    assert page.evaluate("document.activeElement.dataset.path") == "rules[0]"
    screenshot(page, "dashboard-rules.png", full_page=True)
    page.get_by_role("button", name="Save rules").click()
    page.wait_for_url("**/rules?flash=Rules+saved")
    names = [page.get_by_label(f"Rule {i} name").input_value() for i in (1, 2, 3)]
    assert names == ["Germany", "Big accounts", "France"]
    assert page.get_by_label("Rule 1 condition item 1 value").input_value() == "de, at"
    assert page.get_by_label("Rule 1 condition item 2 operator").input_value() == "greater_than"

    page.get_by_role("link", name="Link builder").click()
    page.get_by_label("utm_campaign").fill("spring & more")  # maybe before the script ran
    expect(page.locator("#link-plain")).to_have_text(
        re.compile(r"\?utm_campaign=spring%20%26%20more$")
    )
    screenshot(page, "dashboard-links.png", full_page=True)

    page.get_by_role("link", name="Test", exact=True).click()
    page.get_by_label("E-mail").fill("jonas@bigco.test")
    page.get_by_label("Country").fill("de")
    page.get_by_label("Employees").fill("50")
    page.get_by_role("button", name="Route (dry run)").click()
    expect(page.locator("#matched-rule")).to_have_text("Germany")
    expect(page.locator(".assignee").first).to_have_text("rep3@acme.test")
    expect(page.locator("ol.trace li").first).to_be_visible()
    expect(page.locator("ol.trace")).to_contain_text("Germany")
    screenshot(page, "dashboard-test.png", full_page=True)


def test_the_rule_editor_refuses_a_blank_rule_and_reads_yaml(
    dashboard_server: str, page: Any
) -> None:
    from playwright.sync_api import expect

    log_in(page, dashboard_server)
    page.wait_for_url("**/dashboard")
    page.goto(f"{dashboard_server}/dashboard/routers/inbound/rules")
    n = page.locator("#rule-list > li").count()
    page.get_by_role("button", name="Add a rule").click()  # and save it untouched
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("#rule-problems")).to_contain_text(f"rules[{n}].when.value")
    expect(page.locator("#rule-list > li")).to_have_count(n + 1)  # the editor is still there
    marked = page.locator("#rule-list > li.has-error")
    expect(marked).to_have_count(1)
    assert marked.get_attribute("data-path") == f"rules[{n}]"
    expect(marked.locator(".field-error")).to_contain_text("empty value never matches")

    page.goto(f"{dashboard_server}/dashboard/routers/inbound/rules")
    page.locator("#json-details summary").click()
    yaml_text = ("- name: Germany\n  when: {field: country, op: equals, value: de}\n"
                 "  route: {user: rep3@acme.test}\n"
                 "- name: Typo\n  when: {field: country, op: equalz, value: fr}\n"
                 "  route: {user: rep2@acme.test}\n")  # fmt: skip
    page.get_by_label("The rule stack").fill(yaml_text)
    page.get_by_role("button", name="Load into the editor").click()
    expect(page.locator("#load-status")).to_have_text("Loaded 2 rules into the editor.")
    assert page.get_by_label("Rule 2 condition operator").input_value() == "equalz"

    page.get_by_label("The rule stack").fill(yaml_text)  # saved as YAML, with an error
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("#rule-problems")).to_contain_text("rules[1].when.op")
    expect(page.locator("#rule-editor")).to_be_visible()
    expect(page.locator("#rule-list > li")).to_have_count(2)
    assert page.get_by_label("Rule 1 name").input_value() == "Germany"
    expect(page.locator("#rule-list > li.has-error")).to_have_count(1)
    assert page.locator("#rule-list > li.has-error").get_attribute("data-path") == "rules[1]"
