"""Ownership: does the CRM already say whose prospect this is?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadrail.routing.availability import why_unavailable
from leadrail.routing.model import CrmRecord, MatchKind, OwnershipSpec, RecordKind, UserInfo
from leadrail.routing.normalise import is_free_mail
from leadrail.routing.periods import AwayCheck
from leadrail.routing.trace import TraceStep

_KINDS: dict[MatchKind, RecordKind] = {
    "contacts": "contact",
    "leads": "lead",
    "companies": "company",
}
_PRECEDENCE: dict[RecordKind, int] = {"contact": 0, "lead": 1, "company": 2}


@dataclass(frozen=True, slots=True)
class OwnerMatch:
    """The owner who gets the prospect (None when no record gives an available owner), the
    record that decided, and why."""

    user: str | None
    record: CrmRecord | None
    trace: tuple[TraceStep, ...]


def find_owner(
    spec: OwnershipSpec,
    records: Sequence[CrmRecord],
    users: Mapping[str, UserInfo],
    *,
    now: datetime,
    tz: str,
    require_online: bool = False,
) -> OwnerMatch:
    """The first available owner among the records ``spec`` lets us use, in precedence
    contact, lead, company (given order within a kind). Only exact e-mail matches count with
    ``exact_match``; companies matched on a free-mail domain never count. An owner who is not a
    leadrail user, inactive, on vacation or (with ``require_online``) known to be offline is
    passed over for the next record. ``require_online`` treats unknown presence
    (``online is None``) as online."""
    trace: list[TraceStep] = []
    away = AwayCheck(now, tz)
    candidates = sorted(
        (r for r in records if _usable(spec, r, trace)), key=lambda r: _PRECEDENCE[r.kind]
    )
    if not candidates:
        kinds = ", ".join(spec.match) or "no record kinds"
        trace.append(TraceStep("ownership", "no_match", f"no CRM record found ({kinds})"))
        return OwnerMatch(None, None, tuple(trace))
    for record in candidates:
        label = f"{record.kind} {record.matched_on}"
        if not record.owner_id:
            trace.append(TraceStep("ownership", "skipped", f"{label} has no owner"))
            continue
        info = owner_user(record.owner_id, users)
        problem = why_unavailable(info, away, require_online=require_online)
        who = _who(info, record.owner_id)
        data = {"record": record.id, "kind": record.kind, "owner_id": record.owner_id}
        if info is None or problem:
            detail = f"owner {who} of {label} is {problem}"
            trace.append(TraceStep("ownership", "skipped", detail, data))
            continue
        detail = f"{label} is owned by {who}: assigned"
        trace.append(TraceStep("ownership", "matched", detail, {**data, "user": info.email}))
        return OwnerMatch(info.email, record, tuple(trace))
    trace.append(TraceStep("ownership", "no_match", "no CRM record has an available owner"))
    return OwnerMatch(None, None, tuple(trace))


def _usable(spec: OwnershipSpec, record: CrmRecord, trace: list[TraceStep]) -> bool:
    if record.kind not in {_KINDS[m] for m in spec.match}:
        return False
    label = f"{record.kind} {record.matched_on}"
    if spec.exact_match and not record.exact:
        trace.append(TraceStep("ownership", "skipped", f"{label} ignored: not an exact match"))
        return False
    if record.kind == "company" and is_free_mail(record.matched_on):
        detail = f"{label} ignored: a free-mail domain says nothing about the company"
        trace.append(TraceStep("ownership", "skipped", detail))
        return False
    return True


def _who(info: UserInfo | None, owner_id: str) -> str:
    if info is None or info.email == owner_id.strip().lower():
        return info.email if info else owner_id
    return f"{info.email} ({owner_id})"


def owner_user(owner_id: str, users: Mapping[str, UserInfo]) -> UserInfo | None:
    """The user whose CRM owner id is ``owner_id``, or failing that whose e-mail it is."""
    key = owner_id.strip()
    by_id = next((u for u in users.values() if u.crm_owner_id == key), None)
    if by_id is not None:
        return by_id
    email = key.lower()
    return users.get(email) or next((u for u in users.values() if u.email == email), None)
