"""The outbox's CRM writes (``app.crm_sync.ports.CrmWriter``) through the workspace's
connector as it is now: a CRM error becomes ``SendFailed`` ("CRM: ...")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from leadrail.adapters.crm.base import CrmConnector, CrmError
from leadrail.app.crm_sync.ports import MeetingActivity, Owner, Person
from leadrail.app.outbox import SendFailed


class CrmWrites:
    def __init__(self, connector: Callable[[], CrmConnector]) -> None:
        self.connector = connector  # rebuilt when the workspace's CRM settings change

    def owners(self) -> list[Owner]:
        with _crm():
            return self.connector().owners()

    def upsert_person(self, person: Person) -> str:
        with _crm():
            return self.connector().upsert_person(person)

    def create_meeting(self, meeting: MeetingActivity) -> str:
        with _crm():
            return self.connector().create_meeting(meeting)


@contextmanager
def _crm() -> Iterator[None]:
    try:
        yield
    except CrmError as e:
        raise SendFailed(f"CRM: {e}", retryable=e.retryable) from None
