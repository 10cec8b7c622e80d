"""A lead to and from plain JSON data (how it is stored with the lead's row)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any

from leadrail.leads.model import Address, Customer, Lead, Phone, Vehicle


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies (the result is dumped as JSON: tuples
    and lists read back alike)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def lead_to_data(lead: Lead) -> dict[str, Any]:
    data: dict[str, Any] = _plain(lead)
    data["created_at"] = lead.created_at.isoformat()
    return data


def _customer(data: dict[str, Any]) -> Customer:
    fields = {k: v for k, v in data.items() if k not in ("phones", "address")}
    address = dict(data.get("address") or {})
    address["street"] = tuple(address.get("street") or ())
    return Customer(
        **fields,
        phones=tuple(Phone(**p) for p in data.get("phones") or ()),
        address=Address(**address),
    )


def lead_from_data(data: dict[str, Any]) -> Lead:
    rest = {k: v for k, v in data.items() if k not in ("customer", "vehicle", "created_at", "utm")}
    return Lead(
        **rest,
        created_at=datetime.fromisoformat(data["created_at"]),
        customer=_customer(dict(data.get("customer") or {})),
        vehicle=Vehicle(**data["vehicle"]) if data.get("vehicle") else None,
        utm=tuple((str(k), str(v)) for k, v in data.get("utm") or ()),
    )
