"""Live website chat in real browsers: a visitor on a customer page served from ANOTHER origin
(the snippet talks to leadrail over CORS), reps on the live console in their own browser
contexts. Real server process (`leadrail serve`), Debian's chromium."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.screenshots import screenshot
from tests.support.a11y import serious_violations
from tests.support.browser import TIMEOUT_MS, new_page, require_chromium
from tests.support.net import free_port
from tests.support.serve import PASSWORD, environment, leadrail, serving

KEY = "pk_live_acme_website_0001"
COUNTDOWN = 6
IDLE = 2  # seconds without a stream or an event before a visitor has left


def customer_page(base: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<title>Pricing · Globex</title></head><body><h1>Globex pricing</h1>"
        "<form id=lead onsubmit='event.preventDefault()'>"
        "<label>Name <input name=name></label><label>E-mail <input type=email name=email></label>"
        "<label>Company <input name=company></label><button>Send</button></form>"
        f"<script src='{base}/static/leadrail.js' data-site-key='{KEY}' async></script>"
        "</body></html>"
    ).encode()


def workspace(origin: str) -> dict[str, Any]:
    hours = {"mon-sun": "00:00-24:00"}
    reps = ["ana@acme.test", "ben@acme.test"]
    inbox = {"address": "sales@acme.test", "format": "text"}
    return {
        "timezone": "America/New_York",
        "users": [
            {"email": "ana@acme.test", "name": "Ana Ruiz", "working_hours": hours},
            {"email": "ben@acme.test", "name": "Ben Ortiz", "working_hours": hours},
        ],
        "meeting_types": [{"slug": "intro", "name": "Intro call", "duration_minutes": 30}],
        "categories": [{"name": "General", "destinations": [inbox]}],
        "fallback_destination": inbox,
        "routers": [
            {"slug": "website-visitors", "title": "Website visitors",
             "default": {"broadcast": reps}},
            {"slug": "website-chat", "title": "Website chat", "default": {"broadcast": reps}},
            {"slug": "book", "title": "Book a call with Acme", "meeting_type": "intro",
             "default": {"user": "ana@acme.test"}},
        ],
        "sites": [{
            "name": "Acme website", "key": KEY, "origins": [origin],
            "live": {
                "pounce": {"router": "website-visitors"},
                "chat": {"router": "website-chat", "countdown_seconds": COUNTDOWN,
                         "offer": ["booker", "message"], "booker_router": "book",
                         "message_category": "General"},
            },
        }],
    }  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = customer_page(base)

    class Customer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    customer = ThreadingHTTPServer(("127.0.0.1", 0), Customer)
    threading.Thread(target=customer.serve_forever, daemon=True).start()
    # another origin: another host name and port than the leadrail server
    origin = f"http://localhost:{customer.server_address[1]}"
    tmp = tmp_path_factory.mktemp("live")
    env = environment(tmp, workspace(origin), public_base_url=base, presence_grace_seconds="1",
                      live_visitor_idle_seconds=str(IDLE), worker="false")  # fmt: skip
    for rep in ("ana@acme.test", "ben@acme.test"):
        leadrail(env, "user", "password", rep, stdin=PASSWORD + "\n")
    with serving(env, tmp, port=port):
        yield {"base": base, "page": f"{origin}/pricing"}
    customer.shutdown()


def visitor(browser: Any, site: dict[str, Any]) -> Any:
    """A visitor on a phone, on the customer's page (another origin than leadrail)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(site["page"])
    page.get_by_role("button", name="Chat with us").wait_for()
    return page


