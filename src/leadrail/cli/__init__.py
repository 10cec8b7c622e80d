"""The ``leadrail`` command line: one module per group of commands, all on one Typer app."""

from __future__ import annotations

from leadrail.cli import accounts, crm, routing, server, workspace
from leadrail.cli.common import app

__all__ = ["accounts", "app", "crm", "main", "routing", "server", "workspace"]


def main() -> None:
    app()
