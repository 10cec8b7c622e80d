"""Benchmarks of click routers: slot computation and the click page under load."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from leadrail.scheduling.model import Interval, MeetingSpec, parse_working_hours
from leadrail.scheduling.slots import pool_slots, rep_slots

REPS, DAYS, BUSY = 20, 30, 200


def _busy(rng: random.Random, start: datetime) -> list[Interval]:
    out = []
    for _ in range(BUSY):
        begin = start + timedelta(minutes=15 * rng.randrange(0, DAYS * 24 * 4))
        out.append(Interval(begin, begin + timedelta(minutes=rng.choice((30, 45, 60, 90)))))
    return out


def measure_slots(runs: int = 15) -> dict[str, float]:
    """A flexible pool of 20 reps over a 30-day horizon, ~200 busy intervals per rep (as the
    CalDAV cache would hand them over): the time to compute the pool's open slots."""
    rng = random.Random(7)
    now = datetime(2026, 11, 30, 13, tzinfo=UTC)
    meeting = MeetingSpec(
        duration_minutes=30,
        slot_interval_minutes=15,
        buffer_after_minutes=10,
        minimum_notice_minutes=120,
        horizon_days=30,
    )
    hours = parse_working_hours({"mon-fri": "09:00-12:30,13:30-17:30"})
    zones = ["America/New_York", "Europe/London", "America/Los_Angeles", "Asia/Tokyo"]
    reps = [(f"rep{i}@acme.test", zones[i % 4], _busy(rng, now)) for i in range(REPS)]
    window = Interval(now, now + timedelta(days=DAYS))
    samples = []
    count = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        per = {
            e: rep_slots(meeting, hours, tz, busy, [], now=now, window=window)
            for e, tz, busy in reps
        }
        count = len(pool_slots(per))
        samples.append((time.perf_counter() - t0) * 1000)
    return {
        "median_ms": statistics.median(samples),
        "slots": count,
        "per_rep_ms": statistics.median(samples) / REPS,
    }


def booking_workspace_yaml() -> str:
    users = [
        {
            "email": f"rep{i}@acme.test",
            "name": f"Rep {i}",
            "timezone": "America/New_York",
            "working_hours": {"mon-sun": "00:00-24:00"},
        }
        for i in range(5)
    ]
    doc: dict[str, Any] = {
        "timezone": "America/New_York", "users": users,
        "teams": [{"name": "SDR", "members": [{"user": u["email"]} for u in users]}],
        "meeting_types": [{"slug": "intro", "name": "Intro", "duration_minutes": 30}],
        "routers": [{"slug": "click", "title": "Book a call", "meeting_type": "intro",
                     "default": {"team": "SDR", "round_robin": "flexible"}}],
    }  # fmt: skip
    return yaml.safe_dump(doc)


if __name__ == "__main__":
    print(measure_slots())
