"""The workspace file: apply, demo, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml

from leadrail.cli.common import (
    app,
    container,
    out,
    read_yaml,
    run_use_case,
)


@app.command()
def apply(
    file: Annotated[Path, typer.Option("-f", "--file", help="Workspace YAML ('-' = stdin).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show changes.")] = False,
) -> None:
    """Make the workspace match FILE (idempotent; prints what changed)."""
    from leadrail.app.apply import apply_workspace

    data = read_yaml(file)
    c = container()
    changes = run_use_case(apply_workspace, c.workspace, data, dry_run=dry_run)
    for ch in changes:
        out.print(str(ch), markup=False)
    verb = "would change" if dry_run else "changed"
    out.print(
        f"{len(changes)} {verb}"
        if changes
        else "no changes: the workspace already matches the file"
    )


@app.command()
def demo(
    file: Annotated[Path, typer.Option("-f", "--file", help="The demo workspace.")] = Path(
        "examples/demo.yaml"
    ),
    admin: Annotated[str, typer.Option(help="The demo admin's e-mail.")] = "admin@acme.test",
    url: Annotated[
        str, typer.Option(help="Where the server will answer (for the login link shown).")
    ] = "http://127.0.0.1:8000",
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Only into an empty database; else change nothing."),
    ] = False,
) -> None:
    """Load the demo workspace and an admin with a new password and API token, and print
    them (what `make run` does on a fresh database)."""
    import secrets

    from leadrail.app.apply import apply_workspace, workspace_is_empty

    c = container()
    if if_empty and not workspace_is_empty(c.workspace):
        out.print(
            "the database already has a workspace: kept as it is (to start afresh with the "
            "demo: `make reset`, or delete leadrail.db; a lost password: "
            f"`leadrail user password {admin}`)",
            markup=False,
        )
        return
    changes = run_use_case(apply_workspace, c.workspace, read_yaml(file))
    out.print(f"demo workspace loaded from {file} ({len(changes)} changes)", markup=False)
    password = secrets.token_urlsafe(12)
    c.accounts.create_user(admin, "Demo Admin", admin=True)
    run_use_case(c.accounts.set_password, admin, password)
    token = run_use_case(c.tokens.create_token, admin, "demo")
    out.print(f"Dashboard: {url.rstrip('/')}/login  as {admin}, password {password}", markup=False)
    out.print(f"API token (Authorization: Bearer ...): {token}", markup=False)


@app.command()
def export(crm: Annotated[bool, typer.Option(help="Include CRM records.")] = True) -> None:
    """Print the workspace as YAML that `apply` accepts."""
    from leadrail.app.apply import export_workspace

    doc = export_workspace(container().workspace, include_crm=crm)
    sys.stdout.write(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
