"""The shape of a lead over HTTP (JSON API and plain HTML forms)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from leadrail.leads.model import Address, Customer, Lead, Phone, Vehicle

Short = Field(default="", max_length=200)
EMAIL_RE = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PhoneIn(Strict):
    number: str = Field(min_length=3, max_length=40, pattern=r"^[0-9+().\-\s x]+$")
    type: Literal["voice", "fax", "cellphone", "pager"] = "voice"
    time: Literal["morning", "afternoon", "evening", "nopreference", "day"] = "nopreference"


class AddressIn(Strict):
    street: list[str] = Field(default_factory=list, max_length=5)
    apartment: str = Short
    city: str = Short
    region: str = Short
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(default="", max_length=2)


class CustomerIn(Strict):
    first_name: str = Short
    middle_name: str = Short
    last_name: str = Short
    name: str = Short
    email: str = Field(default="", max_length=254, pattern=EMAIL_RE)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=5)
    address: AddressIn = Field(default_factory=AddressIn)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()

    @model_validator(mode="after")
    def _reachable(self) -> CustomerIn:
        if not self.email and not self.phones:
            raise ValueError("a lead needs a way to reach the customer: email or a phone")
        return self


class VehicleIn(Strict):
    interest: Literal["buy", "lease", "sell", "trade-in", "test-drive"] | None = None  # unknown
    status: Literal["new", "used"] | None = None  # unknown (a car brought in for service, say)
    year: str = Field(default="", max_length=4, pattern=r"^$|^(19|20)\d\d$")
    make: str = Short
    model: str = Short
    trim: str = Short
    vin: str = Field(default="", max_length=17, pattern=r"^$|^[A-HJ-NPR-Za-hj-npr-z0-9]{11,17}$")
    stock: str = Field(default="", max_length=40)
    price: str = Field(default="", max_length=20, pattern=r"^$|^\d+(\.\d{1,2})?$")


class LeadIn(Strict):
    site_key: str | None = Field(default=None, max_length=64)
    category: str = Field(min_length=1, max_length=120)
    offer: str = Short
    customer: CustomerIn
    vehicle: VehicleIn | None = None
    comments: str = Field(default="", max_length=5000)
    timeframe: str = Short
    consent: bool = False
    page_url: str = Field(default="", max_length=2000)
    utm: dict[str, str] = Field(default_factory=dict, max_length=10)
    store: str = Short
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    postal_code: str = Field(default="", max_length=20)

    def to_lead(self) -> Lead:
        c = self.customer
        a = c.address
        return Lead(
            id="", created_at=datetime.now(UTC), category=self.category, offer=self.offer,
            customer=Customer(
                first_name=c.first_name, middle_name=c.middle_name, last_name=c.last_name,
                full_name=c.name, email=c.email,
                phones=tuple(Phone(p.number, p.type, p.time) for p in c.phones),
                address=Address(tuple(a.street), a.apartment, a.city, a.region,
                                a.postal_code or self.postal_code, a.country.upper()),
            ),
            vehicle=Vehicle(**{k: "" if v is None else v
                               for k, v in self.vehicle.model_dump().items()})
            if self.vehicle else None,
            comments=self.comments, timeframe=self.timeframe, consent=self.consent,
            page_url=self.page_url,
            utm=tuple((k[:40], v[:200]) for k, v in self.utm.items()),
            store=self.store,
        )  # fmt: skip


FORM_VEHICLE = ("year", "make", "model", "trim", "vin", "stock", "price", "status", "interest")


def lead_from_form(form: Mapping[str, str]) -> dict[str, object]:
    """A flat HTML form (first_name, email, phone, vehicle_make, utm_source, ...) as the
    JSON document ``LeadIn`` reads."""
    customer: dict[str, object] = {
        k: form[k]
        for k in ("first_name", "middle_name", "last_name", "name", "email")
        if form.get(k)
    }
    if form.get("phone"):
        customer["phones"] = [{"number": form["phone"]}]
    address = {k: form[k] for k in ("city", "region", "country") if form.get(k)}
    if form.get("street"):
        address["street"] = [form["street"]]  # type: ignore[assignment]
    if address:
        customer["address"] = address
    vehicle = {k: form[f"vehicle_{k}"] for k in FORM_VEHICLE if form.get(f"vehicle_{k}")}
    doc: dict[str, object] = {
        k: form[k]
        for k in (
            "site_key",
            "category",
            "offer",
            "comments",
            "timeframe",
            "page_url",
            "store",
            "postal_code",
        )
        if form.get(k)
    }
    doc["customer"] = customer
    doc["consent"] = form.get("consent", "") in ("on", "true", "yes", "1")
    if vehicle:
        doc["vehicle"] = vehicle
    doc["utm"] = {k: v for k, v in form.items() if k.startswith("utm_") and v}
    return doc
