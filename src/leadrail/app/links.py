"""Opening a click link: record the click, route the prospect when the e-mail is known, and
find the open slots to show.

One visit is one click and at most one decision. The page's own follow-ups say which step
they are (``step``): ``who`` (the visitor typed their e-mail on the page: the click was
counted when the page opened; the decision is made now) and ``view`` (other times, another
timezone, the page again after a failed booking: nothing is recorded; the decision made for
this e-mail is reused). A router without a meeting type has no booking page: it is refused
before anything is recorded."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadrail.app.booking import Candidates, candidates
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.ports import BusyCalendar, ClickRouterRepo, RouterSnapshot
from leadrail.app.route import ProspectInput, snapshot_or_404
from leadrail.app.slots import slots
from leadrail.scheduling.model import Interval

PAGE_KEYS = frozenset({"tz", "from", "start", "t", "reschedule", "step", "lang"})  # the page's own
WHO, VIEW = "who", "view"  # the steps of a visit after the first open (see above)
SHOWN_ONLY = frozenset({"notes"})  # prefilled on the page, not routing input
FIELD_NAME = re.compile(r"^[a-z0-9_.-]{1,64}$")
MAX_FIELDS = 40


@dataclass(frozen=True)
class LinkView:
    snap: RouterSnapshot
    prefill: dict[str, str]
    email: str = ""
    email_error: str | None = None
    found: Candidates | None = None
    slots: dict[datetime, frozenset[str]] = field(default_factory=dict)
    window: Interval | None = None


def prospect_fields(params: Mapping[str, str]) -> dict[str, str]:
    """What a link may carry about the prospect: name, email, company, form fields, utm_*.
    Unknown-looking names are dropped (a link is not the place for an error page)."""
    out: dict[str, str] = {}
    for key, value in params.items():
        k = key.strip().lower()
        if k in PAGE_KEYS or not FIELD_NAME.match(k) or len(out) >= MAX_FIELDS:
            continue
        out[k] = value.strip()[:2000]
    return out


class NoBookingPage(NotFound):
    """The router routes API and live requests only: it has no meeting type to book."""


def booking_router(repo: ClickRouterRepo, slug: str) -> RouterSnapshot:
    """The router behind a booking link, or NotFound/NoBookingPage (nothing recorded)."""
    snap = snapshot_or_404(repo, slug)
    if snap.meeting is None:
        raise NoBookingPage(
            f"router {slug!r} has no meeting type: it routes API and live requests and has "
            "no booking page",
            field="slug",
        )
    return snap


def open_link(
    repo: ClickRouterRepo,
    calendar: BusyCalendar,
    slug: str,
    params: Mapping[str, str],
    now: datetime,
    *,
    start: datetime | None = None,
    days: int = 7,
    step: str = "",
) -> LinkView:
    snap = booking_router(repo, slug)
    prefill = prospect_fields(params)
    raw = {k: v for k, v in prefill.items() if k not in SHOWN_ONLY}
    count = step not in (WHO, VIEW)  # this visit's click was counted when it opened

    def click(email: str = "", decision_id: str | None = None) -> None:
        if count:
            repo.record_click(slug, email, decision_id, _utm(raw), now)

    if not raw.get("email"):
        click()
        return LinkView(snap, prefill)
    asked = ProspectInput(raw)
    try:
        email = asked.prospect(snap.spec).email
    except InvalidInput as err:
        click()
        return LinkView(snap, prefill, email_error=err.message)
    found = candidates(repo, snap, asked, now, record=step != VIEW)
    click(email, found.decision_id)
    window = slot_window(now, start, days)
    return LinkView(
        snap, prefill, email, None, found, slots(calendar, snap, found.reps, now, window), window
    )


def slot_window(now: datetime, start: datetime | None, days: int) -> Interval:
    begin = max(now, start) if start else now
    return Interval(begin, begin + timedelta(days=days))


def _utm(prefill: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in prefill.items() if k.startswith("utm_")}
