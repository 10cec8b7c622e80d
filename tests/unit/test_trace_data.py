"""The trace's JSON form belongs to the core's ``Trace``: data keeps its types as JSON (lists,
numbers, booleans, nested mappings) there and back, and ledger rows written by older
versions (lists stored as Python's text of them, odd entries) still read."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from leadrail.routing.trace import Trace, TraceStep

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
ANY_DATA = st.recursive(
    SCALARS | st.floats() | st.dates() | st.datetimes(timezones=st.just(UTC)),
    lambda inner: (
        st.lists(inner, max_size=3).map(tuple)
        | st.lists(inner, max_size=3)
        | st.frozensets(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=3)
    ),
    max_leaves=12,
)
STEP_TEXT = st.text(max_size=12)


def stored(trace: Trace) -> Any:
    """As the ledger keeps it: through JSON text (no NaN or infinity allowed)."""
    return json.loads(json.dumps(trace.to_json(), allow_nan=False))


STEP_DATA = st.dictionaries(st.text(max_size=8), JSON_DATA, max_size=5)


@given(st.lists(st.tuples(STEP_TEXT, STEP_TEXT, STEP_TEXT, STEP_DATA), max_size=4))
def test_json_data_comes_back_as_it_went_in(
    steps: list[tuple[str, str, str, dict[str, Any]]],
) -> None:
    trace = Trace(TraceStep(*s) for s in steps)
    back = Trace.from_json(stored(trace))
    assert back == trace  # same steps, the data of the same types (lists stay lists)
    assert [type(v) for s in back for v in s.data.values()] == [
        type(v) for s in trace for v in s.data.values()
    ]
    assert back.to_json() == trace.to_json()


@given(st.dictionaries(st.text(max_size=8), ANY_DATA, max_size=4))
def test_any_data_is_stored_as_json_and_reads_back_stable(data: dict[str, Any]) -> None:
    trace = Trace([TraceStep("user", "chosen", "sent to the users", data)])
    once = stored(trace)  # json.dumps(allow_nan=False) raises on what JSON cannot hold
    assert stored(Trace.from_json(once)) == once  # reading it back changes nothing


def test_tuples_sets_and_other_values_become_json() -> None:
    when = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    step = TraceStep(
        "user",
        "chosen",
        "sent",
        {
            "users": ("ana@acme.test", "bo@acme.test"),
            "pools": frozenset({"b", "a"}),
            "at": when,
            "bad": math.inf,
            "nested": {"k": (1, 2.5, True)},
        },
    )
    assert step.to_json()["data"] == {
        "users": ["ana@acme.test", "bo@acme.test"],
        "pools": ["a", "b"],
        "at": "2026-05-01T09:30:00+00:00",
        "bad": "inf",
        "nested": {"k": [1, 2.5, True]},
    }


def test_an_old_ledger_rows_stringified_list_reads_as_a_list() -> None:
    data = {"users": "['ana@acme.test', 'bo@acme.test']", "rule": "[VIP] accounts"}
    old = {"step": "user", "outcome": "chosen", "detail": "sent", "data": data}
    (read,) = Trace.from_json([old])
    users = ["ana@acme.test", "bo@acme.test"]
    assert read == TraceStep("user", "chosen", "sent", {"users": users, "rule": "[VIP] accounts"})
    weird = {**old, "data": {"users": "[__import__('os')]"}}
    assert Trace.from_json([weird])[0].data == {"users": "[__import__('os')]"}  # left as is


def test_odd_rows_read_without_failing() -> None:
    assert Trace.from_json(None) == ()
    assert Trace.from_json("not a list") == ()
    assert Trace.from_json(["not a step", None, {"step": "rule", "data": [1]}]) == (
        TraceStep("unknown", "", "not a step"),
        TraceStep("unknown", "", "None"),
        TraceStep("rule", "", "", {}),
    )
