"""The routing core's values: plain, frozen, standard library only.

Users are identified by their lower-cased e-mail address everywhere in the core; the
application layer maps them to database ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from leadrail.routing.trace import Trace

if TYPE_CHECKING:
    from leadrail.routing.conditions import Condition

RoundRobin = Literal["strict", "flexible"]
ResetPeriod = Literal["none", "daily", "weekly", "monthly", "quarterly", "yearly"]
MatchKind = Literal["contacts", "companies", "leads"]
RecordKind = Literal["contact", "lead", "company"]
DestinationKind = Literal["pool", "user", "broadcast", "category", "opportunity_owner"]
# a compiled condition: does it hold for these prospect fields, with these named lists?
Check = Callable[[Mapping[str, str], Mapping[str, frozenset[str]]], bool]
Via = Literal[
    "owner", "memory", "credit", "rotation", "user", "broadcast", "category", "opportunity", "none"
]


@dataclass(frozen=True, slots=True)
class Prospect:
    """A normalised prospect. ``fields`` holds every field by lower-case name, including
    ``email``, ``domain``, ``name``, ``company``, ``utm_*`` and any form or CRM fact
    (``crm.has_owner``...). Values are strings (numbers compared numerically when they parse)."""

    email: str
    domain: str
    free_mail: bool
    fields: Mapping[str, str]

    def get(self, name: str) -> str | None:
        return self.fields.get(name.lower())


@dataclass(frozen=True, slots=True)
class Caps:
    """How much one rep may get: meetings a day and a week (counted in the rep's zone,
    across every router), form leads a day. None: no cap."""

    meetings_per_day: int | None = None
    meetings_per_week: int | None = None
    leads_per_day: int | None = None

    def over(self, base: Caps | None) -> Caps:
        """These caps where set, ``base``'s elsewhere (a router's override of a user's)."""
        if base is None:
            return self
        return Caps(
            base.meetings_per_day if self.meetings_per_day is None else self.meetings_per_day,
            base.meetings_per_week if self.meetings_per_week is None else self.meetings_per_week,
            base.leads_per_day if self.leads_per_day is None else self.leads_per_day,
        )


@dataclass(frozen=True, slots=True)
class Load:
    """What a rep already has, counted by the application for a decision (the meetings of
    the rep's local day and week, the form leads of their local day)."""

    meetings_day: int = 0
    meetings_week: int = 0
    leads_day: int = 0


@dataclass(frozen=True, slots=True)
class Vacation:
    start: date  # first day away (inclusive)
    end: date  # last day away (inclusive)


@dataclass(frozen=True, slots=True)
class UserInfo:
    email: str
    name: str = ""
    active: bool = True
    timezone: str = "UTC"
    crm_owner_id: str | None = None
    vacations: tuple[Vacation, ...] = ()
    credits: int = 0
    online: bool | None = None  # live routing only; None = presence not considered
    caps: Caps | None = None


@dataclass(frozen=True, slots=True)
class Member:
    user: str  # e-mail
    weight: int = 1  # 0 = paused


@dataclass(frozen=True, slots=True)
class PoolSpec:
    key: str  # rotation identity: "<router slug>/<rule name>" or "<router slug>/default"
    team: str | None
    # already narrowed to the selected members; weights 1 when unweighted
    members: tuple[Member, ...]
    round_robin: RoundRobin = "strict"


@dataclass(frozen=True, slots=True)
class Destination:
    kind: DestinationKind
    pool: PoolSpec | None = None  # kind == "pool"
    users: tuple[str, ...] = ()  # kind == "user" (one) or "broadcast" (several)
    category: str | None = None  # kind == "category"
    store: str | None = None  # kind == "category": the store whose addresses take the lead


@dataclass(frozen=True, slots=True)
class OwnershipSpec:
    enabled: bool = False
    match: tuple[MatchKind, ...] = ("contacts", "companies", "leads")
    exact_match: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    when: Condition
    route: Destination
    ownership: OwnershipSpec | None = None  # per-rule ownership, checked when the rule matches
    reason: str = ""  # the admin's own words for why this rule routes so (shown with the trace)


@dataclass(frozen=True, slots=True)
class RouterSpec:
    slug: str
    timezone: str
    rules: tuple[Rule, ...]
    default: Destination
    ownership: OwnershipSpec = field(default_factory=OwnershipSpec)
    reset: ResetPeriod = "none"
    reset_hour: int = 0  # the local hour periods begin at (0: midnight)
    vacation_compensation: bool = True
    memory_hours: float = 2.0
    strip_emails: bool = False
    caps: Caps | None = None  # overrides the users' caps, field by field, in this router
    # each rule's compiled condition (``rule.when.matcher.holds``), in order: set from the
    # rules when built; the engine's loop over the rules
    checks: tuple[Check, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(rule.when.matcher.holds for rule in self.rules))


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """A CRM record the application found for this prospect (contacts and leads by e-mail,
    companies by domain)."""

    kind: RecordKind
    id: str
    matched_on: str  # the e-mail or domain that matched
    owner_id: str | None
    exact: bool  # True when matched by the exact e-mail address
    # the record's properties the router's conditions read (name, text), when asked for
    properties: tuple[tuple[str, str], ...] = ()

    def prop(self, name: str) -> str | None:
        return next((v for k, v in self.properties if k == name), None)


@dataclass(frozen=True, slots=True)
class Opportunity:
    """An open opportunity (deal) of the prospect's contact or company, with its owner."""

    id: str
    owner_id: str | None
    name: str = ""
    stage: str = ""
    amount: str = ""


@dataclass(frozen=True, slots=True)
class PoolState:
    """Rotation state of one pool: the smooth-weighted-round-robin 'current' of each member
    (in weight units; members not listed are at 0) for the period ``period``."""

    period: str
    current: Mapping[str, int] = field(default_factory=dict)
    # turns given back since the last rotation ((user, why): "meeting cancelled", ...): the
    # next rotation's trace says so, and its state no longer carries them
    given_back: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RoutingContext:
    """Everything the engine needs besides the router and prospect, already loaded."""

    users: Mapping[str, UserInfo]  # by e-mail
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)  # named lists, lower-cased
    crm: tuple[CrmRecord, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()  # open ones, when the router reads them
    rotation: Mapping[str, PoolState] = field(default_factory=dict)  # by pool key
    recent_assignee: str | None = None  # got this e-mail within the router's memory window
    available: frozenset[str] | None = None  # flexible: members free at the chosen slot
    load: Mapping[str, Load] | None = None  # counted when caps are set (else not checked)


@dataclass(frozen=True, slots=True)
class Decision:
    assignees: tuple[str, ...]
    rule: str | None  # rule name, "default", or None when decided by router-level ownership
    via: Via
    trace: Trace
    pool_key: str | None = None
    pool_state: PoolState | None = None  # the pool's state after this decision (to persist)
    credit_spent: str | None = None  # user whose meeting credit this decision used
    category: str | None = None
    store: str | None = None  # with a category: the store a rule sent the lead to
    owner_record: CrmRecord | None = None
    decided_at: datetime | None = None

    @property
    def assignee(self) -> str | None:
        return self.assignees[0] if self.assignees else None
