"""Events as other calendar apps store them, put on and read back from Radicale."""

from __future__ import annotations

from datetime import date
from typing import Any

import icalendar
from caldav.collection import Calendar as DavCalendar
from caldav.davclient import DAVClient

from .conftest import Radicale


def foreign_event(uid: str, start: date, end: date | None, **props: Any) -> bytes:
    """An event as another calendar app would store it (VTIMEZONE included)."""
    event = icalendar.Event.new(uid=uid, start=start, end=end, summary=uid)
    for name, value in props.items():
        event.add(name, value)
    calendar = icalendar.Calendar.new(prodid="-//tests//other app//EN", subcomponents=[event])
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def put_foreign(radicale: Radicale, calendar_url: str, events: dict[str, bytes]) -> None:
    with DAVClient(
        url=calendar_url, username=radicale.user, password=radicale.password, enable_rfc6764=False
    ) as client:
        for uid, data in events.items():
            response = client.put(
                f"{calendar_url}{uid}.ics", data.decode(), {"Content-Type": "text/calendar"}
            )
            assert response.status in (201, 204), (uid, response.status, response.raw)


def read_back(radicale: Radicale, calendar_url: str, uid: str) -> tuple[int, bytes]:
    """How many objects hold ``uid``, and the data of one of them."""
    with DAVClient(
        url=calendar_url, username=radicale.user, password=radicale.password, enable_rfc6764=False
    ) as client:
        dav = DavCalendar(client=client, url=calendar_url)
        matching = [e for e in dav.get_events() if e.icalendar_component["UID"] == uid]
        return len(matching), matching[0].data.encode() if matching else b""
