"""A lead as labelled fields, in reading order: what the text and HTML bodies show.

Empty fields are left out; every value is cleaned (see `clean`). A `lines` field may hold
several lines (an address, the visitor's comments); every other value is one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from leadrail.leads.formats.clean import one_line, plain_text, utm_text
from leadrail.leads.model import Address, Lead, Phone, Vehicle, Vendor

FieldKind = Literal["text", "lines", "url"]

_PHONE_LABELS = {"voice": "Phone", "cellphone": "Mobile", "fax": "Fax", "pager": "Pager"}


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str
    kind: FieldKind = "text"


def title(lead: Lead) -> str:
    """The heading of a body (and a good e-mail subject): `New lead: Service`."""
    category = one_line(lead.category)
    return f"New lead: {category}" if category else "New lead"


def phone_label(phone: Phone) -> str:
    label = _PHONE_LABELS.get(phone.kind, "Phone")
    time = one_line(phone.time)
    return f"{label} ({time})" if time and time != "nopreference" else label


def address_lines(address: Address) -> list[str]:
    region_postal = " ".join(
        p for p in (one_line(address.region), one_line(address.postal_code)) if p
    )
    city_line = ", ".join(p for p in (one_line(address.city), region_postal) if p)
    lines = [one_line(s) for s in address.street]
    lines += [one_line(address.apartment), city_line, one_line(address.country)]
    return [line for line in lines if line]


def vehicle_fields(vehicle: Vehicle) -> list[Field]:
    parts = (vehicle.year, vehicle.make, vehicle.model, vehicle.trim)
    price = " ".join(p for p in (one_line(vehicle.price), one_line(vehicle.price_currency)) if p)
    interest = ", ".join(p for p in (one_line(vehicle.interest), one_line(vehicle.status)) if p)
    return [
        Field("Vehicle", " ".join(p for p in map(one_line, parts) if p)),
        Field("Vehicle interest", interest),
        Field("VIN", one_line(vehicle.vin)),
        Field("Stock number", one_line(vehicle.stock)),
        Field("Price", price if one_line(vehicle.price) else ""),
    ]


def lead_fields(lead: Lead, *, vendor: Vendor) -> list[Field]:
    """Every non-empty field of `lead` (and who it is for), labelled, in reading order."""
    c = lead.customer
    fields = [
        Field("Category", one_line(lead.category)),
        Field("Offer", one_line(lead.offer)),
        Field("Name", one_line(c.name)),
        Field("Email", one_line(c.email)),
        *(Field(phone_label(p), one_line(p.number)) for p in c.phones),
        Field("Address", "\n".join(address_lines(c.address)), "lines"),
        Field("Timeframe", one_line(lead.timeframe)),
        *(vehicle_fields(lead.vehicle) if lead.vehicle else ()),
        Field("Comments", plain_text(lead.comments).strip("\n"), "lines"),
        Field("Consent to contact", "yes" if lead.consent else "no"),
        Field("Store", one_line(lead.store)),
        Field("Website", one_line(lead.site)),
        Field("Page", one_line(lead.page_url), "url"),
        Field("UTM", utm_text(lead.utm)),
        Field("Sent to", one_line(vendor.name)),
        Field("Lead ID", one_line(lead.id)),
        Field("Received", lead.created_at.isoformat(timespec="seconds")),
    ]
    return [f for f in fields if f.value.strip()]
