"""The database schema (SQLAlchemy 2), one module per feature. Migrations in ``migrations/``
follow it. ``from leadrail.adapters.db import tables as t`` gives every table."""

from leadrail.adapters.db.tables.accounts import ApiToken, LoginSession, PasswordReset
from leadrail.adapters.db.tables.base import NAMING, Base, UtcDateTime
from leadrail.adapters.db.tables.calendars import (
    CalendarAuthorisation,
    CalendarConnection,
    CalendarEvent,
)
from leadrail.adapters.db.tables.crm import (
    CrmActivity,
    CrmCompany,
    CrmCompanyDomain,
    CrmContact,
    CrmLead,
    CrmOpportunity,
)
from leadrail.adapters.db.tables.leads import Delivery, DeliveryAttempt, LeadRecord
from leadrail.adapters.db.tables.live import LiveConversation, LiveMessage, LiveVisitor
from leadrail.adapters.db.tables.outbox import OutboxJob
from leadrail.adapters.db.tables.routing import BusyBlock, Click, Decision, Meeting, RotationState
from leadrail.adapters.db.tables.workspace import (
    Category,
    Image,
    LeadDestination,
    MeetingType,
    NamedList,
    Router,
    Site,
    Store,
    Team,
    TeamMember,
    User,
    Vacation,
    WorkspaceMeta,
)

__all__ = [
    "ApiToken",
    "Base",
    "BusyBlock",
    "CalendarAuthorisation",
    "CalendarConnection",
    "CalendarEvent",
    "Category",
    "Image",
    "Click",
    "CrmActivity",
    "CrmCompany",
    "CrmCompanyDomain",
    "CrmContact",
    "CrmLead",
    "CrmOpportunity",
    "Decision",
    "Delivery",
    "DeliveryAttempt",
    "LeadDestination",
    "LeadRecord",
    "LiveConversation",
    "LiveMessage",
    "LiveVisitor",
    "LoginSession",
    "Meeting",
    "MeetingType",
    "NAMING",
    "NamedList",
    "OutboxJob",
    "PasswordReset",
    "RotationState",
    "Router",
    "Site",
    "Store",
    "Team",
    "TeamMember",
    "User",
    "UtcDateTime",
    "Vacation",
    "WorkspaceMeta",
]
