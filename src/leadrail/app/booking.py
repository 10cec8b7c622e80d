"""Click routers: who can take a prospect, and booking a meeting.

Strict pools and single owners: the rep is chosen when the link is opened (recorded in the
ledger) and the page shows that rep's slots. Flexible pools: the page shows the union of the
pool's slots, and the rep is chosen at booking, among the members free at that slot, in the
same transaction that books the meeting.

One request normalises its prospect once and asks the CRM once (a ``ProspectInput``), however
many times it routes: a preview, then the decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadrail.app.errors import InvalidInput
from leadrail.app.meetings.reminders import reminder_jobs
from leadrail.app.outbox.jobs import JobKind
from leadrail.app.ports import (
    BookingTransaction,
    BusyCalendar,
    ClickRouterRepo,
    Job,
    NewMeeting,
    RecordedDecision,
    RouterSnapshot,
    SlotTaken,
)
from leadrail.app.route import ProspectInput, route_prospect, snapshot_or_404
from leadrail.app.slots import Busy, closed_reason, external_busy, meeting_spec, slots, why_not
from leadrail.routing.model import PoolSpec, Prospect
from leadrail.scheduling.model import Interval

REUSE_DECISION = timedelta(hours=24)  # a reopened link keeps its rep for this long
NOBODY = "nobody can take this meeting right now"


@dataclass(frozen=True)
class Candidates:
    """Whose calendars a prospect can book: one rep, or a flexible pool's members."""

    reps: tuple[str, ...]
    flexible: bool
    decision: RecordedDecision
    decision_id: str | None  # the recorded decision behind ``reps`` (None: a preview)


def _pool(snap: RouterSnapshot, key: str | None) -> PoolSpec | None:
    dests = [r.route for r in snap.spec.rules] + [snap.spec.default]
    return next((d.pool for d in dests if d.pool is not None and d.pool.key == key), None)


def _active(snap: RouterSnapshot, email: str) -> bool:
    user = snap.users.get(email)
    return user is not None and user.active


def candidates(
    repo: ClickRouterRepo,
    snap: RouterSnapshot,
    raw: Mapping[str, Any] | ProspectInput,
    now: datetime,
    *,
    record: bool,
) -> Candidates:
    """Who can take this prospect. A flexible rotation is only previewed (its turn is taken at
    booking); anything else is decided now and recorded, unless a decision for this e-mail
    on this router is already in the ledger from the last day (a reopened link)."""
    slug, asked = snap.doc.slug, ProspectInput.of(raw)
    preview = route_prospect(repo, slug, asked, now, dry_run=True, source="click")
    pool = _pool(snap, preview.decision.pool_key)
    if preview.decision.via == "rotation" and pool is not None and pool.round_robin == "flexible":
        members = tuple(m.user for m in pool.members if m.weight > 0 and _active(snap, m.user))
        return Candidates(members, True, preview, None)
    earlier = repo.latest_decision(slug, preview.prospect.email, now - REUSE_DECISION)
    if earlier is not None and earlier.assignees and _active(snap, earlier.assignees[0]):
        return Candidates((earlier.assignees[0],), False, preview, earlier.id)
    decided = route_prospect(repo, slug, asked, now, source="click") if record else preview
    return Candidates(decided.decision.assignees[:1], False, decided, decided.id)


@dataclass(frozen=True)
class Booked:
    meeting_id: str
    rep: str
    start: datetime
    end: datetime
    decision_id: str | None
    redirect_url: str | None


@dataclass(frozen=True)
class _Request:
    """One booking request: the router, the prospect as sent and normalised, the time."""

    snap: RouterSnapshot
    asked: ProspectInput
    start: datetime
    notes: str
    now: datetime
    timezone: str | None = None
    locale: str | None = None


def _new_meeting(
    req: _Request, rep: str, prospect: Prospect, decision_id: str | None
) -> NewMeeting:
    snap = req.snap
    location = snap.meeting.location if snap.meeting else None
    return NewMeeting(
        id=uuid.uuid4().hex, router=snap.doc.slug, rep=rep, start=req.start,
        end=req.start + meeting_spec(snap).duration, email=prospect.email,
        name=str(req.asked.raw.get("name") or "")[:200],
        notes=req.notes if snap.doc.display_notes else "", guests=list(snap.doc.default_guests),
        location=location, prospect=dict(prospect.fields), decision_id=decision_id,
        meeting_type=snap.meeting.slug if snap.meeting else None,
        timezone=req.timezone, locale=req.locale,
    )  # fmt: skip


