"""A rep with a CalDAV calendar (a real Radicale server): their busy time is honoured on the
booking page, the booked meeting appears in their calendar, cancelling removes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from leadrail.adapters.calendar.caldav_calendar import CalDavCalendar, CalDavSettings
from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.links import open_link
from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.integration.adapters.caldav_events import foreign_event, put_foreign
from tests.integration.adapters.conftest import LOCAL, Radicale, SmtpServer
from tests.support.net import free_port

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
ELEVEN = NINE + timedelta(hours=2)


@pytest.fixture
def setup(
    sqlite_url: str, radicale: Radicale, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Container, str, Radicale]]:
    url = radicale.new_calendar_url()
    monkeypatch.setenv("LEADRAIL_CRED_TEST_CALDAV", radicale.password)
    c = bootstrap(
        Settings(
            database_url=sqlite_url, secret_key="c" * 32, worker=False, smtp_port=1,
            outbound_allow_hosts="127.0.0.1",  # Radicale is a local server
        )
    )  # fmt: skip
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    doc = booking_workspace()
    doc["users"][0]["calendar"] = {
        "provider": "caldav",
        "url": url,
        "username": radicale.user,
        "password_env": "LEADRAIL_CRED_TEST_CALDAV",
    }
    apply_workspace(c.workspace, doc)
    yield c, url, radicale
    c.close()


def remote(url: str, radicale: Radicale) -> CalDavCalendar:
    return CalDavCalendar(
        CalDavSettings(
            url=url, username=radicale.user, password=radicale.password, timezone="America/New_York"
        ),
        LOCAL,
    )


def test_caldav_busy_time_is_honoured_and_meetings_are_written(
    setup: tuple[Container, str, Radicale],
) -> None:
    c, url, radicale = setup
    put_foreign(
        radicale, url, {"dentist": foreign_event("dentist", NINE, NINE + timedelta(hours=1))}
    )
    now = c.clock.now()
    view = open_link(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, now)
    assert NINE not in view.slots  # busy in the rep's own calendar
    assert NINE + timedelta(hours=1) in view.slots
    done = book(
        c.routing, c.calendar, "solo", {"email": "pat@example.test", "name": "Pat"}, ELEVEN, now
    )
    drain(c.outbox, runner_for(c), now)
    put = [j for j in c.outbox.jobs() if j["kind"] == "calendar_put"][0]
    assert put["status"] == "done"
    assert put["result"] == "event written"
    with remote(url, radicale) as cal:
        assert (ELEVEN, ELEVEN + timedelta(minutes=30)) in cal.busy(NINE, NINE + timedelta(hours=8))
    # the booking page now shows eleven as taken (the cache was refreshed after the write)
    again = open_link(c.routing, c.calendar, "solo", {"email": "sam@example.test"}, now)
    assert ELEVEN not in again.slots
    cancel_meeting(c.routing, done.meeting_id, now)
    drain(c.outbox, runner_for(c), now)
    with remote(url, radicale) as cal:
        assert (ELEVEN, ELEVEN + timedelta(minutes=30)) not in cal.busy(
            NINE, NINE + timedelta(hours=8)
        )


def test_calendar_down_at_booking_time_the_booking_stands(
    setup: tuple[Container, str, Radicale],
) -> None:
    c, _, _ = setup
    doc = booking_workspace()
    doc["users"][0]["calendar"] = {"provider": "caldav", "url": "http://127.0.0.1:1/cal/"}
    apply_workspace(c.workspace, doc)
    now = c.clock.now()
    view = open_link(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, now)
    assert view.slots == {}  # unknown busy time: no slot rather than a double booking
    # a meeting booked while the calendar was known still gets its event retried later
    apply_workspace(c.workspace, booking_workspace())
    done = book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, now)
    apply_workspace(c.workspace, doc)
    drain(c.outbox, runner_for(c), now)
    put = [j for j in c.outbox.jobs() if j["kind"] == "calendar_put"][0]
    assert put["status"] == "pending"
    assert put["last_error"].startswith("CalDAV")
    assert c.routing.meeting(done.meeting_id) is not None


def test_a_calendar_write_retried_after_its_settings_were_fixed_reaches_the_calendar(
    setup: tuple[Container, str, Radicale], smtp_server: SmtpServer
) -> None:
    """The rep's calendar was down when the meeting was booked; an admin fixes its address.
    The retried write, the only job left (the invite went out), reaches the calendar: the
    reps' calendars are known without a router being asked first."""
    c, url, radicale = setup
    good = booking_workspace()
    good["users"][0]["calendar"] = {
        "provider": "caldav", "url": url, "username": radicale.user,
        "password_env": "LEADRAIL_CRED_TEST_CALDAV",
    }  # fmt: skip
    down = booking_workspace()
    down["users"][0]["calendar"] = {"provider": "caldav", "url": f"http://127.0.0.1:{free_port()}/"}
    mail = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    web = bootstrap(c.settings.model_copy(update=mail))
    web.clock = c.clock
    try:
        now = web.clock.now()
        apply_workspace(web.workspace, booking_workspace())
        book(web.routing, web.calendar, "solo", {"email": "pat@example.test"}, ELEVEN, now)
        apply_workspace(web.workspace, down)
        drain(web.outbox, runner_for(web), now)  # the invite goes out; the calendar is down
        apply_workspace(web.workspace, good)  # the admin fixes the calendar's address
        drain(web.outbox, runner_for(web), now + timedelta(hours=1))
    finally:
        web.close()
    put = [j for j in c.outbox.jobs() if j["kind"] == "calendar_put"][0]
    assert put["result"] == "event written"
    with remote(url, radicale) as cal:
        assert (ELEVEN, ELEVEN + timedelta(minutes=30)) in cal.busy(NINE, NINE + timedelta(hours=8))
