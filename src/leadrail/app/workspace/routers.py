"""Meeting types and routers (rules, routes, ownership, CRM writes)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from leadrail.app.workspace.common import (
    Doc,
    Email,
    Name,
    Slug,
    check_timezone,
)
from leadrail.app.workspace.people import CapsDoc


class MeetingTypeDoc(Doc):
    slug: Slug
    name: Name
    duration_minutes: int = Field(ge=5, le=480)
    slot_interval_minutes: int | None = Field(default=None, ge=5, le=480)
    buffer_before_minutes: int = Field(default=0, ge=0, le=240)
    buffer_after_minutes: int = Field(default=0, ge=0, le=240)
    minimum_notice_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    horizon_days: int = Field(default=30, ge=1, le=365)
    location: str | None = Field(default=None, max_length=500)
    # a Google Meet / Microsoft Teams link in the rep's connected calendar's event
    online_meeting: bool = False
    # e-mails to the prospect and the rep this many hours before (unset: 24 and 1; []: none)
    reminders_hours: list[Annotated[int, Field(ge=1, le=24 * 14)]] | None = Field(
        default=None, max_length=5
    )


ROUTE_KINDS = ("team", "user", "broadcast", "category", "opportunity_owner")


class RouteDoc(Doc):
    """A rule's destination: exactly one of team (a pool), user, broadcast, category,
    opportunity_owner (the owner of the prospect's open opportunity in the CRM)."""

    team: str | None = None
    members: Literal["all"] | list[Email] = "all"
    round_robin: Literal["strict", "flexible"] = "strict"
    weighted: bool = True
    user: Email | None = None
    broadcast: list[Email] | None = None
    category: str | None = None
    store: str | None = None  # with category: that store's addresses for it
    opportunity_owner: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> RouteDoc:
        kinds = [k for k in ROUTE_KINDS if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "a route names exactly one of team, user, broadcast, category, opportunity_owner"
            )
        if self.store is not None and self.category is None:
            raise ValueError("a route's store goes with a category: {category: X, store: Y}")
        return self


MatchKind = Literal["contacts", "companies", "leads"]


def _all_kinds() -> list[MatchKind]:
    return ["contacts", "companies", "leads"]


class OwnershipDoc(Doc):
    enabled: bool = False
    match: list[MatchKind] = Field(default_factory=_all_kinds)
    exact_match: bool = False
    include_aligned: bool = False  # live routing: the owner's aligned users come along


class RuleDoc(Doc):
    name: Name
    when: dict[str, Any]
    route: RouteDoc
    ownership: OwnershipDoc | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=300)


class RouterCrmDoc(Doc):
    create_or_update: bool = False
    record_type: Literal["contact", "lead"] = "contact"
    set_owner: bool = False
    create_meeting: bool = False


class RouterDoc(Doc):
    slug: Slug
    title: Name
    timezone: str | None = None
    meeting_type: str | None = None
    display_notes: bool = False
    strip_emails: bool = False
    redirect_url: str | None = Field(default=None, max_length=2000)
    default_guests: list[Email] = Field(default_factory=list)
    ownership: OwnershipDoc = Field(default_factory=OwnershipDoc)
    rules: list[RuleDoc] = Field(default_factory=list)
    default: RouteDoc
    reset: Literal["none", "daily", "weekly", "monthly", "quarterly", "yearly"] = "none"
    reset_hour: int = Field(default=0, ge=0, le=23)  # the local hour periods begin at
    vacation_compensation: bool = True
    caps: CapsDoc | None = None  # overrides each user's caps, field by field, in this router
    # a cancelled / no-show meeting returns its rep's rotation turn
    give_back_turn_on: list[Literal["cancel", "no_show"]] = Field(default_factory=list)
    memory_hours: float = Field(default=2.0, ge=0, le=24 * 90)
    crm: RouterCrmDoc = Field(default_factory=RouterCrmDoc)

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))

    @field_validator("redirect_url")
    @classmethod
    def _redirect(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/?#]+", v, re.IGNORECASE):
            raise ValueError("redirect_url must be an absolute http:// or https:// URL")
        return v
