"""A rep's Microsoft 365 calendar (Microsoft Graph v1.0) through ``CloudHttp``.

- Busy time: ``POST /me/calendar/getSchedule`` for the rep's own address (kept from
  ``GET /me`` when they connected): ``scheduleItems`` with ``status`` busy, tentative or
  oof are busy; ``oof`` (out of office) is also kept as the rep's away time.
- The booked meeting: ``POST /me/events`` (``isOnlineMeeting`` with ``teamsForBusiness``
  when the meeting type asks for an online meeting; ``transactionId`` so a retried create
  makes no second event), ``PATCH /me/events/{id}`` on reschedule, ``DELETE`` on cancel.
  No attendees: Outlook would e-mail them; the prospect gets leadrail's invitation.

Shapes from learn.microsoft.com/graph/api/calendar-getschedule, /graph/api/user-post-events,
/graph/api/event-update, /graph/api/event-delete and /graph/api/resources/scheduleitem."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from leadrail.adapters.calendar.caldav_calendar import CalendarError
from leadrail.adapters.calendar.cloud_http import CloudHttp
from leadrail.adapters.calendar.google_calendar import event_text
from leadrail.app.meetings.invite import Invite
from leadrail.app.workspace import CalendarDoc

Interval = tuple[datetime, datetime]
_BUSY = frozenset({"busy", "tentative", "oof"})
_UTC = {"Prefer": 'outlook.timezone="UTC"'}


def graph_time(when: datetime) -> dict[str, str]:
    return {"dateTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def parse_graph_time(value: dict[str, Any]) -> datetime:
    """A Graph ``dateTimeTimeZone`` asked in UTC (``2018-08-06T09:00:00.0000000``)."""
    text = str(value.get("dateTime") or "")
    zone = str(value.get("timeZone") or "UTC")
    if zone.upper() not in ("UTC", "ETC/UTC"):
        raise CalendarError(f"Graph answered in time zone {zone!r}, not UTC", retryable=False)
    head, _, fraction = text.partition(".")
    when = datetime.fromisoformat(head)
    micro = int((fraction.rstrip("Z") + "000000")[:6]) if fraction else 0
    return when.replace(microsecond=micro, tzinfo=UTC)


class GraphCalendar:
    provider = "microsoft"

    def __init__(self, http: CloudHttp, api_url: str) -> None:
        self.http = http
        self.api = api_url.rstrip("/")

    def busy(
        self, rep: str, cal: CalendarDoc, tz: str, start: datetime, end: datetime
    ) -> tuple[list[Interval], list[Interval]]:
        address = self.http.account(rep) or rep
        body = {"schedules": [address], "startTime": graph_time(start),
                "endTime": graph_time(end), "availabilityViewInterval": 15}  # fmt: skip
        answer = (
            self.http.call(
                rep, "POST", f"{self.api}/me/calendar/getSchedule", body=body, headers=_UTC
            )
            or {}
        )
        busy: list[Interval] = []
        away: list[Interval] = []
        for info in answer.get("value") or []:
            error = info.get("error")
            if isinstance(error, dict) and error.get("message"):
                raise CalendarError(f"Graph schedule of {address}: {error['message']}"[:300],
                                    retryable=False)  # fmt: skip
            for item in info.get("scheduleItems") or []:
                status = str(item.get("status") or "").lower()
                if status not in _BUSY:
                    continue
                span = (parse_graph_time(item["start"]), parse_graph_time(item["end"]))
                if span[1] > span[0]:
                    busy.append(span)
                    if status == "oof":
                        away.append(span)
        return sorted(busy), sorted(away)

    def put_event(
        self, rep: str, invite: Invite, online: bool, known: str | None
    ) -> tuple[str, str | None]:
        body: dict[str, Any] = {
            "subject": invite.summary,
            "body": {"contentType": "text", "content": event_text(invite)},
            "start": graph_time(invite.start),
            "end": graph_time(invite.end),
            "showAs": "busy",
        }
        if invite.location:
            body["location"] = {"displayName": invite.location}
        if online:
            body["isOnlineMeeting"] = True
            body["onlineMeetingProvider"] = "teamsForBusiness"
        if known:
            found = self.http.call(
                rep, "PATCH", f"{self.api}/me/events/{quote(known, safe='')}", body=body
            )
        else:
            body["transactionId"] = invite.uid
            found = self.http.call(rep, "POST", f"{self.api}/me/events", body=body)
        if not isinstance(found, dict) or not found.get("id"):
            raise CalendarError("Graph answered no event id", retryable=True)
        meeting = found.get("onlineMeeting") or {}
        join = meeting.get("joinUrl") if isinstance(meeting, dict) else None
        return str(found["id"]), (str(join) if join else None)

    def delete_event(self, rep: str, event_id: str) -> None:
        self.http.call(rep, "DELETE", f"{self.api}/me/events/{quote(event_id, safe='')}")
