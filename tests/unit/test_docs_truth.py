"""The operator's documents say what the code does."""

from __future__ import annotations

from pathlib import Path

import typer

from leadrail.cli import app

ROOT = Path(__file__).parents[2]


def test_the_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name in getattr(group, "commands", {}):
        assert f"`leadrail {name}" in readme, name


def test_the_receipts_page_is_documented_behind_the_dashboard_login() -> None:
    leads = (ROOT / "docs" / "leads.md").read_text(encoding="utf-8")
    receipts = leads[leads.index("The receipts page") :].split("\n\n")[0]
    assert "HTTP Basic" not in receipts
    assert "log in" in receipts
