"""Opening a click link: record the click, route the prospect when the e-mail is known, and
find the open slots to show."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadrail.app.booking import Candidates, Store, candidates, slots
from leadrail.app.errors import InvalidInput
from leadrail.app.ports import BusyCalendar, RouterSnapshot
from leadrail.app.route import prospect_from, snapshot_or_404
from leadrail.scheduling.model import Interval

PAGE_KEYS = frozenset({"tz", "from", "start", "t", "reschedule"})  # the page's own parameters
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


def open_link(
    store: Store,
    calendar: BusyCalendar,
    slug: str,
    params: Mapping[str, str],
    now: datetime,
    *,
    start: datetime | None = None,
    days: int = 7,
) -> LinkView:
    snap = snapshot_or_404(store, slug)
    prefill = prospect_fields(params)
    raw_email = prefill.get("email", "")
    if not raw_email:
        store.record_click(slug, "", None, _utm(prefill), now)
        return LinkView(snap, prefill)
    try:
        email = prospect_from(prefill, snap.spec).email
    except InvalidInput as err:
        store.record_click(slug, "", None, _utm(prefill), now)
        return LinkView(snap, prefill, email_error=err.message)
    found = candidates(store, snap, prefill, now, record=True)
    store.record_click(slug, email, found.decision_id, _utm(prefill), now)
    window = slot_window(now, start, days)
    return LinkView(
        snap, prefill, email, None, found, slots(calendar, snap, found.reps, now, window), window
    )


def slot_window(now: datetime, start: datetime | None, days: int) -> Interval:
    begin = max(now, start) if start else now
    return Interval(begin, begin + timedelta(days=days))


def _utm(prefill: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in prefill.items() if k.startswith("utm_")}
