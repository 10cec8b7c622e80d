"""Plain-text and HTML bodies: labelled fields, empty ones left out, hostile text inert."""

from __future__ import annotations

from dataclasses import replace

import pytest

from leadrail.leads.formats.clean import clean_text, one_line, plain_text, utm_text
from leadrail.leads.formats.html import is_http_url, render_html
from leadrail.leads.formats.text import render_text
from leadrail.leads.model import Customer
from tests.unit.leads.formats.samples import FULL, SERVICE, VENDOR, assert_inert_html

EVIL = "<script>alert(1)</script></td><img src=x onerror=alert(1)>\"'&lt;"


def test_text_labels_every_field() -> None:
    text = render_text(FULL, vendor=VENDOR)
    assert text.startswith("New lead: New Models\n\nCategory: New Models\n")
    for line in [
        "Offer: Spring sale: 0% APR",
        "Name: José Q O'Brien",
        "Email: jose@example.test",
        "Mobile (evening): 555-0100",
        "Phone: 555-0199",
        "Address:\n  1 Main St\n  Building B\n  Apt 4\n  Springfield, IL 62701\n  US",
        "Vehicle: 2024 Toyota Camry XSE",
        "Vehicle interest: test-drive, new",
        "VIN: 4T1K61AK0RU000001",
        "Price: 31999.00 USD",
        "Comments:\n  Is it still available?\n  Can I come Saturday?",
        "Consent to contact: yes",
        "Page: https://ricks.test/new/camry?x=1&y=2",
        "UTM: utm_source=google, utm_medium=cpc",
        "Sent to: Rick's Autos",
        "Received: 2024-05-01T10:30:15-04:00",
    ]:
        assert f"\n{line}\n" in text


def test_text_leaves_empty_fields_out() -> None:
    text = render_text(SERVICE, vendor=VENDOR)
    assert text == (
        "New lead: Service\n\nCategory: Service\nOffer: Oil change special\nName: Sam Smith\n"
        "Phone: 555-0123\nConsent to contact: no\nSent to: Rick's Autos\nLead ID: lead-0002\n"
        "Received: 2024-05-02T09:00:00+00:00\n"
    )


def test_text_values_cannot_forge_label_lines() -> None:
    lead = replace(SERVICE, offer="x\nEmail: attacker@evil.test", comments="hi\nEmail: z")
    text = render_text(lead, vendor=VENDOR)
    assert "\nEmail:" not in text
    assert "Offer: x Email: attacker@evil.test" in text
    assert "\n  Email: z\n" in text


def test_html_shows_the_fields_in_a_table() -> None:
    root = assert_inert_html(render_html(FULL, vendor=VENDOR))
    rows = {tr.findtext("th"): "".join(tr.find("td").itertext()) for tr in root.iter("tr")}
    assert rows["Name"] == "José Q O'Brien"
    assert rows["Address"] == "1 Main StBuilding BApt 4Springfield, IL 62701US"
    assert rows["Page"] == "https://ricks.test/new/camry?x=1&y=2"
    (link,) = root.iter("a")
    assert link.get("href") == "https://ricks.test/new/camry?x=1&y=2"
    assert root.findtext("head/title") == "New lead: New Models"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>",
        "//evil.test/x",
        "https://a b.test",
        "http:///path",
        "vbscript:x",
        "https://ex.test/\u2028x",
        "ftp://ex.test",
    ],
)
def test_only_http_page_urls_become_links(url: str) -> None:
    document = render_html(replace(FULL, page_url=url), vendor=VENDOR)
    root = assert_inert_html(document)
    assert list(root.iter("a")) == []
    assert not is_http_url(url)


def test_html_escapes_injected_markup_everywhere() -> None:
    c = Customer(first_name=EVIL, email=EVIL, phones=())
    lead = replace(
        FULL,
        customer=c,
        comments=EVIL,
        offer=EVIL,
        category=EVIL,
        page_url='https://x.test/"><script>',
        utm=((EVIL, EVIL),),
    )
    document = render_html(lead, vendor=replace(VENDOR, name=EVIL))
    assert "<script" not in document
    assert "<img" not in document
    root = assert_inert_html(document)
    assert EVIL in "".join(root.find("body").itertext())
    assert root.findtext("head/title") == f"New lead: {EVIL}"


def test_cleaning_helpers() -> None:
    assert clean_text("a\x00\x08\x0b\x0c\x0e\x1f\ufffe\uffff\ud800b\r\nc\rd\te") == "ab\nc\nd\te"
    assert plain_text("a\x7f\x85\x9fb\n\tc") == "ab\n\tc"
    assert one_line("  a\nb\tc\u2028d\r\ne  ") == "a b c d e"
    assert utm_text((("utm_source", "goo\ngle"), ("", ""), ("utm_medium", "cpc"))) == (
        "utm_source=goo gle, utm_medium=cpc"
    )
