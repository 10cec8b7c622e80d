"""A form or offer lead as values. Everything here came from a website visitor: untrusted text,
to be escaped by every format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Format = Literal["adf", "text", "html", "json"]


@dataclass(frozen=True, slots=True)
class Phone:
    number: str
    kind: Literal["voice", "fax", "cellphone", "pager"] = "voice"
    time: Literal["morning", "afternoon", "evening", "nopreference", "day"] = "nopreference"


@dataclass(frozen=True, slots=True)
class Address:
    street: tuple[str, ...] = ()  # up to 5 lines
    apartment: str = ""
    city: str = ""
    region: str = ""  # state / province
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Customer:
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    full_name: str = ""  # when the form has one name field
    email: str = ""
    phones: tuple[Phone, ...] = ()
    address: Address = field(default_factory=Address)

    @property
    def name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name]
        return self.full_name or " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Vehicle:
    interest: Literal["", "buy", "lease", "sell", "trade-in", "test-drive"] = ""  # "": unknown
    status: Literal["", "new", "used"] = ""  # "": unknown (a service lead's car, say)
    year: str = ""
    make: str = ""
    model: str = ""
    trim: str = ""
    vin: str = ""
    stock: str = ""
    price: str = ""  # a decimal number as text
    price_currency: str = "USD"


@dataclass(frozen=True, slots=True)
class Lead:
    id: str  # leadrail's id for the lead (also the ADF <id>)
    created_at: datetime  # aware
    category: str  # the interest category (New Models, Service, ...)
    offer: str = ""  # the form or offer name
    customer: Customer = field(default_factory=Customer)
    vehicle: Vehicle | None = None
    comments: str = ""
    timeframe: str = ""  # e.g. "within 30 days"
    consent: bool = False
    page_url: str = ""
    utm: tuple[tuple[str, str], ...] = ()
    store: str = ""  # the store the lead went to (or the visitor chose)
    site: str = ""  # the website (site key's name) it came from


@dataclass(frozen=True, slots=True)
class Vendor:
    """Who receives the lead (the dealer or store), for ADF's <vendor>."""

    name: str
    contact_name: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    """Who generated the lead, for ADF's <provider>."""

    name: str = "leadrail"
    service: str = ""
    url: str = ""
