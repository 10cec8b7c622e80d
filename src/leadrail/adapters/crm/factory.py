"""The workspace's CRM connector: the built-in store, HubSpot or Salesforce."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine

from leadrail.adapters.crm.base import CrmConnector
from leadrail.adapters.crm.builtin import BuiltinCrm
from leadrail.app.workspace import CrmConnectionDoc


def _env(name: str | None) -> str | None:
    return os.environ.get(name) if name else None


def connector_for(
    provider: str,
    connection: dict[str, Any] | None,
    engine: Engine,
    write_lock: Callable[[], AbstractContextManager[None]],
) -> CrmConnector:
    if provider == "builtin" or connection is None:
        return BuiltinCrm(engine, write_lock)
    conn = CrmConnectionDoc.model_validate(connection)
    access, refresh = _env(conn.access_token_env), _env(conn.refresh_token_env)
    secret = _env(conn.client_secret_env)
    if provider == "hubspot":
        from leadrail.adapters.crm.hubspot import HubSpotConnector
        from leadrail.adapters.crm.hubspot_http import HubSpotSettings

        return HubSpotConnector(HubSpotSettings(
            base_url=conn.url or "https://api.hubapi.com", access_token=access,
            refresh_token=refresh, client_id=conn.client_id, client_secret=secret,
            cache_seconds=conn.cache_seconds, max_retries=conn.max_retries))  # fmt: skip
    from leadrail.adapters.crm.salesforce import SalesforceConnector
    from leadrail.adapters.crm.salesforce_http import SalesforceSettings

    if not conn.url:
        raise ValueError("a salesforce connection needs url: the instance URL")
    settings = SalesforceSettings(
        instance_url=conn.url,
        access_token=access,
        refresh_token=refresh,
        client_id=conn.client_id,
        client_secret=secret,
        cache_seconds=conn.cache_seconds,
        max_retries=conn.max_retries,
    )
    return SalesforceConnector(settings)
