"""A prospect on a phone: click the link, pick a slot, book, land on the redirect; the
invite arrives over SMTP. Real server process, real browser (Debian's chromium), real SMTP."""

from __future__ import annotations

import email
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from aiosmtpd.controller import Controller
from babel.dates import format_date, format_time
from icalendar import Calendar

from tests.e2e.a11y import serious_violations
from tests.e2e.page_checks import in_view, no_sideways_scroll
from tests.e2e.test_http import BIN, free_port
from tests.screenshots import screenshot

CHROMIUM = "/usr/bin/chromium"
EMAIL_ERROR = "'not-an-email' is not an e-mail address (one '@')"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait(self, n: int, timeout: float = 20) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


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
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
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
    (tmp / "ws.yaml").write_text(yaml.safe_dump(ws))
    port = free_port()
    env = {
        **os.environ,
        "LEADRAIL_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite'}",
        "LEADRAIL_SMTP_HOST": "127.0.0.1",
        "LEADRAIL_SMTP_PORT": str(smtp.port),
        "LEADRAIL_MAIL_FROM": "bookings@acme.test",
        "LEADRAIL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    subprocess.run(
        [str(BIN / "leadrail"), "apply", "-f", str(tmp / "ws.yaml")],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
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
    yield {"base": base, "inbox": inbox, "thanks": thanks_url}
    proc.terminate()
    proc.wait(timeout=10)
    smtp.stop()
    thanks.shutdown()


@pytest.fixture
def phone(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            timezone_id="Europe/Paris",
        )
        yield context.new_page()
        browser.close()


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
    page = phone
    page.goto(f"{site['base']}/c/q2?name=Sam")
    assert page.get_by_role("heading", name="First, who are you?").is_visible()
    assert page.get_by_label("Name").input_value() == "Sam"
    page.get_by_label("Work e-mail").fill("not-an-email")
    page.get_by_label("Work e-mail").evaluate("e => e.type = 'text'")  # get past the browser
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url("**email=not-an-email**")
    assert page.locator("#email-error").inner_text() == EMAIL_ERROR
    assert page.get_by_label("Name").input_value() == "Sam"  # what was typed is kept
    page.get_by_label("Work e-mail").fill("sam@example.test")
    page.get_by_role("button", name="Continue").tap()
    page.wait_for_url("**email=sam%40example.test**")
    assert page.get_by_role("radio").count() > 0


def test_unknown_link_is_a_friendly_404(site: dict[str, Any], phone: Any) -> None:
    response = phone.goto(f"{site['base']}/c/nope")
    assert response.status == 404
    assert phone.get_by_role("heading", name="This link does not lead anywhere").is_visible()


def invite_to(site: dict[str, Any], address: str) -> Message:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in site["inbox"].messages:
            if address in str(message["To"]):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no invitation to {address} arrived")


def body_text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))


def test_without_javascript_it_books_and_the_cancel_page_speaks_the_prospects_zone(
    site: dict[str, Any],
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_context(java_script_enabled=False, viewport={"width": 390,
                                   "height": 844}).new_page()  # fmt: skip
        page.goto(f"{site['base']}/c/q2?name=Kim&email=kim@example.test")
        page.get_by_label("Times shown in").select_option("Asia/Tokyo")
        page.get_by_role("button", name="Show times in this zone").click()
        page.wait_for_url("**tz=Asia%2FTokyo**")
        # no script: every day's times are listed, the calendar's days jump to them
        first_day = page.locator("a.cal-day").first
        assert first_day.get_attribute("href") == "#" + page.locator(".day").first.get_attribute(
            "id"
        )
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
        when = (
            f"{format_date(tokyo, 'full', locale='en')}, {format_time(tokyo, 'short', locale='en')}"
        )
        assert f"{when} (Asia/Tokyo)" in text  # the e-mail says the time the prospect picked
        cancel = next(line for line in text.splitlines() if line.startswith("Cancel: "))
        page.goto(cancel.removeprefix("Cancel: "))
        card = page.locator(".card").inner_text()
        assert card == f"{when} (Asia/Tokyo) with Ana Ruiz"
        assert "ana@acme.test" not in page.content()  # the rep by name, never their address
        checker = browser.new_context().new_page()  # axe runs in a page with scripts
        checker.goto(cancel.removeprefix("Cancel: "))
        assert serious_violations(checker) == []
        page.get_by_role("button", name="Yes, cancel it").click()
        assert page.get_by_role("heading", name="Meeting cancelled").is_visible()
        browser.close()


def test_the_booking_page_fits_a_desktop_and_a_phone(site: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for width, height in ((390, 844), (1366, 900)):
            page = browser.new_context(viewport={"width": width, "height": height},
                                       timezone_id="UTC").new_page()  # fmt: skip
            page.goto(f"{site['base']}/c/q2?email=lee@example.test&tz=UTC")
            assert page.locator(".month caption").first.is_visible()
            assert no_sideways_scroll(page)
            assert serious_violations(page) == []
            # the day picked on the calendar shows its times, and only its times
            second = page.locator("a.cal-day").nth(1)
            second.click()
            day = second.get_attribute("data-day")
            assert page.locator(f"#d-{day}").is_visible()
            assert page.locator(".day:visible").count() == 1
            assert second.get_attribute("aria-current") == "date"
            page.locator(f"#d-{day} label.slot").first.click()
            assert in_view(page, page.get_by_role("button", name="Book"))
            screenshot(page, f"booking-{width}.png")
        browser.close()


def test_in_german_from_accept_language_page_email_and_invitation(site: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(
            locale="de-DE",  # Accept-Language: de-DE
            timezone_id="Europe/Berlin",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
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
        browser.close()
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
