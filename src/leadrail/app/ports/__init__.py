"""What the use cases need from the world, one module per feature. Adapters implement these;
the fakes in tests/fakes/ stand in for them in the use-case tests.
``from leadrail.app.ports import X`` gives any of them."""

from __future__ import annotations

from leadrail.app.ports.accounts import (
    AccountsRepo,
    AccountUser,
    ApiTokenRow,
    Passwords,
    TokenOwner,
    TokenRepo,
)
from leadrail.app.ports.booking import (
    BookingRepo,
    BookingTransaction,
    BusyCalendar,
    Job,
    MeetingRow,
    NewMeeting,
    RepCalendars,
    SlotTaken,
)
from leadrail.app.ports.leads import (
    DuplicateLead,
    LeadConfig,
    LeadRepo,
    Locator,
    SiteInfo,
    StoredLead,
    StoreInfo,
)
from leadrail.app.ports.live import (
    ConversationRow,
    LivePush,
    LiveRepo,
    LiveUser,
    MessageRow,
    VisitorRow,
)
from leadrail.app.ports.routing import (
    ClickRouterRepo,
    LedgerRepo,
    LedgerRow,
    RecordedDecision,
    Routers,
    RouterSnapshot,
    RoutingRepo,
    RoutingTransaction,
    StaleState,
)
from leadrail.app.ports.system import Clock, Health
from leadrail.app.ports.workspace import CredentialSealer, WorkspaceRepo

__all__ = [
    "AccountUser",
    "AccountsRepo",
    "ApiTokenRow",
    "BookingRepo",
    "BookingTransaction",
    "BusyCalendar",
    "ClickRouterRepo",
    "Clock",
    "ConversationRow",
    "CredentialSealer",
    "DuplicateLead",
    "Health",
    "Job",
    "LeadConfig",
    "LeadRepo",
    "LedgerRepo",
    "LedgerRow",
    "LivePush",
    "LiveRepo",
    "LiveUser",
    "Locator",
    "MeetingRow",
    "MessageRow",
    "NewMeeting",
    "Passwords",
    "RecordedDecision",
    "RepCalendars",
    "RouterSnapshot",
    "Routers",
    "RoutingRepo",
    "RoutingTransaction",
    "SiteInfo",
    "SlotTaken",
    "StaleState",
    "StoreInfo",
    "StoredLead",
    "TokenOwner",
    "TokenRepo",
    "VisitorRow",
    "WorkspaceRepo",
]
