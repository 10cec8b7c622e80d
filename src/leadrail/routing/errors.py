"""Errors the routing core raises: each names what to fix and where."""

from __future__ import annotations


class ConditionError(ValueError):
    """A condition tree is not valid. ``path`` locates the offending node or key
    (``routers[2].rules[0].when.all[1].op``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConditionError):
            return NotImplemented
        return (self.path, self.message) == (other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.message))


class ProspectError(ValueError):
    """A prospect's input cannot be used: ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
