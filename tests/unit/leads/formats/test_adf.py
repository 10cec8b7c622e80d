"""ADF 1.0: structure, field by field, validity against the DTD, escaping, line folding."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from lxml import etree

from leadrail.leads.formats.adf import LINE_LIMIT, escape, render_adf
from leadrail.leads.formats.text import render_text
from leadrail.leads.model import Address, Customer, Lead, Phone, Provider, Vehicle, Vendor
from tests.unit.leads.formats.samples import FULL, PROVIDER, SERVICE, VENDOR, assert_valid, parse


def adf(lead: Lead = FULL, request_date: datetime | None = None) -> str:
    return render_adf(lead, vendor=VENDOR, provider=PROVIDER, request_date=request_date)


def texts(root: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in root.findall(path)]


def test_declaration_first_then_the_adf_processing_instruction() -> None:
    lines = adf().split("\n")
    assert lines[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    assert lines[1] == '<?adf version="1.0"?>'
    assert lines[2] == "<adf>"
    pi = parse(adf()).getprevious()
    assert (pi.target, pi.text) == ("adf", 'version="1.0"')


def test_the_document_is_pure_ascii_and_valid() -> None:
    for lead in (FULL, SERVICE):
        document = adf(lead)
        assert document.isascii()
        assert_valid(document)


def test_full_lead_field_by_field() -> None:
    p = assert_valid(adf()).find("prospect")
    assert p.get("status") == "new"
    ids = p.findall("id")
    assert [(i.get("sequence"), i.get("source"), i.text) for i in ids] == [
        ("1", "leadrail", "lead-0001"),
        (None, "leadrail-category", "New Models"),
    ]
    assert p.findtext("requestdate") == "2024-05-01T10:30:15-04:00"
    v = p.find("vehicle")
    assert (v.get("interest"), v.get("status")) == ("test-drive", "new")
    assert [c.tag for c in v] == ["year", "make", "model", "vin", "stock", "trim", "price"]
    assert [c.text for c in v] == [
        "2024",
        "Toyota",
        "Camry",
        "4T1K61AK0RU000001",
        "T1234",
        "XSE",
        "31999.00",
    ]
    assert v.find("price").get("currency") == "USD"
    c = p.find("customer/contact")
    assert [(n.get("part"), n.text) for n in c.findall("name")] == [
        ("first", "José"),
        ("middle", "Q"),
        ("last", "O'Brien"),
    ]
    assert c.findtext("email") == "jose@example.test"
    assert [(t.get("type"), t.get("time"), t.text) for t in c.findall("phone")] == [
        ("cellphone", "evening", "555-0100"),
        ("voice", "nopreference", "555-0199"),
    ]
    a = c.find("address")
    assert [(s.get("line"), s.text) for s in a.findall("street")] == [
        ("1", "1 Main St"),
        ("2", "Building B"),
    ]
    assert [(e.tag, e.text) for e in a][2:] == [
        ("apartment", "Apt 4"),
        ("city", "Springfield"),
        ("regioncode", "IL"),
        ("postalcode", "62701"),
        ("country", "US"),
    ]
    assert p.findtext("customer/timeframe/description") == "within 30 days"


def test_the_comments_carry_what_adf_has_no_element_for() -> None:
    comments = parse(adf()).findtext("prospect/customer/comments")
    assert comments == (
        "Category: New Models\n"
        "Offer: Spring sale: 0% APR\n"
        "Store: Rick's Downtown\n"
        "Website: ricks.test\n"
        "Page: https://ricks.test/new/camry?x=1&y=2\n"
        "UTM: utm_source=google, utm_medium=cpc\n"
        "Consent to contact: yes\n"
        "\n"
        "Is it still available?\nCan I come Saturday?"
    )


def test_vendor_and_provider() -> None:
    p = parse(adf()).find("prospect")
    assert p.findtext("vendor/vendorname") == "Rick's Autos"
    assert [(n.get("part"), n.text) for n in p.findall("vendor/contact/name")] == [
        ("full", "Internet Sales")
    ]
    assert p.findtext("vendor/contact/email") == "leads@ricks.test"
    assert [(e.tag, e.text) for e in p.find("provider")] == [
        ("name", "leadrail"),
        ("service", "Website forms"),
        ("url", "https://leadrail.test"),
    ]
    assert p.find("provider/name").get("part") == "full"


def test_order_of_the_prospect_and_customer_children() -> None:
    p = parse(adf()).find("prospect")
    assert [e.tag for e in p] == [
        "id",
        "id",
        "requestdate",
        "vehicle",
        "customer",
        "vendor",
        "provider",
    ]
    assert [e.tag for e in p.find("customer")] == ["contact", "timeframe", "comments"]


def test_a_service_lead_without_a_vehicle_claims_no_interest_or_status() -> None:
    p = assert_valid(adf(SERVICE)).find("prospect")
    v = p.find("vehicle")
    assert "interest=" not in adf(SERVICE)  # not "buy" ...
    assert 'status="new"' not in adf(SERVICE).split("<vehicle", 1)[1]  # ... nor "new"
    assert dict(v.attrib) == {}
    # the DTD requires a vehicle with year, make and model: empty, the only empty elements
    assert [(e.tag, e.text) for e in v] == [("year", None), ("make", None), ("model", None)]
    c = p.find("customer/contact")
    assert [(n.get("part"), n.text) for n in c.findall("name")] == [("full", "Sam Smith")]
    assert c.find("email") is None
    assert texts(c, "phone") == ["555-0123"]
    assert c.find("address") is None
    assert p.find("customer/timeframe") is None
    assert p.findtext("requestdate") == "2024-05-02T09:00:00+00:00"
    assert p.findtext("customer/comments") == (
        "Category: Service\nOffer: Oil change special\nConsent to contact: no"
    )


def test_a_lead_with_no_contact_details_still_validates() -> None:
    lead = replace(SERVICE, customer=Customer(), category="", id="")
    p = assert_valid(adf(lead)).find("prospect")
    assert p.findall("id") == []  # no id, no category: no <id>
    c = p.find("customer/contact")
    # the DTD needs a name and an e-mail or a phone: only then are they written empty
    assert [(n.get("part"), n.text) for n in c.findall("name")] == [("full", None)]
    assert texts(c, "email") == [""]


def test_a_vendor_with_no_email_still_validates() -> None:
    document = render_adf(FULL, vendor=Vendor("Only A Name"), provider=PROVIDER)
    p = assert_valid(document).find("prospect/vendor")
    assert p.findtext("contact/name") == "Only A Name"
    assert texts(p, "contact/email") == [""]


def test_an_empty_provider_is_left_out() -> None:
    document = render_adf(FULL, vendor=VENDOR, provider=Provider(name=""))
    assert assert_valid(document).find("prospect/provider") is None


def test_an_address_without_a_street_goes_to_the_comments() -> None:
    place = Address(city="Reno", region="NV", postal_code="89501", country="US")
    city_only = replace(FULL, customer=Customer(email="a@b.test", address=place))
    p = assert_valid(adf(city_only)).find("prospect")
    assert p.find("customer/contact/address") is None  # the DTD's address needs a street
    assert "<street" not in adf(city_only)
    assert "Address: Reno, NV 89501, US" in p.findtext("customer/comments")


def test_a_vehicle_without_interest_or_status_claims_neither() -> None:
    lead = replace(SERVICE, vehicle=Vehicle(year="2019", make="Ford", model="Focus"))
    v = assert_valid(adf(lead)).find("prospect/vehicle")
    assert dict(v.attrib) == {}
    assert [(e.tag, e.text) for e in v] == [("year", "2019"), ("make", "Ford"), ("model", "Focus")]
    text = render_text(lead, vendor=VENDOR)
    assert "Vehicle: 2019 Ford Focus" in text
    assert "interest" not in text.lower()


def test_an_address_with_too_many_lines() -> None:
    seven = Address(street=tuple(f"line {i}" for i in range(1, 8)))
    many = replace(FULL, customer=Customer(email="a@b.test", address=seven))
    a = assert_valid(adf(many)).find("prospect/customer/contact/address")
    assert texts(a, "street") == ["line 1", "line 2", "line 3", "line 4", "line 5, line 6, line 7"]


def test_full_name_beside_name_parts_is_kept_when_it_differs() -> None:
    c = Customer(first_name="Ann", last_name="Lee", full_name="Dr Ann Lee", email="a@b.test")
    names = assert_valid(adf(replace(FULL, customer=c))).findall("prospect/customer/contact/name")
    assert [(n.get("part"), n.text) for n in names] == [
        ("first", "Ann"),
        ("last", "Lee"),
        ("full", "Dr Ann Lee"),
    ]


def test_unknown_enumerated_values_are_left_out_or_fall_back_to_the_dtd_defaults() -> None:
    vehicle = Vehicle(interest="rent", status="salvage", price="1", price_currency="dollars")  # type: ignore[arg-type]
    phone = Phone("1", kind="satellite", time="noon")  # type: ignore[arg-type]
    lead = replace(FULL, vehicle=vehicle, customer=Customer(phones=(phone,)))
    p = assert_valid(adf(lead)).find("prospect")
    assert dict(p.find("vehicle").attrib) == {}  # not claimed as buy / new
    assert p.find("vehicle/price").get("currency") is None
    assert (p.find(".//phone").get("type"), p.find(".//phone").get("time")) == (
        "voice",
        "nopreference",
    )


def test_request_date_overrides_and_must_be_aware() -> None:
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse(adf(request_date=when)).findtext("prospect/requestdate") == (
        "2025-01-02T03:04:05+00:00"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        adf(request_date=datetime(2025, 1, 2))
    with pytest.raises(ValueError, match="timezone-aware"):
        adf(replace(FULL, created_at=datetime(2025, 1, 2)))


def test_escaping_markup_quotes_and_non_ascii() -> None:
    assert escape('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert escape('"', attribute=True) == "&quot;"
    assert escape("é😀\x7f\x85") == "&#233;&#128512;&#127;&#133;"
    assert escape("a\x00b\x0bc\x1fd\ufffee\uffff\ud800f") == "abcdef"
    assert escape("a\r\nb\rc\td") == "a\nb\nc\td"
    assert escape("a\nb\tc", attribute=True) == "a&#10;b&#9;c"


def test_hostile_text_stays_text() -> None:
    evil = "]]></comments><vendor>x</vendor><!-- <?php ?> &amp; &#0;"
    lead = replace(FULL, comments=evil, offer=evil)
    root = assert_valid(adf(lead))
    assert evil in root.findtext("prospect/customer/comments")
    assert root.find("prospect/customer").getchildren()[-1].tag == "comments"


def test_long_text_is_folded_under_the_line_limit_without_losing_characters() -> None:
    words = " ".join(f"word{i}" for i in range(600))
    run = "x" * 3000
    cjk = "漢" * 400  # 8 octets each as a character reference
    lead = replace(FULL, comments=f"{words}\n{run}\n{cjk}", offer="é" * 300)
    document = adf(lead)
    assert max(len(line) for line in document.split("\n")) <= LINE_LIMIT
    root = assert_valid(document)
    visitor = root.findtext("prospect/customer/comments").split("\n\n", 1)[1]
    assert "".join(visitor.split()) == "".join(f"{words}{run}{cjk}".split())
    assert visitor.replace("\n", " ").startswith(words)  # folded at spaces
    assert root.findtext("prospect/customer/comments").count("漢") == 400
    assert root.findtext("prospect/customer/comments").split("\n")[1].startswith("Offer: éé")
