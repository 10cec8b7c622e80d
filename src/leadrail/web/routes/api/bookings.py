"""The booking API: open slots and bookings (public), the outbox and meetings (admin)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from leadrail.app.booking import book, candidates
from leadrail.app.cancel import cancel_meeting
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.links import prospect_fields
from leadrail.app.ports import SlotTaken
from leadrail.app.route import snapshot_or_404
from leadrail.app.slots import slots
from leadrail.scheduling.model import Interval
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.errors import error
from leadrail.web.pages import redirect_after_booking
from leadrail.web.ratelimit import public
from leadrail.web.routes.api.routing import ERRORS

router = APIRouter(prefix="/api/v1", tags=["booking"])
MAX_WINDOW = timedelta(days=31)


@router.get("/routers/{slug}/slots", responses=ERRORS, dependencies=[Depends(public)])
def open_slots(
    slug: str,
    c: ContainerDep,
    email: Annotated[str, Query(max_length=254)],
    start: AwareDatetime | None = None,
    end: AwareDatetime | None = None,
) -> dict[str, Any]:
    """Open slots for this prospect (*public*): a strict router's or owner's rep, or the union
    of a flexible pool's members."""
    now = c.clock.now()
    begin = max(start or now, now)
    finish = end or begin + timedelta(days=7)
    if finish <= begin:
        raise InvalidInput("end must be after start", field="end")
    if finish - begin > MAX_WINDOW:
        raise InvalidInput("ask for at most 31 days at a time", field="end")
    snap = snapshot_or_404(c.routing, slug)
    found = candidates(c.routing, snap, {"email": email}, now, record=False)
    open_ = slots(c.calendar, snap, found.reps, now, Interval(begin, finish))
    duration = timedelta(minutes=snap.meeting.duration_minutes if snap.meeting else 0)
    return {
        "router": slug,
        "timezone": snap.spec.timezone,
        "slots": [
            {"start": s.isoformat(), "end": (s + duration).isoformat()} for s in sorted(open_)
        ],
    }


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    router: str = Field(max_length=63)
    prospect: dict[str, str | int | float | bool | None]
    start: AwareDatetime
    notes: str = Field(default="", max_length=2000)


@router.post(
    "/bookings", status_code=201, responses={**ERRORS, 409: {}}, dependencies=[Depends(public)]
)
def create_booking(body: BookingIn, c: ContainerDep) -> Any:
    """Book a slot (*public*). Sends the invites (after the response, retried) and answers
    with the meeting and where to send the prospect next."""
    raw = prospect_fields({k: "" if v is None else str(v) for k, v in body.prospect.items()})
    try:
        done = book(
            c.routing, c.calendar, body.router, raw, body.start, c.clock.now(), notes=body.notes
        )
    except SlotTaken as taken:
        return error(409, "slot_taken", taken.reason, "start")
    c.wake_worker()
    params = {"booking_id": done.meeting_id, "start": done.start.isoformat()}
    return {
        "meeting_id": done.meeting_id,
        "start": done.start.isoformat(),
        "end": done.end.isoformat(),
        "decision_id": done.decision_id,
        "redirect_url": redirect_after_booking(done.redirect_url, params)
        if done.redirect_url
        else None,
    }


@router.get("/outbox", responses=ERRORS)
def outbox(
    c: ContainerDep,
    _: Admin,
    status: str | None = None,
    ref: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Invites and calendar writes: pending, done, or failed after their last attempt."""
    return c.outbox.jobs(status, ref, limit)


@router.get("/meetings/{meeting_id}", responses=ERRORS)
def get_meeting(meeting_id: str, c: ContainerDep, _: Admin) -> dict[str, Any]:
    m = c.routing.meeting(meeting_id)
    if m is None:
        raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
    return {**m.__dict__, "start": m.start.isoformat(), "end": m.end.isoformat()}


@router.post("/meetings/{meeting_id}/cancel", responses=ERRORS)
def cancel(meeting_id: str, c: ContainerDep, _: Admin) -> JSONResponse:
    changed = cancel_meeting(c.routing, meeting_id, c.clock.now())
    c.wake_worker()
    return JSONResponse({"meeting_id": meeting_id, "cancelled": True, "changed": changed})
