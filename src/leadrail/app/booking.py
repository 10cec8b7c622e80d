"""Click routers: open a link, list open slots, book, cancel.

Strict pools and single owners: the rep is chosen when the link is opened (recorded in the
ledger) and the page shows that rep's slots. Flexible pools: the page shows the union of the
pool's slots, and the rep is chosen at booking, among the members free at that slot, in the
same transaction that books the meeting.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadrail.app.errors import InvalidInput
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
from leadrail.app.route import prospect_from, route_prospect, snapshot_or_404
from leadrail.routing.model import PoolSpec
from leadrail.scheduling.model import Interval, MeetingSpec, parse_working_hours
from leadrail.scheduling.slots import is_bookable, pool_slots, rep_slots

REUSE_DECISION = timedelta(hours=24)  # a reopened link keeps its rep for this long


@dataclass(frozen=True)
class Candidates:
    """Whose calendars a prospect can book: one rep, or a flexible pool's members."""

    reps: tuple[str, ...]
    flexible: bool
    decision: RecordedDecision
    decision_id: str | None  # the recorded decision behind ``reps`` (None: a preview)


def meeting_spec(snap: RouterSnapshot) -> MeetingSpec:
    m = snap.meeting
    if m is None:
        raise InvalidInput(f"router {snap.doc.slug!r} has no meeting type", field="router")
    return MeetingSpec(
        duration_minutes=m.duration_minutes,
        slot_interval_minutes=m.slot_interval_minutes,
        buffer_before_minutes=m.buffer_before_minutes,
        buffer_after_minutes=m.buffer_after_minutes,
        minimum_notice_minutes=m.minimum_notice_minutes,
        horizon_days=m.horizon_days,
    )


def _pool(snap: RouterSnapshot, key: str | None) -> PoolSpec | None:
    dests = [r.route for r in snap.spec.rules] + [snap.spec.default]
    return next((d.pool for d in dests if d.pool is not None and d.pool.key == key), None)


def candidates(
    store: ClickRouterRepo,
    snap: RouterSnapshot,
    raw: Mapping[str, Any],
    now: datetime,
    *,
    record: bool,
) -> Candidates:
    """Who can take this prospect. A flexible rotation is only previewed (its turn is taken at
    booking); anything else is decided now and recorded, unless a decision for this e-mail
    on this router is already in the ledger from the last day (a reopened link)."""
    slug = snap.doc.slug
    preview = route_prospect(store, slug, raw, now, dry_run=True, source="click")
    pool = _pool(snap, preview.decision.pool_key)
    if preview.decision.via == "rotation" and pool is not None and pool.round_robin == "flexible":
        members = tuple(m.user for m in pool.members if m.weight > 0 and _active(snap, m.user))
        return Candidates(members, True, preview, None)
    earlier = store.latest_decision(slug, preview.prospect.email, now - REUSE_DECISION)
    if earlier is not None and earlier.assignees and _active(snap, earlier.assignees[0]):
        return Candidates((earlier.assignees[0],), False, preview, earlier.id)
    decided = route_prospect(store, slug, raw, now, source="click") if record else preview
    return Candidates(decided.decision.assignees[:1], False, decided, decided.id)


def _active(snap: RouterSnapshot, email: str) -> bool:
    user = snap.users.get(email)
    return user is not None and user.active


def _rep_busy(
    calendar: BusyCalendar, rep: str, window: Interval, spec: MeetingSpec
) -> list[Interval]:
    """Busy time that can touch a slot starting in ``window``: widened by the buffers and
    the meeting's length, so a block just outside the window still counts."""
    busy = calendar.busy(
        rep, window.start - spec.buffer_before, window.end + spec.duration + spec.buffer_after
    )
    return [Interval(a, b) for a, b in busy if b > a]


def _hours(snap: RouterSnapshot, rep: str) -> tuple[Any, str, list[tuple[Any, Any]]]:
    doc = snap.user_docs.get(rep)
    info = snap.users.get(rep)
    tz = (info.timezone if info else None) or snap.spec.timezone
    hours = parse_working_hours(doc.working_hours if doc else {})
    vacations = [(v.start, v.end) for v in info.vacations] if info else []
    return hours, tz, vacations


