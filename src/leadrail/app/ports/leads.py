"""Form and offer leads: sites, stores, the lead settings, stored leads, the locator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead
from leadrail.leads.nearest import GeoPoint, LocationHints


@dataclass(frozen=True)
class SiteInfo:
    name: str
    key: str
    thank_you_url: str | None = None
    router: str | None = None


@dataclass(frozen=True)
class StoreInfo:
    name: str
    latitude: float
    longitude: float
    categories: Mapping[str, tuple[Target, ...]]


@dataclass(frozen=True)
class LeadConfig:
    """The workspace's lead settings, cached per revision."""

    revision: int
    categories: Mapping[str, tuple[Target, ...]]
    fallback: Target | None
    stores: Mapping[str, StoreInfo]
    nearest: bool
    max_km: float | None
    sites: Mapping[str, SiteInfo]  # by key


@dataclass(frozen=True)
class StoredLead:
    id: str
    created_at: datetime
    site: str
    data: Mapping[str, Any]
    trace: list[str]
    deliveries: list[Mapping[str, Any]]


class DuplicateLead(Exception):
    """Another request with the same Idempotency-Key created the lead first."""


class LeadRepo(Protocol):
    def lead_config(self) -> LeadConfig: ...

    def lead_by_key(self, site: str, key: str) -> StoredLead | None: ...

    def lead(self, lead_id: str) -> StoredLead | None: ...

    def save_lead(
        self,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool = False,
    ) -> None: ...

    def deliveries(
        self,
        *,
        lead: str | None = None,
        status: str | None = None,
        destination: str | None = None,
        limit: int = 100,
        with_attempts: bool = True,
    ) -> list[dict[str, Any]]:
        """Deliveries, newest first, as the receipts show them."""
        ...

    def stop(self, delivery_id: str, now: datetime, by: str) -> dict[str, Any] | None: ...

    def resend(self, delivery_id: str, now: datetime) -> str | None: ...


class Locator(Protocol):
    def locate(
        self, hints: LocationHints, stores: Mapping[str, tuple[float, float]]
    ) -> GeoPoint | None:
        """The visitor's most trustworthy location (``stores``: each store's latitude and
        longitude by name), or None when no hint gives one."""
        ...
