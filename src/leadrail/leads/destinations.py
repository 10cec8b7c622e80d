"""Where a lead goes: the nearest store's addresses for its category (when enabled and the
visitor is near one), else the category's addresses, else the ALL category's, else the
fallback. No lead is ever dropped: with nothing configured at all the answer is empty and
says so, and the workspace refuses categories without a fallback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leadrail.leads.model import Format

ALL = "ALL"


@dataclass(frozen=True, slots=True)
class Target:
    address: str
    format: Format
    secret_env: str | None = None
    attach_xml: bool = False  # adf: the document also as an attachment


@dataclass(frozen=True, slots=True)
class StoreMatch:
    """The store a lead is for, its own category map, and how it was chosen."""

    name: str
    categories: Mapping[str, Sequence[Target]]
    why: str  # "the visitor chose it" / "nearest to postal code 10007 (3.2 km)"


@dataclass(frozen=True, slots=True)
class Resolution:
    targets: tuple[Target, ...]
    source: str  # "store Downtown / Service", "category Service", "ALL", "fallback", "none"
    trace: tuple[str, ...]


def _find(categories: Mapping[str, Sequence[Target]], name: str) -> Sequence[Target]:
    if name in categories:
        return categories[name]
    folded = name.casefold()
    return next((v for k, v in categories.items() if k.casefold() == folded), ())


def resolve(
    category: str,
    categories: Mapping[str, Sequence[Target]],
    fallback: Target | None,
    store: StoreMatch | None = None,
) -> Resolution:
    trace: list[str] = []
    if store is not None:
        trace.append(f"store {store.name}: {store.why}")
        for name in (category, ALL):
            found = _find(store.categories, name)
            if found:
                trace.append(f"store {store.name} has addresses for {name}")
                return Resolution(tuple(found), f"store {store.name} / {name}", tuple(trace))
        trace.append(f"store {store.name} has no addresses for {category} or {ALL}")
    found = _find(categories, category)
    if found:
        trace.append(f"category {category} has {len(found)} address(es)")
        return Resolution(tuple(found), f"category {category}", tuple(trace))
    trace.append(f"category {category} has no addresses")
    found = _find(categories, ALL)
    if found:
        trace.append(f"the {ALL} category has {len(found)} address(es)")
        return Resolution(tuple(found), ALL, tuple(trace))
    if fallback is not None:
        trace.append(f"no {ALL} addresses: the fallback {fallback.address}")
        return Resolution((fallback,), "fallback", tuple(trace))
    trace.append("no fallback destination is configured: the lead is kept, undelivered")
    return Resolution((), "none", tuple(trace))