def slots(
    calendar: BusyCalendar,
    snap: RouterSnapshot,
    reps: Sequence[str],
    now: datetime,
    window: Interval,
) -> dict[datetime, frozenset[str]]:
    """Open slots in ``window``: each start with the reps free then."""
    spec = meeting_spec(snap)
    per_rep = {}
    for rep in reps:
        hours, tz, vacations = _hours(snap, rep)
        busy = _rep_busy(calendar, rep, window, spec)
        per_rep[rep] = rep_slots(spec, hours, tz, busy, vacations, now=now, window=window)
    return pool_slots(per_rep)


Busy = Mapping[str, Sequence[tuple[datetime, datetime]]]


def _around(spec: MeetingSpec, start: datetime) -> tuple[datetime, datetime]:
    """The stretch of time whose busy blocks can make ``start`` unbookable."""
    margin = timedelta(
        minutes=spec.duration_minutes + spec.buffer_before_minutes + spec.buffer_after_minutes + 60
    )
    return start - margin - spec.buffer_before, start + margin + spec.duration + spec.buffer_after


def external_busy(
    calendar: BusyCalendar, snap: RouterSnapshot, reps: Sequence[str], start: datetime
) -> Busy:
    """The reps' connected calendars around ``start``, read before a booking takes its lock
    (a calendar server is not ours to lock, and a lock is not held across a network call)."""
    lo, hi = _around(meeting_spec(snap), start)
    return {rep: calendar.external_busy(rep, lo, hi) for rep in reps}


def why_not(
    tx: BookingTransaction,
    external: Busy,
    snap: RouterSnapshot,
    rep: str,
    start: datetime,
    now: datetime,
) -> str | None:
    """None when ``start`` is bookable with ``rep`` right now. Called inside the rep's lock:
    the rep's meetings and busy blocks are read through ``tx`` (its connection, under its
    lock, so no other booking of the rep commits in between: no double booking); ``external``
    is the connected calendar read before the lock."""
    spec = meeting_spec(snap)
    hours, tz, vacations = _hours(snap, rep)
    lo, hi = _around(spec, start)
    found = [*tx.busy_between(rep, lo, hi), *external.get(rep, ())]
    busy = [Interval(a, b) for a, b in found if b > a]
    return is_bookable(start, spec, hours, tz, busy, vacations, now=now)


@dataclass(frozen=True)
class Booked:
    meeting_id: str
    rep: str
    start: datetime
    end: datetime
    decision_id: str | None
    redirect_url: str | None


def _new_meeting(
    snap: RouterSnapshot,
    rep: str,
    start: datetime,
    raw: Mapping[str, Any],
    notes: str,
    decision_id: str | None,
) -> NewMeeting:
    spec = meeting_spec(snap)
    prospect = prospect_from(raw, snap.spec)
    location = snap.meeting.location if snap.meeting else None
    return NewMeeting(
        id=uuid.uuid4().hex, router=snap.doc.slug, rep=rep, start=start,
        end=start + timedelta(minutes=spec.duration_minutes), email=prospect.email,
        name=str(raw.get("name") or "")[:200], notes=notes if snap.doc.display_notes else "",
        guests=list(snap.doc.default_guests), location=location, prospect=dict(prospect.fields),
        decision_id=decision_id, meeting_type=snap.meeting.slug if snap.meeting else None,
    )  # fmt: skip


def _book_in(
    tx: BookingTransaction,
    external: Busy,
    snap: RouterSnapshot,
    rep: str,
    start: datetime,
    now: datetime,
    meeting: NewMeeting,
) -> None:
    reason = why_not(tx, external, snap, rep, start, now)
    if reason is not None:
        raise SlotTaken(reason)
    tx.insert_meeting(meeting, now)
    tx.enqueue(Job("invite", meeting.id, {"method": "REQUEST"}), now)
    tx.enqueue(Job("calendar_put", meeting.id), now)
    if snap.doc.crm.create_or_update or snap.doc.crm.create_meeting:
        tx.enqueue(Job("crm_sync", meeting.id), now)


