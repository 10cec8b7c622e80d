"""The web application. ``create_app(settings)`` builds everything; nothing at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web import auth, errors, openapi, ops
from leadrail.web.client import parse_networks
from leadrail.web.edge_middleware import EdgeMiddleware
from leadrail.web.ops_middleware import OpsMiddleware
from leadrail.web.ratelimit import PublicLimiter
from leadrail.web.render import render
from leadrail.web.routes import live
from leadrail.web.routes.api import (
    bookings,
    crm,
    crm_opportunities,
    crud,
    leads,
    routing,
    workspace,
)
from leadrail.web.routes.pages import accounts, branding
from leadrail.web.routes.pages.dashboard import analytics, calendars, receipts
from leadrail.web.routes.pages.dashboard import config as dashboard_config
from leadrail.web.routes.pages.dashboard import routers as dashboard_routers
from leadrail.web.routes.pages.public import links

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = container is None
        c = container or bootstrap(settings)
        app.state.container = c
        ops.watch_signals()  # SIGTERM sets app.state.shutdown first (see web/ops.py)
        from leadrail.web.live_hub import start_live, stop_live

        start_live(app, c)
        worker = None
        if c.settings.worker:
            from leadrail.worker import start_in_background

            worker = start_in_background(c)
        yield
        stop_live(app)
        if worker is not None:
            worker[1].set()
            c.wake_worker()
            worker[0].join(timeout=10)
        if own:
            c.close()

    app = FastAPI(
        title="leadrail",
        version="0.1.0",
        lifespan=lifespan,
        description="Lead routing: decide who gets each prospect, with a trace.",
    )
    if container is not None:
        app.state.container = container
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.globals["_"] = str  # English, unless a page passes its language's
    app.state.public_limiter = PublicLimiter(
        settings.public_rate_limit, settings.redis_url, settings.redis_prefix
    )
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.add_middleware(EdgeMiddleware)  # the edge policy: see web/edge.py
    # request ids, latency by route, JSON access lines (outermost: times the edge too)
    app.add_middleware(OpsMiddleware, access_log=settings.log_format == "json")
    ops.install(app)  # /healthz, /readyz, /metrics and app.state.shutdown
    errors.install(app)
    auth.install(app)
    openapi.install(app)  # declares the answers every operation can give
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    modules = (
        routing, workspace, bookings, links, leads, receipts, crm_opportunities, crm,
        accounts, dashboard_config, dashboard_routers, analytics, live, crud, calendars, branding,
    )  # fmt: skip
    for module in modules:
        app.include_router(module.router)

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def home(request: Request) -> Response:
        c: Container = app.state.container
        routers = [r.doc for r in c.catalog.routers() if r.doc.meeting_type]  # booking links only
        return render(request, "home.html", {"routers": routers}, public=True)

    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``leadrail serve``)."""
    return create_app(Settings())
