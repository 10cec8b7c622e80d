"""The workspace document's storage and the sealing of typed passwords."""

from __future__ import annotations

from typing import Protocol

from leadrail.app.workspace import WorkspaceDoc


class WorkspaceRepo(Protocol):
    def revision(self) -> int:
        """The workspace's revision: one more after each save."""
        ...

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc: ...

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        """The document and the revision it is at (read in one transaction)."""
        ...

    def save(self, doc: WorkspaceDoc, *, revision: int | None = None) -> int:
        """Make the workspace match ``doc``; returns the new revision. With ``revision`` (the
        one the document was read at), a workspace saved by someone else since raises
        ``Stale`` and nothing is written."""
        ...

    def outbound_url_problem(self, url: str) -> str | None:
        """Why a user-typed URL leadrail would call (CalDAV, webhook, CRM) cannot be saved:
        it names a loopback/private/link-local address or a local network name that the
        operator has not allowed; None when it may be saved."""
        ...


class CredentialSealer(Protocol):
    """Keeps a password a user typed: ``seal`` gives the stored (encrypted) form, bound to
    the user and to the server of ``url``."""

    def seal(self, secret: str, owner: str, url: str) -> str: ...
