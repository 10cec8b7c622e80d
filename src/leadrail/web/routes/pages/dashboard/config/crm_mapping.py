"""The CRM page's field mapping (``crm.mapping``) as form fields and back: each map is a text
box of ``name = property`` lines; the lists are comma-separated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAPS = ("read.contact", "read.lead", "read.company", "write", "queues")
LINE = re.compile(r"^\s*([^=\s]+)\s*=\s*(\S+)\s*$")


def mapping_view(mapping: Mapping[str, Any]) -> dict[str, str]:
    """Form values (``mapping.read.company``: "tier = hs_ideal_customer_profile"...)."""
    out: dict[str, str] = {}
    for name in MAPS:
        section: Any = mapping
        for part in name.split("."):
            section = section.get(part) or {} if isinstance(section, Mapping) else {}
        out[f"mapping.{name}"] = "\n".join(f"{k} = {v}" for k, v in section.items())
    out["mapping.owner_field"] = str(mapping.get("owner_field") or "")
    out["mapping.company_domains"] = ", ".join(mapping.get("company_domains") or [])
    return out


def mapping_from_form(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The mapping the form describes, and the form fields it could not read (by name)."""
    mapping: dict[str, Any] = {"read": {}}
    errors: dict[str, str] = {}
    for name in MAPS:
        key = f"mapping.{name}"
        pairs: dict[str, str] = {}
        for n, line in enumerate(str(form.get(key, "")).splitlines(), start=1):
            if not line.strip():
                continue
            found = LINE.match(line)
            if found is None:
                errors[key] = f"line {n}: write it as name = property"
                break
            pairs[found.group(1)] = found.group(2)
        if pairs:
            where = mapping["read"] if name.startswith("read.") else mapping
            where[name.removeprefix("read.")] = pairs
    owner = str(form.get("mapping.owner_field", "")).strip()
    if owner:
        mapping["owner_field"] = owner
    domains = [d for d in re.split(r"[\s,;]+", str(form.get("mapping.company_domains", ""))) if d]
    if domains:
        mapping["company_domains"] = domains
    return mapping, errors


def mapping_field(path: str) -> str:
    """The form field of a problem at ``path`` (``crm.mapping.read.company.tier``)."""
    parts = path.removeprefix("crm.").split(".")
    depth = 3 if parts[1:2] == ["read"] else 2
    return ".".join(parts[:depth])
