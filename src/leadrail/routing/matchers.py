"""What each comparison operator means, compiled: the condition's value is read once (texts
lower-cased, numbers parsed, the list named) when a ``Leaf`` is built, not on every prospect.

Text is compared trimmed and case-insensitively; two values that both read as numbers are
compared as numbers (``"250"`` equals ``250.0``). A field that is absent or blank is *missing*:
then only ``not_equals``, ``not_in`` and ``exists: false`` hold.

Each matcher answers two ways: ``holds``, the engine's yes/no, and ``check``, that answer with a
sentence saying why, for traces. This module holds the matchers' base classes and the
combinators (all, any, not, always); ``leaf_matchers`` the comparisons, one class per kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import isfinite

from leadrail.routing.operators import show

Fields = Mapping[str, str]
Lists = Mapping[str, frozenset[str]]
Outcome = tuple[bool, str]


class Matcher:
    """Whether a condition holds for a prospect's fields (by lower-case name)."""

    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raise NotImplementedError


class LeafMatcher(Matcher):
    """``field op value``. Each kind's ``holds`` starts the same way, written out in each (a
    call less per comparison is a good part of the engine's time): a missing or blank field
    gives ``missing``; otherwise its trimmed text is compared."""

    __slots__ = ("field", "key", "missing", "shown")

    def __init__(self, field: str, value: object, missing: bool) -> None:
        self.field = field
        self.key = field.lower()
        self.missing = missing
        self.shown = show(value)

    def check(self, fields: Fields, lists: Lists) -> Outcome:
        """``holds``, and a sentence saying why."""
        held = self.holds(fields, lists)
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return held, f"{self.field} is missing"
        return held, self.why(raw, held, lists)

    def why(self, raw: str, held: bool, lists: Lists) -> str:
        """Why comparing the trimmed text ``raw`` gave ``held``."""
        raise NotImplementedError


def read_number(raw: str) -> float | None:
    """``number_of`` trimmed text."""
    try:
        number = float(raw)
    except ValueError:
        return None
    return number if isfinite(number) else None


class AllOf(Matcher):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Matcher, ...]) -> None:
        self.items = items

    def holds(self, fields: Fields, lists: Lists) -> bool:
        for item in self.items:  # noqa: SIM110 (a loop: no generator per prospect)
            if not item.holds(fields, lists):
                return False
        return True


class AnyOf(Matcher):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Matcher, ...]) -> None:
        self.items = items

    def holds(self, fields: Fields, lists: Lists) -> bool:
        for item in self.items:  # noqa: SIM110 (a loop: no generator per prospect)
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
