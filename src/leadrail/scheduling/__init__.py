"""The scheduling core: open booking slots from working hours, busy time and vacations.

Pure like ``leadrail.routing``: standard library only, no I/O, no clock (``now`` is an
argument, always timezone-aware), no randomness.
"""

from leadrail.scheduling.model import (
    Interval,
    MeetingSpec,
    WeeklyHours,
    parse_working_hours,
)
from leadrail.scheduling.slots import is_bookable, pool_slots, rep_slots

__all__ = [
    "Interval",
    "MeetingSpec",
    "WeeklyHours",
    "is_bookable",
    "parse_working_hours",
    "pool_slots",
    "rep_slots",
]
