"""Router forms: a RouterDoc as HTML form fields and back.

Nested settings (ownership, CRM) are rendered from their Pydantic models, field by field, so a
setting added to the model shows up here without a change (``OwnershipDoc.include_aligned``...).
Values go back as the workspace file would hold them; ``put_item`` validates them exactly as
``leadrail apply`` does, and its problems are keyed by the same dotted names as the fields.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from leadrail.app.workspace import OwnershipDoc, RouteDoc, RouterCrmDoc, RouterDoc

ROUTE_KINDS = ("team", "user", "broadcast", "category")
NESTED: dict[str, type[BaseModel]] = {"ownership": OwnershipDoc, "crm": RouterCrmDoc}
SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Widget:
    """One form control for a model field: ``kind`` is checkbox, checkboxes, select, number or
    text; ``choices`` for selects and checkbox groups."""

    name: str  # form name, e.g. "ownership.exact_match"
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    optional: bool = False


def _literal_choices(tp: Any) -> tuple[str, ...]:
    if typing.get_origin(tp) is Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    return ()


def widget_for(prefix: str, name: str, annotation: Any) -> Widget:
    label = name.replace("_", " ").capitalize()
    full = f"{prefix}.{name}"
    optional = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        optional = True
        annotation = next(a for a in args if a is not type(None))
    if annotation is bool:
        return Widget(full, label, "checkbox")
    if choices := _literal_choices(annotation):
        return Widget(full, label, "select", choices, optional)
    if typing.get_origin(annotation) is list:
        inner = typing.get_args(annotation)[0]
        if choices := _literal_choices(inner):
            return Widget(full, label, "checkboxes", choices)
        return Widget(full, label, "list", (), optional)
    if annotation in (int, float):
        return Widget(full, label, "number", (), optional)
    return Widget(full, label, "text", (), optional)


def widgets(prefix: str, model: type[BaseModel]) -> list[Widget]:
    return [widget_for(prefix, n, f.annotation) for n, f in model.model_fields.items()]


def schema_of(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The model's widgets as JSON for the rule editor's script."""
    return [
        {"name": w.name.split(".", 1)[1], "label": w.label, "kind": w.kind,
         "choices": list(w.choices)}
        for w in widgets("x", model)
    ]  # fmt: skip


def nested_values(form: Mapping[str, Any], prefix: str, model: type[BaseModel]) -> dict[str, Any]:
    """A nested model's values from a form (``getlist`` for checkbox groups)."""
    out: dict[str, Any] = {}
    for w in widgets(prefix, model):
        key = w.name.split(".", 1)[1]
        if w.kind == "checkbox":
            out[key] = form.get(w.name) in ("on", "true", "1")
        elif w.kind == "checkboxes":
            out[key] = [str(v) for v in _getlist(form, w.name)]
        elif w.kind == "list":
            out[key] = split_list(str(form.get(w.name, "")))
        else:
            value = str(form.get(w.name, "")).strip()
            if value:  # left empty: the model's default (or its "required" problem)
                out[key] = value
    return out


def _getlist(form: Mapping[str, Any], name: str) -> list[Any]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = form.get(name)
    return value if isinstance(value, list) else ([] if value is None else [value])


def split_list(text: str) -> list[str]:
    return [v for v in SPLIT.split(text.strip()) if v]


def route_values(form: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """A route (``default`` or a rule's) from its form fields."""
    kind = str(form.get(f"{prefix}.kind", "team"))

    def get(name: str) -> str:
        return str(form.get(f"{prefix}.{name}", "")).strip()

    if kind == "user":
        return {"user": get("user")}
    if kind == "broadcast":
        return {"broadcast": split_list(get("broadcast"))}
    if kind == "category":
        out: dict[str, Any] = {"category": get("category")}
        if get("store"):
            out["store"] = get("store")
        return out
    members = split_list(get("members"))
    return {
        "team": get("team"),
        "members": members or "all",
        "round_robin": get("round_robin") or "strict",
        "weighted": form.get(f"{prefix}.weighted") in ("on", "true", "1"),
    }


def route_kind(route: Mapping[str, Any]) -> str:
    return next((k for k in ROUTE_KINDS if route.get(k)), "team")


def router_from_form(form: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The router item the settings form describes. It starts from ``current``, so the rules
    and any setting this form does not show (one added to the model later) are kept."""

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    item: dict[str, Any] = dict(current)
    item.update(slug=text("slug"), title=text("title"))
    for name in ("timezone", "meeting_type", "redirect_url"):
        item[name] = text(name)
        if not item[name]:
            del item[name]
    for name in ("display_notes", "strip_emails", "vacation_compensation"):
        item[name] = form.get(name) in ("on", "true", "1")
    item["default_guests"] = split_list(text("default_guests"))
    item["reset"] = text("reset") or "none"
    item["memory_hours"] = text("memory_hours") or "0"
    for prefix, model in NESTED.items():
        item[prefix] = {**(current.get(prefix) or {}), **nested_values(form, prefix, model)}
    item["default"] = route_values(form, "default")
    return item


def field_of(path: str) -> str:
    """The form field a problem path points at: ``default_guests[1]`` -> ``default_guests``;
    ``ownership.match[0]`` -> ``ownership.match``."""
    return re.sub(r"\[\d+\]", "", path)


def form_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """Template values for an item (as the workspace file shows it, defaults filled in)."""
    doc = RouterDoc.model_validate(item).model_dump(by_alias=True) if _valid(item) else None
    view = dict(doc or item)
    view.setdefault("default", {})
    return view


def _valid(item: Mapping[str, Any]) -> bool:
    try:
        RouterDoc.model_validate(item)
    except Exception:  # noqa: BLE001 - invalid input is shown as typed
        return False
    return True


def route_defaults() -> dict[str, Any]:
    return RouteDoc.model_construct().model_dump() | {"members": "all"}
