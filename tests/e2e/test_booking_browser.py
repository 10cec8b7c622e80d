"""A prospect on a phone: click the link, pick a slot, book, land on the redirect; the
invite arrives over SMTP. Real server process, real browser (Debian's chromium), real SMTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from icalendar import Calendar

from tests.screenshots import screenshot
from tests.support.a11y import serious_violations
from tests.support.browser import new_page, require_chromium
from tests.support.mail import smtp_inbox
from tests.support.net import free_port, wait_until
from tests.support.page_checks import in_view, no_sideways_scroll
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
    local = chosen.astimezone(ZoneInfo("Europe/Paris"))
    assert label == format_time(local, "short", locale="en")  # e.g. 1:00 PM
    assert page.get_by_text("Pick a time above.").is_visible()
    page.locator("label.slot").first.tap()
    assert first.is_checked()
    # the confirm step: the time in words, the Book button in view without scrolling
    words = (
        f"{format_date(local, 'EEEE', locale='en')}, {format_date(local, 'MMMM d', locale='en')}"
    )
    assert page.locator("#chosen").inner_text().startswith(f"{words}, {label} – ")
    assert page.locator("#chosen").inner_text().endswith("(Europe/Paris)")
    assert in_view(page, page.get_by_role("button", name="Book"))
    assert no_sideways_scroll(page)
    screenshot(page, "booking-phone.png")
    page.get_by_label("Anything we should know?").fill("<script>alert(1)</script> & more")
    page.get_by_role("button", name="Book").tap()
    page.wait_for_url(f"{site['thanks'].split('?')[0]}**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["src"] == ["campaign"]  # the admin's own parameters are kept
    assert len(query["booking_id"][0]) == 32
    assert datetime.fromisoformat(query["start"][0]) == chosen
    invite = invite_to(site, "pat@example.test")  # in the prospect's zone (Europe/Paris)
    assert str(invite["To"]) == "pat@example.test"
    assert f"{format_time(local, 'short', locale='en')} (Europe/Paris)" in body_text(invite)
    team = invite_to(site, "ana@acme.test")  # the rep's and the guests' in the rep's zone
    assert str(team["To"]) == "ana@acme.test, manager@acme.test"
    assert "(America/New_York)" in body_text(team)
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


def invite_to(site: dict[str, Any], address: str) -> Message:
    """The first message to ``address`` in the inbox, once it arrived."""

    def arrived() -> Message | None:
        return next((m for m in site["inbox"].messages if address in str(m["To"])), None)

    found: Message = wait_until(arrived, f"an invitation to {address}")
    return found


def body_text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))


def test_without_javascript_it_books_and_the_cancel_page_speaks_the_prospects_zone(
    site: dict[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, java_script_enabled=False, viewport={"width": 390,
                    "height": 844})  # fmt: skip
    page.goto(f"{site['base']}/c/q2?name=Kim&email=kim@example.test")
    page.get_by_label("Times shown in").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Show times in this zone").click()
    page.wait_for_url("**tz=Asia%2FTokyo**")
    # no script: every day's times are listed, the calendar's days jump to them
    first_day = page.locator("a.cal-day").first
    assert first_day.get_attribute("href") == "#" + page.locator(".day").first.get_attribute("id")
    assert page.locator(".day").count() > 1
    assert all(page.locator(".day").nth(i).is_visible() for i in range(2))
    first = page.get_by_role("radio").first
    chosen = datetime.fromisoformat(first.get_attribute("value").replace("Z", "+00:00"))
    page.locator("label.slot").first.click()
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(f"{site['thanks'].split('?')[0]}**")
    invite = invite_to(site, "kim@example.test")
    text = body_text(invite)
    tokyo = chosen.astimezone(ZoneInfo("Asia/Tokyo"))
    when = f"{format_date(tokyo, 'full', locale='en')}, {format_time(tokyo, 'short', locale='en')}"
    assert f"{when} (Asia/Tokyo)" in text  # the e-mail says the time the prospect picked
    cancel = next(line for line in text.splitlines() if line.startswith("Cancel: "))
    page.goto(cancel.removeprefix("Cancel: "))
    card = page.locator(".card").inner_text()
    assert card == f"{when} (Asia/Tokyo) with Ana Ruiz"
    assert "ana@acme.test" not in page.content()  # the rep by name, never their address
    checker = new_page(browser)  # axe runs in a page with scripts
    checker.goto(cancel.removeprefix("Cancel: "))
    assert serious_violations(checker) == []
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_role("heading", name="Meeting cancelled")).to_be_visible()


def test_the_booking_page_fits_a_desktop_and_a_phone(site: dict[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    for width, height in ((390, 844), (1366, 900)):
        page = new_page(browser, viewport={"width": width, "height": height},
                        timezone_id="UTC")  # fmt: skip
        page.goto(f"{site['base']}/c/q2?email=lee@example.test&tz=UTC")
        assert page.locator(".month caption").first.is_visible()
        assert no_sideways_scroll(page)
        assert serious_violations(page) == []
        # the day picked on the calendar shows its times, and only its times
        second = page.locator("a.cal-day").nth(1)
        second.click()
        day = second.get_attribute("data-day")
        expect(page.locator(f"#d-{day}")).to_be_visible()
        expect(page.locator(".day:visible")).to_have_count(1)
        expect(second).to_have_attribute("aria-current", "date")
        page.locator(f"#d-{day} label.slot").first.click()
        assert in_view(page, page.get_by_role("button", name="Book"))
        screenshot(page, f"booking-{width}.png")


def test_in_german_from_accept_language_page_email_and_invitation(
    site: dict[str, Any], browser: Any
) -> None:
    page = new_page(
        browser,
        locale="de-DE",  # Accept-Language: de-DE
        timezone_id="Europe/Berlin",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{site['base']}/c/q2?name=Jo&email=jo@example.test")
    page.wait_for_url("**tz=Europe%2FBerlin**")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_text("Wählen Sie oben eine Zeit.").is_visible()
    assert page.get_by_role("link", name="Deutsch").get_attribute("aria-current") == "true"
    first = page.get_by_role("radio").first
    chosen = datetime.fromisoformat(first.get_attribute("value").replace("Z", "+00:00"))
    berlin = chosen.astimezone(ZoneInfo("Europe/Berlin"))
    assert page.locator(".month caption").first.inner_text() == format_date(
        berlin, "MMMM y", locale="de"
    )  # e.g. November 2026
    day = page.locator(".day h3").first.inner_text()
    assert day == f"{format_date(berlin, 'EEEE', locale='de')}, {berlin.day}. " + format_date(
        berlin, "MMMM", locale="de"
    )  # e.g. Montag, 30. November
    assert page.locator("label.slot").first.inner_text().strip() == berlin.strftime("%H:%M")
    page.locator("label.slot").first.tap()
    assert page.locator("#chosen").inner_text().startswith(day + ", ")
    assert no_sideways_scroll(page)
    screenshot(page, "booking-de-phone.png")
    page.get_by_role("button", name="Buchen").tap()
    page.wait_for_url(f"{site['thanks'].split('?')[0]}**")
    invite = invite_to(site, "jo@example.test")
    assert str(invite["To"]) == "jo@example.test"  # the team's copy is in the team's language
    assert str(invite["Subject"]).startswith("Einladung: Intro call: Jo und Ana Ruiz")
    text = body_text(invite)
    long_date = format_date(berlin, "full", locale="de")  # e.g. Montag, 30. November 2026
    assert f"Wann: {long_date}, {berlin:%H:%M} (Europe/Berlin)" in text
    ics = next(p for p in invite.walk() if p.get_content_type() == "text/calendar")
    event = next(iter(Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")))
    assert "Absagen: http" in str(event.get("DESCRIPTION"))
    assert str(event.get("SUMMARY")) == "Intro call: Jo und Ana Ruiz"
