"""The workspace's CRM connector: the built-in store, HubSpot or Salesforce."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine

from leadrail.adapters.credentials import CredentialRefused, env_credential
from leadrail.adapters.crm.base import CrmConnector, CrmError
from leadrail.adapters.crm.builtin import BuiltinCrm
from leadrail.adapters.outbound import Outbound
from leadrail.app.workspace import STORED, CrmConnectionDoc


def connector_for(
    provider: str,
    connection: dict[str, Any] | None,
    engine: Engine,
    write_lock: Callable[[], AbstractContextManager[None]],
    outbound: Outbound | None = None,
) -> CrmConnector:
    """The connector; HubSpot and Salesforce are called through the outbound guard (their
    URLs are typed by an admin)."""
    if provider == "builtin" or connection is None:
        return BuiltinCrm(engine, write_lock)
    conn = CrmConnectionDoc.model_validate(connection, context=STORED)
    try:
        access = env_credential(conn.access_token_env, "crm.connection.access_token_env")
        refresh = env_credential(conn.refresh_token_env, "crm.connection.refresh_token_env")
        secret = env_credential(conn.client_secret_env, "crm.connection.client_secret_env")
    except CredentialRefused as e:
        raise CrmError(str(e), retryable=False) from None
    outbound = outbound or Outbound()
    if provider == "hubspot":
        from leadrail.adapters.crm.hubspot import HubSpotConnector
        from leadrail.adapters.crm.hubspot_http import HubSpotSettings

        return HubSpotConnector(HubSpotSettings(
            base_url=conn.url or "https://api.hubapi.com", access_token=access,
            refresh_token=refresh, client_id=conn.client_id, client_secret=secret,
            cache_seconds=conn.cache_seconds, max_retries=conn.max_retries),
            outbound=outbound)  # fmt: skip
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
    return SalesforceConnector(settings, outbound=outbound)
