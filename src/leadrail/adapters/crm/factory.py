"""The workspace's CRM connector: the built-in CRM, HubSpot or Salesforce."""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import select

from leadrail.adapters.credentials import CredentialRefused, env_credential
from leadrail.adapters.crm.base import CrmConnector, CrmError
from leadrail.adapters.crm.builtin import BuiltinCrm
from leadrail.adapters.crm.mapping import MappedCrm
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.outbound import Outbound
from leadrail.app.workspace import STORED, CrmConnectionDoc, CrmMappingDoc


class CrmConnectors:
    """The connector of the workspace's CRM settings, built again when they change."""

    def __init__(self, db: Database, outbound: Outbound | None = None) -> None:
        self.db = db
        self.outbound = outbound or Outbound()  # the guard for user-typed URLs (the CRM's)
        self._built: tuple[str, CrmConnector] | None = None
        self._lock = threading.Lock()

    def connector(self) -> CrmConnector:
        with self.db.sessions() as s:
            settings = s.scalar(select(t.WorkspaceMeta.settings)) or {}
        provider, connection = settings.get("crm_provider"), settings.get("crm_connection")
        mapping = CrmMappingDoc.model_validate(settings.get("crm_mapping") or {})
        key = json.dumps([provider, connection, settings.get("crm_mapping")], sort_keys=True)
        built = self._built
        if built is None or built[0] != key:
            with self._lock:
                built = (
                    key,
                    connector_for(
                        provider or "builtin", connection, self.db, self.outbound, mapping
                    ),
                )
                self._built = built
        return built[1]


def connector_for(
    provider: str,
    connection: dict[str, Any] | None,
    db: Database,
    outbound: Outbound | None = None,
    mapping: CrmMappingDoc | None = None,
) -> CrmConnector:
    """The connector, through the workspace's field mapping; HubSpot and Salesforce are
    called through the outbound guard (their URLs are typed by an admin)."""
    mapping = mapping or CrmMappingDoc()
    return MappedCrm(_connector(provider, connection, db, outbound, mapping), mapping)


def _connector(
    provider: str,
    connection: dict[str, Any] | None,
    db: Database,
    outbound: Outbound | None,
    mapping: CrmMappingDoc,
) -> CrmConnector:
    if provider == "builtin" or connection is None:
        return BuiltinCrm(db)
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
        from leadrail.adapters.crm.hubspot_facts import OWNER, Where
        from leadrail.adapters.crm.hubspot_http import HubSpotSettings

        where = Where(mapping.owner_field or OWNER, tuple(mapping.company_domains))

        return HubSpotConnector(HubSpotSettings(
            base_url=conn.url or "https://api.hubapi.com", access_token=access,
            refresh_token=refresh, client_id=conn.client_id, client_secret=secret,
            cache_seconds=conn.cache_seconds, max_retries=conn.max_retries),
            outbound=outbound, where=where)  # fmt: skip
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
    owner_field = mapping.owner_field or "OwnerId"
    return SalesforceConnector(settings, outbound=outbound, owner_field=owner_field)
