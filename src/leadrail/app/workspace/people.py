"""Users (with their vacations and calendars), teams and named lists."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from leadrail.app.workspace.common import (
    Doc,
    Email,
    EnvName,
    Name,
    check_outbound,
    check_timezone,
    is_stored,
    lower_text,
)
from leadrail.routing.condition_schema import validate_condition
from leadrail.scheduling.model import parse_working_hours


class VacationDoc(Doc):
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> VacationDoc:
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self


class CalendarDoc(Doc):
    """A rep's calendar: leadrail's built-in one (default), a CalDAV calendar collection, or
    the rep's Google Calendar / Microsoft 365 calendar (connected by OAuth from *My
    settings*: the grant is kept apart, sealed, never in this document): busy times are
    honoured and booked meetings are written into it. ``calendars``: with Google, the
    calendars whose busy time counts (``primary`` when empty). The CalDAV password
    is never in clear: either the rep typed it in *My settings* and it is kept encrypted
    (``password_encrypted``, bound to the rep and the server), or an admin names the
    environment variable that holds it (``password_env``, LEADRAIL_CRED_...)."""

    provider: Literal["builtin", "caldav", "google", "microsoft"] = "builtin"
    url: str | None = Field(default=None, max_length=2000)
    username: str | None = Field(default=None, max_length=254)
    password_env: EnvName | None = None
    password_encrypted: str | None = Field(
        default=None, pattern=r"^v1\.[A-Za-z0-9_-]{20,1400}$", max_length=1500
    )
    calendars: list[Annotated[str, Field(min_length=1, max_length=254)]] = Field(
        default_factory=list, max_length=20
    )

    @field_validator("url")
    @classmethod
    def _guarded(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v and not is_stored(info) and re.match(r"^[a-z][a-z0-9+.-]*://[^/?#]*@", v, re.I):
            raise ValueError("no user name or password in the URL: use username and password")
        check_outbound(v, info)
        return v

    @model_validator(mode="after")
    def _url(self) -> CalendarDoc:
        if self.provider == "caldav" and not (
            self.url and re.match(r"^https?://[^\s/?#]+", self.url)
        ):
            raise ValueError("a caldav calendar needs url: the http(s) URL of the collection")
        if self.provider in ("google", "microsoft") and (self.url or self.username):
            raise ValueError(f"a {self.provider} calendar takes no url nor username")
        if self.calendars and self.provider != "google":
            raise ValueError("calendars: only a google calendar reads several calendars")
        if self.password_env and self.password_encrypted:
            raise ValueError("a password is typed or named by password_env, not both")
        return self


class CapsDoc(Doc):
    """At most this many for one rep (None: no cap): meetings starting on one local day or
    ISO week of the rep (across every router), form leads given on one local day. A rep at
    a cap is passed over ("cap reached" in the trace) and a capped day has no slots."""

    meetings_per_day: int | None = Field(default=None, ge=0, le=1000)
    meetings_per_week: int | None = Field(default=None, ge=0, le=5000)
    leads_per_day: int | None = Field(default=None, ge=0, le=100000)


class UserDoc(Doc):
    email: Email
    name: str = Field(default="", max_length=120)
    timezone: str | None = None
    working_hours: dict[str, str] = Field(default_factory=dict)
    crm_owner_id: str | None = Field(default=None, max_length=64)
    vacations: list[VacationDoc] = Field(default_factory=list)
    credits: int = Field(default=0, ge=0)
    calendar: CalendarDoc | None = None
    active: bool = True
    admin: bool = False
    max_chats: int = Field(default=3, ge=1, le=50)  # live chats at once
    aligned: list[Email] = Field(default_factory=list)  # routed with this user as live owner
    caps: CapsDoc | None = None

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, v: dict[str, str]) -> dict[str, str]:
        parse_working_hours(v)  # the scheduler's own parser: what it accepts is valid
        return v


class TeamMemberDoc(Doc):
    user: Email
    weight: int = Field(default=1, ge=0, le=1000)


def _member(v: object) -> object:
    return {"user": v} if isinstance(v, str) else v


class TeamDoc(Doc):
    name: Name
    members: list[Annotated[TeamMemberDoc, BeforeValidator(_member)]] = Field(default_factory=list)


class ListQueryDoc(Doc):
    """A saved CRM query: the domains of the companies ``companies`` (a condition over
    company fields: ``name``, ``owner``, ``tier``, ``domain``, any property) holds for,
    read again every ``refresh_minutes`` by the worker."""

    companies: dict[str, Any]
    refresh_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)

    @field_validator("companies")
    @classmethod
    def _condition(cls, v: dict[str, Any]) -> dict[str, Any]:
        errors = validate_condition(v, "companies")
        if errors:
            raise ValueError(f"{errors[0].path}: {errors[0].message}")
        return v


class ListDoc(Doc):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")]
    values: list[
        Annotated[str, BeforeValidator(lower_text), Field(min_length=1, max_length=254)]
    ] = Field(default_factory=list)
    query: ListQueryDoc | None = None  # target accounts from the CRM (values: its last answer)
