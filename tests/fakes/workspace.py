"""The workspace document (``WorkspaceRepo``), and routers, calendars, meetings and leads as
the meeting and CRM jobs read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadrail.app.errors import Stale
from leadrail.app.ports import LeadConfig, MeetingRow, RouterSnapshot, StoredLead
from leadrail.app.specs import router_spec, user_info
from leadrail.app.workspace import CalendarDoc, CrmDoc, WorkspaceDoc, parse_workspace
from leadrail.app.workspace.document import SECTIONS


class FakeWorkspaceRepo:
    """The workspace document and its revision, as ``WorkspaceRepo`` promises: a save at a
    revision someone else moved past raises ``Stale`` and writes nothing; sections a saved
    document leaves out are empty, and a document without ``crm`` keeps the records."""

    def __init__(self, workspace: Mapping[str, Any] | None = None) -> None:
        doc = parse_workspace(dict(workspace)) if workspace is not None else WorkspaceDoc()
        self.doc = self._complete(doc, CrmDoc())
        self.at = 1 if workspace is not None else 0

    @staticmethod
    def _complete(doc: WorkspaceDoc, crm: CrmDoc) -> WorkspaceDoc:
        empty = {s: [] for s in SECTIONS if getattr(doc, s) is None}
        return doc.model_copy(update={**empty, "crm": doc.crm or crm}, deep=True)

    def revision(self) -> int:
        return self.at

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc:
        return self.load_revision(include_crm=include_crm)[1]

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        doc = self.doc.model_copy(deep=True)
        return self.at, doc if include_crm else doc.model_copy(update={"crm": None})

    def save(self, doc: WorkspaceDoc, *, revision: int | None = None) -> int:
        if revision is not None and revision != self.at:
            raise Stale(revision, self.at)
        assert self.doc.crm is not None
        self.doc, self.at = self._complete(doc, self.doc.crm), self.at + 1
        return self.at

    def outbound_url_problem(self, url: str) -> str | None:
        from leadrail.adapters.outbound import Outbound

        return Outbound().saved_url_problem(url)


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

    def cached_lead_config(self) -> LeadConfig | None:
        return self.config

    def admin_emails(self) -> list[str]:
        return list(self.admins)
