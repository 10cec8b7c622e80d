"""What the router screens share: the workspace's names to pick from, the 404 page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from leadrail.app.workspace_edit import section_items
from leadrail.bootstrap import Container
from leadrail.web.render import render


def options(c: Container) -> dict[str, list[str]]:
    """Names the forms offer: teams, users, lists, meeting types, categories, stores."""

    def names(section: str, key: str) -> list[str]:
        return [str(x.get(key, "")) for x in section_items(c.workspace, section)]

    return {
        "teams": names("teams", "name"),
        "users": names("users", "email"),
        "lists": names("lists", "name"),
        "meeting_types": names("meeting_types", "slug"),
        "categories": names("categories", "name"),
        "stores": names("stores", "name"),
    }


def router_or_404(request: Request, item: dict[str, Any] | None, slug: str) -> Response:
    """The 'no such router' page (``item`` None)."""
    return render(
        request,
        "dashboard/router_missing.html",
        {"slug": slug, "flash": f"No router {slug!r}.", "flash_kind": "bad"},
        status=404,
    )
