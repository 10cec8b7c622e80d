"""ADF 1.0 (Auto-lead Data Format): the XML lead that dealer CRMs read from an e-mail body.

The document (ADF 1.0 specification, 2000; element order and required children per its DTD):

    <?xml version="1.0" encoding="UTF-8"?>
    <?adf version="1.0"?>
    <adf>
      <prospect status="new">
        <id sequence="1" source="leadrail">{lead.id}</id>?
        <id source="leadrail-category">{category}</id>?     (ADF has no category field)
        <requestdate>2024-05-01T10:00:00-04:00</requestdate>
        <vehicle interest?="buy" status?="new">year, make, model, vin?, stock?, trim?, price?
        <customer><contact>name+, email | phone+ ..., address?</contact>
                  <timeframe><description>?, <comments></customer>
        <vendor><vendorname/><contact><name part="full"/><email/></contact></vendor>
        <provider><name part="full"/><service/>?<url/>?</provider>?

What the lead does not have is left out: every optional element and attribute (an id, the
vehicle's interest and status, a VIN, a price's currency, an e-mail, an address, a timeframe,
the provider) is written only when there is a value for it. Only what the DTD requires is
written empty when the lead has nothing for it, so that every lead gives a VALID document:

* `vehicle+` is required, and `year`, `make`, `model` in it: a lead without a vehicle (a
  service or general enquiry) gets `<vehicle>` with empty `<year/>`, `<make/>`, `<model/>`,
  and no `interest`/`status` (a reader that applies the DTD's defaults will still see "buy"
  and "new": that is the DTD's, not the lead's). Unknown interest/status values are left out;
  unknown phone type/time values fall back to the DTD defaults.
* `contact` needs a `name` and an e-mail or a phone: an empty `<name part="full">`, or an
  empty `<email>` when there is neither e-mail nor phone (the API refuses such a lead; the
  vendor's contact gets the destination's address from the deliverer). `address` needs a
  `street`: without one, the city, region, postal code and country go into the comments
  ("Address: Reno, NV 89501, US"); more than five street lines are joined into the fifth.
* The comments carry, as readable text, what ADF has no element for: category, offer, store,
  website, page, UTM parameters, consent and a street-less address, then a blank line and the
  visitor's comments.

Text: control characters XML 1.0 forbids are removed, CR LF becomes LF, single-line values
(names, offer, ...) have line breaks turned into spaces; every character outside printable
ASCII is written as a character reference (`&#233;`), so the document is pure ASCII. One
element per line; a text line longer than LINE_LIMIT octets is folded (a space becomes a line
break, or a break is put into a long unbroken run, never inside a reference), so the document
fits a 7bit e-mail body (RFC 5322: at most 998 octets a line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage

from leadrail.leads.formats.clean import clean_text, one_line, plain_text, utm_text
from leadrail.leads.formats.fields import address_lines
from leadrail.leads.formats.mail import finish_multipart, new_message, seven_bit_body
from leadrail.leads.model import Address, Customer, Lead, Phone, Provider, Vehicle, Vendor

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
ADF_PI = '<?adf version="1.0"?>'
LINE_LIMIT = 990  # octets a line of the document; e-mail allows 998

_INTERESTS = ("buy", "lease", "sell", "trade-in", "test-drive")
_STATUSES = ("new", "used")
_PHONE_TYPES = ("voice", "fax", "cellphone", "pager")
_PHONE_TIMES = ("morning", "afternoon", "evening", "nopreference", "day")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

Attrs = Sequence[tuple[str, str]]


def escape(text: str, *, attribute: bool = False) -> str:
    """`text` as pure-ASCII XML character data (or an attribute value, for `attribute`)."""
    out: list[str] = []
    for ch in clean_text(text):
        code = ord(ch)
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch == '"' and attribute:
            out.append("&quot;")
        elif 0x20 <= code < 0x7F or (ch in "\n\t" and not attribute):
            out.append(ch)
        else:
            out.append(f"&#{code};")
    return "".join(out)


def _fold_line(line: str, width: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > width:
        cut = line.rfind(" ", width // 2, width + 1)
        if cut > 0:
            pieces.append(line[:cut])
            line = line[cut + 1 :]
            continue
        cut = width
        amp = line.rfind("&", cut - 10, cut)
        if amp > 0 and line.find(";", amp) >= cut:
            cut = amp
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def fold(escaped: str, width: int) -> str:
    """Escaped text with no line longer than `width` (see the module's docstring)."""
    return "\n".join(p for line in escaped.split("\n") for p in _fold_line(line, width))


class _Doc:
    def __init__(self) -> None:
        self.lines = [XML_DECLARATION, ADF_PI]

    def open(self, depth: int, name: str, attrs: Attrs = ()) -> None:
        self.lines.append(f"{'  ' * depth}<{name}{_attrs(attrs)}>")

    def close(self, depth: int, name: str) -> None:
        self.lines.append(f"{'  ' * depth}</{name}>")

    def leaf(self, depth: int, name: str, text: str, attrs: Attrs = ()) -> None:
        start, end = f"{'  ' * depth}<{name}{_attrs(attrs)}>", f"</{name}>"
        self.lines.append(start + fold(escape(text), LINE_LIMIT - len(start) - len(end)) + end)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _attrs(attrs: Attrs) -> str:
    return "".join(f' {k}="{escape(v, attribute=True)}"' for k, v in attrs)


def _pick(value: str, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def comments_text(lead: Lead) -> str:
    """The ADF comments: what ADF has no element for, labelled, then the visitor's text."""
    labelled = (
        ("Category", one_line(lead.category)),
        ("Offer", one_line(lead.offer)),
        ("Store", one_line(lead.store)),
        ("Website", one_line(lead.site)),
        ("Page", one_line(lead.page_url)),
        ("UTM", utm_text(lead.utm)),
        ("Consent to contact", "yes" if lead.consent else "no"),
        ("Address", _streetless(lead.customer.address)),
    )
    head = "\n".join(f"{label}: {value}" for label, value in labelled if value)
    visitor = plain_text(lead.comments).strip("\n")
    return f"{head}\n\n{visitor}" if visitor else head


def _streetless(address: Address) -> str:
    """An address without a street (ADF's address needs one), as one line for the comments."""
    if any(map(one_line, address.street)):
        return ""
    return ", ".join(address_lines(address))


def _vehicle(doc: _Doc, v: Vehicle) -> None:
    known = (("interest", v.interest, _INTERESTS), ("status", v.status, _STATUSES))
    doc.open(2, "vehicle", [(name, value) for name, value, allowed in known if value in allowed])
    for name in ("year", "make", "model"):  # required by the DTD, even when unknown
        doc.leaf(3, name, one_line(getattr(v, name)))
    for name in ("vin", "stock", "trim"):
        if value := one_line(getattr(v, name)):
            doc.leaf(3, name, value)
    if price := one_line(v.price):
        currency = one_line(v.price_currency).upper()
        attrs = (("currency", currency),) if _CURRENCY.match(currency) else ()
        doc.leaf(3, "price", price, attrs)
    doc.close(2, "vehicle")


def _address(doc: _Doc, depth: int, a: Address) -> None:
    streets = [s for s in map(one_line, a.street) if s]
    if not streets:  # the rest goes to the comments (see _streetless)
        return
    rest = (
        ("apartment", one_line(a.apartment)),
        ("city", one_line(a.city)),
        ("regioncode", one_line(a.region)),
        ("postalcode", one_line(a.postal_code)),
        ("country", one_line(a.country)),
    )
    if len(streets) > 5:
        streets = [*streets[:4], ", ".join(streets[4:])]
    doc.open(depth, "address")
    for line, street in enumerate(streets, start=1):
        doc.leaf(depth + 1, "street", street, (("line", str(line)),))
    for name, value in rest:
        if value:
            doc.leaf(depth + 1, name, value)
    doc.close(depth, "address")


def _contact(
    doc: _Doc,
    depth: int,
    names: Sequence[tuple[str, str]],
    email: str,
    phones: Sequence[Phone] = (),
    address: Address | None = None,
) -> None:
    doc.open(depth, "contact")
    for part, name in names or [("full", "")]:
        doc.leaf(depth + 1, "name", name, (("part", part),))
    numbers = [(p, n) for p in phones if (n := one_line(p.number))]
    if email or not numbers:  # the DTD needs an e-mail or a phone
        doc.leaf(depth + 1, "email", email)
    for phone, number in numbers:
        attrs = (
            ("type", _pick(phone.kind, _PHONE_TYPES, "voice")),
            ("time", _pick(phone.time, _PHONE_TIMES, "nopreference")),
        )
        doc.leaf(depth + 1, "phone", number, attrs)
    if address is not None:
        _address(doc, depth + 1, address)
    doc.close(depth, "contact")


def _names(c: Customer) -> list[tuple[str, str]]:
    parts = (("first", c.first_name), ("middle", c.middle_name), ("last", c.last_name))
    names = [(part, value) for part, value in ((p, one_line(v)) for p, v in parts) if value]
    full = one_line(c.full_name)
    if full and full != " ".join(value for _, value in names):
        names.append(("full", full))
    return names


def _customer(doc: _Doc, lead: Lead) -> None:
    c = lead.customer
    doc.open(2, "customer")
    _contact(doc, 3, _names(c), one_line(c.email), c.phones, c.address)
    if timeframe := one_line(lead.timeframe):
        doc.open(3, "timeframe")
        doc.leaf(4, "description", timeframe)
        doc.close(3, "timeframe")
    doc.leaf(3, "comments", comments_text(lead))
    doc.close(2, "customer")


def _parties(doc: _Doc, vendor: Vendor, provider: Provider) -> None:
    doc.open(2, "vendor")
    doc.leaf(3, "vendorname", one_line(vendor.name))
    contact_name = one_line(vendor.contact_name) or one_line(vendor.name)
    _contact(doc, 3, [("full", contact_name)], one_line(vendor.email))
    doc.close(2, "vendor")
    values = [(name, one_line(getattr(provider, name))) for name in ("name", "service", "url")]
    if not any(value for _, value in values):
        return
    doc.open(2, "provider")
    doc.leaf(3, "name", values[0][1], (("part", "full"),))  # required in a provider
    for name, value in values[1:]:
        if value:
            doc.leaf(3, name, value)
    doc.close(2, "provider")


def render_adf(
    lead: Lead, *, vendor: Vendor, provider: Provider, request_date: datetime | None = None
) -> str:
    """The lead as an ADF 1.0 document (pure ASCII). `request_date` (default: the lead's
    `created_at`) must be timezone-aware: it is written as ISO 8601 with its offset."""
    when = request_date or lead.created_at
    if when.utcoffset() is None:
        raise ValueError("the ADF request date must be timezone-aware")
    doc = _Doc()
    doc.open(0, "adf")
    doc.open(1, "prospect", (("status", "new"),))
    if lead_id := one_line(lead.id):
        doc.leaf(2, "id", lead_id, (("sequence", "1"), ("source", "leadrail")))
    if category := one_line(lead.category):
        doc.leaf(2, "id", category, (("source", "leadrail-category"),))
    doc.leaf(2, "requestdate", when.isoformat(timespec="seconds"))
    _vehicle(doc, lead.vehicle or Vehicle())
    _customer(doc, lead)
    _parties(doc, vendor, provider)
    doc.close(1, "prospect")
    doc.close(0, "adf")
    return doc.text()


def adf_email(
    document: str,
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    message_id: str,
    attach: bool = False,
    reply_to: str | None = None,
) -> EmailMessage:
    """An e-mail whose WHOLE body is the ADF document (text/plain; charset=us-ascii, 7bit),
    as CRM lead inboxes expect; with `attach`, the same document also as lead.xml
    (application/xml, 7bit). Headers refuse CR/LF (ValueError)."""
    body = seven_bit_body(document)
    msg = new_message(
        sender=sender, to=to, subject=subject, message_id=message_id, reply_to=reply_to
    )
    msg.set_content(body, subtype="plain", charset="us-ascii", cte="7bit")
    if attach:
        msg.add_attachment(
            body.encode("ascii"),
            maintype="application",
            subtype="xml",
            filename="lead.xml",
            cte="7bit",
        )
        finish_multipart(msg, message_id, [body])
    return msg
