"""A prospect on a phone: click the link, pick a slot, book, land on the redirect; the
invite arrives over SMTP. Real server process, real browser (Debian's chromium), real SMTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.support.browser import new_page, require_chromium
from tests.support.mail import smtp_inbox
from tests.support.net import free_port
from tests.support.serve import environment, serving

EMAIL_ERROR = "'not-an-email' is not an e-mail address (one '@')"


class Thanks(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"<!doctype html><title>Thanks</title><h1>Thank you</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_chromium()
    thanks = ThreadingHTTPServer(("127.0.0.1", 0), Thanks)
    threading.Thread(target=thanks.serve_forever, daemon=True).start()
    thanks_url = f"http://127.0.0.1:{thanks.server_address[1]}/thanks?src=campaign"
    tmp = tmp_path_factory.mktemp("booking")
    ws = {
        "timezone": "America/New_York",
        "users": [{"email": "ana@acme.test", "name": "Ana Ruiz", "timezone": "America/New_York",
                   "working_hours": {"mon-sun": "00:00-24:00"}}],
        "meeting_types": [{"slug": "intro", "name": "Intro call", "duration_minutes": 30,
                           "minimum_notice_minutes": 60}],
        "routers": [{"slug": "q2", "title": "Talk to our team", "meeting_type": "intro",
                     "display_notes": True, "redirect_url": thanks_url,
                     "default_guests": ["manager@acme.test"],
                     "default": {"user": "ana@acme.test"}}],
    }  # fmt: skip
    port = free_port()
    with smtp_inbox() as inbox:
        env = environment(tmp, ws, smtp_host="127.0.0.1", smtp_port=str(inbox.port),
                          mail_from="bookings@acme.test",
                          public_base_url=f"http://127.0.0.1:{port}")  # fmt: skip
        with serving(env, tmp, port=port) as running:
            yield {"base": running.base, "inbox": inbox, "thanks": thanks_url}
    thanks.shutdown()


@pytest.fixture
def phone(site: dict[str, Any], browser: Any) -> Any:
    return new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                    has_touch=True, timezone_id="Europe/Paris")  # fmt: skip


def test_click_pick_book_and_land_on_the_redirect(site: dict[str, Any], phone: Any) -> None:
    page = phone
    page.goto(
        f"{site['base']}/c/q2?name=Pat%20Lee&email=pat@example.test&company=Acme&utm_source=hubspot"
    )
    # the page moved itself to the visitor's timezone (Europe/Paris) with its script
    page.wait_for_url("**tz=Europe%2FParis**")
    assert page.get_by_role("heading", name="Talk to our team").is_visible()
    assert page.get_by_text("with Ana Ruiz").is_visible()
    first = page.get_by_role("radio").first
    chosen = datetime.fromisoformat(first.get_attribute("value").replace("Z", "+00:00"))
    label = page.locator("label.slot").first.inner_text().strip()
    assert label == chosen.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    page.locator("label.slot").first.tap()
    assert first.is_checked()
    page.get_by_label("Anything we should know?").fill("<script>alert(1)</script> & more")
    page.get_by_role("button", name="Book").tap()
    page.wait_for_url(f"{site['thanks'].split('?')[0]}**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["src"] == ["campaign"]  # the admin's own parameters are kept
    assert len(query["booking_id"][0]) == 32
    assert datetime.fromisoformat(query["start"][0]) == chosen
    (invite,) = site["inbox"].wait(1)
    assert invite["From"] == "bookings@acme.test"
    ics = next(p for p in invite.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(ics.get_payload(decode=True))
    event = next(iter(cal.walk("VEVENT")))
    attendees = {str(a).lower() for a in event.get("ATTENDEE")}
    assert attendees >= {"mailto:pat@example.test", "mailto:manager@acme.test"}
    assert str(event.get("ORGANIZER")).lower() == "mailto:ana@acme.test"
    assert event.decoded("DTSTART") == chosen
    assert event.decoded("DTSTART").tzinfo is not None
    assert "<script>alert(1)</script> & more" in str(event.get("DESCRIPTION"))


def test_without_email_the_page_asks_for_it_first(site: dict[str, Any], phone: Any) -> None:
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{site['base']}/c/q2?name=Sam")
    expect(page.get_by_role("heading", name="First, who are you?")).to_be_visible()
    assert page.get_by_label("Name").input_value() == "Sam"
    page.get_by_label("Work e-mail").fill("not-an-email")
    page.get_by_label("Work e-mail").evaluate("e => e.type = 'text'")  # get past the browser
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url("**email=not-an-email**")
    expect(page.locator("#email-error")).to_have_text(EMAIL_ERROR)
    assert page.get_by_label("Name").input_value() == "Sam"  # what was typed is kept
    page.get_by_label("Work e-mail").fill("sam@example.test")
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url("**email=sam%40example.test**")
    expect(page.get_by_role("radio").first).to_be_attached()


def test_unknown_link_is_a_friendly_404(site: dict[str, Any], phone: Any) -> None:
    response = phone.goto(f"{site['base']}/c/nope")
    assert response.status == 404
    heading = phone.get_by_role("heading", name="This link does not lead anywhere")
    assert heading.is_visible()
