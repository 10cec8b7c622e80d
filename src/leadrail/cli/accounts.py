"""Users and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from leadrail.cli.common import (
    container,
    fail,
    out,
    run_use_case,
    token_app,
    user_app,
)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="E-mail address.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    admin: Annotated[bool, typer.Option("--admin", help="Make an admin.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a dashboard password from stdin.")
    ] = False,
) -> None:
    """Create a user (or promote an existing one with --admin)."""
    if "@" not in email or " " in email.strip():
        fail(f"email: {email!r} is not an e-mail address")
    c = container()
    password = _read_password() if password_stdin else None
    user_id = c.accounts.create_user(email, name, admin=admin)
    if password is not None:
        run_use_case(c.accounts.set_password, email, password)
    out.print(
        f"user {email.strip().lower()} (id {user_id}){' is an admin' if admin else ''}"
        + (" with a dashboard password" if password is not None else ""),
        markup=False,
    )


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("password")
def user_password(email: Annotated[str, typer.Argument(help="E-mail address.")]) -> None:
    """Set a user's dashboard password (prompted, or one line on stdin)."""
    run_use_case(container().accounts.set_password, email, _read_password())
    out.print(f"password set for {email.strip().lower()}; their sessions ended", markup=False)


@token_app.command("create")
def token_create(
    email: Annotated[
        str | None, typer.Option(help="The token's user (default: the only admin).")
    ] = None,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token for a user and print it (shown once; stored hashed)."""
    c = container()
    if email is None:
        admins = c.accounts.admin_emails()
        if len(admins) != 1:
            fail(
                "email: say whose token it is with --email"
                + ("" if admins else " (no admin yet: `leadrail user create EMAIL --admin`)")
            )
        email = admins[0]
    secret = run_use_case(c.tokens.create_token, email, name)
    sys.stdout.write(secret + "\n")
