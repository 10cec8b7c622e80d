"""The enrichment step's port: a routing repo that can enrich a prospect (the workspace's
``crm.enrichment`` provider: the built-in CRM's companies or the operator's HTTP service)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from leadrail.routing.enrichment import Enriched


@runtime_checkable
class EnrichingRepo(Protocol):
    def enriches(self) -> bool:
        """Whether the workspace names an enrichment provider now (no network)."""
        ...

    def enrichment(self, email: str, domain: str) -> Enriched | None:
        """What the workspace's provider says of this prospect (None: enrichment is off).
        Never raises and never takes longer than the provider's timeout: a failure or a
        timeout is an ``Enriched`` with its ``problem``."""
        ...
