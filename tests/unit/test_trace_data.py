"""Trace data keeps its types as JSON (lists, numbers, booleans, nested mappings), and ledger
rows written when lists were stored as Python's text of them still read as lists."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from leadrail.app.route import stored_trace, trace_json
from leadrail.routing.model import TraceStep

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False)
)
JSON_DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def step(**data: object) -> TraceStep:
    return step_of(data)


@given(st.dictionaries(st.text(max_size=8), JSON_DATA, max_size=5))
def test_json_data_comes_back_as_it_went_in(data: dict[str, Any]) -> None:
    stored = json.loads(json.dumps(trace_json(step_of(data))))
    assert stored["data"] == data
    assert stored_trace([stored]) == [stored]  # reading it back changes nothing


def step_of(data: dict[str, Any]) -> TraceStep:
    return TraceStep("user", "chosen", "sent to the users", data)


def test_tuples_sets_and_other_values_become_json() -> None:
    when = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    data = trace_json(
        step(
            users=("ana@acme.test", "bo@acme.test"),
            pools=frozenset({"b", "a"}),
            at=when,
            bad=math.inf,
            nested={"k": (1, 2.5, True)},
        )  # fmt: skip
    )["data"]
    assert data == {
        "users": ["ana@acme.test", "bo@acme.test"],
        "pools": ["a", "b"],
        "at": "2026-05-01T09:30:00+00:00",
        "bad": "inf",
        "nested": {"k": [1, 2.5, True]},
    }
    json.dumps(data, allow_nan=False)


def test_an_old_ledger_rows_stringified_list_reads_as_a_list() -> None:
    data = {"users": "['ana@acme.test', 'bo@acme.test']", "rule": "[VIP] accounts"}
    old = {"step": "user", "outcome": "chosen", "detail": "sent", "data": data}
    (read,) = stored_trace([old])
    assert read["data"] == {"users": ["ana@acme.test", "bo@acme.test"], "rule": "[VIP] accounts"}
    weird = {**old, "data": {"users": "[__import__('os')]"}}
    assert stored_trace([weird])[0]["data"] == {"users": "[__import__('os')]"}  # left as is
    assert stored_trace(["not a step", None]) == ["not a step", None]