def book(
    store: ClickRouterRepo,
    calendar: BusyCalendar,
    slug: str,
    raw: Mapping[str, Any],
    start: datetime,
    now: datetime,
    *,
    notes: str = "",
) -> Booked:
    """Book ``start`` for this prospect, or raise SlotTaken (nothing written) with a reason
    the prospect can read."""
    snap = snapshot_or_404(store, slug)
    meeting_spec(snap)  # a router without a meeting type is refused before anything is kept
    prospect = prospect_from(raw, snap.spec)
    if not prospect.email:
        raise InvalidInput("an e-mail address is needed to book", field="email")
    if start.tzinfo is None:
        raise InvalidInput(
            "start needs a timezone offset, e.g. 2026-12-01T15:00:00Z", field="start"
        )
    found = candidates(store, snap, raw, now, record=False)
    if found.flexible:
        return _book_flexible(store, calendar, snap, found, raw, start, now, notes)
    if not found.reps:
        raise SlotTaken("nobody can take this meeting right now")
    if found.decision_id is None:  # nobody decided for this prospect yet (no click before)
        external = external_busy(calendar, snap, found.reps, start)
        return _decide_and_book(store, external, snap, raw, start, now, notes)
    rep = found.reps[0]
    meeting = _new_meeting(snap, rep, start, raw, notes, found.decision_id)
    external = external_busy(calendar, snap, [rep], start)
    with store.booking(rep) as tx:
        _book_in(tx, external, snap, rep, start, now, meeting)
    return Booked(meeting.id, rep, start, meeting.end, found.decision_id, snap.doc.redirect_url)


def _decide_and_book(
    store: ClickRouterRepo,
    external: Busy,
    snap: RouterSnapshot,
    raw: Mapping[str, Any],
    start: datetime,
    now: datetime,
    notes: str,
) -> Booked:
    """The decision and the meeting in one transaction: a booking that fails (the time was
    taken, nobody can take it) leaves no decision behind. ``external``: the connected
    calendars of the reps the dry run chose, read before the lock."""
    booked: list[NewMeeting] = []

    def then(tx: Any, rec: RecordedDecision) -> None:
        rep = rec.decision.assignee
        if rep is None:
            raise SlotTaken("nobody can take this meeting right now")
        meeting = _new_meeting(snap, rep, start, raw, notes, rec.id)
        _book_in(tx, external, snap, rep, start, now, meeting)
        booked.append(meeting)

    rec = route_prospect(store, snap.doc.slug, raw, now, source="booking", then=then)
    m = booked[0]
    return Booked(m.id, m.rep, m.start, m.end, rec.id, snap.doc.redirect_url)


def _book_flexible(
    store: ClickRouterRepo,
    calendar: BusyCalendar,
    snap: RouterSnapshot,
    found: Candidates,
    raw: Mapping[str, Any],
    start: datetime,
    now: datetime,
    notes: str,
) -> Booked:
    spec = meeting_spec(snap)
    window = Interval(start - timedelta(days=1), start + timedelta(days=1))
    open_now = slots(calendar, snap, found.reps, now, window)
    free = open_now.get(start, frozenset())
    if not free:
        raise SlotTaken(_closed_reason(snap, found.reps[0], start, now, spec))
    external = external_busy(calendar, snap, sorted(free), start)
    booked: list[NewMeeting] = []

    def then(tx: Any, rec: RecordedDecision) -> None:
        rep = rec.decision.assignee
        if rep is None:
            raise SlotTaken("nobody can take this meeting right now")
        meeting = _new_meeting(snap, rep, start, raw, notes, rec.id)
        _book_in(tx, external, snap, rep, start, now, meeting)
        booked.append(meeting)

    rec = route_prospect(
        store, snap.doc.slug, raw, now, source="booking", available=free, then=then
    )
    m = booked[0]
    return Booked(m.id, m.rep, m.start, m.end, rec.id, snap.doc.redirect_url)


def _closed_reason(
    snap: RouterSnapshot, rep: str, start: datetime, now: datetime, spec: MeetingSpec
) -> str:
    hours, tz, vacations = _hours(snap, rep)
    return is_bookable(start, spec, hours, tz, [], vacations, now=now) or "that time was just taken"
