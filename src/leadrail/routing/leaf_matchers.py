"""The compiled comparisons (``field op value``), one class per kind of operator: see
``matchers`` for what they share and what the operators mean."""

from __future__ import annotations

from leadrail.routing.matchers import Fields, LeafMatcher, Lists, read_number
from leadrail.routing.operators import list_hit, list_kind, number_of, show, text_of


class _Same(LeafMatcher):
    """``equals``/``in``, or with ``negate`` ``not_equals``/``not_in`` (which hold when the
    field is missing): as numbers when both sides read as numbers, else as text."""

    __slots__ = ("texts", "numbers", "plain", "negate", "verbs")

    def __init__(
        self, field: str, value: object, options: tuple[object, ...], op: str, negate: bool
    ) -> None:
        super().__init__(field, value, missing=negate)
        read = [(text_of(v), number_of(v)) for v in options]
        self.texts = frozenset(text for text, _ in read)
        self.numbers = frozenset(number for _, number in read if number is not None)
        self.plain = frozenset(text for text, number in read if number is None)
        self.negate = negate
        self.verbs = ("equals", "does not equal") if op == "equals" else ("is in", "is not in")

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return self.missing
        if self.numbers:
            number = read_number(raw)
            if number is not None:
                return (number in self.numbers or raw.lower() in self.plain) != self.negate
        return (raw.lower() in self.texts) != self.negate

    def why(self, raw: str, held: bool, lists: Lists) -> str:
        verb = self.verbs[0] if held != self.negate else self.verbs[1]
        return f"{self.field} '{raw}' {verb} {self.shown}"


class _Text(LeafMatcher):
    """A text test against one text or any of several (``options``, lower-case)."""

    __slots__ = ("options", "verbs")

    def __init__(self, field: str, options: tuple[str, ...], verbs: tuple[str, str]) -> None:
        super().__init__(field, options, missing=False)
        self.options = options
        self.verbs = verbs
        self.shown = show(options[0]) if len(options) == 1 else f"any of {self.shown}"

    def why(self, raw: str, held: bool, lists: Lists) -> str:
        if not held:
            return f"{self.field} '{raw}' {self.verbs[1]} {self.shown}"
        text = raw.lower()
        hit = next(option for option in self.options if self.test(text, option))
        return f"{self.field} '{raw}' {self.verbs[0]} '{hit}'"

    def test(self, text: str, option: str) -> bool:
        raise NotImplementedError


class _Contains(_Text):
    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return False
        text = raw.lower()
        for option in self.options:  # noqa: SIM110 (a loop: no generator per prospect)
            if option in text:
                return True
        return False

    def test(self, text: str, option: str) -> bool:
        return option in text


class _StartsWith(_Text):
    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return False
        return raw.lower().startswith(self.options)

    def test(self, text: str, option: str) -> bool:
        return text.startswith(option)


class _EndsWith(_Text):
    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        if raw is None or not (raw := raw.strip()):
            return False
        return raw.lower().endswith(self.options)

    def test(self, text: str, option: str) -> bool:
        return text.endswith(option)


class _Compare(LeafMatcher):
    """``greater_than`` (``above``) or ``less_than``: only numbers compare."""

    __slots__ = ("limit", "above", "word")

    def __init__(self, field: str, value: object, above: bool) -> None:
        super().__init__(field, value, missing=False)
        self.limit = number_of(value)
        self.above = above
        self.word = "greater than" if above else "less than"

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        limit = self.limit
        if raw is None or limit is None or not (raw := raw.strip()):
            return False
        number = read_number(raw)
        if number is None:
            return False
        return number > limit if self.above else number < limit

    def why(self, raw: str, held: bool, lists: Lists) -> str:
        if read_number(raw) is None:
            return f"{self.field} '{raw}' is not a number"
        if self.limit is None:
            return f"{self.shown} is not a number to compare {self.field} with"
        verb = "is" if held else "is not"
        return f"{self.field} '{raw}' {verb} {self.word} {self.shown}"


class _Exists(LeafMatcher):
    """``exists`` (``missing``: with the value false, which holds when the field is missing)."""

    __slots__ = ()

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raw = fields.get(self.key)
        return self.missing if raw is None or not raw.strip() else not self.missing

    def why(self, raw: str, held: bool, lists: Lists) -> str:
        return f"{self.field} is present ('{raw}')"


class _InList(LeafMatcher):
    """``in_list``: the text is an entry of the named list (see ``list_hit`` for domains and
    e-mail addresses)."""

    __slots__ = ("name", "kind")

    def __init__(self, field: str, value: object) -> None:
        super().__init__(field, value, missing=False)
        self.name = str(value)
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

    def why(self, raw: str, held: bool, lists: Lists) -> str:
        members = lists.get(self.name)
        if members is None:
            return f"list '{self.name}' does not exist"
        text = raw.lower()
        hit = list_hit(text, members, self.kind)
        if hit is None:
            return f"{self.field} '{raw}' is not in list '{self.name}'"
        note = "" if hit == text else f" (through '{hit}')"
        return f"{self.field} '{raw}' is in list '{self.name}'{note}"


class _Unknown(LeafMatcher):
    """An operator that does not exist (a hand-built ``Leaf``): asking raises ValueError."""

    __slots__ = ("op",)

    def __init__(self, field: str, op: str, value: object) -> None:
        super().__init__(field, value, missing=False)
        self.op = op

    def holds(self, fields: Fields, lists: Lists) -> bool:
        raise ValueError(f"unknown operator {self.op!r}")


_TEXT_TESTS: dict[str, tuple[type[_Text], tuple[str, str]]] = {
    "contains": (_Contains, ("contains", "does not contain")),
    "starts_with": (_StartsWith, ("starts with", "does not start with")),
    "ends_with": (_EndsWith, ("ends with", "does not end with")),
}


def leaf_matcher(field: str, op: str, value: object) -> LeafMatcher:
    """The compiled ``field op value`` (an unknown operator raises ValueError when asked)."""
    options = tuple(value) if isinstance(value, list | tuple) else (value,)
    if op in ("equals", "not_equals"):
        return _Same(field, value, (value,), "equals", negate=op == "not_equals")
    if op in ("in", "not_in"):
        return _Same(field, value, options, "in", negate=op == "not_in")
    if op in _TEXT_TESTS:
        kind, verbs = _TEXT_TESTS[op]
        return kind(field, tuple(text_of(v) for v in options), verbs)
    if op in ("greater_than", "less_than"):
        return _Compare(field, value, above=op == "greater_than")
    if op == "exists":
        return _Exists(field, value, missing=value is False)
    if op == "in_list":
        return _InList(field, value)
    return _Unknown(field, op, value)
