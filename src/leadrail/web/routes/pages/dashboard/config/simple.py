"""Dashboard: teams (members and weights), lists (one value a line) and meeting types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter

from leadrail.app.workspace import MeetingTypeDoc
from leadrail.app.workspace_edit import section_items
from leadrail.bootstrap import Container
from leadrail.web.routes.pages.dashboard.config.forms import (
    Section,
    model_widgets,
    register,
    rows,
    text,
    widget_values,
)

router = APIRouter(include_in_schema=False)


def team_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    members = [{"user": r.get("user", ""), "weight": r.get("weight") or "1"}
               for r in rows(form, "members")]  # fmt: skip
    picked = form.getlist("add_members") if hasattr(form, "getlist") else []
    listed = {m["user"] for m in members}
    members += [{"user": u, "weight": "1"} for u in dict.fromkeys(picked) if u and u not in listed]
    return {**current, "name": text(form, "name"), "members": members}


def team_view(item: dict[str, Any]) -> dict[str, Any]:
    members = [m if isinstance(m, dict) else {"user": m} for m in item.get("members") or []]
    return {**item, "members": members}


def users_context(c: Container) -> dict[str, Any]:
    return {"users": [u["email"] for u in section_items(c.workspace, "users")]}


TEAMS = Section(
    section="teams", url="teams", title="Team", key="name", template="dashboard/config/teams.html",
    from_form=team_from_form, to_view=team_view, context=users_context,
)  # fmt: skip


def list_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    values = [v.strip() for v in str(form.get("values", "")).splitlines() if v.strip()]
    return {**current, "name": text(form, "name"), "values": values}


def list_fields(errors: dict[str, str], item: dict[str, Any]) -> dict[str, str]:
    """``values[3]`` -> the values box, naming the line."""
    out: dict[str, str] = {}
    for path, message in errors.items():
        m = re.match(r"^values\[(\d+)\]", path)
        if m:
            out.setdefault("values", f"line {int(m.group(1)) + 1}: {message}")
        else:
            out.setdefault(path.split(".")[0] or "name", message)
    return out


LISTS = Section(
    section="lists", url="lists", title="List", key="name", template="dashboard/config/lists.html",
    from_form=list_from_form, fields_of=list_fields,
)  # fmt: skip

# reminders_hours: YAML and the API only (a form without it must not turn reminders off)
MEETING_WIDGETS = model_widgets(MeetingTypeDoc, skip=("reminders_hours",))


def meeting_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    names = {w.name for w in MEETING_WIDGETS}
    kept = {k: v for k, v in current.items() if k not in names}  # fields added later
    return kept | widget_values(form, MEETING_WIDGETS)


MEETING_TYPES = Section(
    section="meeting_types", url="meeting-types", title="Meeting type", key="slug",
    template="dashboard/config/meeting_types.html", from_form=meeting_from_form,
    context=lambda c: {"widgets": MEETING_WIDGETS},
)  # fmt: skip

for _section in (TEAMS, LISTS, MEETING_TYPES):
    register(router, _section)
