"""Running leadrail: migrate, serve, worker."""

from __future__ import annotations

from typing import Annotated

import typer

from leadrail.cli.common import (
    app,
    container,
    out,
    read_settings,
    warn_without_base_url,
)
from leadrail.settings import Settings


@app.command()
def migrate() -> None:
    """Apply database migrations, and say which."""
    from leadrail.bootstrap import migrate as do_migrate

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

    from leadrail.bootstrap import migrate as do_migrate

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
