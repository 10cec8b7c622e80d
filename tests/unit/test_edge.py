"""The edge policy as plain functions: text, JSON depth and size, numbers, YAML documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.web.edge import (
    ADMIN,
    PUBLIC,
    Limits,
    Refused,
    check_pairs,
    load_document,
    parse_json,
    text_problem,
    too_deep,
)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=30,
)


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


@settings(max_examples=300, derandomize=True)
@given(JSON_VALUES, st.integers(0, 6))
def test_too_deep_agrees_with_the_real_nesting(value: Any, limit: int) -> None:
    """Brackets inside strings do not count; the scan and the parsed value agree."""
    raw = json.dumps(value, ensure_ascii=False).encode()
    assert too_deep(raw, limit) == (depth_of(value) > limit)


def test_strings_full_of_brackets_are_not_nesting() -> None:
    raw = json.dumps({"a": "[[[[{{{{" * 100, "b": ['"\\[[[']}).encode()
    assert not too_deep(raw, 2)
    assert parse_json(raw, PUBLIC)["a"].startswith("[[[[")


@pytest.mark.parametrize(
    ("text", "one_line", "says"),
    [
        ("a\x00b", False, "NUL"),
        ("a\ud800b", False, "lone surrogate"),
        ("a\udfffb", True, "lone surrogate"),
        ("a\x1bb", False, "control character (U+001B)"),
        ("a\x85b", False, "control character (U+0085)"),
        ("a\ufffeb", False, "U+FFFE"),
        ("a\nb", True, "line break (U+000A)"),
        ("a\rb", True, "line break (U+000D)"),
        ("a\u2028b", True, "line break (U+2028)"),
        ("a\tb", True, "tab"),
    ],
)
def test_what_text_may_not_hold(text: str, one_line: bool, says: str) -> None:
    problem = text_problem(text, one_line=one_line)
    assert problem is not None
    assert says in problem


@pytest.mark.parametrize("text", ["", "Zoë Ångström 山田 🙂", "a\nb\r\nc\td", "O'Brien <x>"])
def test_multi_line_text_is_taken(text: str) -> None:
    assert text_problem(text, one_line=False) is None


def refusal(raw: bytes | str, limits: Limits = PUBLIC) -> Refused:
    with pytest.raises(Refused) as caught:
        parse_json(raw, limits)
    return caught.value


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "bad_json", "body"),
        (b'{"a": NaN}', 400, "bad_json", "body"),
        (b'{"a": Infinity}', 400, "bad_json", "body"),
        (b"[" * 20_000 + b"]" * 20_000, 422, "too_deep", "body"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, 422, "too_deep", "body"),
        (b'{"name": "Pat\\nSmith"}', 422, "invalid", "name"),
        (b'{"notes": "line\\u0000"}', 422, "invalid", "notes"),
        (b'{"prospect": {"name": "\\ud800"}}', 422, "invalid", "prospect.name"),
        (b'{"a": [1, {"b\\u0000": 1}]}', 422, "invalid", "a[1].b\x00"),
        (b'{"n": 99999999999999999999}', 422, "invalid", "n"),
        (b'{"n": -9223372036854775809}', 422, "invalid", "n"),
        (b'{"n": 1e999}', 422, "invalid", "n"),
        (json.dumps({f"f{i}": 1 for i in range(1001)}).encode(), 422, "too_many", "body"),
        (json.dumps({"xs": list(range(1001))}).encode(), 422, "too_many", "xs"),
        (b" " * (64 * 1024 + 1), 413, "too_large", "body"),
    ],
)
def test_json_refusals(body: bytes, status: int, code: str, field: str) -> None:
    refused = refusal(body)
    assert (refused.status, refused.code, refused.field) == (status, code, field)
    assert refused.body()["error"]["field"] == field


def test_what_json_may_hold() -> None:
    doc = {
        "email": "pat@example.test",
        "notes": "two\nlines\tand a tab",
        "comments": ["also\nmulti-line"],
        "n": 2**63 - 1,
        "m": -(2**63),
        "f": 1.5e300,
        "deep": json.loads("[" * 31 + "]" * 31),
    }
    assert parse_json(json.dumps(doc), PUBLIC) == doc


def test_the_node_budget_stops_yaml_aliases_that_repeat_a_part() -> None:
    lines = ["a0: &a0 [" + ", ".join(["x"] * 9) + "]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    with pytest.raises(Refused) as caught:
        load_document("\n".join(lines))
    assert caught.value.code == "too_many"


def test_yaml_documents_are_bounded_in_depth_without_recursion_errors() -> None:
    with pytest.raises(Refused) as caught:
        load_document("a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)))
    assert "deeper" in caught.value.message
    with pytest.raises(Refused) as caught:
        load_document("[" * 50_000)
    assert caught.value.code in ("too_deep", "invalid")


def test_yaml_and_json_documents_are_checked_like_bodies() -> None:
    assert load_document("- name: A\n  when: {field: country, op: equals, value: us}\n") == [
        {"name": "A", "when": {"field": "country", "op": "equals", "value": "us"}}
    ]
    with pytest.raises(Refused) as caught:
        load_document('[{"name": "bad\\u0000"}]')
    assert caught.value.field == "[0].name"
    with pytest.raises(Refused) as caught:
        load_document('- name: "bad\\0"\n')
    assert caught.value.field == "[0].name"
    with pytest.raises(Refused) as caught:
        load_document("credits: 99999999999999999999999\n", ADMIN)
    assert caught.value.field == "credits"


def test_query_and_form_pairs() -> None:
    check_pairs([("name", "Pat"), ("notes", "a\nb")])
    with pytest.raises(Refused) as caught:
        check_pairs([("name", "Pat\nSmith")])
    assert caught.value.field == "name"
    with pytest.raises(Refused) as caught:
        check_pairs([("yaml", "a:\x00")], one_line=False)
    assert caught.value.field == "yaml"
    check_pairs([("yaml", "a: 1\nb: 2")], one_line=False)


ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(
        alphabet=st.characters(codec="utf-8")
        | st.sampled_from("\x00\n\t\x1b\x85\u2028\ud800\udfff\ufffe\x7f"),
        max_size=6,
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, derandomize=True)
@given(ANY_JSON, st.booleans())
def test_the_fast_path_skips_the_walk_only_when_the_walk_would_pass(
    value: Any, ascii_: bool
) -> None:
    """``needs_walk`` says no only for bodies the full walk takes: the shortcut never lets
    through what the walk refuses (whatever the encoding of the JSON text)."""
    from leadrail.web.edge import check_value, needs_walk

    raw = json.dumps(value, ensure_ascii=ascii_).encode("utf-8", "surrogatepass")
    small = Limits(64 * 1024, max_items=3, max_nodes=12)
    if not needs_walk(raw, small):
        check_value(json.loads(raw), small)  # raises Refused if the shortcut was wrong


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le", "utf-8-sig"])
def test_json_in_other_unicode_encodings_is_checked_too(encoding: str) -> None:
    raw = json.dumps({"name": "Pat\nSmith"}, ensure_ascii=False).encode(encoding)
    with pytest.raises(Refused) as caught:
        parse_json(raw, PUBLIC)
    assert caught.value.field == "name"
