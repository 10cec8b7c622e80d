"""Use cases of the engine: route one prospect, simulate a file of prospects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from leadrail.app.capacity import loads
from leadrail.app.crm_facts import CrmFactsRepo
from leadrail.app.enrichment import EnrichingRepo
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.ports import (
    RecordedDecision,
    RouterSnapshot,
    RoutingRepo,
    RoutingTransaction,
    StaleState,
    WouldWait,
)
from leadrail.routing.crm_facts import CrmFound, CrmWant, facts, router_wants, with_facts
from leadrail.routing.engine import route
from leadrail.routing.enrichment import Enriched, enrich
from leadrail.routing.errors import ProspectError
from leadrail.routing.model import (
    CrmRecord,
    Decision,
    PoolState,
    Prospect,
    RouterSpec,
    RoutingContext,
    UserInfo,
)
from leadrail.routing.normalise import normalise_prospect
from leadrail.routing.trace import Trace, TraceStep

RETRIES = 5


def pool_keys(spec: RouterSpec) -> list[str]:
    dests = [r.route for r in spec.rules] + [spec.default]
    return [d.pool.key for d in dests if d.pool is not None]


def needs_crm(spec: RouterSpec) -> bool:
    return spec.ownership.enabled or any(r.ownership and r.ownership.enabled for r in spec.rules)


class Outdated(Exception):
    """The workspace changed since the router's snapshot was taken."""

    def __init__(self, revision: int) -> None:
        self.revision = revision


def snapshot_or_404(repo: RoutingRepo, slug: str, revision: int | None = None) -> RouterSnapshot:
    snap = repo.router(slug, revision=revision)
    if snap is None:
        raise NotFound(f"no router with slug {slug!r}", field="slug")
    return snap


def prospect_from(raw: Mapping[str, Any], spec: RouterSpec) -> Prospect:
    try:
        return normalise_prospect(raw, strip_emails=spec.strip_emails)
    except ProspectError as err:
        raise InvalidInput(err.message, field=err.field) from None


def identified(prospect: Prospect) -> Prospect:
    """``prospect``, unless it has neither an e-mail nor a domain (from a ``domain`` or
    ``website`` field, see docs/routing.md): such a prospect cannot be routed (422)."""
    if not prospect.email and not prospect.domain:
        raise InvalidInput(
            "a prospect needs an e-mail address (or a domain or website field)", field="email"
        )
    return prospect


class ProspectInput:
    """One request's prospect: the fields as sent (``raw``), normalised once and looked up in
    the CRM once, however many times the request routes it (a booking previews the route,
    then decides). Kept per router setting that changes the answer (strip emails; ownership
    on or off; the CRM facts read), since a workspace saved between two routings of a request
    may change it."""

    __slots__ = ("raw", "_prospects", "_crm", "_found", "_enriched")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self._prospects: dict[bool, Prospect] = {}
        self._crm: dict[tuple[str, str], tuple[CrmRecord, ...]] = {}
        self._found: dict[tuple[str, str, CrmWant], CrmFound] = {}
        self._enriched: dict[tuple[str, str], Enriched | None] = {}

    @classmethod
    def of(cls, raw: Mapping[str, Any] | ProspectInput) -> ProspectInput:
        return raw if isinstance(raw, ProspectInput) else cls(raw)

    def prospect(self, spec: RouterSpec) -> Prospect:
        """The normalised prospect for ``spec`` (InvalidInput naming the field when bad)."""
        found = self._prospects.get(spec.strip_emails)
        if found is None:
            found = self._prospects[spec.strip_emails] = prospect_from(self.raw, spec)
        return found

    def crm_records(self, repo: RoutingRepo, spec: RouterSpec) -> tuple[CrmRecord, ...]:
        """The CRM's records of this prospect, when ``spec`` checks ownership (else none)."""
        if not needs_crm(spec):
            return ()
        prospect = self.prospect(spec)
        key = (prospect.email, prospect.domain)
        found = self._crm.get(key)
        if found is None:
            found = self._crm[key] = tuple(repo.crm_records(*key))
        return found

    def routed(
        self, repo: RoutingRepo, spec: RouterSpec
    ) -> tuple[Prospect, CrmFound, tuple[TraceStep, ...]]:
        """The prospect as the engine sees it (enriched where the workspace says so, with the
        CRM facts its rules read instead of any ``crm.`` fields it sent), what the CRM has of
        it (one lookup), and the trace steps of what was added before the rules."""
        prospect, steps = self._enrich(repo, self.prospect(spec))
        want = router_wants(spec)
        if not want:
            return prospect, CrmFound(self.crm_records(repo, spec)), steps
        key = (prospect.email, prospect.domain, want)
        found = self._found.get(key)
        if found is None:
            if isinstance(repo, CrmFactsRepo):
                found = repo.crm_facts(prospect.email, prospect.domain, want)
            else:
                found = CrmFound(tuple(repo.crm_records(prospect.email, prospect.domain)))
            self._found[key] = found
        return with_facts(prospect, facts(found, want)), found, steps

    def _enrich(
        self, repo: RoutingRepo, prospect: Prospect
    ) -> tuple[Prospect, tuple[TraceStep, ...]]:
        if not isinstance(repo, EnrichingRepo) or not (prospect.email or prospect.domain):
            return prospect, ()
        key = (prospect.email, prospect.domain)
        if key not in self._enriched:
            self._enriched[key] = repo.enrichment(*key)
        found = self._enriched[key]
        if found is None:
            return prospect, ()
        prospect, step = enrich(prospect, found)
        return prospect, (step,)


