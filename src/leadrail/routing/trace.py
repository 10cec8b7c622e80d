"""A decision's trace: its steps in order, each a sentence a person can read with its data,
and the trace's JSON form (the ledger stores it; the API, the CLI and the dashboard show it).

JSON form: a list of ``{"step", "outcome", "detail", "data"}`` objects. ``data`` keeps its
types as JSON data of the same shape: lists (from tuples and lists; sets sorted), objects
with text keys, numbers, booleans, null; a date becomes ISO 8601 text, and what has no JSON
form (an infinite float, an object) its text. Reading it back (``Trace.from_json``) gives the
same steps for JSON-typed data, and accepts what older versions stored (see there)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict, overload


class TraceStepJson(TypedDict):
    """One step's JSON form."""

    step: str
    outcome: str
    detail: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TraceStep:
    step: str  # "ownership", "rule", "default", "memory", "credit", "rotation", ...
    outcome: str  # "matched", "skipped", "chosen", "no_match", ...
    detail: str  # a sentence a person can read
    data: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> TraceStepJson:
        return {
            "step": self.step,
            "outcome": self.outcome,
            "detail": self.detail,
            "data": {str(k): json_data(v) for k, v in self.data.items()},
        }

    @classmethod
    def from_json(cls, stored: object) -> TraceStep:
        """A step as stored. Older versions stored a list in ``data.users`` as Python's text
        of it (``"['ana@acme.test']"``): read as a list again. A missing field reads as empty
        text (data: empty); an entry that is not an object (never written by leadrail) reads
        as a step whose detail is its text."""
        if not isinstance(stored, Mapping):
            return cls("unknown", "", str(stored))
        data = stored.get("data")
        return cls(
            _text(stored.get("step")),
            _text(stored.get("outcome")),
            _text(stored.get("detail")),
            _once_text(data) if isinstance(data, Mapping) else {},
        )


LaterSteps = Callable[[], Iterable[TraceStep]]


class Trace(Sequence[TraceStep]):
    """A decision's steps in order: read-only, and equal to a tuple of the same steps.

    A part may be a callable that writes some steps (the engine's sentences for the rules that
    did not match cost more than the routing itself): it is called when the trace is first
    read, and must only use values fixed when the trace was made, so the steps read are the
    ones that writing them up front would have given."""

    __slots__ = ("_parts", "_steps")

    def __init__(self, parts: Iterable[TraceStep | LaterSteps] = ()) -> None:
        self._parts = tuple(parts)
        self._steps: tuple[TraceStep, ...] | None = None

    def steps(self) -> tuple[TraceStep, ...]:
        """All the steps (written now if they were not yet)."""
        steps = self._steps
        if steps is None:
            written: list[TraceStep] = []
            for part in self._parts:
                if isinstance(part, TraceStep):
                    written.append(part)
                else:
                    written.extend(part())
            steps = self._steps = tuple(written)
        return steps

    def to_json(self) -> list[TraceStepJson]:
        """The JSON form (see the module docstring)."""
        return [step.to_json() for step in self.steps()]

    @classmethod
    def from_json(cls, stored: object) -> Trace:
        """The trace as stored by ``to_json``, now or by older versions (see
        ``TraceStep.from_json``); anything but a list reads as an empty trace."""
        if not isinstance(stored, list | tuple):
            return cls()
        return cls([TraceStep.from_json(step) for step in stored])

    def __len__(self) -> int:
        return len(self.steps())

    @overload
    def __getitem__(self, index: int) -> TraceStep: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[TraceStep, ...]: ...
    def __getitem__(self, index: int | slice) -> TraceStep | tuple[TraceStep, ...]:
        return self.steps()[index]

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self.steps())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Trace):
            return self.steps() == other.steps()
        if isinstance(other, tuple):
            return self.steps() == other
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self.steps())

    def __reduce__(self) -> tuple[type[Trace], tuple[tuple[TraceStep, ...]]]:
        return Trace, (self.steps(),)


def json_data(value: object) -> Any:
    """``value`` as JSON data of the same shape (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): json_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_data(v) for v in value]
    if isinstance(value, set | frozenset):
        return [json_data(v) for v in sorted(value, key=str)]
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _text(value: object) -> str:
    return "" if value is None else str(value)


# Trace data that the ledger once stored as Python's text of a list ("['ana@acme.test']")
# before trace data kept its types: read back as lists.
_ONCE_TEXT = ("users",)
_LIST_TEXT = re.compile(r"\[(\s*'[^'\\]*'\s*,)*(\s*'[^'\\]*'\s*)?\]\Z")


def _once_text(data: Mapping[Any, Any]) -> dict[str, Any]:
    out = {str(k): v for k, v in data.items()}
    for key in _ONCE_TEXT:
        value = out.get(key)
        if isinstance(value, str) and _LIST_TEXT.match(value):
            out[key] = re.findall(r"'([^'\\]*)'", value)
    return out
