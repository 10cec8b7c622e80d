from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.routing.conditions import (
    All,
    Always,
    AnyOf,
    Condition,
    Leaf,
    Not,
    dump_condition,
    load_condition,
    validate_condition,
)
from leadrail.routing.errors import ConditionError

PATH = "routers[2].rules[0].when"
LIST_NAMES = {"target-accounts", "vip"}


def problems(data: object, names: set[str] | None = LIST_NAMES) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in validate_condition(data, PATH, names)]


def test_a_valid_tree_has_no_problems() -> None:
    data = {
        "$version": 1,
        "all": [
            {"field": "domain", "op": "in_list", "value": "target-accounts"},
            {"any": [{"field": "phone", "op": "exists"}, {"always": True}]},
            {"not": {"field": "country", "op": "in", "value": ["FR", "DE"]}},
        ],
    }
    assert problems(data) == []


def test_the_did_you_mean_message_is_exact() -> None:
    data = {"all": [{"field": "a", "op": "equals", "value": 1}, {"field": "b", "op": "equalz"}]}
    assert problems(data) == [
        (f"{PATH}.all[1].op", "unknown operator 'equalz' (did you mean 'equals'?)")
    ]
    error = validate_condition(data, PATH)[0]
    assert str(error) == (
        "routers[2].rules[0].when.all[1].op: unknown operator 'equalz' (did you mean 'equals'?)"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("domain", [("", "expected a condition (a mapping), got 'domain'")]),
        ([], [("", "expected a condition (a mapping), got a list")]),
        ({}, [("", "a condition needs 'all', 'any', 'not', or 'field' and 'op'")]),
        (
            {"field": "a", "op": "zzz", "value": 1},
            [(".op", "unknown operator 'zzz' (known: equals, not_equals, in, not_in, contains, "
                     "starts_with, ends_with, greater_than, less_than, exists, in_list)")],
        ),
        ({"field": "a", "op": 3}, [(".op", "expected an operator, got 3")]),
        ({"op": "exists"}, [(".field", "missing: the prospect field to compare")]),
        ({"field": "", "op": "exists"}, [(".field", "expected a field name, got an empty text")]),
        ({"field": 7, "op": "exists"}, [(".field", "expected a field name, got 7")]),
        (
            {"field": "first name", "op": "exists"},
            [(".field", "'first name' is not a field name (1 to 64 letters, digits, '_', '.' "
                        "or '-')")],
        ),
        ({"field": "a"}, [(".op", "missing: one of equals, not_equals, in, not_in, contains, "
                                  "starts_with, ends_with, greater_than, less_than, exists, "
                                  "in_list")]),
        ({"field": "a", "op": "equals"}, [(".value", "missing: operator 'equals' needs a value")]),
        (
            {"field": "a", "op": "equals", "value": [1]},
            [(".value", "expected text, a number or true/false, got a list")],
        ),
        ({"field": "a", "op": "in", "value": "x"}, [(".value", "expected a list of values, "
                                                              "got 'x'")]),
        ({"field": "a", "op": "in", "value": []}, [(".value", "expected at least one value in "
                                                             "the list")]),
        ({"field": "a", "op": "not_in", "value": ["x", {}]}, [(".value", "item 1 is a mapping, "
                                                                        "not text or a number")]),
        (
            {"field": "a", "op": "contains", "value": True},
            [(".value", "expected some text or a list of texts, got true")],
        ),
        (
            {"field": "a", "op": "starts_with", "value": " "},
            [(".value", "expected some text, got an empty text")],
        ),
        (
            {"field": "a", "op": "greater_than", "value": "500"},
            [(".value", "expected a number, got '500'")],
        ),
        (
            {"field": "a", "op": "less_than", "value": float("inf")},
            [(".value", "expected a number, got inf")],
        ),
        ({"field": "a", "op": "exists", "value": "yes"}, [(".value", "expected true or false, "
                                                                    "got 'yes'")]),
        (
            {"field": "a", "op": "in_list", "value": "targets"},
            [(".value", "unknown list 'targets' (known: target-accounts, vip)")],
        ),
        ({"field": "a", "op": "in_list", "value": 3}, [(".value", "expected the name of a list, "
                                                                 "got 3")]),
        (
            {"field": "a", "op": "exists", "valeu": True},
            [(".valeu", "unknown key 'valeu' (did you mean 'value'?)")],
        ),
        ({"all": []}, [(".all", "needs at least one condition")]),
        ({"any": {"field": "a"}}, [(".any", "expected a list of conditions, got a mapping")]),
        ({"always": "yes"}, [(".always", "must be true, got 'yes'")]),
        (
            {"all": [{"field": "a", "op": "exists"}], "field": "b", "op": "exists"},
            [("", "a condition is exactly one of 'all', 'any', 'not' or a comparison "
                  "('field', 'op'); found 'all', 'field', 'op'")],
        ),
        (
            {"all": [{"field": "a", "op": "exists"}], "any": [{"field": "a", "op": "exists"}]},
            [("", "a condition is exactly one of 'all', 'any', 'not' or a comparison "
                  "('field', 'op'); found 'all', 'any'")],
        ),
        ({"$version": 2, "always": True}, [(".$version", "unsupported version 2 (supported: 1)")]),
        (
            {"not": {"$version": 1, "always": True}},
            [(".not.$version", "unknown key '$version'")],
        ),
    ],
)  # fmt: skip
def test_validation_errors(data: object, expected: list[tuple[str, str]]) -> None:
    assert problems(data) == [(PATH + suffix, message) for suffix, message in expected]


