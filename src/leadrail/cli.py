"""The ``leadrail`` command line."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from rich.console import Console
from rich.table import Table

from leadrail.app.errors import InvalidWorkspace, LeadrailError
from leadrail.bootstrap import Container, bootstrap
from leadrail.cli_help import App
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


@app.command()
def migrate() -> None:
    """Apply database migrations, and say which."""
    from leadrail.adapters.db.engine import migrate as do_migrate

    done = do_migrate(Settings().database_url)
    for name in done.applied:
        out.print(f"applied {name}", markup=False)
    at = f"at revision {done.revision}" if done.revision else "empty"
    if done.applied:
        out.print(f"{len(done.applied)} migration(s) applied: the database is {at}")
    else:
        out.print(f"the database is up to date ({at}): nothing to apply")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes.")] = None,
) -> None:
    """Run the web service (migrates first)."""
    import os

    import uvicorn

    from leadrail.adapters.db.engine import migrate as do_migrate

    # The options become settings of the app (and of every worker process it starts): links
    # in e-mails use this address when LEADRAIL_PUBLIC_BASE_URL is unset.
    given = read_settings()
    os.environ["LEADRAIL_HOST"] = host or given.host
    os.environ["LEADRAIL_PORT"] = str(port or given.port)
    settings = read_settings()
    do_migrate(settings.database_url)
    warn_without_base_url(settings)
    trusted = settings.trusted_proxies
    uvicorn.run(
        "leadrail.web.main:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        access_log=False,
        # X-Forwarded-For/-Proto only from the proxies the operator listed (default: none;
        # uvicorn's own default would believe any local process)
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


def warn_without_base_url(settings: Settings) -> None:
    if not settings.public_base_url:
        err.print(
            f"warning: LEADRAIL_PUBLIC_BASE_URL is unset: links in e-mails, invites and ADF "
            f"will use {settings.base_url}; set it to the address prospects reach",
            markup=False,
        )


@app.command()
def worker() -> None:
    """Run the delivery worker alone: it does what the outbox holds (form leads to their
    destinations by e-mail or webhook, meeting invites and cancellations, calendar writes,
    CRM writes of records and meetings) and retries what failed. The server runs one
    in-process unless LEADRAIL_WORKER=false. Stop it with Ctrl-C."""
    import signal
    import threading

    from leadrail.worker import run_worker

    c = container()
    warn_without_base_url(c.settings)
    stop = threading.Event()

    def halt(*_: object) -> None:
        stop.set()
        c.wake_worker()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, halt)
    out.print("worker running; Ctrl-C stops it")
    run_worker(c, stop)


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


@app.command()
def apply(
    file: Annotated[Path, typer.Option("-f", "--file", help="Workspace YAML ('-' = stdin).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show changes.")] = False,
) -> None:
    """Make the workspace match FILE (idempotent; prints what changed)."""
    from leadrail.app.apply import apply_workspace

    data = read_yaml(file)
    c = container()
    changes = run_use_case(apply_workspace, c.store, data, dry_run=dry_run)
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
    if if_empty and not workspace_is_empty(c.store):
        out.print(
            "the database already has a workspace: kept as it is (to start afresh with the "
            "demo: `make reset`, or delete leadrail.db; a lost password: "
            f"`leadrail user password {admin}`)",
            markup=False,
        )
        return
    changes = run_use_case(apply_workspace, c.store, read_yaml(file))
    out.print(f"demo workspace loaded from {file} ({len(changes)} changes)", markup=False)
    password = secrets.token_urlsafe(12)
    c.store.create_user(admin, "Demo Admin", admin=True)
    run_use_case(c.accounts.set_password, admin, password)
    token = run_use_case(c.store.create_token, admin, "demo")
    out.print(f"Dashboard: {url.rstrip('/')}/login  as {admin}, password {password}", markup=False)
    out.print(f"API token (Authorization: Bearer ...): {token}", markup=False)


@app.command()
def export(crm: Annotated[bool, typer.Option(help="Include CRM records.")] = True) -> None:
    """Print the workspace as YAML that `apply` accepts."""
    from leadrail.app.apply import export_workspace

    doc = export_workspace(container().store, include_crm=crm)
    sys.stdout.write(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))


def parse_fields(fields: list[str]) -> dict[str, str]:
    result = {}
    for f in fields:
        key, sep, value = f.partition("=")
        if not sep or not key.strip():
            fail(f"--field {f!r}: write it as name=value")
        result[key.strip()] = value
    return result


@app.command()
def route(
    router: Annotated[str, typer.Argument(help="Router slug.")],
    email: Annotated[str, typer.Option(help="The prospect's e-mail.")] = "",
    field: Annotated[
        list[str] | None, typer.Option(help="Another field (repeatable).", metavar="NAME=VALUE")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do not record.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Route one prospect and print the decision with its trace."""
    from leadrail.app.route import route_prospect
    from leadrail.web.schemas import decision_json

    c = container()
    raw = {**parse_fields(field or []), "email": email}
    rec = run_use_case(
        route_prospect, c.store, router, raw, c.clock.now(), dry_run=dry_run, source="cli"
    )
    body = decision_json(rec)
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
        return
    who = ", ".join(body["assignees"]) or "nobody"
    out.print(
        f"{who}  (rule: {body['rule'] or 'router ownership'}, via {body['via']})", markup=False
    )
    for step in body["trace"]:
        out.print(f"  - {step['detail']}", markup=False)
    out.print(
        "dry run: nothing recorded" if dry_run else f"decision {body['decision_id']}", markup=False
    )


