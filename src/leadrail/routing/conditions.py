"""Condition trees: versioned data (dump/load) with pure matchers (evaluate/explain/describe).

A rule's ``when`` is a tree of ``All``/``AnyOf``/``Not`` over ``Leaf`` comparisons of prospect
fields (see ``leadrail.routing.matchers`` for what each operator means). As data::

    {"$version": 1, "all": [{"field": "domain", "op": "in_list", "value": "target-accounts"},
                            {"not": {"field": "country", "op": "equals", "value": "FR"}}]}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypeAlias, assert_never

from leadrail.routing import matchers
from leadrail.routing.condition_schema import VERSION, VERSION_KEY, validate_condition
from leadrail.routing.leaf_matchers import leaf_matcher
from leadrail.routing.matchers import LeafMatcher, Matcher
from leadrail.routing.model import Prospect
from leadrail.routing.operators import OPERATORS, describe_leaf

__all__ = [
    "OPERATORS",
    "All",
    "Always",
    "AnyOf",
    "Condition",
    "Leaf",
    "Not",
    "describe",
    "dump_condition",
    "evaluate",
    "explain",
    "fields_of",
    "load_condition",
    "validate_condition",
]

Lists = Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Leaf:
    """``field op value``. List values are tuples; ``exists`` without a value means true.
    Every condition also carries its ``matcher``, compiled from the rest when it is built."""

    field: str
    op: str
    value: object = True
    matcher: LeafMatcher = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", leaf_matcher(self.field, self.op, self.value))


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]
    matcher: Matcher = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = matchers.AllOf(tuple(item.matcher for item in self.items))
        object.__setattr__(self, "matcher", compiled)


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]
    matcher: Matcher = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = matchers.AnyOf(tuple(item.matcher for item in self.items))
        object.__setattr__(self, "matcher", compiled)


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition
    matcher: Matcher = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", matchers.Negation(self.item.matcher))


@dataclass(frozen=True, slots=True)
class Always:
    """Matches every prospect (``{always: true}``)."""

    matcher: Matcher = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", matchers.Anything())


Condition: TypeAlias = Leaf | All | AnyOf | Not | Always


def evaluate(c: Condition, prospect: Prospect, lists: Lists) -> bool:
    """Whether the prospect satisfies the condition (its compiled ``matcher``; ``explain``
    gives the same answer with a sentence)."""
    return c.matcher.holds(prospect.fields, lists)


def explain(c: Condition, prospect: Prospect, lists: Lists) -> str:
    """A short sentence saying why the condition held or not, for traces:
    ``domain 'bigco.test' is in list 'target-accounts'``, ``all of 2 conditions held``,
    ``condition 2 of 3 failed: employee_count '12' is not greater than 500``. A ``Not`` is
    explained by its inner condition's outcome, which is the reason either way."""
    if isinstance(c, Leaf):
        return c.matcher.check(prospect.fields, lists)[1]
    if isinstance(c, All | AnyOf) and len(c.items) == 1:
        return explain(c.items[0], prospect, lists)
    if isinstance(c, All):
        for i, item in enumerate(c.items, start=1):
            if not evaluate(item, prospect, lists):
                why = explain(item, prospect, lists)
                return f"condition {i} of {len(c.items)} failed: {why}"
        return f"all of {len(c.items)} conditions held"
    if isinstance(c, AnyOf):
        for i, item in enumerate(c.items, start=1):
            if evaluate(item, prospect, lists):
                why = explain(item, prospect, lists)
                return f"condition {i} of {len(c.items)} held: {why}"
        return f"none of {len(c.items)} conditions held"
    if isinstance(c, Not):
        return explain(c.item, prospect, lists)
    if isinstance(c, Always):
        return "every prospect matches"
    assert_never(c)


def fields_of(c: Condition) -> Iterator[str]:
    """The field of every comparison in the condition, in order."""
    if isinstance(c, Leaf):
        yield c.field
    elif isinstance(c, All | AnyOf):
        for item in c.items:
            yield from fields_of(item)
    elif isinstance(c, Not):
        yield from fields_of(c.item)


def describe(c: Condition) -> str:
    """The condition in words: ``(domain in list 'target-accounts' and not country equals
    'FR')``."""
    if isinstance(c, Leaf):
        return describe_leaf(c.field, c.op, c.value)
    if isinstance(c, All | AnyOf):
        joiner = " and " if isinstance(c, All) else " or "
        text = joiner.join(describe(item) for item in c.items)
        return f"({text})" if len(c.items) > 1 else text
    if isinstance(c, Not):
        return f"not {describe(c.item)}"
    if isinstance(c, Always):
        return "every prospect"
    assert_never(c)


def dump_condition(c: Condition) -> dict[str, object]:
    """The condition as JSON/YAML-ready data with ``"$version": 1``."""
    return {VERSION_KEY: VERSION, **_dump(c)}


def load_condition(data: object, *, path: str = "when") -> Condition:
    """Build a condition from data (with or without ``"$version"``); raises the first
    ConditionError when the data is not valid (``validate_condition`` lists them all)."""
    errors = validate_condition(data, path)
    if errors:
        raise errors[0]
    assert isinstance(data, Mapping)
    return _load({k: v for k, v in data.items() if k != VERSION_KEY})


def _dump(c: Condition) -> dict[str, object]:
    if isinstance(c, Leaf):
        value = list(c.value) if isinstance(c.value, tuple) else c.value
        return {"field": c.field, "op": c.op, "value": value}
    if isinstance(c, All):
        return {"all": [_dump(item) for item in c.items]}
    if isinstance(c, AnyOf):
        return {"any": [_dump(item) for item in c.items]}
    if isinstance(c, Not):
        return {"not": _dump(c.item)}
    if isinstance(c, Always):
        return {"always": True}
    assert_never(c)


def _load(data: Mapping[object, object]) -> Condition:
    if "all" in data:
        return All(tuple(_load(_mapping(item)) for item in _items(data["all"])))
    if "any" in data:
        return AnyOf(tuple(_load(_mapping(item)) for item in _items(data["any"])))
    if "not" in data:
        return Not(_load(_mapping(data["not"])))
    if "always" in data:
        return Always()
    value = data.get("value", True)
    if isinstance(value, list):
        value = tuple(value)
    return Leaf(field=str(data["field"]), op=str(data["op"]), value=value)


def _mapping(data: object) -> Mapping[object, object]:
    assert isinstance(data, Mapping)
    return data


def _items(data: object) -> tuple[object, ...]:
    assert isinstance(data, list | tuple)
    return tuple(data)
