"""The decision audit's port: find decisions, and everything that followed each one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass
class Followed:
    clicks: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] | None = None  # None: no conversations table yet


class AuditRepo(Protocol):
    def search(
        self,
        *,
        routers: Sequence[str],
        emails: Sequence[str],
        start: datetime,
        end: datetime,
        offset: int,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Newest first; ``limit + 1`` rows are asked for so the caller knows of a next page."""
        ...

    def decision(self, decision_id: str) -> dict[str, Any] | None: ...

    def followed(self, decision: dict[str, Any]) -> Followed: ...

    def set_no_show(self, meeting_id: str, no_show: bool, now: datetime) -> bool:
        """Mark a booked meeting whose start is past as a no-show (or undo it). False when
        the meeting is not in the state the change needs."""
        ...
