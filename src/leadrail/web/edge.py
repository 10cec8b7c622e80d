"""The edge policy: what any text, number or JSON document a client sends must be.

One policy for every request (public and admin; JSON bodies, HTML forms, query strings,
path parameters, console frames), applied by ``EdgeMiddleware`` before any route runs and by
the few places that parse a document themselves (YAML imports, WebSocket frames):

- Text never holds NUL, a lone surrogate (``"\\ud800"``: not text, UTF-8 cannot carry it),
  U+FFFE/U+FFFF, or a control character other than TAB, LF and CR.
- Text is one line (no TAB, CR, LF, U+2028/2029 either) unless its field is one of
  ``MULTILINE_FIELDS`` (notes, comments, message, text, description). Dashboard forms are
  the exception: their text areas hold YAML, CSV and lists, and what they produce is checked
  again as a document.
- Integers fit in 64 bits; numbers are finite; JSON nests at most ``max_depth`` levels and an
  object or array holds at most ``max_items`` entries; a body is at most ``max_bytes`` (413).

A refusal is ``Refused``: 422 naming the field (``customer.name``, ``prospect.notes``,
``email``), 400 for a body that is not JSON (or a form that cannot be read), 413 for one too
large. Checks are cheap: a size test on bytes, a bracket count (a scan only when brackets
could nest too deep), one walk of the parsed value, skipped when the raw bytes cannot hold
anything the walk refuses (``needs_walk``).
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import yaml

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MULTILINE_FIELDS = frozenset({"notes", "comments", "message", "text", "description"})


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int = 32
    max_items: int = 1000  # in one object or array
    max_nodes: int = 10_000  # values in the whole document

    @property
    def size_text(self) -> str:
        kib = self.max_bytes // 1024
        return f"{kib // 1024} MiB" if kib >= 1024 and kib % 1024 == 0 else f"{kib} KiB"


PUBLIC = Limits(64 * 1024)  # what a prospect, a website or a link sends
# Workspace documents, CRUD, dashboard forms; the dashboard's workspace file upload.
ADMIN = Limits(1024 * 1024, max_items=50_000, max_nodes=500_000)
UPLOAD = Limits(6 * 1024 * 1024, max_items=50_000, max_nodes=500_000)


class Refused(Exception):
    """A request the edge will not pass on: ``status`` with ``{"error": {...}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


_ANY_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_BREAKS = frozenset("\r\n\u2028\u2029")


def text_problem(value: str, *, one_line: bool) -> str | None:
    """Why ``value`` cannot be taken (a phrase), or None when it can."""
    found = (_LINE_BAD if one_line else _ANY_BAD).search(value)
    if found is None:
        return None
    ch = found.group()
    code = f"U+{ord(ch):04X}"
    if ch == "\x00":
        return f"contains a NUL character ({code})"
    if "\ud800" <= ch <= "\udfff":
        return f"contains a lone surrogate ({code}), which is not text"
    if ch in _BREAKS:
        return f"is one line: it contains a line break ({code})"
    if ch == "\t":
        return f"is one line: it contains a tab ({code})"
    return f"contains a control character ({code})"


def refuse_text(field: str, problem: str) -> Refused:
    return Refused(422, "invalid", f"{field}: {problem}", field)


def check_pairs(pairs: Iterable[tuple[str, str]], *, one_line: bool = True) -> None:
    """Query parameters or form fields: names always one line; values one line unless
    ``one_line`` is off or the name is a multi-line field."""
    for name, value in pairs:
        problem = text_problem(name, one_line=True)
        if problem is not None:
            raise refuse_text(name[:64] or "query", f"the name {problem}")
        line = one_line and name not in MULTILINE_FIELDS
        problem = text_problem(value, one_line=line)
        if problem is not None:
            raise refuse_text(name, problem)


# --- JSON ------------------------------------------------------------------------------------
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPEN_CLOSE = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(raw: bytes, max_depth: int) -> bool:
    """True when the JSON text ``raw`` nests brackets deeper than ``max_depth`` (outside
    strings). Without that many brackets at all, no scan is made."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False
    outside = _STRING.sub(b"", raw) if b'"' in raw else raw
    steps = array("b", outside.translate(_OPEN_CLOSE, _NOT_BRACKET))
    return max(accumulate(steps), default=0) > max_depth


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)
# What could make a parsed value fail the walk's text and number checks. JSON strings cannot
# hold raw control characters, so a line break, a tab, NUL or a lone surrogate arrives as a
# backslash escape, or as the UTF-8 of C1 controls, U+2028/2029, U+FFFE/FFFF or a surrogate;
# an integer beyond 64 bits has 19 digits or more; an infinite float a 3-digit exponent.
_SUSPECT = re.compile(
    rb"\\|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]"
    rb"|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]|[0-9]{19}|[eE][+-]?[0-9]{3}"
)


def parse_json(raw: bytes | str, limits: Limits) -> Any:
    """The JSON value of ``raw``, checked: Refused (400, 413 or 422) otherwise."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > limits.max_bytes:
        raise too_large(limits)
    if too_deep(data, limits.max_depth):
        raise Refused(
            422, "too_deep", f"the JSON nests deeper than {limits.max_depth} levels", "body"
        )
    encoding = "utf-8" if isinstance(raw, str) else json.detect_encoding(data)
    try:
        text = raw if isinstance(raw, str) else data.decode(encoding, "surrogatepass")
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise Refused(400, "bad_json", "the body is not valid JSON", "body") from None
    if encoding != "utf-8" or needs_walk(data, limits):  # the shortcut reads UTF-8 only
        check_value(value, limits)
    return value


def needs_walk(raw: bytes, limits: Limits) -> bool:
    """False when the JSON text ``raw`` cannot hold anything the walk refuses: no suspect
    bytes (see ``_SUSPECT``) and too few commas and brackets for any count to be exceeded.
    A body from a website or a script is usually such: then it is not walked at all."""
    if _SUSPECT.search(raw) is not None:
        return True
    commas = raw.count(b",")
    return (
        commas >= limits.max_items or commas + raw.count(b"[") + raw.count(b"{") >= limits.max_nodes
    )


def too_large(limits: Limits) -> Refused:
    return Refused(
        413,
        "too_large",
        f"the request body is larger than {limits.size_text}, the limit of this endpoint",
        "body",
    )


class _Bad(Exception):
    def __init__(self, problem: str, code: str = "invalid") -> None:
        self.problem, self.code, self.path = problem, code, list[int | str]()


def check_value(value: Any, limits: Limits, *, multiline: bool = False) -> None:
    """One walk of a parsed document: text, numbers, sizes, depth and (for YAML, whose
    aliases can repeat a part many times) the number of values in all (Refused, 422)."""
    try:
        _Walk(limits).value(value, multiline, limits.max_depth)
    except _Bad as bad:
        field = _path_text(reversed(bad.path)) or "body"
        raise Refused(422, bad.code, f"{field}: {bad.problem}", field) from None


def _path_text(parts: Iterable[int | str]) -> str:
    """``customer.address.street[0]``: the field as the client wrote it."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Walk:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.budget = limits.max_nodes

    def value(self, value: Any, multiline: bool, depth: int) -> None:
        if isinstance(value, str):
            problem = text_problem(value, one_line=not multiline)
            if problem is not None:
                raise _Bad(problem)
        elif isinstance(value, dict):
            self.container(value, depth)
            for key, item in value.items():
                try:
                    problem = text_problem(str(key), one_line=True)
                    if problem is not None:
                        raise _Bad(f"the field name {problem}")
                    self.value(item, key in MULTILINE_FIELDS, depth - 1)
                except _Bad as bad:
                    bad.path.append(str(key)[:64])
                    raise
        elif isinstance(value, list):
            self.container(value, depth)
            for index, item in enumerate(value):
                try:
                    self.value(item, multiline, depth - 1)
                except _Bad as bad:
                    bad.path.append(index)
                    raise
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                raise _Bad("the number does not fit in 64 bits")
        elif isinstance(value, float) and not math.isfinite(value):
            raise _Bad("the number is not finite")

    def container(self, value: dict[Any, Any] | list[Any], depth: int) -> None:
        limits = self.limits
        if depth <= 0:
            raise _Bad(f"nests deeper than {limits.max_depth} levels", "too_deep")
        if len(value) > limits.max_items:
            raise _Bad(f"has more than {limits.max_items:,} entries", "too_many")
        self.budget -= len(value)
        if self.budget < 0:
            raise _Bad(f"the document holds more than {limits.max_nodes:,} values", "too_many")


# --- YAML (dashboard imports) ------------------------------------------------------------------
class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than ``MAX_YAML_DEPTH`` while it
    composes (its composer recurses: a deep document would end in a RecursionError)."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > ADMIN.max_depth:
                raise yaml.YAMLError(f"nests deeper than {ADMIN.max_depth} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_document(text: str, limits: Limits = ADMIN, *, kind: str = "YAML") -> Any:
    """A JSON or YAML document typed or uploaded in the dashboard, checked like a request
    body (Refused, 422: not readable, too deep, too big, or text that cannot be taken)."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > limits.max_bytes:
        raise too_large(limits)
    try:
        value = parse_json(data, limits)
    except Refused as refused:
        if refused.code != "bad_json":
            raise
        try:
            value = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 (a safe loader)
        except yaml.YAMLError as err:
            message = f"not valid {kind}: {str(err).splitlines()[0]}"
            raise Refused(422, "invalid", message, None) from None
        check_value(value, limits)
    return value
