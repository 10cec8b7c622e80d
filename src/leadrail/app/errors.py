"""Errors the use cases raise; entry points turn them into 4xx answers or CLI messages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong at ``path``; ``where`` names, in words, the item it is in when that is
    not the item being edited ("router 'q2-enterprise' (rule 'Target accounts')")."""

    path: str
    message: str
    where: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class LeadrailError(Exception):
    """Base class: ``code`` is machine-readable, ``field`` names the offending input."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(LeadrailError):
    code = "not_found"
    status = 404


class InvalidInput(LeadrailError):
    code = "invalid"
    status = 422


class InvalidWorkspace(LeadrailError):
    """A workspace document with one or more problems; nothing was written."""

    code = "invalid_workspace"
    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else Problem("", "invalid workspace")
        super().__init__("\n".join(str(p) for p in problems), field=first.path or None)


class Conflict(LeadrailError):
    code = "conflict"
    status = 409


class InUse(InvalidWorkspace):
    """An item that others still refer to (``problems``: one per reference, ``where`` naming
    the referrer); nothing was written."""

    code = "in_use"
    status = 409

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.message = message
        self.args = (message,)


class Unavailable(LeadrailError):
    """The server cannot take the request right now (no database connection came free in
    time); nothing was written. The client may try again after ``retry_after`` seconds."""

    code = "busy"
    status = 503

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Stale(LeadrailError):
    """The workspace was saved by someone else since the caller read it (at ``read``; it is at
    ``current`` now); nothing was written."""

    code = "stale"
    status = 409

    def __init__(self, read: int, current: int) -> None:
        super().__init__(
            f"the workspace was changed by someone else (you read revision {read}, it is at "
            f"{current} now): reload it and make your change again",
            field="revision",
        )
        self.read = read
        self.current = current
