"""The enrichment providers (``crm.enrichment``): the built-in CRM's company records, or the
operator's HTTP service, which is asked through the outbound guard, cached, and never waited
for longer than its timeout (an answer that comes later fills the cache for the next one)."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as Late
from typing import Any
from urllib.parse import urlsplit

import httpx
from cachetools import TTLCache
from sqlalchemy import select

from leadrail.adapters.credentials import CredentialRefused, env_credential
from leadrail.adapters.crm.builtin import BuiltinCrm
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.outbound import Outbound, OutboundRefused
from leadrail.app.workspace import STORED, CrmEnrichmentDoc
from leadrail.routing.crm_facts import CrmWant
from leadrail.routing.enrichment import Enriched
from leadrail.routing.normalise import is_free_mail

log = logging.getLogger("leadrail.enrichment")
PURPOSE = "enrichment"
FIELD = re.compile(r"[a-z0-9_]{1,64}")
MAX_VALUE = 200
SETTINGS_SECONDS = 1.0  # how long the workspace's enrichment settings are trusted unread


class Enrichers:
    """The workspace's provider, built again when its settings change."""

    def __init__(self, db: Database, outbound: Outbound) -> None:
        self.db = db
        self.outbound = outbound
        self._built: tuple[str, BuiltinEnricher | HttpEnricher | None] | None = None
        self._lock = threading.Lock()
        self._read: tuple[float, dict[str, Any]] | None = None

    def enabled(self) -> bool:
        """Whether the workspace names a provider (its settings read at most once a second)."""
        return self._provider() is not None

    def enrichment(self, email: str, domain: str) -> Enriched | None:
        provider = self._provider()
        return provider.enrichment(email, domain) if provider is not None else None

    def _provider(self) -> BuiltinEnricher | HttpEnricher | None:
        read = self._read
        if read is None or time.monotonic() - read[0] > SETTINGS_SECONDS:
            with self.db.sessions() as s:
                settings = s.scalar(select(t.WorkspaceMeta.settings)) or {}
            read = self._read = (time.monotonic(), settings.get("crm_enrichment") or {})
        raw = read[1]
        key = json.dumps(raw, sort_keys=True)
        built = self._built
        if built is None or built[0] != key:
            with self._lock:
                doc = CrmEnrichmentDoc.model_validate(raw, context=STORED)
                built = self._built = (key, self._make(doc))
        return built[1]

    def _make(self, doc: CrmEnrichmentDoc) -> BuiltinEnricher | HttpEnricher | None:
        if doc.provider == "builtin":
            return BuiltinEnricher(self.db, tuple(doc.fields))
        if doc.provider == "http" and doc.url:
            return HttpEnricher(doc, self.outbound)
        return None


class BuiltinEnricher:
    """The company of the prospect's domain (or a parent domain) in the built-in CRM: its
    properties named like the fields (``company_size``, ``industry``, ``country``)."""

    def __init__(self, db: Database, fields: tuple[str, ...]) -> None:
        self.crm = BuiltinCrm(db)
        self.want = CrmWant(company=fields, records=True)

    def enrichment(self, email: str, domain: str) -> Enriched:
        if not domain or is_free_mail(domain):
            return Enriched("the built-in CRM (no company domain)")
        found = self.crm.lookup_facts("", domain, self.want)
        company = next((r for r in found.records if r.kind == "company"), None)
        if company is None:
            return Enriched(f"the built-in CRM (no company for {domain})")
        return Enriched(
            f"the built-in CRM's company {company.matched_on}", dict(company.properties)
        )


class HttpEnricher:
    """``GET url?domain=D&email=E`` (``Authorization: Bearer`` the token when named); the
    answer is a JSON object whose listed fields (texts or numbers) are taken."""

    def __init__(self, doc: CrmEnrichmentDoc, outbound: Outbound) -> None:
        self.doc = doc
        self.host = urlsplit(doc.url or "").hostname or "the enrichment service"
        self.source = f"{self.host} (HTTP)"
        timeout = httpx.Timeout(max(doc.timeout_seconds * 4, 2.0))  # late answers still cache
        self.client = outbound.http_client(PURPOSE, timeout=timeout, follow_redirects=False)
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="enrichment")
        self.cache: TTLCache[tuple[str, str], Enriched] | None = None
        if doc.cache_seconds > 0:
            self.cache = TTLCache(maxsize=10_000, ttl=doc.cache_seconds)
        self._lock = threading.Lock()
        self._asking: dict[tuple[str, str], Future[Enriched]] = {}

    def enrichment(self, email: str, domain: str) -> Enriched:
        key = (domain, "" if domain and not is_free_mail(domain) else email)
        with self._lock:
            cached = self.cache.get(key) if self.cache is not None else None
            if cached is not None:
                return cached
            asking = self._asking.get(key)
            if asking is None:
                asking = self._asking[key] = self.pool.submit(self._ask, *key)
        try:
            return asking.result(timeout=self.doc.timeout_seconds)
        except Late:
            late = f"no answer within {self.doc.timeout_seconds:g} s"
            return Enriched(self.source, problem=late)

    def _ask(self, domain: str, email: str) -> Enriched:
        try:
            found = self._call(domain, email)
        finally:
            with self._lock:
                self._asking.pop((domain, email), None)
        if found.problem is None and self.cache is not None:
            with self._lock:
                self.cache[(domain, email)] = found
        return found

    def _call(self, domain: str, email: str) -> Enriched:
        params = {k: v for k, v in (("domain", domain), ("email", email)) if v}
        headers = {"Accept": "application/json"}
        try:
            token = env_credential(self.doc.token_env, "crm.enrichment.token_env")
        except CredentialRefused as e:
            return Enriched(self.source, problem=str(e))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            resp = self.client.get(self.doc.url or "", params=params, headers=headers)
        except OutboundRefused as e:
            return Enriched(self.source, problem=str(e))
        except httpx.HTTPError as e:
            log.warning("enrichment from %s failed: %s", self.host, type(e).__name__)
            return Enriched(self.source, problem=f"{type(e).__name__} talking to it")
        if resp.status_code == 404:
            return Enriched(self.source)  # the service knows nothing of this prospect
        if resp.status_code != 200:
            log.warning("enrichment from %s answered %s", self.host, resp.status_code)
            return Enriched(self.source, problem=f"it answered {resp.status_code}")
        return Enriched(self.source, _fields(_json(resp), self.doc.fields))


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _fields(data: Any, wanted: list[str]) -> dict[str, str]:
    """The wanted fields of a JSON object, as text (nested values and booleans left out)."""
    if not isinstance(data, dict):
        return {}
    out: dict[str, str] = {}
    for name in wanted:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if text.strip():
            out[name] = text.strip()[:MAX_VALUE]
    return out
