"""Compiled conditions: a yes/no answer without the sentence, for the engine's hot path.

A ``Leaf`` reads its value once, when it is built (lower-cased texts, parsed numbers, the list
name and what kind of field it looks up), instead of on every prospect. The answers are exactly
those of ``leadrail.routing.operators.check_leaf``, which still writes the sentences for traces
(``tests/unit/test_matchers.py`` holds the two to the same answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from math import isfinite

from leadrail.routing.operators import list_hit, list_kind, number_of, text_of

Fields = Mapping[str, str]
Lists = Mapping[str, frozenset[str]]


class Matcher:
    """Whether a condition holds for a prospect's (lower-case named) fields."""

    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raise NotImplementedError


class _Field(Matcher):
    """One field compared with a value. Each kind's ``holds`` starts the same way: a missing
    or blank field gives ``missing``; otherwise the comparison gets the trimmed text (written
    out in each, as a call less per leaf is most of the engine's time)."""

    __slots__ = ("key", "missing")

    def __init__(self, field: str, missing: bool) -> None:
        self.key = field.lower()
        self.missing = missing


class _Same(_Field):
    """``equals``/``in`` (``negate``: ``not_equals``/``not_in``): numbers when both sides
    read as numbers, else trimmed lower-case text."""

    __slots__ = ("texts", "numbers", "plain", "negate")

    def __init__(self, field: str, options: tuple[object, ...], negate: bool) -> None:
        super().__init__(field, missing=negate)
        read = [(text_of(v), number_of(v)) for v in options]
        self.texts = frozenset(text for text, _ in read)
        self.numbers = frozenset(number for _, number in read if number is not None)
        self.plain = frozenset(text for text, number in read if number is None)
        self.negate = negate

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return self.missing
        if self.numbers:
            number = _number(raw)
            if number is not None:
                return (number in self.numbers or raw.lower() in self.plain) != self.negate
        return (raw.lower() in self.texts) != self.negate


class _Contains(_Field):
    __slots__ = ("options",)

    def __init__(self, field: str, options: tuple[str, ...]) -> None:
        super().__init__(field, missing=False)
        self.options = options

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return False
        text = raw.lower()
        for option in self.options:
            if option in text:
                return True
        return False


class _Affix(_Field):
    """``starts_with`` (``start``) or ``ends_with``."""

    __slots__ = ("options", "start")

    def __init__(self, field: str, options: tuple[str, ...], start: bool) -> None:
        super().__init__(field, missing=False)
        self.options = options
        self.start = start

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return False
        text = raw.lower()
        return text.startswith(self.options) if self.start else text.endswith(self.options)


class _Compare(_Field):
    """``greater_than`` (``above``) or ``less_than``; never holds unless both are numbers."""

    __slots__ = ("limit", "above")

    def __init__(self, field: str, limit: float | None, above: bool) -> None:
        super().__init__(field, missing=False)
        self.limit = limit
        self.above = above

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        limit = self.limit
        if raw is None or limit is None or not (raw := raw.strip()):
            return False
        number = _number(raw)
        if number is None:
            return False
        return number > limit if self.above else number < limit


class _Exists(_Field):
    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        return self.missing if raw is None or not raw.strip() else not self.missing


class _InList(_Field):
    __slots__ = ("name", "kind")

    def __init__(self, field: str, name: str) -> None:
        super().__init__(field, missing=False)
        self.name = name
        self.kind = list_kind(field)

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return False
        members = lists.get(self.name)
        if members is None:
            return False
        text = raw.lower()
        if text in members:
            return True
        return self.kind is not None and list_hit(text, members, self.kind) is not None


def _number(raw: str) -> float | None:
    """``number_of`` for trimmed text."""
    try:
        number = float(raw)
    except ValueError:
        return None
    return number if isfinite(number) else None


class _Unknown(Matcher):
    __slots__ = ("op",)

    def __init__(self, op: str) -> None:
        self.op = op

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raise ValueError(f"unknown operator {self.op!r}")


def leaf_matcher(field: str, op: str, value: object) -> Matcher:
    """The compiled ``field op value`` (evaluating an unknown operator raises ValueError)."""
    options = tuple(value) if isinstance(value, list | tuple) else (value,)
    texts = tuple(text_of(v) for v in options)  # what contains/starts_with/ends_with look for
    if op in ("equals", "not_equals"):
        return _Same(field, (value,), negate=op == "not_equals")
    if op in ("in", "not_in"):
        return _Same(field, options, negate=op == "not_in")
    if op == "contains":
        return _Contains(field, texts)
    if op in ("starts_with", "ends_with"):
        return _Affix(field, texts, start=op == "starts_with")
    if op in ("greater_than", "less_than"):
        return _Compare(field, number_of(value), above=op == "greater_than")
    if op == "exists":
        return _Exists(field, missing=value is False)
    if op == "in_list":
        return _InList(field, str(value))
    return _Unknown(op)


class AllOf(Matcher):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Matcher, ...]) -> None:
        self.items = items

    def holds(self, fields: Fields, lists: Lists) -> bool:
        for item in self.items:
            if not item.holds(fields, lists):
                return False
        return True


class AnyOf(Matcher):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Matcher, ...]) -> None:
        self.items = items

    def holds(self, fields: Fields, lists: Lists) -> bool:
        for item in self.items:
            if item.holds(fields, lists):
                return True
        return False


class Negation(Matcher):
    __slots__ = ("item",)

    def __init__(self, item: Matcher) -> None:
        self.item = item

    def holds(self, fields: Fields, lists: Lists) -> bool:
        return not self.item.holds(fields, lists)


class Anything(Matcher):
    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        return True
