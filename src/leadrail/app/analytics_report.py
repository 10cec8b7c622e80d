"""The analytics of one router (or of one rep) over a range, as plain data.

The reads come through ``AnalyticsRepo`` (the SQL adapter); the arithmetic is in
``leadrail.app.analytics``. The dict returned is what ``GET /api/v1/analytics/routers/{slug}``
answers and what the dashboard charts and CSV downloads show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from leadrail.app.analytics import Range, conversion, largest_deviation, series, shares
from leadrail.app.ports import RouterSnapshot
from leadrail.routing.model import PoolSpec


class AnalyticsRepo(Protocol):
    def timezone(self) -> str:
        """The workspace's timezone (days and weeks are counted in it)."""
        ...

    def click_times(self, router: str, start: datetime, end: datetime) -> list[datetime]: ...

    def meeting_times(
        self, router: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, str]]: ...

    def rules(self, router: str, start: datetime, end: datetime) -> list[tuple[str, int, int]]: ...

    def pool_counts(
        self, router: str, start: datetime, end: datetime
    ) -> dict[str, Counter[str]]: ...

    def assignments(
        self, routers: Sequence[str], start: datetime, end: datetime
    ) -> Counter[str]: ...

    def meetings_by_rep(
        self, routers: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, Counter[str]]: ...

    def leads_by(
        self, column: str, sites: Sequence[str] | None, start: datetime, end: datetime
    ) -> list[tuple[str, int]]: ...

    def deliveries(
        self, sites: Sequence[str] | None, start: datetime, end: datetime
    ) -> list[tuple[str, str, int]]: ...

    def rep_assignments(
        self, rep: str, routers: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, int]]: ...

    def rep_meetings(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[str, str, int]]: ...

    def rep_past_meetings(
        self, rep: str, start: datetime, end: datetime, limit: int = 50
    ) -> list[dict[str, Any]]: ...


def pools_of(snap: RouterSnapshot) -> list[PoolSpec]:
    dests = [r.route for r in snap.spec.rules] + [snap.spec.default]
    seen: dict[str, PoolSpec] = {}
    for d in dests:
        if d.pool is not None:
            seen.setdefault(d.pool.key, d.pool)
    return list(seen.values())


def _timeline(reads: AnalyticsRepo, slug: str, r: Range) -> dict[str, Any]:
    clicks = series(reads.click_times(slug, r.start, r.end), r)
    meetings = reads.meeting_times(slug, r.start, r.end)
    booked = series((m for m, _ in meetings), r)
    rows = [
        {"bucket": day.isoformat(), "clicks": c, "bookings": b, "conversion": conversion(b, c)}
        for (day, c), (_, b) in zip(clicks, booked, strict=True)
    ]
    total_clicks = sum(c for _, c in clicks)
    statuses = Counter(status for _, status in meetings)
    return {
        "clicks": total_clicks,
        "bookings": len(meetings),
        "cancelled": statuses["cancelled"],
        "no_shows": statuses["no_show"],
        "conversion": conversion(len(meetings), total_clicks),
        "series": rows,
    }


def _distribution(reads: AnalyticsRepo, snap: RouterSnapshot, r: Range) -> list[dict[str, Any]]:
    counts = reads.pool_counts(snap.doc.slug, r.start, r.end)
    out = []
    for pool in pools_of(snap):
        rows = shares({m.user: m.weight for m in pool.members}, counts.get(pool.key, Counter()))
        worst = largest_deviation(rows)
        out.append(
            {
                "pool": pool.key,
                "team": pool.team,
                "decisions": sum(x.assigned for x in rows),
                "largest_deviation": round(abs(worst.deviation), 4) if worst else 0.0,
                "largest_deviation_user": worst.user if worst else None,
                "members": [
                    {
                        "user": x.user,
                        "weight": x.weight,
                        "assigned": x.assigned,
                        "actual": round(x.actual, 4),
                        "target": round(x.target, 4),
                        "deviation": round(x.deviation, 4),
                    }
                    for x in rows
                ],
            }
        )
    return out


def _users(reads: AnalyticsRepo, slug: str, r: Range) -> list[dict[str, Any]]:
    assigned = reads.assignments([slug], r.start, r.end)
    meetings = reads.meetings_by_rep([slug], r.start, r.end)
    out = []
    for user in sorted(set(assigned) | set(meetings)):
        by = meetings.get(user, Counter())
        out.append(
            {
                "user": user,
                "assignments": assigned.get(user, 0),
                "meetings": sum(by.values()),
                "cancelled": by["cancelled"],
                "no_shows": by["no_show"],
            }
        )
    return out


def leads_report(reads: AnalyticsRepo, sites: Sequence[str] | None, r: Range) -> dict[str, Any]:
    """Form leads by category, store and delivery status (of ``sites``, or all)."""
    categories = reads.leads_by("category", sites, r.start, r.end)
    deliveries = reads.deliveries(sites, r.start, r.end)
    status: Counter[str] = Counter()
    for _, st, n in deliveries:
        status[st] += n
    return {
        "sites": None if sites is None else list(sites),
        "total": sum(n for _, n in categories),
        "by_category": [{"category": k, "leads": n} for k, n in categories],
        "by_store": [
            {"store": k or "(none)", "leads": n}
            for k, n in reads.leads_by("store", sites, r.start, r.end)
        ],
        "by_delivery_status": [{"status": k, "deliveries": n} for k, n in sorted(status.items())],
        "deliveries": [
            {"destination": a, "status": st, "deliveries": n} for a, st, n in deliveries
        ],
    }


def router_report(
    reads: AnalyticsRepo, snap: RouterSnapshot, sites: Sequence[str], r: Range
) -> dict[str, Any]:
    slug = snap.doc.slug
    return {
        "router": slug,
        "title": snap.doc.title,
        "from": r.first.isoformat(),
        "to": r.last.isoformat(),
        "bucket": r.bucket,
        "timezone": r.tz.key,
        **_timeline(reads, slug, r),
        "distribution": _distribution(reads, snap, r),
        "rules": [
            {"rule": rule, "matched": n, "meetings": k, "conversion": conversion(k, n)}
            for rule, n, k in sorted(reads.rules(slug, r.start, r.end), key=lambda x: -x[1])
        ],
        "users": _users(reads, slug, r),
        "leads": leads_report(reads, sites, r),
    }
