"""The router catalog over an in-memory workspace: what it serves, and when it reads again."""

from __future__ import annotations

from leadrail.app.catalog import RouterCatalog
from leadrail.app.workspace import WorkspaceDoc, parse_workspace

CALENDAR = {"provider": "caldav", "url": "https://dav.example.test/ana/"}


def doc(*routers: str, tz: str = "Europe/Paris") -> WorkspaceDoc:
    return parse_workspace(
        {
            "timezone": tz,
            "users": [
                {"email": "ana@acme.test", "calendar": CALENDAR},
                {"email": "bo@acme.test", "timezone": "Asia/Tokyo", "calendar": CALENDAR},
                {"email": "cy@acme.test"},
            ],
            "routers": [
                {"slug": s, "title": s, "default": {"user": "ana@acme.test"}} for s in routers
            ],
        }
    )


class Workspace:
    """A WorkspaceReader that counts its loads."""

    def __init__(self, document: WorkspaceDoc) -> None:
        self.at, self.doc, self.loads = 1, document, 0

    def save(self, document: WorkspaceDoc) -> None:
        self.at, self.doc = self.at + 1, document

    def revision(self) -> int:
        return self.at

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        self.loads += 1
        return self.at, self.doc


def test_calendars_are_known_before_any_router_was_asked() -> None:
    catalog = RouterCatalog(Workspace(doc("inbound")))
    found = catalog.calendars()
    assert {rep: tz for rep, (_, tz) in found.items()} == {
        "ana@acme.test": "Europe/Paris",  # the workspace's timezone
        "bo@acme.test": "Asia/Tokyo",  # the rep's own
    }
    assert found["ana@acme.test"][0].url == CALENDAR["url"]


def test_calendars_without_any_router() -> None:
    assert set(RouterCatalog(Workspace(doc())).calendars()) == {"ana@acme.test", "bo@acme.test"}


def test_a_router_is_read_once_per_revision() -> None:
    ws = Workspace(doc("inbound"))
    catalog = RouterCatalog(ws)
    first = catalog.router("inbound")
    assert first is not None
    assert first.revision == 1
    assert catalog.router("inbound") is first
    assert catalog.calendars() is catalog.calendars()
    assert ws.loads == 1


def test_a_transaction_at_a_newer_revision_gets_the_newer_router() -> None:
    ws = Workspace(doc("inbound"))
    catalog = RouterCatalog(ws)
    assert catalog.router("inbound") is not None
    ws.save(doc("inbound", "outbound"))  # by another process: nobody told this catalog
    assert catalog.router("inbound") is not None  # still served from the snapshot
    newer = catalog.router("inbound", revision=2)
    assert newer is not None
    assert newer.revision == 2
    assert [r.doc.slug for r in catalog.routers()] == ["inbound", "outbound"]


def test_an_unknown_slug_looks_for_a_router_made_elsewhere() -> None:
    ws = Workspace(doc("inbound"))
    catalog = RouterCatalog(ws)
    assert catalog.router("outbound") is None
    ws.save(doc("inbound", "outbound"))
    assert catalog.router("outbound") is not None


def test_forget_drops_the_snapshot_after_a_save() -> None:
    ws = Workspace(doc("inbound"))
    catalog = RouterCatalog(ws)
    assert catalog.calendars()
    ws.save(doc("inbound", tz="UTC"))
    catalog.forget()
    assert catalog.calendars()["ana@acme.test"][1] == "UTC"
