"""An admin in a real browser (Debian's chromium) against `leadrail serve`: log in, edit a
router setting, add a rule with the condition builder, reorder the stack by keyboard, save,
dry-run a prospect and read the matched rule and the trace. Screenshots go to docs/ when asked
(LEADRAIL_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.test_booking_browser import CHROMIUM, LAUNCH_ARGS
from tests.e2e.test_http import BIN, free_port
from tests.integration.dashboard.router_support import router_workspace
from tests.screenshots import screenshot

ADMIN, PASSWORD = "admin@acme.test", "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")
    tmp = tmp_path_factory.mktemp("dashboard")
    (tmp / "ws.yaml").write_text(yaml.safe_dump(router_workspace()))
    port = free_port()
    env = {
        **os.environ,
        "LEADRAIL_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite'}",
        "LEADRAIL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }

    def run(*args: str, stdin: str | None = None) -> None:
        subprocess.run([str(BIN / "leadrail"), *args], env=env, check=True, input=stdin,
                       capture_output=True, text=True, timeout=60)  # fmt: skip

    run("apply", "-f", str(tmp / "ws.yaml"))
    run("user", "create", ADMIN, "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    proc = subprocess.Popen(
        [str(BIN / "leadrail"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        browser.close()


def log_in(page: Any, base: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_wrong_password_shows_an_error(server: str, page: Any) -> None:
    log_in(page, server, password="not it")
    assert page.locator("#login-error").is_visible()
    assert page.get_by_label("E-mail").input_value() == ADMIN
    assert page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"


def test_edit_a_router_its_rules_and_dry_run(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    log_in(page, server)
    page.wait_for_url("**/dashboard")
    page.goto(f"{server}/dashboard/routers/inbound")
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
    page.get_by_label("utm_campaign").fill("spring & more")
    assert page.locator("#link-plain").inner_text().endswith("?utm_campaign=spring%20%26%20more")
    screenshot(page, "dashboard-links.png", full_page=True)

    page.get_by_role("link", name="Test", exact=True).click()
    page.get_by_label("E-mail").fill("jonas@bigco.test")
    page.get_by_label("Country").fill("de")
    page.get_by_label("Employees").fill("50")
    page.get_by_role("button", name="Route (dry run)").click()
    assert page.locator("#matched-rule").inner_text() == "Germany"
    assert page.locator(".assignee").first.inner_text() == "rep3@acme.test"
    assert page.locator("ol.trace li").count() >= 1
    assert "Germany" in page.locator("ol.trace").inner_text()
    screenshot(page, "dashboard-test.png", full_page=True)


def test_the_rule_editor_refuses_a_blank_rule_and_reads_yaml(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    log_in(page, server)
    page.wait_for_url("**/dashboard")
    page.goto(f"{server}/dashboard/routers/inbound/rules")
    n = page.locator("#rule-list > li").count()
    page.get_by_role("button", name="Add a rule").click()  # and save it untouched
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("#rule-problems")).to_contain_text(f"rules[{n}].when.value")
    expect(page.locator("#rule-list > li")).to_have_count(n + 1)  # the editor is still there
    marked = page.locator("#rule-list > li.has-error")
    expect(marked).to_have_count(1)
    assert marked.get_attribute("data-path") == f"rules[{n}]"
    expect(marked.locator(".field-error")).to_contain_text("empty value never matches")

    page.goto(f"{server}/dashboard/routers/inbound/rules")
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
