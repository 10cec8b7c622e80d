"""In-memory fakes of the app's ports, for the use-case tests in tests/unit/app/ (the model:
cosmicpython's FakeUnitOfWork). Plain classes that do what the real adapter promises and
record what happened; no mocks. Where an adapter promises something of storage (a claim's
fencing token, a hand-over once per lead), the fake keeps the same promise."""

from __future__ import annotations

from tests.fakes.accounts import FakeAccountsRepo
from tests.fakes.crm_records import FakeCrmRecords
from tests.fakes.delivery import (
    FakeDelivery,
    FakeDeliveryRepo,
    FakeMailSender,
    FakeSecrets,
    FakeWebhookSender,
)
from tests.fakes.leads import FakeLeadRepo
from tests.fakes.ledger import FakeLedgerRepo
from tests.fakes.meetings import FakeCalendarWriter, FakeCrm, FakeInviteFormat, FakeResetMails
from tests.fakes.outbox import FakeJitter, FakeJob, FakeOutboxRepo
from tests.fakes.workspace import FakeWorkspace, FakeWorkspaceRepo

__all__ = [
    "FakeAccountsRepo",
    "FakeCalendarWriter",
    "FakeCrm",
    "FakeCrmRecords",
    "FakeDelivery",
    "FakeDeliveryRepo",
    "FakeInviteFormat",
    "FakeJitter",
    "FakeJob",
    "FakeLeadRepo",
    "FakeLedgerRepo",
    "FakeMailSender",
    "FakeOutboxRepo",
    "FakeResetMails",
    "FakeSecrets",
    "FakeWebhookSender",
    "FakeWorkspace",
    "FakeWorkspaceRepo",
]