def test_all_problems_are_reported_with_their_paths() -> None:
    data = {
        "all": [
            {"field": "a", "op": "equalz", "value": 1},
            {"any": [{"not": {"field": "b", "op": "in", "value": "x"}}, {}]},
            {"field": "d", "op": "in_list", "value": "nope"},
        ]
    }
    assert problems(data) == [
        (f"{PATH}.all[0].op", "unknown operator 'equalz' (did you mean 'equals'?)"),
        (f"{PATH}.all[1].any[0].not.value", "expected a list of values, got 'x'"),
        (f"{PATH}.all[1].any[1]", "a condition needs 'all', 'any', 'not', or 'field' and 'op'"),
        (f"{PATH}.all[2].value", "unknown list 'nope' (known: target-accounts, vip)"),
    ]


def test_list_names_are_only_checked_when_given() -> None:
    data = {"field": "a", "op": "in_list", "value": "anything"}
    assert problems(data, None) == []
    assert problems(data, set()) == [
        (f"{PATH}.value", "unknown list 'anything' (known: none defined)")
    ]


def test_load_raises_the_first_problem() -> None:
    with pytest.raises(ConditionError) as caught:
        load_condition({"all": [{"field": "a", "op": "equalz"}, {"any": []}]})
    assert caught.value.path == "when.all[0].op"
    assert caught.value.message == "unknown operator 'equalz' (did you mean 'equals'?)"
    with pytest.raises(ConditionError, match=r"^x\.\$version: unsupported version 7"):
        load_condition({"$version": 7, "always": True}, path="x")


def test_load_and_dump() -> None:
    data = {
        "all": [
            {"field": "domain", "op": "in_list", "value": "target-accounts"},
            {"not": {"field": "country", "op": "in", "value": ["FR", "DE"]}},
            {"field": "phone", "op": "exists"},
        ]
    }
    condition = load_condition(data)
    assert condition == All(
        (
            Leaf("domain", "in_list", "target-accounts"),
            Not(Leaf("country", "in", ("FR", "DE"))),
            Leaf("phone", "exists", True),
        )
    )
    dumped = dump_condition(condition)
    assert dumped["$version"] == 1
    assert dumped["all"] == [
        {"field": "domain", "op": "in_list", "value": "target-accounts"},
        {"not": {"field": "country", "op": "in", "value": ["FR", "DE"]}},
        {"field": "phone", "op": "exists", "value": True},
    ]
    assert load_condition(dumped) == condition
    assert dump_condition(Always()) == {"$version": 1, "always": True}


# ---- round trip of random trees -------------------------------------------------------------

_fields = st.from_regex(r"[a-z][a-z0-9_.-]{0,20}", fullmatch=True)
_text = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
_number = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)
_scalar = _text | _number | st.booleans()
_values: dict[str, st.SearchStrategy[object]] = {
    "equals": _scalar,
    "not_equals": _scalar,
    "in": st.lists(_scalar, min_size=1, max_size=4).map(tuple),
    "not_in": st.lists(_scalar, min_size=1, max_size=4).map(tuple),
    "contains": _text | st.lists(_text, min_size=1, max_size=3).map(tuple),
    "starts_with": _text,
    "ends_with": st.lists(_text, min_size=1, max_size=3).map(tuple),
    "greater_than": _number,
    "less_than": _number,
    "exists": st.booleans(),
    "in_list": _text,
}
_leaves = st.sampled_from(sorted(_values)).flatmap(
    lambda op: st.builds(Leaf, _fields, st.just(op), _values[op])
)
conditions: st.SearchStrategy[Condition] = st.recursive(
    _leaves | st.just(Always()),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=4).map(lambda xs: All(tuple(xs)))
        | st.lists(inner, min_size=1, max_size=4).map(lambda xs: AnyOf(tuple(xs)))
        | inner.map(Not)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(conditions)
def test_random_trees_round_trip(condition: Condition) -> None:
    dumped = dump_condition(condition)
    assert validate_condition(dumped, "when") == []
    assert load_condition(dumped) == condition
    assert load_condition(json.loads(json.dumps(dumped))) == condition
