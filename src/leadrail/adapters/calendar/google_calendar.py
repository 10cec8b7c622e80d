"""A rep's Google Calendar (API v3) through ``CloudHttp``.

- Busy time: ``POST /freeBusy`` (``freeBusy.query``) over the rep's chosen calendars
  (``primary`` when none is chosen); out-of-office: ``GET /calendars/primary/events`` with
  ``eventTypes=outOfOffice`` (``events.list``), kept as the rep's away time.
- The booked meeting: ``POST /calendars/primary/events?conferenceDataVersion=1``
  (``events.insert``; a Google Meet link through ``conferenceData.createRequest`` when the
  meeting type asks for one), ``PATCH`` on reschedule (``events.patch``), ``DELETE`` on
  cancel (``events.delete``). The event is the rep's copy: no attendees (the prospect gets
  leadrail's own invitation), so Google e-mails nobody.

Shapes from developers.google.com/calendar/api/v3/reference (freebusy/query, events/insert,
events/patch, events/delete, events/list) and /calendar/api/guides/event-types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from leadrail.adapters.calendar.caldav_calendar import CalendarError
from leadrail.adapters.calendar.cloud_http import CloudHttp
from leadrail.app.meetings.invite import Invite
from leadrail.app.workspace import CalendarDoc

Interval = tuple[datetime, datetime]


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any, tz: str) -> datetime:
    """A Google ``dateTime`` (RFC 3339) or an all-day ``date`` (midnight in ``tz``)."""
    if isinstance(value, dict):
        if value.get("dateTime"):
            return _aware(datetime.fromisoformat(str(value["dateTime"])), tz)
        if value.get("date"):
            day = date.fromisoformat(str(value["date"]))
            return datetime.combine(day, time(), tzinfo=ZoneInfo(tz)).astimezone(UTC)
        raise ValueError("no dateTime nor date")
    return _aware(datetime.fromisoformat(str(value)), tz)


def _aware(when: datetime, tz: str) -> datetime:
    return (when if when.utcoffset() is not None else when.replace(tzinfo=ZoneInfo(tz))).astimezone(
        UTC
    )


class GoogleCalendar:
    provider = "google"

    def __init__(self, http: CloudHttp, api_url: str) -> None:
        self.http = http
        self.api = api_url.rstrip("/")

    def busy(
        self, rep: str, cal: CalendarDoc, tz: str, start: datetime, end: datetime
    ) -> tuple[list[Interval], list[Interval]]:
        """(busy intervals, out-of-office intervals), aware UTC, sorted."""
        ids = list(cal.calendars) or ["primary"]
        body = {"timeMin": rfc3339(start), "timeMax": rfc3339(end), "timeZone": "UTC",
                "items": [{"id": i} for i in ids]}  # fmt: skip
        answer = self.http.call(rep, "POST", f"{self.api}/freeBusy", body=body) or {}
        busy: list[Interval] = []
        for cal_id, found in (answer.get("calendars") or {}).items():
            errors = found.get("errors") or []
            if errors:
                reason = ", ".join(str(e.get("reason")) for e in errors if isinstance(e, dict))
                raise CalendarError(f"Google calendar {cal_id!r}: {reason}", retryable=False)
            busy += [(parse_time(b["start"], tz), parse_time(b["end"], tz))
                     for b in found.get("busy") or []]  # fmt: skip
        return sorted(b for b in busy if b[1] > b[0]), self._away(rep, tz, start, end)

    def _away(self, rep: str, tz: str, start: datetime, end: datetime) -> list[Interval]:
        params = {"timeMin": rfc3339(start), "timeMax": rfc3339(end), "singleEvents": "true",
                  "eventTypes": "outOfOffice", "maxResults": "250"}  # fmt: skip
        out: list[Interval] = []
        for _page in range(10):
            answer = (
                self.http.call(rep, "GET", f"{self.api}/calendars/primary/events", params=params)
                or {}
            )
            for item in answer.get("items") or []:
                if item.get("eventType") == "outOfOffice" and item.get("status") != "cancelled":
                    out.append((parse_time(item["start"], tz), parse_time(item["end"], tz)))
            token = answer.get("nextPageToken")
            if not token:
                break
            params = {**params, "pageToken": str(token)}
        return sorted(out)

    def put_event(
        self, rep: str, invite: Invite, online: bool, known: str | None
    ) -> tuple[str, str | None]:
        """Insert the meeting's event (or patch ``known``): (event id, Meet link)."""
        body: dict[str, Any] = {
            "summary": invite.summary,
            "description": event_text(invite),
            "start": {"dateTime": rfc3339(invite.start), "timeZone": invite.tz},
            "end": {"dateTime": rfc3339(invite.end), "timeZone": invite.tz},
            "iCalUID": invite.uid,
            "reminders": {"useDefault": True},
        }
        if invite.location:
            body["location"] = invite.location
        if online:
            body["conferenceData"] = {"createRequest": {
                "requestId": invite.uid.partition("@")[0][:60],
                "conferenceSolutionKey": {"type": "hangoutsMeet"}}}  # fmt: skip
        params = {"conferenceDataVersion": "1", "sendUpdates": "none"}
        base = f"{self.api}/calendars/primary/events"
        if known:
            body.pop("iCalUID")
            found = self.http.call(rep, "PATCH", f"{base}/{quote(known, safe='')}",
                                   body=body, params=params)  # fmt: skip
        else:
            try:
                found = self.http.call(rep, "POST", base, body=body, params=params)
            except CalendarError as e:
                if e.status != 409:  # 409: inserted before (a retried job): patch that one
                    raise
                return self.put_event(rep, invite, online, self._by_uid(rep, invite.uid))
        if not isinstance(found, dict) or not found.get("id"):
            raise CalendarError("Google answered no event id", retryable=True)
        return str(found["id"]), _meet_link(found)

    def _by_uid(self, rep: str, uid: str) -> str:
        answer = self.http.call(rep, "GET", f"{self.api}/calendars/primary/events",
                                params={"iCalUID": uid}) or {}  # fmt: skip
        for item in answer.get("items") or []:
            if item.get("id"):
                return str(item["id"])
        raise CalendarError(f"Google: event {uid} exists but cannot be found", retryable=True)

    def delete_event(self, rep: str, event_id: str) -> None:
        url = f"{self.api}/calendars/primary/events/{quote(event_id, safe='')}"
        self.http.call(rep, "DELETE", url, params={"sendUpdates": "none"})


def _meet_link(event: dict[str, Any]) -> str | None:
    if event.get("hangoutLink"):
        return str(event["hangoutLink"])
    points: Sequence[Any] = (event.get("conferenceData") or {}).get("entryPoints") or []
    for p in points:
        if isinstance(p, dict) and p.get("entryPointType") == "video" and p.get("uri"):
            return str(p["uri"])
    return None


def event_text(invite: Invite) -> str:
    who = ", ".join(f"{n} <{a}>" if n else a for n, a in invite.attendees)
    return f"With: {who}\n\n{invite.description}"
