"""What every command shares: the Typer apps, the consoles, settings, the container, errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
import yaml
from rich.console import Console

from leadrail.app.errors import InvalidWorkspace, LeadrailError
from leadrail.bootstrap import Container, bootstrap
from leadrail.cli.typer_app import App
from leadrail.settings import Settings

app = App(
    help="leadrail: open-source lead routing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
user_app = App(help="Manage user accounts.", no_args_is_help=True)
token_app = App(help="Manage API tokens.", no_args_is_help=True)
crm_app = App(help="The built-in CRM.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(crm_app, name="crm")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def read_settings() -> Settings:
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(
            f"LEADRAIL_{'_'.join(map(str, x['loc'])).upper()}: {x['msg']}" for x in e.errors()
        )
        fail(f"bad settings: {problems}")


def container() -> Container:
    return bootstrap(read_settings(), run_migrations=True)


def run_use_case(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except InvalidWorkspace as e:
        for p in e.problems:
            err.print(str(p), markup=False)
        fail(f"{len(e.problems)} problem(s); nothing was written")
    except LeadrailError as e:
        fail(f"{e.field}: {e.message}" if e.field else e.message)


def warn_without_base_url(settings: Settings) -> None:
    if not settings.public_base_url:
        err.print(
            f"warning: LEADRAIL_PUBLIC_BASE_URL is unset: links in e-mails, invites and ADF "
            f"will use {settings.base_url}; set it to the address prospects reach",
            markup=False,
        )


def read_yaml(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        fail(f"{path} is not valid YAML{where}: {getattr(e, 'problem', e)}")


def parse_fields(fields: list[str]) -> dict[str, str]:
    result = {}
    for f in fields:
        key, sep, value = f.partition("=")
        if not sep or not key.strip():
            fail(f"--field {f!r}: write it as name=value")
        result[key.strip()] = value
    return result
