"""The e-mail messages: 7bit ASCII ADF bodies, UTF-8 text and HTML, safe headers."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from leadrail.leads.formats.adf import adf_email, render_adf
from leadrail.leads.formats.html import html_email, render_html
from leadrail.leads.formats.mail import seven_bit_body
from leadrail.leads.formats.text import render_text, text_email
from tests.unit.leads.formats.samples import FULL, PROVIDER, VENDOR

DOC = render_adf(FULL, vendor=VENDOR, provider=PROVIDER)
HEADERS = {
    "sender": "leadrail <noreply@leadrail.test>",
    "to": ["leads@ricks.test", "crm@ricks.test"],
    "subject": "New lead: New Models (José O'Brien)",
    "message_id": "<lead-0001.adf@leadrail.test>",
}


def reparse(msg: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def content(part: EmailMessage) -> str:
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def test_adf_email_is_the_whole_body_7bit_ascii() -> None:
    msg = adf_email(DOC, **HEADERS)
    raw = msg.as_bytes()
    assert raw.isascii()
    assert all(len(line) < 998 for line in raw.split(b"\r\n"))
    assert msg["Content-Type"] == 'text/plain; charset="us-ascii"'
    assert msg["Content-Transfer-Encoding"] == "7bit"
    assert msg["Message-ID"] == "<lead-0001.adf@leadrail.test>"
    assert msg["To"] == "leads@ricks.test, crm@ricks.test"
    back = reparse(msg)
    assert content(back) == DOC
    assert back["Subject"] == HEADERS["subject"]


def test_adf_email_can_attach_the_same_document_as_lead_xml() -> None:
    msg = adf_email(DOC, **HEADERS, attach=True)
    assert msg.as_bytes().isascii()
    assert msg.get_content_type() == "multipart/mixed"
    body, attachment = reparse(msg).iter_parts()
    assert body.get_content_type() == "text/plain"
    assert content(body) == DOC
    assert attachment.get_content_type() == "application/xml"
    assert attachment.get_filename() == "lead.xml"
    assert attachment["Content-Transfer-Encoding"] == "7bit"
    assert attachment.get_content().replace(b"\r\n", b"\n") == DOC.encode("ascii")


def test_messages_are_deterministic() -> None:
    assert adf_email(DOC, **HEADERS, attach=True).as_bytes() == (
        adf_email(DOC, **HEADERS, attach=True).as_bytes()
    )
    html, text = render_html(FULL, vendor=VENDOR), render_text(FULL, vendor=VENDOR)
    assert html_email(html, text, **HEADERS).as_bytes() == (
        html_email(html, text, **HEADERS).as_bytes()
    )


@pytest.mark.parametrize("field", ["sender", "message_id"])
@pytest.mark.parametrize("bad", ["x\r\nBcc: victim@evil.test", "x\nBcc: a@b", "x\rB", "x\x00"])
def test_header_injection_is_refused(field: str, bad: str) -> None:
    html, text = render_html(FULL, vendor=VENDOR), render_text(FULL, vendor=VENDOR)
    headers = {**HEADERS, field: bad}
    with pytest.raises(ValueError, match="header"):
        adf_email(DOC, **headers)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="header"):
        text_email(text, **headers)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="header"):
        html_email(html, text, **headers)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["x\r\nBcc: victim@evil.test", "x\nBcc: a@b", "x\rB\t\x00C"])
def test_a_subject_with_line_breaks_is_made_one_line(bad: str) -> None:
    """A visitor's offer or category in the subject cannot add a header, and the lead still
    goes out (stored leads may predate the web edge's checks)."""
    html, text = render_html(FULL, vendor=VENDOR), render_text(FULL, vendor=VENDOR)
    headers = {**HEADERS, "subject": bad}
    for msg in (
        adf_email(DOC, **headers),
        text_email(text, **headers),
        html_email(html, text, **headers),
    ):
        back = message_from_bytes(msg.as_bytes(), policy=policy.default)
        assert back["Bcc"] is None
        assert back["Subject"].startswith("x ")
        assert not any(ch in back["Subject"] for ch in "\r\n\t\x00")


def test_recipient_and_reply_to_injection_is_refused() -> None:
    with pytest.raises(ValueError, match="header"):
        adf_email(DOC, **{**HEADERS, "to": ["a@b.test\r\nBcc: c@d.test"]})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="header"):
        adf_email(DOC, **HEADERS, reply_to="a@b.test\nBcc: c@d.test")
    with pytest.raises(ValueError, match="recipient"):
        adf_email(DOC, **{**HEADERS, "to": []})  # type: ignore[arg-type]


def test_reply_to_and_a_single_recipient_string() -> None:
    msg = text_email("hi", **{**HEADERS, "to": "one@ricks.test"}, reply_to="jose@example.test")  # type: ignore[arg-type]
    assert msg["To"] == "one@ricks.test"
    assert msg["Reply-To"] == "jose@example.test"


def test_adf_email_refuses_a_body_that_is_not_ascii_or_has_control_characters() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        adf_email(DOC.replace("Camry", "Camr\u00ff"), **HEADERS)
    with pytest.raises(ValueError, match="ASCII"):
        adf_email(DOC.replace("Camry", "Cam\rry"), **HEADERS)


def test_long_lines_are_wrapped_only_between_elements() -> None:
    compact = "<adf><prospect>" + '<id source="x">y</id><year></year>' * 60 + "</prospect></adf>"
    body = seven_bit_body(compact)
    assert all(len(line) < 998 for line in body.split("\n"))
    assert "<year>\n" not in body
    assert "".join(body.split("\n")) == compact
    assert seven_bit_body(DOC) == DOC  # render_adf's lines already fit


def test_an_overlong_text_line_is_refused_rather_than_changed() -> None:
    with pytest.raises(ValueError, match="998"):
        seven_bit_body("<comments>" + "x" * 1000 + "</comments>")


def test_text_email_is_utf8_quoted_printable() -> None:
    text = render_text(FULL, vendor=VENDOR)
    msg = text_email(text, **HEADERS)
    assert msg.as_bytes().isascii()
    assert msg["Content-Type"] == 'text/plain; charset="utf-8"'
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert content(reparse(msg)) == text


def test_html_email_is_multipart_alternative_text_first() -> None:
    html, text = render_html(FULL, vendor=VENDOR), render_text(FULL, vendor=VENDOR)
    msg = html_email(html, text, **HEADERS)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.as_bytes().isascii()
    plain, rich = reparse(msg).iter_parts()
    assert (plain.get_content_type(), content(plain)) == ("text/plain", text)
    assert (rich.get_content_type(), content(rich)) == ("text/html", html)
    assert "MIME-Version" not in plain
