"""Compiled matchers answer as the operators are documented, with and without sentences."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.routing.conditions import All, Always, AnyOf, Condition, Leaf, Not, evaluate
from leadrail.routing.model import Prospect
from leadrail.routing.operators import OPERATORS, list_entry, number_of, text_of
from tests.unit.builders import LISTS

FIELDS = ("domain", "email", "company.domain", "country", "score")
TEXTS = (
    "bigco.test", "sub.bigco.test", "cto@startup.test", "x@eu.vipco.test", "VIPCO.TEST",
    "250", " 250.0 ", "1e3", "-0", "0", "inf", "nan", "NaN", "true", "false", "us", " US ",
    "İstanbul", "vp of sales", "", "   ", "abc", "1_000", "٣",
)  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(TEXTS),
    st.text(max_size=6),
    st.integers(-3, 300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["target-accounts", "vip", "no-such-list"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4).map(tuple))
LEAVES = st.builds(
    Leaf,
    st.sampled_from(FIELDS),
    st.sampled_from([*OPERATORS, "equalz"]),
    VALUES,
)
PROSPECTS = st.dictionaries(
    st.sampled_from(FIELDS), st.one_of(st.sampled_from(TEXTS), st.text(max_size=6))
).map(lambda fields: Prospect("", "", False, fields))


def _leaf(c: Leaf, p: Prospect) -> bool:
    """The operators as documented, written plainly (the engine's answers before compiling)."""
    if c.op not in OPERATORS:
        raise ValueError(f"unknown operator {c.op!r}")
    raw = p.get(c.field)
    if raw is None or not raw.strip():
        return c.op in ("not_equals", "not_in") or (c.op == "exists" and c.value is False)
    raw = raw.strip()
    options = list(c.value) if isinstance(c.value, list | tuple) else [c.value]

    def same(value: object) -> bool:
        left, right = number_of(raw), number_of(value)
        if left is not None and right is not None:
            return left == right
        return text_of(raw) == text_of(value)

    left, limit = number_of(raw), number_of(c.value)
    tests = {
        "equals": lambda: same(c.value),
        "in": lambda: any(same(v) for v in options),
        "contains": lambda: any(text_of(v) in raw.lower() for v in options),
        "starts_with": lambda: any(raw.lower().startswith(text_of(v)) for v in options),
        "ends_with": lambda: any(raw.lower().endswith(text_of(v)) for v in options),
        "greater_than": lambda: left is not None and limit is not None and left > limit,
        "less_than": lambda: left is not None and limit is not None and left < limit,
        "exists": lambda: c.value is not False,
        "in_list": lambda: (
            str(c.value) in LISTS
            and list_entry(c.field, raw.lower(), LISTS[str(c.value)]) is not None
        ),
    }
    if c.op in ("not_equals", "not_in"):
        return not tests[c.op.removeprefix("not_")]()
    return tests[c.op]()


def _reference(c: Condition, p: Prospect) -> bool:
    if isinstance(c, Leaf):
        return _leaf(c, p)
    if isinstance(c, All):
        return all(_reference(item, p) for item in c.items)
    if isinstance(c, AnyOf):
        return any(_reference(item, p) for item in c.items)
    if isinstance(c, Not):
        return not _reference(c.item, p)
    return True


def _answer(fn: Callable[[Condition, Prospect], bool], c: Condition, p: Prospect) -> object:
    """The answer, or the message of the ValueError raised for an unknown operator."""
    try:
        return fn(c, p)
    except ValueError as exc:
        return str(exc)


CONDITIONS = st.recursive(
    LEAVES | st.just(Always()),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
        inner.map(Not),
    ),
    max_leaves=5,
)


@settings(max_examples=2000, deadline=None)
@given(LEAVES, PROSPECTS)
def test_a_leaf_matcher_answers_as_documented(leaf: Leaf, p: Prospect) -> None:
    expected = _answer(_reference, leaf, p)
    actual = _answer(lambda c, q: evaluate(c, q, LISTS), leaf, p)
    assert actual == expected
    assert type(actual) is type(expected)
    checked = _answer(lambda c, q: leaf.matcher.check(q.fields, LISTS)[0], leaf, p)
    assert checked == expected


@settings(max_examples=500, deadline=None)
@given(CONDITIONS, PROSPECTS)
def test_a_condition_matcher_answers_like_its_leaves(c: Condition, p: Prospect) -> None:
    assert _answer(lambda c, q: evaluate(c, q, LISTS), c, p) == _answer(_reference, c, p)


def test_numbers_and_text_options_keep_apart() -> None:
    p = Prospect("", "", False, {"score": "1", "country": "true"})
    assert evaluate(Leaf("score", "in", (True, 1)), p, LISTS)
    assert evaluate(Leaf("country", "in", (1, True)), p, LISTS)
    assert not evaluate(Leaf("score", "in", ("1.0x", True)), p, LISTS)
    assert evaluate(Leaf("score", "not_in", (2, "one")), p, LISTS)


def test_compiled_conditions_copy_pickle_and_compare_by_their_data() -> None:
    c = All((Leaf("domain", "in_list", "vip"), Not(Leaf("country", "in", ("us", 1)))))
    p = Prospect("", "vipco.test", False, {"domain": "vipco.test", "country": "fr"})
    for other in (pickle.loads(pickle.dumps(c)), copy.deepcopy(c), copy.copy(c)):
        assert other == c
        assert hash(other) == hash(c)
        assert evaluate(other, p, LISTS)
    assert "matcher" not in repr(c)
