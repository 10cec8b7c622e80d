"""The comparison operators, and how values read: as numbers, as text, in a trace, in a list.

What each operator means, and the sentence saying why it held or not, is in
``leadrail.routing.matchers``.
"""

from __future__ import annotations

import math

OPERATORS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "contains",
    "starts_with",
    "ends_with",
    "greater_than",
    "less_than",
    "exists",
    "in_list",
)


def describe_leaf(field: str, op: str, value: object) -> str:
    """The comparison in words: ``domain in list 'target-accounts'``."""
    if op == "exists":
        return f"{field} exists" if value is not False else f"{field} does not exist"
    if op in ("contains", "starts_with", "ends_with") and isinstance(value, list | tuple):
        return f"{field} {op.replace('_', ' ')} any of {show(value)}"
    words = {"not_equals": "does not equal", "not_in": "not in", "in_list": "in list"}
    return f"{field} {words.get(op, op.replace('_', ' '))} {show(value)}"


def show(value: object) -> str:
    """A value as a person reads it in a trace: text quoted, numbers bare, lists bracketed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return f"'{value}'"


def number_of(value: object) -> float | None:
    """The value as a finite number, or None (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def text_of(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def list_entry(field: str, text: str, members: frozenset[str]) -> str | None:
    """The list entry that ``text`` matches, or None. Domain fields (``domain``,
    ``*.domain``) also match a listed parent domain; e-mail fields (``email``, ``*.email``)
    also match their domain or its parents."""
    return list_hit(text, members, list_kind(field))


def list_kind(field: str) -> int | None:
    """How ``list_hit`` reads the field's text: 0 for e-mail fields (their domain and its
    parents), 1 for domain fields (their parents), None for any other field (exact only)."""
    name = field.lower()
    if name == "email" or name.endswith(".email"):
        return 0
    if name == "domain" or name.endswith(".domain"):
        return 1
    return None


def list_hit(text: str, members: frozenset[str], kind: int | None) -> str | None:
    """The list entry that ``text`` matches, or None (``kind``: see ``list_kind``)."""
    if text in members:
        return text
    if kind is None:
        return None
    # the e-mail's domain, or the domain's parent, then each parent with two labels or more
    candidate = text.rpartition("@")[2] if kind == 0 else text.partition(".")[2]
    while "." in candidate:
        if candidate in members:
            return candidate
        candidate = candidate.partition(".")[2]
    return None
