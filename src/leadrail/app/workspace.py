"""The workspace document: the YAML file, the JSON of ``/api/v1/workspace``, one shape.

Shapes are checked by Pydantic; cross references (teams, users, lists, rule conditions) by
``check_references``. Every problem is reported with its path, e.g.
``routers[2].rules[0].when.op: unknown operator 'equalz' (did you mean 'equals'?)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from leadrail.app.errors import InvalidWorkspace, Problem
from leadrail.app.references import check_references
from leadrail.routing.normalise import normalise_domain
from leadrail.scheduling.model import parse_working_hours

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _lower(v: object) -> object:
    return v.strip().lower() if isinstance(v, str) else v


Email = Annotated[str, BeforeValidator(_lower), Field(pattern=EMAIL, max_length=254)]
Slug = Annotated[str, Field(pattern=SLUG)]
Name = Annotated[str, Field(min_length=1, max_length=120)]


# Secrets are never in the document: it names environment variables that hold them, and only
# names with this prefix, so no setting of the server itself (LEADRAIL_SECRET_KEY,
# LEADRAIL_DATABASE_URL, ...) can be sent anywhere as a credential.
CREDENTIAL_PREFIX = "LEADRAIL_CRED_"
STORED = {"stored": True}  # validation context: a document read back from the database
URL_CHECK = "outbound_url_problem"  # validation context key: Callable[[str], str | None]


def is_credential_name(name: str) -> bool:
    return re.fullmatch(CREDENTIAL_PREFIX + r"[A-Z0-9_]{1,50}", name) is not None


def _env_name(v: str, info: ValidationInfo) -> str:
    if not re.fullmatch(r"[A-Z_][A-Z0-9_]{0,63}", v):
        raise ValueError(
            "the name of an environment variable (capital letters, digits, _), never the "
            "secret itself"
        )
    if not _stored(info) and not is_credential_name(v):
        raise ValueError(
            f"must start with {CREDENTIAL_PREFIX} (server settings cannot be used as credentials)"
        )
    return v


EnvName = Annotated[str, AfterValidator(_env_name)]


def _stored(info: ValidationInfo) -> bool:
    """Read back from the database: rules added since it was saved are checked where the
    value is used, so an upgrade never makes the stored workspace unreadable."""
    return bool(info.context and info.context.get("stored"))


def _outbound(url: str | None, info: ValidationInfo) -> None:
    """A user-typed URL leadrail will call: refused when it names a non-public address or a
    local network name (the operator's allow-list decides; ``URL_CHECK`` in the context)."""
    check: Callable[[str], str | None] | None = (info.context or {}).get(URL_CHECK)
    problem = check(url) if check is not None and url else None
    if problem:
        raise ValueError(problem)


def url_origin(url: str) -> str:
    """``scheme://host:port`` of a URL (lowercase, default ports made explicit)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = 0
    return f"{scheme}://{(parts.hostname or '').rstrip('.')}:{port}"


def check_timezone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {v!r} (use an IANA name such as Europe/Paris)"
        ) from None
    return v


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class VacationDoc(Doc):
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> VacationDoc:
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self


class CalendarDoc(Doc):
    """A rep's calendar: leadrail's built-in one (default), or a CalDAV calendar collection
    whose busy times are honoured and into which booked meetings are written. The password
    is never in clear: either the rep typed it in *My settings* and it is kept encrypted
    (``password_encrypted``, bound to the rep and the server), or an admin names the
    environment variable that holds it (``password_env``, LEADRAIL_CRED_...)."""

    provider: Literal["builtin", "caldav"] = "builtin"
    url: str | None = Field(default=None, max_length=2000)
    username: str | None = Field(default=None, max_length=254)
    password_env: EnvName | None = None
    password_encrypted: str | None = Field(
        default=None, pattern=r"^v1\.[A-Za-z0-9_-]{20,1400}$", max_length=1500
    )

    @field_validator("url")
    @classmethod
    def _guarded(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v and not _stored(info) and re.match(r"^[a-z][a-z0-9+.-]*://[^/?#]*@", v, re.I):
            raise ValueError("no user name or password in the URL: use username and password")
        _outbound(v, info)
        return v

    @model_validator(mode="after")
    def _url(self) -> CalendarDoc:
        if self.provider == "caldav" and not (
            self.url and re.match(r"^https?://[^\s/?#]+", self.url)
        ):
            raise ValueError("a caldav calendar needs url: the http(s) URL of the collection")
        if self.password_env and self.password_encrypted:
            raise ValueError("a password is typed or named by password_env, not both")
        return self


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


class ListDoc(Doc):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")]
    values: list[Annotated[str, BeforeValidator(_lower), Field(min_length=1, max_length=254)]]


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


class RouteDoc(Doc):
    """A rule's destination: exactly one of team (a pool), user, broadcast, category."""

    team: str | None = None
    members: Literal["all"] | list[Email] = "all"
    round_robin: Literal["strict", "flexible"] = "strict"
    weighted: bool = True
    user: Email | None = None
    broadcast: list[Email] | None = None
    category: str | None = None
    store: str | None = None  # with category: that store's addresses for it

    @model_validator(mode="after")
    def _one_kind(self) -> RouteDoc:
        kinds = [k for k in ("team", "user", "broadcast", "category") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a route names exactly one of team, user, broadcast, category")
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
    reset: Literal["none", "daily", "weekly", "monthly"] = "none"
    vacation_compensation: bool = True
    memory_hours: float = Field(default=2.0, ge=0, le=24 * 90)
    crm: RouterCrmDoc = Field(default_factory=RouterCrmDoc)

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))

    @field_validator("redirect_url")
    @classmethod
    def _redirect(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/?#]+", v, re.IGNORECASE):
            raise ValueError("redirect_url must be an absolute http:// or https:// URL")
        return v


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
        _outbound(v, info)
        return v


class CrmDoc(Doc):
    provider: Literal["builtin", "hubspot", "salesforce"] = "builtin"
    connection: CrmConnectionDoc | None = None
    contacts: list[CrmContactDoc] = Field(default_factory=list)
    companies: list[CrmCompanyDoc] = Field(default_factory=list)
    leads: list[CrmLeadDoc] = Field(default_factory=list)


class DestinationDoc(Doc):
    """Where a lead goes: an e-mail address (adf, text, html) or a webhook URL (json). A
    webhook's signing secret ("whsec_...") is read from the environment variable named by
    ``secret_env`` (LEADRAIL_CRED_...); it is never in the file."""

    address: str = Field(min_length=3, max_length=2000)
    format: Literal["adf", "text", "html", "json"] = "adf"
    secret_env: EnvName | None = None
    attach_xml: bool = False  # adf: also attach the document as lead.xml

    @field_validator("address")
    @classmethod
    def _webhook(cls, v: str, info: ValidationInfo) -> str:
        if re.match(r"^https?://", v, re.IGNORECASE):
            _outbound(v, info)
        return v

    @model_validator(mode="after")
    def _address(self) -> DestinationDoc:
        if self.format == "json":
            if not re.match(r"^https?://[^\s/?#]+", self.address):
                raise ValueError("a json destination's address is an http(s) webhook URL")
        elif not re.match(EMAIL, self.address):
            raise ValueError(f"a {self.format} destination's address is an e-mail address")
        return self


class CategoryDoc(Doc):
    name: Name
    destinations: list[DestinationDoc] = Field(default_factory=list)


class StoreDoc(Doc):
    name: Name
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    postal_code: str | None = None
    categories: dict[str, list[DestinationDoc]] = Field(default_factory=dict)


class QuestionDoc(Doc):
    field: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    label: Name


class LiveStepDoc(Doc):
    router: str


OfferKind = Literal["booker", "message", "questions"]


def _message_only() -> list[OfferKind]:
    return ["message"]


class LiveChatDoc(Doc):
    router: str
    countdown_seconds: int = Field(default=30, ge=5, le=300)
    questions: list[QuestionDoc] = Field(default_factory=list, max_length=20)
    offer: list[OfferKind] = Field(default_factory=_message_only)
    booker_router: str | None = None
    message_category: str | None = None

    @model_validator(mode="after")
    def _offers(self) -> LiveChatDoc:
        if len(set(self.offer)) != len(self.offer):
            raise ValueError("offer lists each of booker, message, questions at most once")
        if "booker" in self.offer and not self.booker_router:
            raise ValueError("the booker offer needs booker_router: a click router's slug")
        if "questions" in self.offer and not self.questions:
            raise ValueError("the questions offer needs questions")
        return self


class LiveDoc(Doc):
    pounce: LiveStepDoc | None = None
    chat: LiveChatDoc | None = None


def _origin(v: object) -> object:
    if isinstance(v, str):
        v = v.strip().rstrip("/").lower()
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?", v):
            raise ValueError(f"{v!r} is not an origin (write it like https://www.acme.test)")
    return v


Origin = Annotated[str, BeforeValidator(_origin)]


class SiteDoc(Doc):
    """A website that sends leads (and, later, visitors). ``key`` is public: it goes in the
    site's pages; it only lets the site submit leads."""

    name: Name
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")
    thank_you_url: str | None = Field(default=None, max_length=2000)
    router: str | None = None  # route the lead's prospect: a rule may pick the category
    origins: list[Origin] = Field(default_factory=list)  # pages allowed to send visitor events
    live: LiveDoc | None = None  # live visitor routing (pounce, chat)

    @field_validator("thank_you_url")
    @classmethod
    def _thanks(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/?#]+", v, re.IGNORECASE):
            raise ValueError("thank_you_url must be an absolute http:// or https:// URL")
        return v


class WorkspaceDoc(Doc):
    timezone: str = "UTC"
    users: list[UserDoc] | None = None
    teams: list[TeamDoc] | None = None
    lists: list[ListDoc] | None = None
    meeting_types: list[MeetingTypeDoc] | None = None
    routers: list[RouterDoc] | None = None
    crm: CrmDoc | None = None
    categories: list[CategoryDoc] | None = None
    fallback_destination: DestinationDoc | None = None
    stores: list[StoreDoc] | None = None
    nearest_store_routing: bool = False
    nearest_store_max_km: float | None = Field(default=None, gt=0, le=20000)
    sites: list[SiteDoc] | None = None

    _tz = field_validator("timezone")(check_timezone)


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "int", "float", "bool") or part.startswith(
            ("function-", "literal[", "list[", "dict[")
        ):
            continue  # pydantic's union branch tags: not part of the user's path
        else:
            out += f".{part}" if out else part
    return out


def problems_from(err: ValidationError, prefix: str = "") -> list[Problem]:
    out = []
    for e in err.errors():
        path = format_loc(tuple(e["loc"]))
        if prefix:
            path = f"{prefix}.{path}" if path and not path.startswith("[") else prefix + path
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown setting"
        out.append(Problem(path, msg))
    # Several union branches can report the same spot: keep each message once.
    seen: set[tuple[str, str]] = set()
    unique = []
    for p in out:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            unique.append(p)
    return unique


SECTIONS = (
    "users", "teams", "lists", "meeting_types", "routers", "categories", "stores", "sites",
)  # fmt: skip


def parse_workspace(
    data: object,
    base: WorkspaceDoc | None = None,
    url_problem: Callable[[str], str | None] | None = None,
) -> WorkspaceDoc:
    """Shape-check a workspace document and its references; raise InvalidWorkspace naming
    every problem. Sections the document leaves out are taken from ``base`` (the current
    workspace), so a file holding only ``routers`` can refer to teams defined earlier.
    ``url_problem`` says why an outbound URL (CalDAV, webhook, CRM) cannot be saved."""
    if not isinstance(data, dict):
        raise InvalidWorkspace([Problem("", "the workspace document must be a mapping")])
    try:
        context = {URL_CHECK: url_problem} if url_problem is not None else None
        doc = WorkspaceDoc.model_validate(data, context=context)
    except ValidationError as err:
        raise InvalidWorkspace(problems_from(err)) from None
    if base is not None:
        merged = {s: getattr(base, s) for s in SECTIONS if getattr(doc, s) is None}
        for key in (
            "timezone",
            "nearest_store_routing",
            "fallback_destination",
            "nearest_store_max_km",
        ):
            if key not in data:
                merged[key] = getattr(base, key)
        doc = doc.model_copy(update=merged)
    problems = check_references(doc)
    if problems:
        raise InvalidWorkspace(problems)
    return doc
