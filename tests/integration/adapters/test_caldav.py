"""CalDavCalendar against a real CalDAV server (Radicale on 127.0.0.1, see conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from leadrail.adapters.calendar.caldav_calendar import (
    CalDavCalendar,
    CalDavSettings,
    CalendarError,
)
from leadrail.adapters.calendar.ics import build_ics
from tests.support.net import free_port

from .caldav_events import foreign_event, put_foreign, read_back
from .conftest import LOCAL, Radicale
from .invites import an_invite, only_event, parse_ics

PARIS = ZoneInfo("Europe/Paris")
WINDOW = (datetime(2026, 1, 5, tzinfo=PARIS), datetime(2026, 1, 26, tzinfo=PARIS))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def weekly_with_a_moved_and_a_cancelled_week() -> bytes:
    """Mondays 9:00 Paris from Dec 29; Jan 12 cancelled (EXDATE), Jan 19 moved to Jan 20 14:00."""
    master = icalendar.Event.new(
        uid="weekly",
        start=datetime(2025, 12, 29, 9, tzinfo=PARIS),
        end=datetime(2025, 12, 29, 10, tzinfo=PARIS),
    )
    master.add("rrule", {"FREQ": "WEEKLY", "COUNT": 10})
    master.add("exdate", datetime(2026, 1, 12, 9, tzinfo=PARIS))
    moved = icalendar.Event.new(
        uid="weekly",
        recurrence_id=datetime(2026, 1, 19, 9, tzinfo=PARIS),
        start=datetime(2026, 1, 20, 14, tzinfo=PARIS),
        end=datetime(2026, 1, 20, 15, tzinfo=PARIS),
    )
    calendar = icalendar.Calendar.new(
        prodid="-//tests//other app//EN", subcomponents=[master, moved]
    )
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


@pytest.fixture
def calendar_url(radicale: Radicale) -> str:
    return radicale.new_calendar_url()


@pytest.fixture
def calendar(radicale: Radicale, calendar_url: str) -> Iterator[CalDavCalendar]:
    settings = CalDavSettings(
        url=calendar_url,
        username=radicale.user,
        password=radicale.password,
        timezone="Europe/Paris",
    )
    calendar = CalDavCalendar(settings, LOCAL)
    yield calendar
    calendar.close()


def test_busy_reads_what_blocks_time(
    radicale: Radicale, calendar_url: str, calendar: CalDavCalendar
) -> None:
    put_foreign(
        radicale,
        calendar_url,
        {
            "single": foreign_event(
                "single",
                datetime(2026, 1, 6, 14, tzinfo=PARIS),
                datetime(2026, 1, 6, 15, tzinfo=PARIS),
            ),
            "weekly": weekly_with_a_moved_and_a_cancelled_week(),
            "allday": foreign_event("allday", date(2026, 1, 8), date(2026, 1, 9)),
            "floating": foreign_event(
                "floating", datetime(2026, 1, 9, 9), datetime(2026, 1, 9, 10)
            ),
            "edge": foreign_event(
                "edge",
                datetime(2026, 1, 4, 23, 30, tzinfo=PARIS),
                datetime(2026, 1, 5, 0, 30, tzinfo=PARIS),
            ),
            "free": foreign_event(
                "free", utc(2026, 1, 7, 10), utc(2026, 1, 7, 11), transp="TRANSPARENT"
            ),
            "cancelled": foreign_event(
                "cancelled", utc(2026, 1, 7, 12), utc(2026, 1, 7, 13), status="CANCELLED"
            ),
            "outside": foreign_event("outside", utc(2026, 2, 10, 9), utc(2026, 2, 10, 10)),
        },
    )

    busy = calendar.busy(*WINDOW)

    assert busy == [
        (utc(2026, 1, 4, 22, 30), utc(2026, 1, 4, 23, 30)),  # edge: overlaps the start
        (utc(2026, 1, 5, 8), utc(2026, 1, 5, 9)),  # weekly (not Jan 12: an EXDATE)
        (utc(2026, 1, 6, 13), utc(2026, 1, 6, 14)),  # single
        (utc(2026, 1, 7, 23), utc(2026, 1, 8, 23)),  # all-day: the whole Paris day
        (utc(2026, 1, 9, 8), utc(2026, 1, 9, 9)),  # floating: Paris wall time
        (utc(2026, 1, 20, 13), utc(2026, 1, 20, 14)),  # weekly, Jan 19 moved
    ]
    assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in busy)
    assert calendar.busy(utc(2026, 1, 6, 14), utc(2026, 1, 6, 15)) == []  # [start, end)


def test_booked_meetings_are_put_replaced_and_deleted(
    radicale: Radicale, calendar_url: str, calendar: CalDavCalendar
) -> None:
    first = an_invite(start=utc(2026, 1, 14, 15), end=utc(2026, 1, 14, 15, 30))
    uid = first.uid

    calendar.put_event(uid, build_ics(first, method="REQUEST"))

    assert calendar.busy(*WINDOW) == [(utc(2026, 1, 14, 15), utc(2026, 1, 14, 15, 30))]
    count, stored = read_back(radicale, calendar_url, uid)
    assert count == 1
    stored_calendar = parse_ics(stored)
    assert "METHOD" not in stored_calendar  # forbidden in stored objects (RFC 4791 4.1)
    event = only_event(stored_calendar)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start == utc(2026, 1, 14, 15)
    assert (event["SEQUENCE"], str(event["ORGANIZER"])) == (0, "mailto:bo@acme.test")

    moved = an_invite(sequence=1, start=utc(2026, 1, 15, 16), end=utc(2026, 1, 15, 17))
    calendar.put_event(uid, build_ics(moved, method="REQUEST"))

    assert calendar.busy(*WINDOW) == [(utc(2026, 1, 15, 16), utc(2026, 1, 15, 17))]
    count, stored = read_back(radicale, calendar_url, uid)
    assert count == 1
    assert only_event(parse_ics(stored))["SEQUENCE"] == 1

    calendar.delete_event(uid)

    assert calendar.busy(*WINDOW) == []
    assert read_back(radicale, calendar_url, uid)[0] == 0
    calendar.delete_event(uid)  # already gone: fine


def test_put_event_refuses_data_for_another_event(calendar: CalDavCalendar) -> None:
    with pytest.raises(ValueError, match="not \\(only\\) event"):
        calendar.put_event("other-uid", build_ics(an_invite(), method="REQUEST"))


def test_a_server_that_is_down_is_retryable() -> None:
    calendar = CalDavCalendar(
        CalDavSettings(url=f"http://127.0.0.1:{free_port()}/rep/work/", timeout_seconds=2), LOCAL
    )
    for attempt in (
        lambda: calendar.busy(*WINDOW),
        lambda: calendar.put_event("m1", build_ics(an_invite(uid="m1"), method="REQUEST")),
        lambda: calendar.delete_event("m1"),
    ):
        with pytest.raises(CalendarError) as caught:
            attempt()
        assert caught.value.retryable is True


def test_a_calendar_that_does_not_exist_is_not_retryable(radicale: Radicale) -> None:
    calendar = CalDavCalendar(
        CalDavSettings(
            url=f"{radicale.base_url}{radicale.user}/no-such-calendar/",
            username=radicale.user,
            password=radicale.password,
        ),
        LOCAL,
    )
    for attempt in (lambda: calendar.busy(*WINDOW), lambda: calendar.delete_event("m1")):
        with pytest.raises(CalendarError) as caught:
            attempt()
        assert (caught.value.retryable, caught.value.status) == (False, 404)
        assert "404 Not Found" in str(caught.value)


def test_settings_never_show_secrets() -> None:
    settings = CalDavSettings(url="https://ana:pw1@dav.test/cal/", username="ana", password="pw2")
    shown = repr(settings) + repr(CalDavCalendar(settings))
    assert "pw1" not in shown
    assert "pw2" not in shown
    assert "dav.test/cal/" in shown


def test_naive_times_are_refused(calendar: CalDavCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar.busy(datetime(2026, 1, 5), datetime(2026, 1, 6))
    assert calendar.busy(WINDOW[1], WINDOW[0]) == []