def _with_credits(users: Mapping[str, UserInfo], credits: Mapping[str, int]) -> dict[str, UserInfo]:
    return {
        e: (replace(u, credits=credits.get(e, 0)) if u.credits or e in credits else u)
        for e, u in users.items()
    }


def _decide(
    tx: RoutingTransaction,
    snap: RouterSnapshot,
    prospect: Prospect,
    crm: CrmFound,
    now: datetime,
    available: frozenset[str] | None,
    source: str = "api",
) -> Decision:
    spec = snap.spec
    recent = None
    if prospect.email and spec.memory_hours > 0:
        since = now - timedelta(hours=spec.memory_hours)
        recent = tx.recent_assignee(spec.slug, prospect.email, since)
    # Credits only fall between revisions (spent); none in the snapshot means none now.
    has_credits = any(u.credits for u in snap.users.values())
    ctx = RoutingContext(
        users=_with_credits(snap.users, tx.credits()) if has_credits else snap.users,
        lists=snap.lists,
        crm=crm.records,
        opportunities=crm.opportunities,
        rotation=tx.rotation(pool_keys(spec)),
        recent_assignee=recent,
        available=available,
        load=loads(tx, snap.users, spec.caps, "leads" if source == "lead" else "meetings", now),
    )
    return route(spec, prospect, ctx, now)


def _before(steps: tuple[TraceStep, ...], decision: Decision) -> Decision:
    """The decision with ``steps`` (what was done before the rules) first in its trace."""
    if not steps:
        return decision
    return replace(decision, trace=Trace([*steps, decision.trace.steps]))


