"""How ``leadrail --help`` reads: plain text (no boxes), values named like the classic Unix
help (``--email EMAIL``, ``ROUTER``), flags bare, and none of the type columns (``<str>``,
``<bool>``) that Typer adds. Every command of an ``App`` gets this without saying so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand
from typer.models import CommandFunctionType


class _Argument(TyperArgument):
    """An argument shown by its name alone."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw + ("..." if self.nargs != 1 else "")
        return name if self.required else f"[{name}]"


class Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument
            flag = bool(getattr(param, "is_flag", False) or getattr(param, "count", False))
            if param.metavar is None and not flag:
                param.metavar = (param.name or "value").upper()


class App(typer.Typer):
    """A Typer app whose commands' help reads as described above."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(
        self, *args: Any, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
