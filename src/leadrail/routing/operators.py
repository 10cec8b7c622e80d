"""What each comparison operator means, with a sentence saying why it held or not.

Text is compared trimmed and case-insensitively; two values that both read as numbers are
compared as numbers (``"250"`` equals ``250.0``). A field that is absent or blank is *missing*:
then only ``not_equals``, ``not_in`` and ``exists: false`` hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from leadrail.routing.model import Prospect

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

Lists = Mapping[str, frozenset[str]]
Outcome = tuple[bool, str]
_Check = Callable[[str, str, object, Lists], Outcome]


def check_leaf(field: str, op: str, value: object, prospect: Prospect, lists: Lists) -> Outcome:
    """Whether ``field op value`` holds for the prospect, and a sentence saying why."""
    check = _CHECKS.get(op)
    if check is None:
        raise ValueError(f"unknown operator {op!r}")
    raw = prospect.get(field)
    if raw is None or not raw.strip():
        holds = op in ("not_equals", "not_in") or (op == "exists" and value is False)
        return holds, f"{field} is missing"
    return check(field, raw.strip(), value, lists)


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


def same(raw: str, value: object) -> bool:
    left, right = number_of(raw), number_of(value)
    if left is not None and right is not None:
        return left == right
    return text_of(raw) == text_of(value)


def _options(value: object) -> tuple[object, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _equals(field: str, raw: str, value: object, lists: Lists) -> Outcome:
    holds = same(raw, value)
    verb = "equals" if holds else "does not equal"
    return holds, f"{field} '{raw}' {verb} {show(value)}"


def _in(field: str, raw: str, value: object, lists: Lists) -> Outcome:
    holds = any(same(raw, v) for v in _options(value))
    verb = "is in" if holds else "is not in"
    return holds, f"{field} '{raw}' {verb} {show(value)}"


def _negate(check: _Check) -> _Check:
    def negated(field: str, raw: str, value: object, lists: Lists) -> Outcome:
        holds, why = check(field, raw, value, lists)
        return not holds, why

    return negated


def _text_check(verb: str, negative: str, test: Callable[[str, str], bool]) -> _Check:
    def text_check(field: str, raw: str, value: object, lists: Lists) -> Outcome:
        options = [text_of(v) for v in _options(value)]
        hit = next((o for o in options if test(raw.lower(), o)), None)
        if hit is not None:
            return True, f"{field} '{raw}' {verb} '{hit}'"
        target = show(options[0]) if len(options) == 1 else f"any of {show(options)}"
        return False, f"{field} '{raw}' {negative} {target}"

    return text_check


def _compare(word: str, test: Callable[[float, float], bool]) -> _Check:
    def compare(field: str, raw: str, value: object, lists: Lists) -> Outcome:
        number, limit = number_of(raw), number_of(value)
        if number is None:
            return False, f"{field} '{raw}' is not a number"
        if limit is None:
            return False, f"{show(value)} is not a number to compare {field} with"
        if test(number, limit):
            return True, f"{field} '{raw}' is {word} {show(value)}"
        return False, f"{field} '{raw}' is not {word} {show(value)}"

    return compare


def _exists(field: str, raw: str, value: object, lists: Lists) -> Outcome:
    return value is not False, f"{field} is present ('{raw}')"


def _in_list(field: str, raw: str, value: object, lists: Lists) -> Outcome:
    name = str(value)
    members = lists.get(name)
    if members is None:
        return False, f"list '{name}' does not exist"
    hit = list_entry(field, raw.lower(), members)
    if hit is None:
        return False, f"{field} '{raw}' is not in list '{name}'"
    note = "" if hit == raw.lower() else f" (through '{hit}')"
    return True, f"{field} '{raw}' is in list '{name}'{note}"


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
    labels = (text.rpartition("@")[2] if kind == 0 else text).split(".")
    for i in range(kind, len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in members:
            return candidate
    return None


_CHECKS: dict[str, _Check] = {
    "equals": _equals,
    "not_equals": _negate(_equals),
    "in": _in,
    "not_in": _negate(_in),
    "contains": _text_check("contains", "does not contain", lambda s, o: o in s),
    "starts_with": _text_check("starts with", "does not start with", str.startswith),
    "ends_with": _text_check("ends with", "does not end with", str.endswith),
    "greater_than": _compare("greater than", lambda a, b: a > b),
    "less_than": _compare("less than", lambda a, b: a < b),
    "exists": _exists,
    "in_list": _in_list,
}