@app.command()
def simulate(
    router: Annotated[str, typer.Argument(help="Router slug.")],
    input: Annotated[Path, typer.Option("-i", "--input", help="CSV of prospects.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Dry-run a CSV of prospects (one per row, a header of field names) and print the
    distribution per member and per rule."""
    from leadrail.app.route import simulate as do_simulate

    try:
        with input.open(newline="", encoding="utf-8-sig") as fh:
            rows: list[dict[str, Any]] = [
                {k: v for k, v in r.items() if k and v not in (None, "")}
                for r in csv.DictReader(fh)
            ]
    except OSError as e:
        fail(f"cannot read {input}: {e.strerror}")
    except (csv.Error, UnicodeDecodeError) as e:
        fail(f"{input} is not a readable CSV file: {e}")
    c = container()
    sim = run_use_case(do_simulate, c.store, router, rows, c.clock.now())
    body = {
        "router": sim.router,
        "prospects": sim.prospects,
        "members": dict(sim.by_member.most_common()),
        "rules": dict(sim.by_rule.most_common()),
        "via": dict(sim.by_via.most_common()),
        "errors": [{"row": r, "field": f, "message": m} for r, f, m in sim.errors],
    }
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
        return
    for title, counts in (("member", sim.by_member), ("rule", sim.by_rule)):
        table = Table(title=f"{sim.prospects} prospects by {title}")
        table.add_column(title)
        table.add_column("prospects", justify="right")
        table.add_column("share", justify="right")
        for name, n in counts.most_common():
            table.add_row(name, str(n), f"{100 * n / max(sim.prospects, 1):.1f}%")
        out.print(table)
    for r, f, m in sim.errors:
        err.print(f"row {r}: {f}: {m}", markup=False)


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
    user_id = c.store.create_user(email, name, admin=admin)
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
    store = container().store
    if email is None:
        admins = store.admin_emails()
        if len(admins) != 1:
            fail(
                "email: say whose token it is with --email"
                + ("" if admins else " (no admin yet: `leadrail user create EMAIL --admin`)")
            )
        email = admins[0]
    secret = run_use_case(store.create_token, email, name)
    sys.stdout.write(secret + "\n")


@crm_app.command("import")
def crm_import(
    file: Annotated[Path, typer.Argument(help="A CSV file with a header line.")],
    record_type: Annotated[
        str, typer.Option("--type", help="contacts, companies or leads.", metavar="TYPE")
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="A column's field, e.g. 'E-mail=email'.", metavar="COLUMN=FIELD"
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
) -> None:
    """Import CRM records: every good row in one transaction; bad rows reported by line and
    column (they do not stop the good ones)."""
    from rich.progress import Progress

    from leadrail.app.crm_import import ImportFileError, RecordType, import_csv

    kinds: dict[str, RecordType] = {
        "contacts": "contacts",
        "companies": "companies",
        "leads": "leads",
    }
    kind = kinds.get(record_type)
    if kind is None:
        fail(f"--type: {record_type!r} is not one of contacts, companies, leads")
    pairs = parse_fields(mapping or [])
    c = container()
    try:
        with file.open(newline="", encoding="utf-8-sig") as fh, Progress(console=err) as bar:
            task = bar.add_task(f"reading {file.name}", total=None)
            report = import_csv(
                c.crm,
                fh,
                kind,
                {k: v.strip() for k, v in pairs.items()},
                dry_run=dry_run,
                progress=lambda n: bar.update(task, completed=n),
            )
    except OSError as e:
        fail(f"cannot read {file}: {e.strerror}")
    except (ImportFileError, UnicodeDecodeError) as e:
        fail(f"{file}: {e}")
    for problem in report.errors[:200]:
        err.print(str(problem), markup=False)
    if len(report.errors) > 200:
        err.print(f"... and {len(report.errors) - 200} more", markup=False)
    verb = "would import" if dry_run else "imported"
    out.print(
        f"{report.rows} rows read, {report.imported} {verb} "
        f"({report.created} new, {report.updated} updated), "
        f"{len(report.errors)} with problems",
        markup=False,
    )


def main() -> None:
    app()
