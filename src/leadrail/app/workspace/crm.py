"""The CRM: its connection and the built-in CRM's records."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from leadrail.app.workspace.common import (
    Doc,
    Email,
    EnvName,
    check_outbound,
)
from leadrail.routing.normalise import normalise_domain


class CrmContactDoc(Doc):
    email: Email
    owner: str | None = None
    name: str | None = None
    company: str | None = None


def _company_domain(raw: str) -> str:
    domain = normalise_domain(raw)
    if not domain:
        raise ValueError(f"{raw!r} is not a domain (write it like bigco.test)")
    return domain


class CrmCompanyDoc(Doc):
    domain: str | None = None
    domains: list[str] = Field(default_factory=list)
    name: str | None = None
    owner: str | None = None
    tier: str | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str | None) -> str | None:
        return _company_domain(v) if v else v

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        return [_company_domain(d) for d in v]

    @model_validator(mode="after")
    def _some_domain(self) -> CrmCompanyDoc:
        if not self.domain and not self.domains:
            raise ValueError("a company needs a domain (or domains)")
        return self


class CrmLeadDoc(Doc):
    email: Email
    owner: str | None = None
    name: str | None = None
    company: str | None = None


class CrmConnectionDoc(Doc):
    """How to reach HubSpot or Salesforce. Secrets are never in the file: each ``*_env``
    names the environment variable that holds it (LEADRAIL_CRED_...)."""

    url: str | None = Field(default=None, max_length=2000)  # HubSpot API / Salesforce instance
    access_token_env: EnvName | None = None
    refresh_token_env: EnvName | None = None
    client_id: str | None = Field(default=None, max_length=200)
    client_secret_env: EnvName | None = None
    cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    max_retries: int = Field(default=2, ge=0, le=8)  # per call; the outbox retries later too

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/?#]+", v, re.IGNORECASE):
            raise ValueError("url must be an absolute http:// or https:// URL")
        check_outbound(v, info)
        return v


class CrmDoc(Doc):
    provider: Literal["builtin", "hubspot", "salesforce"] = "builtin"
    connection: CrmConnectionDoc | None = None
    contacts: list[CrmContactDoc] = Field(default_factory=list)
    companies: list[CrmCompanyDoc] = Field(default_factory=list)
    leads: list[CrmLeadDoc] = Field(default_factory=list)
