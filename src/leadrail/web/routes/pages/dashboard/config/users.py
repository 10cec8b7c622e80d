"""Dashboard: users (admins) and ``/dashboard/me`` (anyone logged in, their own availability).

A user's weight in each team lives in ``teams``; saving a user writes both sections in one
``apply_workspace`` call, so either everything is saved or nothing is."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.apply import apply_workspace
from leadrail.app.calendar_form import (
    CalendarInput,
    CalendarInputProblem,
    calendar_settings,
    password_state,
)
from leadrail.app.errors import InvalidWorkspace, NotFound, Problem, Stale
from leadrail.app.workspace import UserDoc
from leadrail.app.workspace_edit import (
    find_item,
    item_problems,
    pinned,
    put_item,
    read_item,
    read_sections,
    section_items,
)
from leadrail.bootstrap import Container
from leadrail.web.auth import AccountDep, CsrfDep
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, at_read, keep, sent_revision
from leadrail.web.routes.pages.dashboard.config.extras import Extras
from leadrail.web.routes.pages.dashboard.config.forms import (
    Section,
    checked,
    container,
    register,
    rows,
    text,
)

router = APIRouter(include_in_schema=False)

KNOWN = (
    "email", "name", "timezone", "working_hours", "crm_owner_id", "vacations", "credits",
    "calendar", "active", "admin",
)  # fmt: skip
EXTRAS = Extras(UserDoc, KNOWN)
OWN = ("timezone", "working_hours", "vacations", "calendar")  # what /dashboard/me may change


def availability(form: Mapping[str, Any]) -> dict[str, Any]:
    """Timezone, working hours and vacations: part of what a rep edits themselves."""
    out: dict[str, Any] = {"timezone": text(form, "timezone") or None}
    out["working_hours"] = {r.get("days", ""): r.get("hours", "") for r in rows(form, "hours")}
    out["vacations"] = [{"from": r.get("from", ""), "to": r.get("to", "")}
                        for r in rows(form, "vacations")]  # fmt: skip
    return out


def calendar_input(form: Mapping[str, Any], *, admin: bool) -> CalendarInput:
    """The calendar fields of a form. Only an admin's form names an environment variable;
    any ``calendar.password_env`` (or other field) posted to a rep's form is ignored."""
    password = form.get("calendar.password", "")
    return CalendarInput(
        provider=text(form, "calendar.provider"),
        url=text(form, "calendar.url"),
        username=text(form, "calendar.username"),
        password=password if isinstance(password, str) else "",
        forget=checked(form, "calendar.password_forget"),
        password_env=text(form, "calendar.password_env") if admin else None,
    )


def with_calendar(
    item: dict[str, Any], current: dict[str, Any], form: Mapping[str, Any], c: Container,
    *, admin: bool,
) -> dict[str, Any]:  # fmt: skip
    """``item`` with the calendar from the form; a problem is kept under ``_problem`` for
    ``put_user``/``save_me`` to report (the form comes back with the field marked)."""
    try:
        item["calendar"] = calendar_settings(
            current.get("calendar"), calendar_input(form, admin=admin), item["email"],
            c.credentials,
        )  # fmt: skip
    except CalendarInputProblem as e:
        item["calendar"] = current.get("calendar")
        item["_problem"] = (e.field, e.message)
    return item


def user_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    item = dict(current)
    item["email"] = current.get("email") or text(form, "email")
    item["name"] = text(form, "name")
    item.update(availability(form))
    with_calendar(item, current, form, c, admin=True)
    item["crm_owner_id"] = text(form, "crm_owner_id") or None
    item["credits"] = text(form, "credits") or "0"
    item["active"] = checked(form, "active")
    item["admin"] = checked(form, "admin") or bool(current.get("admin"))  # granted, never revoked
    item.update(EXTRAS.values(form))
    teams = section_items(c.workspace, "teams")
    item["_weights"] = {str(i): text(form, f"team_weight.{i}") for i in range(len(teams))}
    return {k: v for k, v in item.items() if v is not None}


def user_view(item: dict[str, Any], c: Container | None = None) -> dict[str, Any]:
    v = {k: x for k, x in item.items() if k != "_problem"}
    v["password_state"] = password_state(item.get("calendar"))
    v["calendar_problem"] = c.calendar.problem(str(item.get("email"))) if c else None
    v["hours"] = [{"days": k, "hours": h} for k, h in (item.get("working_hours") or {}).items()]
    v["vacations"] = list(item.get("vacations") or [])
    v["calendar"] = dict(item.get("calendar") or {})
    v["team_weights"] = item.get("_weights")
    v.setdefault("active", True)
    v["extras"] = EXTRAS.view(item)
    return v


