"""The public rate limit's storage: limits as ``limits`` does, without a thread of its own,
and forgets a client whose window has passed."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from leadrail.web import ratelimit
from leadrail.web.ratelimit import SweptMemoryStorage


def test_it_limits_and_starts_no_thread() -> None:
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3/minute")
    before = threading.active_count()
    answers = [limiter.hit(item, "public", "203.0.113.7") for _ in range(5)]
    storage.sweep()
    assert answers == [True, True, True, False, False]
    assert limiter.hit(item, "public", "198.51.100.1")  # another client has its own window
    assert threading.active_count() == before


def test_a_client_whose_window_passed_is_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3/minute")
    limiter.hit(item, "public", "203.0.113.7")
    assert storage.events
    later = time.time() + 120
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: later)
    clock = time.monotonic() + 2 * ratelimit.SWEEP_SECONDS
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock)
    storage.sweep()
    assert not any(storage.events.values())  # its entries are gone
    assert limiter.hit(item, "public", "203.0.113.7")
