"""Fields a model gains after a screen was written (``UserDoc.max_chats``, ``SiteDoc.live``):
plain values (numbers, text, choices, yes/no, lists of words) get a form control, anything
nested a YAML box. Form names are ``extra.<field>``; problems inside a field name its path."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from leadrail.web.edge import Refused, load_document
from leadrail.web.routes.pages.dashboard.config.forms import field_name, widget_values
from leadrail.web.routes.pages.dashboard.routers.form import Widget, widget_for

PLAIN = (str, int, float, bool)


def _plain(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        annotation = next(a for a in args if a is not type(None))
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is list:
        return _plain(typing.get_args(annotation)[0])
    return annotation in PLAIN or typing.get_origin(annotation) is typing.Literal


@dataclass(frozen=True)
class Extras:
    model: type[BaseModel]
    known: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [n for n in self.model.model_fields if n not in self.known]

    @property
    def fields(self) -> list[tuple[str, Widget | None]]:
        """``(form name, widget)``; widget None: a YAML box."""
        out: list[tuple[str, Widget | None]] = []
        for n in self.names:
            ann = self.model.model_fields[n].annotation
            out.append((f"extra.{n}", widget_for("extra", n, ann) if _plain(ann) else None))
        return out

    def view(self, item: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (name, w), n in zip(self.fields, self.names, strict=True):
            value = item.get(n)
            if w is None and value is not None and not isinstance(value, str):
                value = yaml.safe_dump(value, sort_keys=False).strip()
            out[name] = value
        return out

    def values(self, form: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        widgets = [w for _, w in self.fields if w is not None]
        for name, value in widget_values(form, widgets).items():
            out[name.removeprefix("extra.")] = value
        for (name, w), n in zip(self.fields, self.names, strict=True):
            raw = form.get(name, "")
            if w is None and isinstance(raw, str) and raw.strip():
                try:
                    out[n] = load_document(raw)
                except Refused:
                    out[n] = raw  # shown again as typed; problems() names it
        return out

    def problems(self, form: Mapping[str, Any]) -> dict[str, str]:
        bad: dict[str, str] = {}
        for name, w in self.fields:
            raw = form.get(name, "")
            if w is None and isinstance(raw, str) and raw.strip():
                try:
                    load_document(raw)
                except Refused as err:
                    bad[name] = err.message
        return bad

    def mark(self, path: str, message: str) -> tuple[str, str]:
        """(form field, message) for a problem path inside the item."""
        head = re.split(r"[.\[]", path, maxsplit=1)[0]
        if head in self.names:
            return f"extra.{head}", (message if path == head else f"{path}: {message}")
        return field_name(path), message
