"""Leads, parties and parsers shared by the format tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

from lxml import etree

from leadrail.leads.model import Address, Customer, Lead, Phone, Provider, Vehicle, Vendor

EDT = timezone(timedelta(hours=-4))
CREATED = datetime(2024, 5, 1, 10, 30, 15, 123456, tzinfo=EDT)

VENDOR = Vendor(name="Rick's Autos", contact_name="Internet Sales", email="leads@ricks.test")
PROVIDER = Provider(name="leadrail", service="Website forms", url="https://leadrail.test")

FULL = Lead(
    id="lead-0001",
    created_at=CREATED,
    category="New Models",
    offer="Spring sale: 0% APR",
    customer=Customer(
        first_name="José",
        middle_name="Q",
        last_name="O'Brien",
        email="jose@example.test",
        phones=(Phone("555-0100", "cellphone", "evening"), Phone("555-0199")),
        address=Address(
            street=("1 Main St", "Building B"),
            apartment="Apt 4",
            city="Springfield",
            region="IL",
            postal_code="62701",
            country="US",
        ),
    ),
    vehicle=Vehicle(
        interest="test-drive",
        status="new",
        year="2024",
        make="Toyota",
        model="Camry",
        trim="XSE",
        vin="4T1K61AK0RU000001",
        stock="T1234",
        price="31999.00",
        price_currency="USD",
    ),
    comments="Is it still available?\r\nCan I come Saturday?",
    timeframe="within 30 days",
    consent=True,
    page_url="https://ricks.test/new/camry?x=1&y=2",
    utm=(("utm_source", "google"), ("utm_medium", "cpc")),
    store="Rick's Downtown",
    site="ricks.test",
)

SERVICE = Lead(
    id="lead-0002",
    created_at=datetime(2024, 5, 2, 9, 0, tzinfo=UTC),
    category="Service",
    offer="Oil change special",
    customer=Customer(full_name="Sam Smith", phones=(Phone("555-0123"),)),
)

DTD = etree.DTD(str(Path(__file__).with_name("adf-1.0.dtd")))


def parse(document: str) -> etree._Element:
    return etree.fromstring(document.encode("ascii"))


def assert_valid(document: str) -> etree._Element:
    root = parse(document)
    assert DTD.validate(root), DTD.error_log.filter_from_errors()
    return root


def assert_nothing_empty_but_what_the_dtd_needs(root: etree._Element) -> None:
    """Empty elements only where the DTD requires one and the lead has nothing for it:
    vehicle year/make/model; a contact's name (when it has none); its e-mail (when it has
    neither e-mail nor phone); the vendor's name; a provider's name (one with a URL only)."""
    for e in root.iter():
        if len(e) or (e.text or "").strip():
            continue
        parent = e.getparent()
        forced = e.tag in ("year", "make", "model", "vendorname") or (
            e.tag == "name" and parent.tag == "contact" and len(parent.findall("name")) == 1
        )
        forced = forced or (e.tag == "name" and parent.tag == "provider")
        forced = forced or (e.tag == "email" and parent.find("phone") is None)
        assert forced, f"empty <{e.tag}> in <{parent.tag}>"


HTML_TAGS = {"html", "head", "meta", "title", "body", "h2", "table", "tr", "th", "td", "br", "a"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_tags(document: str) -> Tags:
    parser = Tags()
    parser.feed(document)
    parser.close()
    return parser


def assert_inert_html(document: str) -> etree._Element:
    """Well-formed (strict XML parse), only our tags, no event handlers, links only http(s)."""
    root = etree.fromstring(document.encode("utf-8"))
    assert {e.tag for e in root.iter() if isinstance(e.tag, str)} <= HTML_TAGS
    for tag, attrs in html_tags(document).tags:
        assert tag in HTML_TAGS
        assert not any(name.startswith("on") for name, _ in attrs)
        if tag == "a":
            assert (dict(attrs)["href"] or "").startswith(("http://", "https://"))
    return root
