"""The click link and its booking page: ``/c/{slug}``; cancel and reschedule links."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from leadrail.app.booking import book, team_of
from leadrail.app.cancel import cancel_meeting
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.links import (
    VIEW,
    LinkView,
    NoBookingPage,
    booking_router,
    open_link,
    prospect_fields,
)
from leadrail.app.ports import MeetingRow, SlotTaken
from leadrail.bootstrap import Container
from leadrail.web.deps import ContainerDep
from leadrail.web.pages import (
    booking_times,
    redirect_after_booking,
    when_text,
    zone_choices,
    zone_or,
)
from leadrail.web.public_pages import page_language, render_public
from leadrail.web.ratelimit import public

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
PAGE_DAYS = 28  # the open times one page shows (a month calendar; other dates: the pager)
NO_PAGE = "This router has no booking page: it routes API and live requests only."


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A prospect's page: their language, the workspace's branding (``lang``, ``rep``)."""
    return render_public(request, request.app.state.container, name, status, **ctx)


def not_found(request: Request, message: str) -> HTMLResponse:
    return render(request, "not_found.html", 404, message=message)


def _page(
    request: Request,
    c: Container,
    view: LinkView,
    tz: str,
    *,
    error: str | None = None,
    chosen: str | None = None,
    status: int = 200,
    carry: Mapping[str, str] | None = None,
) -> HTMLResponse:
    snap = view.snap
    host = rep = team = None
    if view.found and len(view.found.reps) == 1 and not view.found.flexible:
        rep = view.found.reps[0]
        info = snap.users.get(rep)
        host = (info.name or info.email) if info else None
    elif view.found:
        team = team_of(snap, view.found)
    lang = page_language(request, (carry or {}).get("lang"))
    minutes = snap.meeting.duration_minutes if snap.meeting else 0
    times, days = booking_times(
        request.app.state.templates.env, view.slots, tz, lang, minutes, chosen
    )
    hidden = {k: v for k, v in view.prefill.items() if k not in ("name", "email", "notes")} | dict(
        carry or {}
    )
    return render(
        request,
        "booking.html",
        status,
        router=snap.doc,
        meeting=snap.meeting,
        location=_location(snap.meeting.location if snap.meeting else None, view),
        host=host,
        team=team,
        rep=rep,
        lang=lang,
        moving=_moving(c, carry or {}, tz, lang),
        times=times,
        email=view.email,
        email_error=view.email_error,
        prefill=view.prefill,
        hidden=hidden,
        tz=tz,
        timezones=zone_choices(tz),
        days=days,
        error=error,
        chosen=chosen,
        **_pager(c, view, {**view.prefill, **dict(carry or {}), "tz": tz}),
    )


def _moving(c: Container, carry: Mapping[str, str], tz: str, lang: str) -> dict[str, str] | None:
    """The meeting a reschedule moves (shown above the new times), when its link is good."""
    old = carry.get("reschedule", "")
    if not old or not c.signer.check(carry.get("t", ""), old, "cancel"):
        return None
    m = c.routing.meeting(old)
    if m is None or m.status != "booked":
        return None
    return {"when": when_text(m.start, tz, lang), "host": _rep_name(c, m)}


def _rep_name(c: Container, m: MeetingRow) -> str:
    """The rep as the prospect knows them: their name (their address only without one)."""
    snap = c.catalog.router(m.router)
    info = snap.users.get(m.rep) if snap else None
    return (info.name if info else "") or m.rep


def _pager(c: Container, view: LinkView, params: Mapping[str, str]) -> dict[str, str]:
    """Earlier and later dates: the same visit (``step=view``: nothing recorded again), with
    everything the page was opened with."""
    nav: dict[str, str] = {}
    if view.window is None:
        return nav
    base = f"/c/{view.snap.doc.slug}?"
    kept = {**params, "step": VIEW}
    now = c.clock.now()
    if view.window.start > now + timedelta(minutes=1):
        back = max(now, view.window.start - (view.window.end - view.window.start))
        nav["earlier_from"] = back.isoformat()
        nav["earlier"] = base + urlencode({**kept, "from": nav["earlier_from"]})
    nav["later_from"] = view.window.end.isoformat()
    nav["later"] = base + urlencode({**kept, "from": nav["later_from"]})
    return nav


def _location(template: str | None, view: LinkView) -> str | None:
    """The meeting's location; a per-rep link ({rep}) is filled in once the rep is known."""
    if not template or "{rep}" not in template:
        return template
    if view.found and len(view.found.reps) == 1:
        return template.replace("{rep}", view.found.reps[0].split("@")[0])
    return "video link in the invitation"


