"""Looking up the CRM facts a router's conditions read, once per request (the port and the
use case's half; ``leadrail.routing.crm_facts`` turns what is found into prospect fields)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from leadrail.routing.crm_facts import CrmFound, CrmWant


@runtime_checkable
class CrmFactsRepo(Protocol):
    """A routing repo that can also read CRM facts (records with properties, open
    opportunities). A repo without it routes on ownership records alone."""

    def crm_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        """The prospect's records with the properties ``want`` names and, when it asks, the
        open opportunities of its contact or company. A CRM that cannot be reached gives
        what could be found (nothing): routing goes on without the facts."""
        ...