def user_fields(errors: dict[str, str], item: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, message in errors.items():
        m = re.match(r"^teams\[(\d+)\]", path)
        if m:
            out.setdefault(f"team_weight.{m.group(1)}", message)
        else:
            out.setdefault(*EXTRAS.mark(path, message))
    return out


def put_user(c: Container, key: str | None, item: dict[str, Any], revision: int | None) -> None:
    """The user and their team weights, in one apply (the same validation as the CLI)."""
    weights: dict[str, str] = item.get("_weights") or {}
    problem = item.get("_problem")
    item = {k: v for k, v in item.items() if k not in ("_weights", "_problem")}
    email = str(item.get("email", "")).strip().lower()

    def attempt(expected: int | None) -> None:
        at, found = read_sections(c.workspace, ("users", "teams"), revision=expected)
        users, teams = found["users"], found["teams"]
        index = next((i for i, u in enumerate(users) if key and u["email"] == key.lower()), None)
        if problem:
            raise InvalidWorkspace([Problem(f"users[{len(users) if index is None else index}]."
                                            f"{problem[0]}", problem[1])])  # fmt: skip
        if index is None:
            if any(u["email"] == str(item.get("email", "")).lower() for u in users):
                raise InvalidWorkspace([_exists(len(users), item)])
            users.append(item)
        else:
            users[index] = item
        for i, team in enumerate(teams):
            weight = weights.get(str(i), "")
            members = [m for m in team.get("members", []) if _member(m) != email]
            if weight:
                pos = next((j for j, m in enumerate(team.get("members", []))
                            if _member(m) == email), len(members))  # fmt: skip
                members.insert(pos, {"user": email, "weight": weight})
            team["members"] = members
        apply_workspace(c.workspace, {"users": users, "teams": teams}, revision=at)

    pinned(revision, attempt)
    c.calendar.forget(email)  # the next slots are read with the new settings


def _member(m: Any) -> str:
    return str(m.get("user") if isinstance(m, dict) else m).lower()


def _exists(index: int, item: dict[str, Any]) -> Any:
    return Problem(f"users[{index}].email", f"{item.get('email')!r} exists already")


def user_context(c: Container) -> dict[str, Any]:
    return {"teams": section_items(c.workspace, "teams"), "extras": EXTRAS.fields,
            "calendar_problem": c.calendar.problem}  # fmt: skip


USERS = Section(
    section="users", url="users", title="User", key="email", template="dashboard/config/users.html",
    from_form=user_from_form, to_view=user_view, fields_of=user_fields, context=user_context,
    put=put_user,
    form_problems=EXTRAS.problems,
)  # fmt: skip


@router.get("/dashboard/me")
def me_page(request: Request, account: AccountDep) -> Response:
    c = container(request)
    try:
        _, item = find_item(c.workspace, "users", account.email)
    except NotFound:
        item = {"email": account.email}
    ctx = {"v": user_view(item, c), "errors": {}, "flash": request.query_params.get("flash")}
    return render(request, "dashboard/config/me.html", ctx)


@router.post("/dashboard/me", dependencies=[CsrfDep])
async def save_me(request: Request, account: AccountDep) -> Response:
    """Only the caller's own timezone, hours, vacations and calendar (whose password they
    may type, but never an environment variable's name); any other posted field (credits,
    admin, another e-mail, ``calendar.password_env``) is ignored."""
    c = container(request)
    form = await request.form()
    sent = keep(request, sent_revision(form))
    try:
        at, index, current = await run_in_threadpool(read_item, c.workspace, "users", account.email)
    except NotFound:
        return render(request, "dashboard/forbidden.html", {"message": "No such user."}, status=404)
    item = dict(current)
    for name in OWN:
        item.pop(name, None)
    item.update({k: v for k, v in availability(form).items() if v is not None})
    with_calendar(item, current, form, c, admin=False)
    problem = item.pop("_problem", None)
    try:
        if problem:
            raise InvalidWorkspace([Problem(f"users[{index}].{problem[0]}", problem[1])])
        if item.get("calendar") is None:
            item.pop("calendar")
        put = functools.partial(put_item, revision=at_read(sent, at))
        await run_in_threadpool(put, c.workspace, "users", account.email, item)
    except (InvalidWorkspace, Stale) as err:
        problems = item_problems(err, "users", index) if isinstance(err, InvalidWorkspace) else {}
        listed = "; ".join(f"{k}: {m}" for k, m in problems.items())
        view = user_view({**item, "calendar": current.get("calendar")}, c)
        view["calendar"] = dict(item.get("calendar") or {})  # what was typed, password aside
        stale = isinstance(err, Stale)
        ctx = {"v": view, "errors": user_fields(problems, item), "flash_kind": "bad",
               "flash": STALE_FLASH if stale else f"Not saved: {listed}"}  # fmt: skip
        return render(request, "dashboard/config/me.html", ctx, status=409 if stale else 422)
    c.calendar.forget(account.email)  # the next slots are read with the new settings
    return RedirectResponse("/dashboard/me?flash=Saved", 303)


register(router, USERS)
