"""The workspace: its revision and settings, users, teams, lists, meeting types, routers,
lead categories, stores and their destinations, sites."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadrail.adapters.db.tables.base import Base, UtcDateTime


class WorkspaceMeta(Base):
    """One row: the workspace's revision (bumped by every change) and its scalar settings."""

    __tablename__ = "workspace_meta"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    crm_owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credits: Mapped[int] = mapped_column(Integer, default=0)
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    live: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # max_chats, aligned
    caps: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # meetings/leads per day, week


class Vacation(Base):
    __tablename__ = "vacations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class TeamMember(Base):
    __tablename__ = "team_members"
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class NamedList(Base):
    __tablename__ = "named_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    values: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # a saved CRM query ({companies: condition, refresh_minutes}): values are its last answer
    query: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class MeetingType(Base):
    __tablename__ = "meeting_types"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)


class Router(Base):
    """A router's settings as its validated workspace document (rules included)."""

    __tablename__ = "routers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    postal_code: Mapped[str | None] = mapped_column(String(20))


class LeadDestination(Base):
    """Where form leads go: a category's, a store's category, or the fallback (both null)."""

    __tablename__ = "lead_destinations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(2000))
    format: Mapped[str] = mapped_column(String(16))
    secret_env: Mapped[str | None] = mapped_column(String(64))
    attach_xml: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Image(Base):
    """An image leadrail serves itself: the workspace logo (``logo``), a rep's photo
    (``rep:<email>``). Checked on upload (type by its bytes, size)."""

    __tablename__ = "images"
    key: Mapped[str] = mapped_column(String(280), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