def _book_in(tx: BookingTransaction, external: Busy, req: _Request, meeting: NewMeeting) -> None:
    reason = why_not(tx, external, req.snap, meeting.rep, req.start, req.now)
    if reason is not None:
        raise SlotTaken(reason)
    tx.insert_meeting(meeting, req.now)
    tx.enqueue(Job(JobKind.INVITE, meeting.id, {"method": "REQUEST"}), req.now)
    tx.enqueue(Job(JobKind.CALENDAR_PUT, meeting.id), req.now)
    for job in reminder_jobs(req.snap, meeting.id, req.start, req.now):
        tx.enqueue(job, req.now)
    crm = req.snap.doc.crm
    if crm.create_or_update or crm.create_meeting:
        tx.enqueue(Job(JobKind.CRM_SYNC, meeting.id), req.now)


def _booked(req: _Request, meeting: NewMeeting, decision_id: str | None) -> Booked:
    redirect = req.snap.doc.redirect_url
    return Booked(meeting.id, meeting.rep, meeting.start, meeting.end, decision_id, redirect)


def book(
    repo: ClickRouterRepo,
    calendar: BusyCalendar,
    slug: str,
    raw: Mapping[str, Any],
    start: datetime,
    now: datetime,
    *,
    notes: str = "",
    timezone: str | None = None,
    locale: str | None = None,
) -> Booked:
    """Book ``start`` for this prospect, or raise SlotTaken (nothing written) with a reason
    the prospect can read. ``timezone`` and ``locale``: the prospect's, kept with the meeting
    for their pages and e-mails."""
    snap = snapshot_or_404(repo, slug)
    meeting_spec(snap)  # a router without a meeting type is refused before anything is kept
    req = _Request(snap, ProspectInput(raw), start, notes, now, timezone, locale)
    prospect = req.asked.prospect(snap.spec)
    if not prospect.email:
        raise InvalidInput("an e-mail address is needed to book", field="email")
    if start.tzinfo is None:
        raise InvalidInput(
            "start needs a timezone offset, e.g. 2026-12-01T15:00:00Z", field="start"
        )
    found = candidates(repo, snap, req.asked, now, record=False)
    if found.flexible:
        return _book_flexible(repo, calendar, req, found.reps)
    if not found.reps:
        raise SlotTaken(NOBODY)
    external = external_busy(calendar, snap, found.reps, start)
    if found.decision_id is None:  # nobody decided for this prospect yet (no click before)
        return _decide_and_book(repo, external, req)
    meeting = _new_meeting(req, found.reps[0], prospect, found.decision_id)
    with repo.booking(meeting.rep) as tx:
        _book_in(tx, external, req, meeting)
    return _booked(req, meeting, found.decision_id)


def _decide_and_book(
    repo: ClickRouterRepo, external: Busy, req: _Request, available: frozenset[str] | None = None
) -> Booked:
    """The decision and the meeting in one transaction: a booking that fails (the time was
    taken, nobody can take it) leaves no decision behind. ``external``: the connected
    calendars of the reps the preview chose, read before the lock; ``available``: a flexible
    pool's members free at the time."""
    booked: list[NewMeeting] = []

    def then(tx: Any, rec: RecordedDecision) -> None:
        rep = rec.decision.assignee
        if rep is None:
            raise SlotTaken(NOBODY)
        meeting = _new_meeting(req, rep, rec.prospect, rec.id)
        _book_in(tx, external, req, meeting)
        booked.append(meeting)

    slug = req.snap.doc.slug
    rec = route_prospect(
        repo, slug, req.asked, req.now, source="booking", available=available, then=then
    )
    return _booked(req, booked[0], rec.id)


def _book_flexible(
    repo: ClickRouterRepo, calendar: BusyCalendar, req: _Request, members: tuple[str, ...]
) -> Booked:
    """The pool's members free at the time, then the rotation among them, then the meeting."""
    window = Interval(req.start - timedelta(days=1), req.start + timedelta(days=1))
    free = slots(calendar, req.snap, members, req.now, window).get(req.start, frozenset())
    if not free:
        raise SlotTaken(closed_reason(req.snap, members[0], req.start, req.now))
    external = external_busy(calendar, req.snap, sorted(free), req.start)
    return _decide_and_book(repo, external, req, available=free)


def team_of(snap: RouterSnapshot, found: Candidates) -> str | None:
    """The team a flexible pool books for (its page names the team, not one rep)."""
    pool = _pool(snap, found.decision.decision.pool_key) if found.flexible else None
    return pool.team if pool is not None else None
