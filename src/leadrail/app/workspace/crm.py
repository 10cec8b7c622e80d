"""The CRM: its connection and the built-in CRM's records."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
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

PropertyName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]
# a record's own fields, read by conditions as crm.<kind>.<name> (crm.company.industry)
Properties = dict[PropertyName, str | int | float | bool]


def _properties() -> Properties:
    return {}


def outbound_url(v: str | None, info: ValidationInfo) -> str | None:
    """An absolute http(s) URL leadrail will call, through the outbound guard's rules."""
    if v is not None and not re.match(r"^https?://[^\s/?#]+", v, re.IGNORECASE):
        raise ValueError("url must be an absolute http:// or https:// URL")
    check_outbound(v, info)
    return v


class CrmContactDoc(Doc):
    email: Email
    owner: str | None = None
    name: str | None = None
    company: str | None = None
    properties: Properties = Field(default_factory=_properties, max_length=100)


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
    properties: Properties = Field(default_factory=_properties, max_length=100)

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
    properties: Properties = Field(default_factory=_properties, max_length=100)


def amount_text(v: str | float) -> str:
    """An amount as stored: ``50000.0`` -> ``"50000"``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


class CrmOpportunityDoc(Doc):
    """An opportunity (deal) of a contact (``email``) or a company (``domain``, parent
    domains included). Only open ones count for ``crm.opportunity.*`` and its owner route."""

    id: str = Field(min_length=1, max_length=64)  # your own id: the record to update
    name: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=64)
    stage: str | None = Field(default=None, max_length=64)
    amount: str | float | None = None
    open: bool = True
    email: Email | None = None
    domain: Annotated[str, AfterValidator(_company_domain)] | None = None

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: str | float | None) -> str | float | None:
        if isinstance(v, str) and len(v) > 32:
            raise ValueError("at most 32 characters")
        return v

    @model_validator(mode="after")
    def _of_someone(self) -> CrmOpportunityDoc:
        if not self.email and not self.domain:
            raise ValueError("an opportunity needs the contact's email or the company's domain")
        return self


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
        return outbound_url(v, info)


# a CRM's own name for a property or field (HubSpot internal names, Salesforce API names)
CrmName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,99}$")]
FactName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]


def _names() -> dict[str, str]:
    return {}


class CrmReadDoc(Doc):
    """Per record kind: the name a condition uses (``crm.company.tier``: ``tier``) -> the
    CRM's property. Names not listed are asked for as they are."""

    contact: dict[FactName, CrmName] = Field(default_factory=_names, max_length=100)
    lead: dict[FactName, CrmName] = Field(default_factory=_names, max_length=100)
    company: dict[FactName, CrmName] = Field(default_factory=_names, max_length=100)


class CrmMappingDoc(Doc):
    """Which CRM properties are read into conditions and written back, and where owners and
    company domains live (docs/crm.md, "Field mapping")."""

    read: CrmReadDoc = Field(default_factory=CrmReadDoc)
    # a prospect field (as submitted) -> the contact's or lead's property it is written to
    write: dict[FactName, CrmName] = Field(default_factory=_names, max_length=100)
    # the property holding a record's owner (default: hubspot_owner_id, OwnerId)
    owner_field: CrmName | None = None
    # HubSpot: more company properties holding domains, searched too (hs_additional_domains)
    company_domains: list[CrmName] = Field(default_factory=list, max_length=4)
    # Salesforce: a queue's id -> the team it stands for (crm.<kind>.owner_team)
    queues: dict[Annotated[str, Field(min_length=1, max_length=64)], str] = Field(
        default_factory=_names, max_length=200
    )


def _enriched_fields() -> list[FactName]:
    return ["company_size", "industry", "country"]


class CrmEnrichmentDoc(Doc):
    """The enrichment step before the rules (docs/routing.md, "Enrichment"): ``builtin``
    reads the built-in CRM's company of the prospect's domain, ``http`` asks the operator's
    service (``GET url?domain=...&email=...``, answering a JSON object of fields)."""

    provider: Literal["none", "builtin", "http"] = "none"
    url: str | None = Field(default=None, max_length=2000)
    token_env: EnvName | None = None  # sent as "Authorization: Bearer <value>"
    timeout_seconds: float = Field(default=0.5, ge=0.05, le=10)
    cache_seconds: float = Field(default=3600, ge=0, le=7 * 86400)
    fields: list[FactName] = Field(default_factory=_enriched_fields, min_length=1, max_length=50)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None, info: ValidationInfo) -> str | None:
        return outbound_url(v, info)

    @model_validator(mode="after")
    def _http_url(self) -> CrmEnrichmentDoc:
        if self.provider == "http" and not self.url:
            raise ValueError("an http enrichment needs url: the service to ask")
        return self


class CrmDoc(Doc):
    provider: Literal["builtin", "hubspot", "salesforce"] = "builtin"
    connection: CrmConnectionDoc | None = None
    mapping: CrmMappingDoc = Field(default_factory=CrmMappingDoc)
    enrichment: CrmEnrichmentDoc = Field(default_factory=CrmEnrichmentDoc)
    contacts: list[CrmContactDoc] = Field(default_factory=list)
    companies: list[CrmCompanyDoc] = Field(default_factory=list)
    leads: list[CrmLeadDoc] = Field(default_factory=list)
    opportunities: list[CrmOpportunityDoc] = Field(default_factory=list)