def _from(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.get("/c/{slug}", response_class=HTMLResponse)
def click(slug: str, request: Request, c: ContainerDep) -> Response:
    """The link in the campaign: prefilled, routed when the e-mail is known, open slots."""
    params = dict(request.query_params)
    try:
        view = open_link(
            c.routing,
            c.calendar,
            slug,
            params,
            c.clock.now(),
            start=_from(params.get("from")),
            step=params.get("step", ""),
            days=PAGE_DAYS,
        )
    except NoBookingPage:
        return not_found(request, NO_PAGE)
    except NotFound:
        return not_found(request, "There is no booking page at this address.")
    except InvalidInput as err:
        return not_found(request, err.message)
    tz = zone_or(params.get("tz"), view.snap.spec.timezone)
    chosen = params.get("start") if params.get("step") == VIEW else None
    return _page(request, c, view, tz, carry=_carry(params), chosen=chosen)


def _carry(params: Mapping[str, str]) -> dict[str, str]:
    """A reschedule in progress rides along (the meeting to cancel and its signed token), and
    the language chosen on the page."""
    return {k: params[k] for k in ("reschedule", "t", "lang") if params.get(k)}


@router.post("/c/{slug}/book", response_class=HTMLResponse)
async def book_form(slug: str, request: Request, c: ContainerDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_book_form, slug, request, c, form)


def _book_form(slug: str, request: Request, c: Container, form: dict[str, str]) -> Response:
    raw = prospect_fields(form)
    notes = form.get("notes", "")[:2000]
    tz = zone_or(form.get("tz"), "UTC")
    lang = page_language(request, form.get("lang"))
    start = _from(form.get("start"))
    now = c.clock.now()
    try:
        booking_router(c.routing, slug)
        if start is None:
            raise SlotTaken("pick a time first")
        done = book(
            c.routing, c.calendar, slug, raw, start, now, notes=notes, timezone=tz, locale=lang
        )
    except NoBookingPage:
        return not_found(request, NO_PAGE)
    except NotFound:
        return not_found(request, "There is no booking page at this address.")
    except (SlotTaken, InvalidInput) as err:
        message = err.reason if isinstance(err, SlotTaken) else err.message
        view = open_link(
            c.routing, c.calendar, slug, {**raw, "notes": notes}, now, step=VIEW, days=PAGE_DAYS
        )
        return _page(
            request,
            c,
            view,
            zone_or(form.get("tz"), view.snap.spec.timezone),
            error=_sentence(message),
            status=409 if isinstance(err, SlotTaken) else 422,
            carry=_carry(form),
        )
    old = form.get("reschedule", "")
    if old and c.signer.check(form.get("t", ""), old, "cancel"):
        cancel_meeting(c.routing, old, now)
    c.wake_worker()
    params = {"booking_id": done.meeting_id, "start": done.start.isoformat()}
    if done.redirect_url:
        return RedirectResponse(redirect_after_booking(done.redirect_url, params), 303)
    token = c.signer.token(done.meeting_id, "cancel")
    return RedirectResponse(f"/m/{done.meeting_id}?{urlencode({'t': token, 'tz': tz})}", 303)


def _sentence(message: str) -> str:
    text = message[:1].upper() + message[1:]
    if "taken" in message:
        text += ". Here are the times still open."
    return text if text.endswith(".") else text + "."


@router.get("/m/{meeting_id}", response_class=HTMLResponse)
def booked(
    meeting_id: str, request: Request, c: ContainerDep, t: str = "", tz: str = "UTC"
) -> Response:
    m = c.routing.meeting(meeting_id)
    if m is None or not c.signer.check(t, meeting_id, "cancel"):
        return not_found(request, "This meeting link is not valid.")
    zone = m.timezone or zone_or(tz, "UTC")
    lang = m.locale or page_language(request)
    return render(
        request,
        "booked.html",
        lang=lang,
        rep=m.rep,
        when=when_text(m.start, zone, lang),
        tz=zone,
        host=_rep_name(c, m),
        email=m.email,
        cancel=c.signer.path(m.id, "cancel"),
        reschedule=c.signer.path(m.id, "reschedule"),
    )


@router.get("/m/{meeting_id}/cancel", response_class=HTMLResponse)
def cancel_page(meeting_id: str, request: Request, c: ContainerDep, t: str = "") -> Response:
    m = c.routing.meeting(meeting_id)
    if m is None or not c.signer.check(t, meeting_id, "cancel"):
        return not_found(request, "This cancellation link is not valid.")
    return _cancel_page(request, c, m, token=t, done=False)


@router.post("/m/{meeting_id}/cancel", response_class=HTMLResponse)
def cancel_submit(
    meeting_id: str, request: Request, c: ContainerDep, t: Annotated[str, Form()] = ""
) -> Response:
    m = c.routing.meeting(meeting_id)
    if m is None or not c.signer.check(t, meeting_id, "cancel"):
        return not_found(request, "This cancellation link is not valid.")
    cancel_meeting(c.routing, meeting_id, c.clock.now())
    c.wake_worker()
    return _cancel_page(request, c, m, token=t, done=True)


def _cancel_page(
    request: Request, c: Container, m: MeetingRow, *, token: str, done: bool
) -> HTMLResponse:
    """In the prospect's zone and language (kept with the meeting when they booked)."""
    snap = c.catalog.router(m.router)
    tz = m.timezone or (snap.spec.timezone if snap else "UTC")
    lang = m.locale or page_language(request)
    when = when_text(m.start, tz, lang)
    return render(request, "cancel.html", lang=lang, rep=m.rep, meeting=m, when=when, tz=tz,
                  host=_rep_name(c, m), token=token, done=done)  # fmt: skip


@router.get("/m/{meeting_id}/reschedule")
def reschedule(meeting_id: str, request: Request, c: ContainerDep, t: str = "") -> Response:
    """Cancel-and-rebook: back to the booking page with the prospect's details; the old
    meeting is cancelled once the new one is booked."""
    m = c.routing.meeting(meeting_id)
    if m is None or not c.signer.check(t, meeting_id, "reschedule"):
        return not_found(request, "This reschedule link is not valid.")
    details = {"email": m.email, "name": m.name, "notes": m.notes, "tz": m.timezone,
               "lang": m.locale}  # fmt: skip
    query = urlencode(
        {
            **{k: v for k, v in details.items() if v},
            "reschedule": meeting_id,
            "t": c.signer.token(meeting_id, "cancel"),
        }
    )
    return RedirectResponse(f"/c/{m.router}?{query}", 303)
