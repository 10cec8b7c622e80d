"""build_ics and invite_message: what calendar clients read, and what prospects cannot inject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.adapters.calendar.ics import (
    PRODID,
    build_ics,
    clean_name,
    clean_text,
    invite_message,
)

from .invites import END, START, an_invite, only_event, parse_ics, parse_mail, part


def test_request_has_the_fields_calendar_clients_need() -> None:
    calendar = parse_ics(build_ics(an_invite(), method="REQUEST"))

    assert calendar["PRODID"] == PRODID
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    event = only_event(calendar)
    assert event["UID"] == "meeting-1@leadrail.test"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTEND"].params["TZID"] == "America/New_York"
    assert event.start == START
    assert event.end == END
    assert event.start.replace(tzinfo=None) == datetime(2026, 3, 10, 11, 0)  # local wall time
    assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert event["SUMMARY"] == "Intro call: Acme <> Ana"
    assert event["LOCATION"] == "https://meet.example.test/abc"
    description = str(event["DESCRIPTION"])
    assert description.startswith("Notes from Ana: we have 40 reps; budget, Q3.")
    assert "Reschedule: https://leadrail.test/m/1/reschedule?t=abc" in description
    assert "Cancel: https://leadrail.test/m/1/cancel?t=abc" in description
    organizer = event["ORGANIZER"]
    assert (str(organizer), organizer.params["CN"]) == ("mailto:bo@acme.test", "Bo Rep")
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:ana@prospect.test", "mailto:cy@prospect.test"]
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"


def test_vtimezone_offsets_match_the_zone_across_dst() -> None:
    winter = an_invite(
        start=datetime(2026, 1, 5, 16, tzinfo=UTC), end=datetime(2026, 1, 5, 17, tzinfo=UTC)
    )
    calendar = parse_ics(build_ics(winter, method="REQUEST"))
    event = only_event(calendar)
    assert event["DTSTART"].to_ical() == b"20260105T110000"  # EST, -5
    timezone = calendar.walk("VTIMEZONE")[0]
    offsets = {sub["TZOFFSETTO"].td for sub in timezone.subcomponents}
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}


def test_cancel_keeps_uid_and_attendees_and_says_cancelled() -> None:
    calendar = parse_ics(build_ics(an_invite(sequence=2), method="CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    event = only_event(calendar)
    assert (event["UID"], event["SEQUENCE"], event["STATUS"]) == (
        "meeting-1@leadrail.test",
        2,
        "CANCELLED",
    )
    assert len(event["ATTENDEE"]) == 2
    assert "cancel?t=" not in str(event["DESCRIPTION"])


def test_utc_meetings_use_utc_times_without_a_vtimezone() -> None:
    event = only_event(parse_ics(build_ics(an_invite(tz="UTC"), method="REQUEST")))
    assert event["DTSTART"].to_ical() == b"20260310T150000Z"


def test_what_a_prospect_typed_cannot_break_out() -> None:
    hostile = an_invite(
        summary="Hi\r\nEND:VEVENT\r\nBEGIN:VEVENT",
        description="notes\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\x00\u2028X-EVIL:1",
        attendees=(
            ('Ana "<script>alert(1)</script>"\r\nATTENDEE:mailto:evil@x.test', "ana@p.test"),
        ),
    )
    data = build_ics(hostile, method="REQUEST")
    assert b"\r\nATTENDEE:mailto:evil" not in data
    assert b"\r\nX-EVIL" not in data
    event = only_event(parse_ics(data))
    assert event["UID"] == "meeting-1@leadrail.test"
    assert str(event["SUMMARY"]) == "Hi END:VEVENT BEGIN:VEVENT"  # a summary is one line
    assert str(event["DESCRIPTION"]).startswith("notes\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nX-")
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ana@p.test"
    assert attendee.params["CN"] == "Ana <script>alert(1)</script> ATTENDEE:mailto:evil@x.test"


@pytest.mark.parametrize(
    "changes",
    [
        {"start": datetime(2026, 3, 10, 15)},  # naive
        {"end": START},  # empty
        {"tz": "Mars/Olympus"},
        {"organizer_email": "bo@acme.test\r\nX: y"},
        {"attendees": (("Ana", "ana@p.test>, evil@x.test"),)},
        {"uid": "a\r\nb"},
    ],
)
def test_invalid_invites_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        an_invite(**changes)


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=40), notes=st.text(max_size=200))
def test_any_name_and_notes_round_trip_as_one_event(name: str, notes: str) -> None:
    invite = an_invite(description=notes, attendees=((name, "ana@p.test"),))
    event = only_event(parse_ics(build_ics(invite, method="REQUEST")))
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ana@p.test"
    cn = attendee.params.get("CN", "")
    assert cn == clean_name(name)
    assert not any(ch in cn for ch in '"\\\r\n')
    # icalendar quirk: a literal backslash-N in text is written as a line break
    assert clean_text(notes).replace("\\N", "\n").strip() in str(event["DESCRIPTION"])


def test_invite_message_has_the_shape_mail_clients_accept() -> None:
    message = invite_message(
        an_invite(),
        method="REQUEST",
        sender="Leadrail <leadrail@acme.test>",
        to=["Ana Prospect <ana@prospect.test>", "bo@acme.test"],
        subject="Invitation: Intro call",
        text="You are booked.",
        html="<p>You are booked.</p>",
    )
    parsed = parse_mail(message.as_bytes())
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = part(parsed, "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    inline = calendar_part.get_content().encode()
    assert attachment.get_content().replace(b"\r\n", b"\n") == inline.replace(b"\r\n", b"\n")


def test_non_ascii_names_travel_in_7bit_parts() -> None:
    invite = an_invite(attendees=(("Zoë Ångström 山田", "zoe@p.test"),))
    message = invite_message(
        invite,
        method="REQUEST",
        sender="a@acme.test",
        to=["zoe@p.test"],
        subject="Réunion",
        text="Bonjour Zoë",
    )
    raw = message.as_bytes()
    assert max(raw) < 128
    event = only_event(parse_ics(part(parse_mail(raw), "text/calendar").get_content()))
    assert event["ATTENDEE"].params["CN"] == "Zoë Ångström 山田"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sender", "a@acme.test\r\nBcc: evil@x.test"),
        ("to", ["Ana\r\nBcc: evil@x.test <ana@p.test>"]),
        ("to", ["ana@p.test, evil@x.test"]),
        ("to", []),
        ("to", "ana@p.test"),
    ],
)
def test_mail_headers_refuse_injection(field: str, value: object) -> None:
    kwargs: dict[str, object] = {
        "sender": "a@acme.test",
        "to": ["ana@p.test"],
        "subject": "Invitation",
    }
    kwargs[field] = value
    with pytest.raises(ValueError):  # noqa: PT011
        invite_message(an_invite(), method="REQUEST", text="t", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: evil@x.test", "Hi\nX-Evil: 1", "Hi\tthere\x0b!"])
def test_a_subject_with_line_breaks_is_made_one_line(subject: str) -> None:
    """Stored names may predate the web edge's checks: the invitation still goes out, with
    a one-line subject and no header of the prospect's making."""
    message = invite_message(
        an_invite(), method="REQUEST", sender="a@acme.test", to=["ana@p.test"], subject=subject,
        text="t",
    )  # fmt: skip
    parsed = parse_mail(message.as_bytes())
    assert parsed["Bcc"] is None
    assert parsed["X-Evil"] is None
    assert "\n" not in str(parsed["Subject"])
    assert str(parsed["Subject"]).startswith("Hi ")


def test_a_script_display_name_stays_a_quoted_name() -> None:
    message = invite_message(
        an_invite(),
        method="REQUEST",
        sender="a@acme.test",
        to=['"<script>alert(1)</script>" <ana@p.test>'],
        subject="Invitation",
        text="t",
    )
    to = parse_mail(message.as_bytes())["To"]
    assert [(a.display_name, a.addr_spec) for a in to.addresses] == [
        ("<script>alert(1)</script>", "ana@p.test")
    ]


def test_the_zone_named_is_the_one_written() -> None:
    invite = an_invite(tz="Asia/Kolkata")
    event = only_event(parse_ics(build_ics(invite, method="REQUEST")))
    assert event.start.tzinfo == ZoneInfo("Asia/Kolkata")
    assert event["DTSTART"].to_ical() == b"20260310T203000"


def test_links_already_in_the_notes_are_not_repeated() -> None:
    url = "https://leadrail.test/m/1/cancel?t=abc"
    invite = an_invite(description=f"Cancel here: {url}", reschedule_url=None)
    description = str(only_event(parse_ics(build_ics(invite, method="REQUEST")))["DESCRIPTION"])
    assert description == f"Cancel here: {url}"
