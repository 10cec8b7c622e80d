"""The built-in CRM: contacts, leads, companies and their domains; what was written to a CRM."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


class CrmContact(Base):
    __tablename__ = "crm_contacts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CrmLead(Base):
    __tablename__ = "crm_leads"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CrmCompany(Base):
    __tablename__ = "crm_companies"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[str | None] = mapped_column(String(64))
    tier: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CrmOpportunity(Base):
    """An opportunity (deal) of a contact (by e-mail) or a company (by domain)."""

    __tablename__ = "crm_opportunities"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # the operator's own id
    name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[str | None] = mapped_column(String(32))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    domain: Mapped[str | None] = mapped_column(String(253), index=True)


class CrmCompanyDomain(Base):
    __tablename__ = "crm_company_domains"
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("crm_companies.id", ondelete="CASCADE"), index=True
    )


class CrmActivity(Base):
    """A meeting logged on a built-in CRM record (what HubSpot calls an engagement)."""

    __tablename__ = "crm_activities"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
