"""The clock and the database's health check."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...  # timezone-aware


class Health(Protocol):
    def check(self) -> str:
        """A round trip to the database; returns its kind ("sqlite", "postgresql")."""
        ...