def console(browser: Any, site: dict[str, Any], email: str) -> Any:
    """A rep logged in to the live console, online."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(f"{site['base']}/login?next=/dashboard/console")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_url("**/dashboard/console")
    page.locator("#conn", has_text="Online").wait_for()
    return page


def alert_of(rep: Any) -> Any:
    card = rep.locator(".alert-card:not(.done)").first
    card.wait_for(timeout=TIMEOUT_MS)
    return card


def test_chat_request_alerts_the_rep_who_accepts_and_both_chat(
    browser: Any, site: dict[str, Any]
) -> None:
    ana = console(browser, site, "ana@acme.test")
    guest = visitor(browser, site)
    # pounce: the visitor shows up in the rep's live stream, on the page they are reading
    row = ana.locator("#visitors tr[data-id]", has_text="Pricing · Globex")
    row.wait_for()
    assert row.locator(".who").inner_text() == "Anonymous visitor"
    # the customer's own form tells leadrail who the visitor is (identify)
    guest.get_by_label("Name").fill("Pat Lee")
    guest.get_by_label("E-mail").fill("pat@globex.test")
    guest.get_by_label("Company").fill("Globex")
    guest.get_by_role("button", name="Send").click()
    ana.locator("#visitors tr[data-id] .who", has_text="Pat Lee").wait_for()
    assert row.locator(".company").inner_text() == "Globex"
    guest.get_by_role("button", name="Chat with us").click()
    dialog = guest.get_by_role("dialog", name="Chat with us")
    assert dialog.is_visible()
    dialog.get_by_text(re.compile(r"Waiting for someone… \(\d+\)")).wait_for()
    card = alert_of(ana)
    assert re.fullmatch(r"\d+ s", card.locator(".count").inner_text())  # a visible countdown
    screenshot(ana, "live-console.png")
    card.get_by_role("button", name="Accept").click()
    chat = ana.locator("article.chat")
    chat.wait_for()
    dialog.get_by_text("You are chatting with Ana Ruiz").wait_for()

    hostile = "<script>window.pwned = 1</script><b>hi</b> there"
    chat.get_by_role("textbox").fill(hostile)
    chat.get_by_role("button", name="Send").click()
    guest.locator(".lr-msg", has_text=hostile).wait_for()  # shown as text, not run
    assert guest.evaluate("() => window.pwned") is None
    assert guest.locator(".lr-msg b").count() == 0

    dialog.get_by_role("textbox", name="Your message").fill("Do you ship to Lyon?")
    dialog.get_by_role("button", name="Send").click()
    chat.locator(".msg", has_text="Do you ship to Lyon?").wait_for()
    screenshot(guest, "live-widget.png")
    guest.keyboard.press("Escape")  # Esc closes the panel, focus back on the launcher
    assert not dialog.is_visible()
    assert guest.evaluate("() => document.activeElement.textContent") == "Chat with us"


def test_with_every_rep_offline_the_visitor_gets_the_booker(
    browser: Any, site: dict[str, Any]
) -> None:
    time.sleep(2)  # the previous test's consoles are past their presence grace
    guest = visitor(browser, site)
    guest.get_by_role("button", name="Chat with us").click()
    dialog = guest.get_by_role("dialog", name="Chat with us")
    dialog.get_by_text("Nobody is available right now.").wait_for(timeout=TIMEOUT_MS)
    book = dialog.get_by_role("link", name="Book a meeting")
    assert dialog.get_by_role("form", name="Leave a message").is_visible()
    with guest.context.expect_page() as opened:
        book.click()
    booking = opened.value
    booking.wait_for_load_state()
    assert booking.url.startswith(site["base"] + "/c/book")
    booking.get_by_role("heading", name="Book a call with Acme").wait_for()


def test_nobody_accepts_in_time_and_the_visitor_leaves_a_message(
    browser: Any, site: dict[str, Any]
) -> None:
    ana = console(browser, site, "ana@acme.test")
    guest = visitor(browser, site)
    guest.get_by_role("button", name="Chat with us").click()
    alert_of(ana)
    dialog = guest.get_by_role("dialog", name="Chat with us")
    dialog.get_by_text("Nobody is available right now.").wait_for(timeout=(COUNTDOWN + 30) * 1000)
    ana.locator(".alert-card.done", has_text="Expired").wait_for()
    form = dialog.get_by_role("form", name="Leave a message")
    form.get_by_label("Your name").fill("Pat Lee")
    form.get_by_label("Your e-mail").fill("pat@globex.test")
    form.get_by_label("Message").fill("Call me tomorrow please")
    form.get_by_role("button", name="Send").click()
    dialog.get_by_text("Thanks! We will get back to you.").wait_for()


def test_two_reps_accept_at_once_and_exactly_one_wins(browser: Any, site: dict[str, Any]) -> None:
    reps = {"Ana Ruiz": console(browser, site, "ana@acme.test"),
            "Ben Ortiz": console(browser, site, "ben@acme.test")}  # fmt: skip
    guest = visitor(browser, site)
    guest.get_by_role("button", name="Chat with us").click()
    ids = {alert_of(rep).get_attribute("data-conversation") for rep in reps.values()}
    (cid,) = ids  # both were alerted for the same chat
    # both click Accept at the same instant (same browser, same clock)
    at = reps["Ana Ruiz"].evaluate("() => Date.now()") + 500
    click = "at => setTimeout(() => document.querySelector('.alert-card:not(.done) button')"
    for rep in reps.values():
        rep.evaluate(click + ".click(), at - Date.now())", at)
    won = guest.locator(".lr-status", has_text="You are chatting with")
    won.wait_for()
    winner = won.inner_text().removeprefix("You are chatting with ").strip()
    loser = next(name for name in reps if name != winner)
    chat = f'article.chat[data-conversation="{cid}"]'
    reps[winner].locator(chat).wait_for()
    reps[loser].locator(".alert-card", has_text=f"Taken by {winner}").wait_for()
    assert reps[loser].locator(chat).count() == 0


def test_after_a_chat_ends_the_visitor_starts_another_without_reloading(
    browser: Any, site: dict[str, Any]
) -> None:
    ana = console(browser, site, "ana@acme.test")
    guest = visitor(browser, site)
    dialog = guest.get_by_role("dialog", name="Chat with us")
    for n in (1, 2):
        if not dialog.is_visible():
            guest.get_by_role("button", name="Chat with us").click()
        else:
            dialog.get_by_role("button", name="Start a new chat").click()
        alert_of(ana).get_by_role("button", name="Accept").click()
        dialog.get_by_text("You are chatting with Ana Ruiz").wait_for()
        dialog.get_by_role("textbox", name="Your message").fill(f"Question {n}")
        dialog.get_by_role("button", name="Send").click()
        chat = ana.locator("article.chat:not(.closed)", has_text=f"Question {n}")
        chat.wait_for()
        chat.get_by_role("button", name="End chat").click()
        dialog.get_by_text("This chat has ended.").wait_for()
        assert dialog.get_by_role("textbox", name="Your message").is_disabled()
    # the new chat starts clean; the launcher (close, open again) starts one too
    assert dialog.locator(".lr-msg", has_text="Question 1").count() == 0
    dialog.get_by_role("button", name="Close chat").click()
    guest.get_by_role("button", name="Chat with us").click()  # opens a new chat
    alert_of(ana)
    dialog.get_by_text(re.compile(r"Waiting for someone")).wait_for()
    assert dialog.get_by_role("textbox", name="Your message").is_enabled()


def test_a_visitor_who_closes_the_tab_leaves_the_console(
    browser: Any, site: dict[str, Any]
) -> None:
    ana = console(browser, site, "ana@acme.test")
    guest = visitor(browser, site)
    guest.evaluate("() => { document.title = 'Leaving soon'; history.pushState({}, '', '/x'); }")
    row = ana.locator("#visitors tr[data-id]", has_text="Leaving soon")
    row.wait_for()
    time.sleep(IDLE + 1)  # reading the page: the open stream keeps the visitor listed
    assert row.is_visible()
    guest.context.close()
    row.wait_for(state="detached", timeout=(IDLE + 15) * 1000)


STATIC = Path(__file__).parents[2] / "src" / "leadrail" / "web" / "static"


@pytest.mark.parametrize("name", ["leadrail.js", "console.js"])
def test_scripts_never_build_html_from_data(name: str) -> None:
    source = (STATIC / name).read_text()
    assert "innerHTML" not in source
    assert "insertAdjacentHTML" not in source
    assert "document.write" not in source


def test_the_snippet_stays_small() -> None:
    # 15 KB until a visitor could start a new chat after one ended (issue 11, item 23); 16 KB
    # until the widget spoke the visitor's language (issue 17: its words come from the server)
    assert (STATIC / "leadrail.js").stat().st_size < 17 * 1024


def test_the_widget_speaks_the_visitors_language(browser: Any, site: dict[str, Any]) -> None:
    guest = new_page(browser, viewport={"width": 390, "height": 844}, locale="de-DE")
    guest.goto(site["page"])
    launcher = guest.get_by_role("button", name="Chatten Sie mit uns")  # Accept-Language: de
    launcher.wait_for()
    launcher.click()
    dialog = guest.get_by_role("dialog", name="Chatten Sie mit uns")
    dialog.get_by_role("textbox", name="Ihre Nachricht").wait_for()
    assert dialog.get_by_role("button", name="Chat schließen").is_visible()
    assert serious_violations(guest) == []  # the widget, open, on the customer's page
