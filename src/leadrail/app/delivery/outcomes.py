"""What a failed attempt to deliver a lead makes of its delivery (the receipt's status),
whether the lead also goes to the fallback destination, and whether admins are told.

A lead is never abandoned while a destination can still take it:

- within the retry budget, the delivery stays ``pending`` (retried with backoff);
- past the budget, a transient fault makes it ``waiting`` ("waiting for the server"): it is
  retried at a capped interval for as long as it takes; a primary destination also hands
  the lead to the fallback destination meanwhile (once per lead), and admins are told;
- a refusal for good ends it: a primary hands over to the fallback (``fell_back``); a
  delivery with nobody to hand over to is ``failed``, and admins are told.

Admins are told once per lead (the first delivery of the lead that needs them), through the
outbox, never once per retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadrail.app.delivery.ports import Failure
from leadrail.app.outbox import Verdict
from leadrail.leads.destinations import Target

STATUS_TEXT = {
    "pending": "sending",
    "delivered": "delivered",
    "waiting": "waiting for the server",
    "failed": "refused for good",
    "fell_back": "refused; sent to the fallback",
    "stopped": "stopped by an admin",
}
STATUSES = tuple(STATUS_TEXT)


@dataclass(frozen=True)
class AfterFailure:
    status: str
    hand_over: bool  # send the lead to the fallback destination too (once per lead)
    alert: bool  # tell the admins (once per lead)


def after_failure(then: Verdict, role: str, fallback_elsewhere: bool) -> AfterFailure:
    """``fallback_elsewhere``: a fallback destination exists at another address."""
    primary = role == "primary" and fallback_elsewhere
    if then == "retry":
        return AfterFailure("pending", hand_over=False, alert=False)
    if then == "wait":
        return AfterFailure("waiting", hand_over=primary, alert=True)
    if primary:
        return AfterFailure("fell_back", hand_over=True, alert=False)
    return AfterFailure("failed", hand_over=False, alert=True)


def failure(then: Verdict, role: str, address: str, error: str, fallback: Target | None) -> Failure:
    """What a failed attempt (``error``) makes of a delivery to ``address``, given the
    workspace's ``fallback`` destination."""
    elsewhere = fallback is not None and fallback.address.lower() != address.lower()
    outcome = after_failure(then, role, elsewhere)
    if outcome.hand_over and fallback is not None:
        note = f"{error[:1900]} (sent to the fallback {fallback.address})"
        return Failure(outcome.status, note, fallback, outcome.alert)
    return Failure(outcome.status, error, None, outcome.alert)
