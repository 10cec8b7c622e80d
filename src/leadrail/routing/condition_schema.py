"""Validation of condition trees as data (YAML/JSON): every problem, each with its exact path.

Shape: a comparison ``{field: domain, op: in_list, value: target-accounts}``, or exactly one
of ``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}``, ``{always: true}``. The top node may
carry ``"$version": 1``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping

from leadrail.routing.errors import ConditionError
from leadrail.routing.operators import OPERATORS

VERSION = 1
VERSION_KEY = "$version"
COMPOSITES = ("all", "any", "not", "always")
LEAF_KEYS = ("field", "op", "value")
FIELD_NAME = re.compile(r"[a-z0-9_.-]{1,64}")

_Errors = list[ConditionError]


def validate_condition(
    data: object, path: str, list_names: Collection[str] | None = None
) -> list[ConditionError]:
    """All the problems of the condition ``data`` found at ``path`` (empty when valid).
    With ``list_names``, ``in_list`` values must name one of those lists."""
    errors: _Errors = []
    if isinstance(data, Mapping) and VERSION_KEY in data:
        version = data[VERSION_KEY]
        if type(version) is not int or version != VERSION:
            errors.append(
                ConditionError(
                    f"{path}.{VERSION_KEY}",
                    f"unsupported version {version!r} (supported: {VERSION})",
                )
            )
        data = {k: v for k, v in data.items() if k != VERSION_KEY}
    _node(data, path, list_names, errors)
    return errors


def _node(data: object, path: str, names: Collection[str] | None, errors: _Errors) -> None:
    if not isinstance(data, Mapping):
        errors.append(ConditionError(path, f"expected a condition (a mapping), got {_kind(data)}"))
        return
    kinds = [k for k in COMPOSITES if k in data]
    is_leaf = any(k in data for k in LEAF_KEYS)
    for key in data:
        if key not in COMPOSITES and key not in LEAF_KEYS:
            errors.append(ConditionError(f"{path}.{key}", _unknown_key(str(key))))
    if len(kinds) + is_leaf > 1:
        found = ", ".join(repr(k) for k in [*kinds, *(k for k in LEAF_KEYS if k in data)])
        errors.append(
            ConditionError(
                path,
                f"a condition is exactly one of 'all', 'any', 'not' "
                f"or a comparison ('field', 'op'); found {found}",
            )
        )
    elif kinds:
        _composite(kinds[0], data[kinds[0]], path, names, errors)
    elif is_leaf:
        _leaf(data, path, names, errors)
    else:
        errors.append(
            ConditionError(path, "a condition needs 'all', 'any', 'not', or 'field' and 'op'")
        )


def _composite(
    kind: str, items: object, path: str, names: Collection[str] | None, errors: _Errors
) -> None:
    here = f"{path}.{kind}"
    if kind == "not":
        _node(items, here, names, errors)
    elif kind == "always":
        if items is not True:
            errors.append(ConditionError(here, f"must be true, got {_kind(items)}"))
    elif not isinstance(items, list | tuple):
        errors.append(ConditionError(here, f"expected a list of conditions, got {_kind(items)}"))
    elif not items:
        errors.append(ConditionError(here, "needs at least one condition"))
    else:
        for i, item in enumerate(items):
            _node(item, f"{here}[{i}]", names, errors)


def _leaf(
    data: Mapping[object, object], path: str, names: Collection[str] | None, errors: _Errors
) -> None:
    field = data.get("field")
    if "field" not in data:
        errors.append(ConditionError(f"{path}.field", "missing: the prospect field to compare"))
    elif not isinstance(field, str) or not field.strip():
        errors.append(ConditionError(f"{path}.field", f"expected a field name, got {_kind(field)}"))
    elif not FIELD_NAME.fullmatch(field.lower()):
        errors.append(
            ConditionError(
                f"{path}.field",
                f"{field!r} is not a field name (1 to 64 letters, digits, '_', '.' or '-')",
            )
        )
    op = data.get("op")
    if "op" not in data:
        known = ", ".join(OPERATORS)
        errors.append(ConditionError(f"{path}.op", f"missing: one of {known}"))
    elif not isinstance(op, str):
        errors.append(ConditionError(f"{path}.op", f"expected an operator, got {_kind(op)}"))
    elif op not in OPERATORS:
        errors.append(ConditionError(f"{path}.op", unknown_operator(op)))
    elif "value" not in data and op != "exists":
        errors.append(ConditionError(f"{path}.value", f"missing: operator '{op}' needs a value"))
    else:
        message = _VALUE_CHECKS[op](data.get("value", True), names)
        if message:
            errors.append(ConditionError(f"{path}.value", message))


def comparisons(data: object, path: str) -> Iterator[tuple[str, Mapping[object, object]]]:
    """Every comparison (``field``/``op``/``value`` node) of the condition ``data`` with its
    path, in order. Nodes of the wrong shape are skipped: ``validate_condition`` names them."""
    if not isinstance(data, Mapping):
        return
    for kind in ("all", "any"):
        items = data.get(kind)
        if isinstance(items, list | tuple):
            for i, item in enumerate(items):
                yield from comparisons(item, f"{path}.{kind}[{i}]")
    if "not" in data:
        yield from comparisons(data["not"], f"{path}.not")
    if any(k in data for k in LEAF_KEYS):
        yield path, data


def unknown_operator(op: str) -> str:
    close = difflib.get_close_matches(op, OPERATORS, n=1)
    if close:
        return f"unknown operator {op!r} (did you mean {close[0]!r}?)"
    return f"unknown operator {op!r} (known: {', '.join(OPERATORS)})"


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, [*COMPOSITES, *LEAF_KEYS], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}"


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"{value!r}" if value.strip() else "an empty text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value) if isinstance(value, int | float) else f"a {type(value).__name__}"


def is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def is_scalar(value: object) -> bool:
    return isinstance(value, bool | str) or is_number(value)


def _scalar(value: object, names: Collection[str] | None) -> str | None:
    if is_scalar(value):
        return None
    return f"expected text, a number or true/false, got {_kind(value)}"


def _choices(value: object, names: Collection[str] | None) -> str | None:
    if not isinstance(value, list | tuple):
        return f"expected a list of values, got {_kind(value)}"
    if not value:
        return "expected at least one value in the list"
    bad = [i for i, v in enumerate(value) if not is_scalar(v)]
    return f"item {bad[0]} is {_kind(value[bad[0]])}, not text or a number" if bad else None


def _text(value: object, names: Collection[str] | None) -> str | None:
    items = value if isinstance(value, list | tuple) else [value]
    if not items:
        return "expected some text or a list of texts, got an empty list"
    for item in items:
        if isinstance(item, bool) or not (isinstance(item, str) or is_number(item)):
            return f"expected some text or a list of texts, got {_kind(item)}"
        if not str(item).strip():
            return "expected some text, got an empty text"
    return None


def _number(value: object, names: Collection[str] | None) -> str | None:
    return None if is_number(value) else f"expected a number, got {_kind(value)}"


def _flag(value: object, names: Collection[str] | None) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {_kind(value)}"


def _list_name(value: object, names: Collection[str] | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"expected the name of a list, got {_kind(value)}"
    if names is not None and value not in names:
        known = ", ".join(sorted(names)) or "none defined"
        return f"unknown list {value!r} (known: {known})"
    return None


_VALUE_CHECKS: dict[str, Callable[[object, Collection[str] | None], str | None]] = {
    "equals": _scalar,
    "not_equals": _scalar,
    "in": _choices,
    "not_in": _choices,
    "contains": _text,
    "starts_with": _text,
    "ends_with": _text,
    "greater_than": _number,
    "less_than": _number,
    "exists": _flag,
    "in_list": _list_name,
}