def route_prospect(
    repo: RoutingRepo,
    slug: str,
    raw: Mapping[str, Any] | ProspectInput,
    now: datetime,
    *,
    dry_run: bool = False,
    source: str = "api",
    available: frozenset[str] | None = None,
    then: Callable[[RoutingTransaction, RecordedDecision], None] | None = None,
    anonymous: bool = False,
    wait: bool = True,
) -> RecordedDecision:
    """Route one prospect. Unless ``dry_run``, the decision, the rotation state and any credit
    spent are written in one transaction that holds the router's lock. The router's settings
    are checked against the workspace revision inside that transaction. ``then`` runs inside
    the same transaction after the decision is recorded (a booking); if it raises, nothing
    of the decision is kept. A prospect needs an e-mail or a domain (422, nothing recorded)
    unless ``anonymous``: a live visitor (known by its visitor id) or a form lead (reached by
    phone) is routed on what else it has. Pass a ``ProspectInput`` to route one request's
    prospect more than once without normalising it or asking the CRM again.

    ``wait=False`` (an event loop's own thread): decide and record now, or raise
    ``WouldWait`` having done nothing, when that would wait on anything (the write lock,
    the network, a CRM, a router to rebuild); the caller then calls again with waiting
    allowed, in a worker thread. Same transaction, same lock, same guarantees: it only
    saves the hand-over to a thread when the write lock is free."""
    asked = ProspectInput.of(raw)
    snap = snapshot_or_404(repo, slug)
    for _ in range(RETRIES):
        if not anonymous:
            identified(asked.prospect(snap.spec))
        if not wait and (
            dry_run
            or needs_crm(snap.spec)
            or router_wants(snap.spec)
            or (isinstance(repo, EnrichingRepo) and repo.enriches())
        ):
            raise WouldWait("a dry run, a CRM lookup or enrichment: in a worker thread")
        prospect, crm, before = asked.routed(repo, snap.spec)
        try:
            with repo.transaction(slug, write=not dry_run, wait=wait) as tx:
                revision = tx.revision()
                if revision != snap.revision:
                    raise Outdated(revision)
                decision = _before(before, _decide(tx, snap, prospect, crm, now, available, source))
                decision_id = (
                    None
                    if dry_run
                    else tx.record(slug, prospect, decision, source=source, raw=asked.raw)
                )
                recorded = RecordedDecision(decision_id, slug, decision, prospect, now)
                if then is not None:
                    then(tx, recorded)
            return recorded
        except Outdated as changed:
            if not wait:
                raise WouldWait("the router changed: rebuilt in a worker thread") from None
            snap = snapshot_or_404(repo, slug, revision=changed.revision)
        except StaleState:
            continue
    raise StaleState(f"router {slug!r} is too busy; try again")


@dataclass
class Simulation:
    router: str
    prospects: int = 0
    by_member: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    by_via: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, message)
    decisions: list[Decision] = field(default_factory=list)


def simulate(
    repo: RoutingRepo,
    slug: str,
    rows: Iterable[Mapping[str, Any]],
    now: datetime,
    *,
    keep_decisions: bool = False,
) -> Simulation:
    """Dry-run many prospects in order, carrying rotation state and credits from one to the
    next in memory, as if they had been routed for real; nothing is written."""
    snap = snapshot_or_404(repo, slug)
    sim = Simulation(router=slug)
    with repo.transaction(slug, write=False) as tx:
        rotation: dict[str, PoolState] = dict(tx.rotation(pool_keys(snap.spec)))
        users = _with_credits(snap.users, tx.credits())
    memory: dict[str, str] = {}
    for i, raw in enumerate(rows, start=1):
        asked = ProspectInput(raw)
        try:
            identified(asked.prospect(snap.spec))
        except InvalidInput as err:
            sim.errors.append((i, err.field or "", err.message))
            continue
        prospect, crm, before = asked.routed(repo, snap.spec)
        ctx = RoutingContext(
            users=users,
            lists=snap.lists,
            crm=crm.records,
            opportunities=crm.opportunities,
            rotation=rotation,
            recent_assignee=memory.get(prospect.email) if snap.spec.memory_hours else None,
        )
        decision = _before(before, route(snap.spec, prospect, ctx, now))
        if decision.pool_key and decision.pool_state is not None:
            rotation[decision.pool_key] = decision.pool_state
        if decision.credit_spent:
            u = users[decision.credit_spent]
            users[decision.credit_spent] = replace(u, credits=max(0, u.credits - 1))
        if prospect.email and decision.assignee:
            memory[prospect.email] = decision.assignee
        sim.prospects += 1
        for a in decision.assignees or ("(nobody)",):
            sim.by_member[a] += 1
        sim.by_rule[decision.rule or "(owner)"] += 1
        sim.by_via[decision.via] += 1
        if keep_decisions:
            sim.decisions.append(decision)
    return sim
