"""SmtpMailer against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, and failures."""

from __future__ import annotations

import asyncio
import threading
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from leadrail.adapters.calendar.ics import invite_message
from leadrail.adapters.mail.smtp import MailError, SmtpMailer, SmtpSettings
from tests.support.net import free_port

from .conftest import Inbox, SmtpServer
from .invites import START, an_invite, only_event, parse_ics, parse_mail, part


def mailer_for(server: SmtpServer) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host=server.host, port=server.port, sender="leadrail@acme.test"))


def a_message(**invite_changes: object) -> EmailMessage:
    return invite_message(
        an_invite(**invite_changes),
        method="REQUEST",
        sender="Bo Rep <bo@acme.test>",
        to=["Ana Prospect <ana@prospect.test>", "cy@prospect.test"],
        subject="Invitation: Intro call",
        text="You are booked.",
        html="<p>You are booked.</p>",
    )


def test_an_invitation_arrives_as_calendar_clients_read_it(smtp_server: SmtpServer) -> None:
    hostile_name = 'Ana "<script>alert(1)</script>"\r\nATTENDEE:mailto:evil@x.test'
    message = a_message(attendees=((hostile_name, "ana@prospect.test"), ("Cy", "cy@prospect.test")))

    reply = asyncio.run(mailer_for(smtp_server).send(message))

    assert reply == "250 2.0.0 Ok: queued as TEST1"
    (envelope,) = smtp_server.inbox.envelopes
    assert envelope.mail_from == "bo@acme.test"
    assert sorted(envelope.rcpt_tos) == ["ana@prospect.test", "cy@prospect.test"]
    assert isinstance(envelope.content, bytes)
    received = parse_mail(envelope.content)
    assert received["Subject"] == "Invitation: Intro call"
    assert received["Message-ID"] == message["Message-ID"]  # set by the mailer, kept
    assert received["Message-ID"].endswith("@acme.test>")
    assert received["Date"] is not None

    calendar_part = part(received, "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = parse_ics(calendar_part.get_content())
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    event = only_event(calendar)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start.tzinfo == ZoneInfo("America/New_York")
    assert event.start == START
    assert str(event["ORGANIZER"]) == "mailto:bo@acme.test"
    assert event["ORGANIZER"].params["CN"] == "Bo Rep"
    attendees = {str(a): a.params.get("CN") for a in event["ATTENDEE"]}
    assert attendees == {
        "mailto:ana@prospect.test": "Ana <script>alert(1)</script> ATTENDEE:mailto:evil@x.test",
        "mailto:cy@prospect.test": "Cy",
    }
    attachment = part(received, "application/ics")
    assert only_event(parse_ics(attachment.get_content()))["UID"] == "meeting-1@leadrail.test"


def test_from_is_the_configured_sender_when_missing(smtp_server: SmtpServer) -> None:
    message = a_message()
    del message["From"]

    mailer_for(smtp_server).send_sync(message)

    (envelope,) = smtp_server.inbox.envelopes
    assert envelope.mail_from == "leadrail@acme.test"
    assert parse_mail(envelope.content)["From"] == "leadrail@acme.test"


def test_send_sync_works_from_a_worker_thread(smtp_server: SmtpServer) -> None:
    replies: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            replies.append(mailer_for(smtp_server).send_sync(a_message()))
        except BaseException as e:  # reported below
            errors.append(e)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=15)

    assert not errors
    assert len(replies) == 1
    assert len(smtp_server.inbox.envelopes) == 1


def test_a_threads_messages_share_one_connection(smtp_server: SmtpServer) -> None:
    mailer = mailer_for(smtp_server)
    ids = []
    for _ in range(3):
        message = a_message()
        mailer.send_sync(message)
        ids.append(message["Message-ID"])
    assert [parse_mail(e.content)["Message-ID"] for e in smtp_server.inbox.envelopes] == ids
    assert len(set(smtp_server.inbox.peers)) == 1


def test_after_a_failure_the_next_message_goes_on_a_new_connection(
    smtp_server: SmtpServer,
) -> None:
    mailer = mailer_for(smtp_server)
    mailer.send_sync(a_message())
    smtp_server.inbox.data_reply = "451 4.3.0 Try again later"
    with pytest.raises(MailError):
        mailer.send_sync(a_message())
    smtp_server.inbox.data_reply = None
    mailer.send_sync(a_message())
    assert len(smtp_server.inbox.envelopes) == 2
    assert len(set(smtp_server.inbox.peers)) == 2


def test_a_kept_connection_the_server_dropped_is_replaced() -> None:
    inbox = Inbox()
    port = free_port()
    first = Controller(inbox, hostname="127.0.0.1", port=port)
    first.start()
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, sender="leadrail@acme.test"))
    mailer.send_sync(a_message())
    first.stop()  # the server restarts: the kept connection is gone
    again = Controller(inbox, hostname="127.0.0.1", port=port)
    again.start()
    try:
        message = a_message()
        assert mailer.send_sync(message).startswith("250")
    finally:
        again.stop()
    assert len(inbox.envelopes) == 2
    assert parse_mail(inbox.envelopes[1].content)["Message-ID"] == message["Message-ID"]


def test_server_down_is_retryable() -> None:
    mailer = SmtpMailer(SmtpSettings(port=free_port(), timeout_seconds=2))
    with pytest.raises(MailError) as caught:
        mailer.send_sync(a_message())
    assert caught.value.retryable is True
    assert caught.value.response


def test_a_permanent_refusal_is_not_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.rcpt_reply = "550 5.1.1 No such user here"
    with pytest.raises(MailError) as caught:
        mailer_for(smtp_server).send_sync(a_message())
    assert caught.value.retryable is False
    assert "550" in caught.value.response


def test_a_temporary_failure_is_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.data_reply = "451 4.3.0 Try again later"
    with pytest.raises(MailError) as caught:
        mailer_for(smtp_server).send_sync(a_message())
    assert caught.value.retryable is True
    assert caught.value.response.startswith("451")


def test_a_rejected_message_is_not_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.data_reply = "554 5.6.0 Message rejected"
    with pytest.raises(MailError) as caught:
        mailer_for(smtp_server).send_sync(a_message())
    assert caught.value.retryable is False


def test_settings_never_show_the_password() -> None:
    settings = SmtpSettings(username="bo", password="hunter2")
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in repr(SmtpMailer(settings))
