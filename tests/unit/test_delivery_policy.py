"""What follows a failed attempt: a transient fault never ends a job or a lead delivery;
only a refusal for good does, and admins hear of a lead that needs them."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from leadrail.app.delivery.outcomes import after_failure
from leadrail.app.outbox import MAX_ATTEMPTS, WAIT_EVERY, backoff, verdict, waiting_backoff

ROLES = st.sampled_from(["primary", "fallback", "resend"])


@given(st.integers(min_value=1, max_value=10_000), ROLES, st.booleans())
def test_a_transient_fault_never_abandons_a_delivery(
    attempts: int, role: str, fallback_elsewhere: bool
) -> None:
    then = verdict(attempts, retryable=True)
    assert then == ("retry" if attempts < MAX_ATTEMPTS else "wait")
    outcome = after_failure(then, role, fallback_elsewhere)
    assert outcome.status in ("pending", "waiting")
    assert outcome.alert == (then == "wait")  # told when it starts waiting, not per retry
    assert outcome.hand_over == (then == "wait" and role == "primary" and fallback_elsewhere)


@given(st.integers(min_value=1, max_value=10_000), ROLES, st.booleans())
def test_a_refusal_for_good_ends_it_at_once(
    attempts: int, role: str, fallback_elsewhere: bool
) -> None:
    assert verdict(attempts, retryable=False) == "fail"
    outcome = after_failure("fail", role, fallback_elsewhere)
    if role == "primary" and fallback_elsewhere:
        assert (outcome.status, outcome.hand_over, outcome.alert) == ("fell_back", True, False)
    else:
        assert (outcome.status, outcome.hand_over, outcome.alert) == ("failed", False, True)


def test_the_budget_is_minutes_and_waiting_is_hourly() -> None:
    rng = random.Random(7)
    budget = sum((backoff(n, rng) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(minutes=1) < budget < timedelta(minutes=10)
    for _ in range(100):
        assert WAIT_EVERY * 0.9 <= waiting_backoff(WAIT_EVERY, rng) <= WAIT_EVERY
