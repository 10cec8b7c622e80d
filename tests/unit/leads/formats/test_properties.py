"""Any unicode in any text field: valid pure-ASCII ADF that reads back, inert HTML, full text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.leads.formats.adf import adf_email, comments_text, render_adf
from leadrail.leads.formats.clean import one_line, plain_text
from leadrail.leads.formats.html import render_html
from leadrail.leads.formats.text import render_text
from leadrail.leads.model import Address, Customer, Lead, Phone, Provider, Vehicle, Vendor
from tests.unit.leads.formats.samples import (
    CREATED,
    assert_inert_html,
    assert_nothing_empty_but_what_the_dtd_needs,
    assert_valid,
)

FAST = settings(max_examples=150, deadline=None)
SPECIALS = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "]]>",
    "<script>",
    "</td><img src=x onerror=alert(1)>",
    "&amp;",
    "&#0;",
    "<!--",
    "\x00",
    "\x0b",
    "\x1f",
    "\r\n",
    "\r",
    "\n",
    "\t",
    " ",
    "\ufffe",
    "\uffff",
    "\x7f",
    "\x85",
    "\u2028",
    "é",
    "漢",
    "😀",
    "\U0010ffff",
]
PIECE = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(SPECIALS))


def texts(pieces: int = 8) -> st.SearchStrategy[str]:
    # small enough that no line reaches ADF's fold limit, so the text reads back exactly
    return st.lists(PIECE, max_size=pieces).map("".join)


@st.composite
def leads(draw: st.DrawFn) -> Lead:
    t = texts()
    address = Address(
        street=tuple(draw(st.lists(t, max_size=3))),
        apartment=draw(t),
        city=draw(t),
        region=draw(t),
        postal_code=draw(t),
        country=draw(t),
    )
    customer = Customer(
        first_name=draw(t),
        middle_name=draw(t),
        last_name=draw(t),
        full_name=draw(t),
        email=draw(t),
        phones=tuple(Phone(n) for n in draw(st.lists(t, max_size=2))),
        address=address,
    )
    vehicle = draw(
        st.none()
        | st.builds(
            Vehicle, year=t, make=t, model=t, trim=t, vin=t, stock=t, price=t, price_currency=t
        )
    )
    return Lead(
        id=draw(t),
        created_at=CREATED,
        category=draw(t),
        offer=draw(t),
        customer=customer,
        vehicle=vehicle,
        comments=draw(texts(16)),
        timeframe=draw(t),
        consent=draw(st.booleans()),
        page_url=draw(t),
        store=draw(t),
        site=draw(t),
        utm=tuple(draw(st.lists(st.tuples(texts(4), texts(4)), max_size=2))),
    )


VENDORS = st.builds(Vendor, name=texts(), contact_name=texts(), email=texts())
PROVIDERS = st.builds(Provider, name=texts(), service=texts(), url=texts())


def single_line_values(lead: Lead, vendor: Vendor) -> list[str]:
    c, a = lead.customer, lead.customer.address
    values = [
        lead.category,
        lead.offer,
        c.name,
        c.email,
        lead.timeframe,
        lead.page_url,
        lead.store,
        lead.site,
        vendor.name,
        lead.id,
        a.apartment,
        a.city,
        *a.street,
        *(p.number for p in c.phones),
    ]
    if lead.vehicle:
        values += [lead.vehicle.vin, lead.vehicle.stock]
    return [v for v in map(one_line, values) if v]


@FAST
@given(lead=leads(), vendor=VENDORS, provider=PROVIDERS)
def test_any_text_gives_valid_ascii_adf_that_reads_back(
    lead: Lead, vendor: Vendor, provider: Provider
) -> None:
    document = render_adf(lead, vendor=vendor, provider=provider)
    assert document.isascii()
    root = assert_valid(document)
    assert_nothing_empty_but_what_the_dtd_needs(root)
    p = root.find("prospect")
    ids = [one_line(lead.id), one_line(lead.category)]
    assert [i.text or "" for i in p.findall("id")] == [i for i in ids if i]
    c, contact = lead.customer, p.find("customer/contact")
    names = {n.get("part"): n.text or "" for n in contact.findall("name")}
    for part, value in (("first", c.first_name), ("middle", c.middle_name), ("last", c.last_name)):
        assert names.get(part, "") == one_line(value)
    assert contact.findtext("email", "") == one_line(c.email)
    numbers = [one_line(ph.number) for ph in c.phones]
    assert [e.text for e in contact.findall("phone")] == [n for n in numbers if n]
    streets = [e.text or "" for e in contact.findall("address/street")]
    assert [s for s in streets if s] == [s for s in map(one_line, c.address.street) if s]
    v = lead.vehicle or Vehicle()
    assert [p.findtext(f"vehicle/{n}") for n in ("year", "make", "model")] == [
        one_line(v.year),
        one_line(v.make),
        one_line(v.model),
    ]
    comments = p.findtext("customer/comments")
    assert comments == comments_text(lead)
    assert plain_text(lead.comments).strip("\n") in comments
    assert p.findtext("vendor/vendorname") == one_line(vendor.name)
    assert p.findtext("provider/name", "") == one_line(provider.name)
    msg = adf_email(document, sender="a@b.test", to=["c@d.test"], subject="s", message_id="<m@x>")
    assert msg.as_bytes().isascii()


@FAST
@given(lead=leads(), vendor=VENDORS)
def test_any_text_gives_inert_html_and_a_text_body_with_all_of_it(
    lead: Lead, vendor: Vendor
) -> None:
    html = render_html(lead, vendor=vendor)
    assert "<script" not in html
    assert "<img" not in html
    assert "<!--" not in html
    root = assert_inert_html(html)
    visible = "".join(root.find("body").itertext())
    text = render_text(lead, vendor=vendor)
    for value in single_line_values(lead, vendor):
        assert value in text
        assert value in visible
    if plain_text(lead.comments).strip():
        for line in plain_text(lead.comments).strip("\n").split("\n"):
            assert line in text
            assert line in visible
