"""The workspace document (``WorkspaceRepo``), and routers, calendars, meetings and leads as
the meeting and CRM jobs read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadrail.app.errors import Stale
from leadrail.app.ports import LeadConfig, MeetingRow, RouterSnapshot, StoredLead
from leadrail.app.specs import router_spec, user_info
from leadrail.app.workspace import CalendarDoc, WorkspaceDoc, parse_workspace


class FakeWorkspaceRepo:
    """The workspace document and its revision, as ``WorkspaceRepo`` promises: a save at a
    revision someone else moved past raises ``Stale`` and writes nothing."""

    def __init__(self, workspace: Mapping[str, Any]) -> None:
        self.doc = parse_workspace(dict(workspace))
        self.at = 1

    def revision(self) -> int:
        return self.at

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc:
        return self.doc.model_copy(deep=True)

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        return self.at, self.load()

    def save(self, doc: WorkspaceDoc, *, revision: int | None = None) -> int:
        if revision is not None and revision != self.at:
            raise Stale(revision, self.at)
        self.doc, self.at = doc.model_copy(deep=True), self.at + 1
        return self.at

    def outbound_url_problem(self, url: str) -> str | None:
        return None


class FakeWorkspace:
    """Routers (as the engine sees them), the reps' calendars, meetings, leads and admins."""

    def __init__(self, workspace: Mapping[str, Any], lead_config: LeadConfig | None = None):
        doc = WorkspaceDoc.model_validate(workspace)
        users = {u.email: user_info(u, doc.timezone) for u in doc.users or []}
        meetings = {m.slug: m for m in doc.meeting_types or []}
        self.user_docs = {u.email: u for u in doc.users or []}
        self.snapshots = {
            r.slug: RouterSnapshot(
                1, r, router_spec(r, doc), users, {},
                meetings.get(r.meeting_type) if r.meeting_type else None, self.user_docs,
                doc.branding, doc.language,
            )
            for r in doc.routers or []
        }  # fmt: skip
        self.timezone = doc.timezone
        self.meetings: dict[str, MeetingRow] = {}
        self.leads: dict[str, StoredLead] = {}
        self.config = lead_config or LeadConfig(0, {}, None, {}, False, None, {})
        self.admins: list[str] = []

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None:
        return self.snapshots.get(slug)

    def calendars(self) -> dict[str, tuple[CalendarDoc, str]]:
        return {
            e: (u.calendar, u.timezone or self.timezone)
            for e, u in self.user_docs.items()
            if u.calendar is not None
        }

    def meeting(self, meeting_id: str) -> MeetingRow | None:
        return self.meetings.get(meeting_id)

    def lead(self, lead_id: str) -> StoredLead | None:
        return self.leads.get(lead_id)

    def lead_config(self) -> LeadConfig:
        return self.config

    def admin_emails(self) -> list[str]:
        return list(self.admins)
