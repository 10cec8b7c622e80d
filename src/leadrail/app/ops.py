"""Ports for running leadrail as several processes: readiness, the figures behind
``/metrics`` that live in the database, and the API-token revocation epoch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class OpsCounts:
    """What the database holds right now (the same for every process that asks)."""

    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, status) -> jobs
    outbox_retrying: dict[str, int] = field(default_factory=dict)  # kind -> failed, retried
    deliveries: dict[str, int] = field(default_factory=dict)  # status -> deliveries
    chats: dict[str, int] = field(default_factory=dict)  # "waiting" / "active" -> chats


class OpsRepo(Protocol):
    def counts(self) -> OpsCounts: ...


class Readiness(Protocol):
    def problems(self) -> dict[str, str]:
        """What is not ready ("database", "redis", "migrations") and why; empty: ready."""
        ...


class Revocations(Protocol):
    """The API-token revocation epoch (``adapters.shared_state``)."""

    def bump(self) -> None:
        """A token may have ended: every process stops trusting its cached tokens."""
        ...

    async def epoch(self) -> int | None:
        """The current epoch; None when it cannot be known (then check the database)."""
        ...
