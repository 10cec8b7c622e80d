"""Running leadrail: migrate, serve, worker."""

from __future__ import annotations

from typing import Annotated

import typer

from leadrail.cli.common import (
    app,
    container,
    err,
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
    from uvicorn.config import LOGGING_CONFIG

    from leadrail.bootstrap import migrate as do_migrate
    from leadrail.logs import log_config

    # The options become settings of the app (and of every worker process it starts): links
    # in e-mails use this address when LEADRAIL_PUBLIC_BASE_URL is unset.
    given = read_settings()
    os.environ["LEADRAIL_HOST"] = host or given.host
    os.environ["LEADRAIL_PORT"] = str(port or given.port)
    settings = read_settings()
    do_migrate(settings.database_url)
    warn_without_base_url(settings)
    processes = workers or settings.workers
    if processes > 1:
        _several_processes(settings)
    trusted = settings.trusted_proxies
    uvicorn.run(
        "leadrail.web.main:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=processes,
        log_level=settings.log_level,
        log_config=log_config(settings.log_format, settings.log_level) or LOGGING_CONFIG,
        # SIGTERM: stop accepting, let in-flight requests finish, then close what is left
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        # --workers N: a process still importing on a busy machine is not hung (uvicorn's
        # default, 5 s, kills and restarts such processes over and over)
        timeout_worker_healthcheck=30,
        access_log=False,
        # X-Forwarded-For/-Proto only from the proxies the operator listed (default: none;
        # uvicorn's own default would believe any local process)
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


def _several_processes(settings: Settings) -> None:
    """``--workers N``: one metrics directory for all of them, and what to know."""
    import os
    import shutil
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.mkdtemp(prefix="leadrail-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # the worker processes inherit it
        import atexit

        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if settings.is_sqlite:
        err.print(
            "warning: several server processes on SQLite take turns for every write; "
            "use PostgreSQL for more than one process (docs/deploy.md)",
            markup=False,
        )
    if not settings.redis_url:
        err.print(
            "warning: without LEADRAIL_REDIS_URL each process keeps its own rate limits, "
            "token cache (a revoked token works up to 5 s on the others) and live hub "
            "(docs/deploy.md)",
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

    from leadrail.logs import configure
    from leadrail.worker import run_worker

    c = container()
    configure(c.settings.log_format, c.settings.log_level)
    warn_without_base_url(c.settings)
    stop = threading.Event()

    def halt(*_: object) -> None:
        stop.set()
        c.wake_worker()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, halt)
    out.print("worker running; Ctrl-C stops it")
    run_worker(c, stop)
