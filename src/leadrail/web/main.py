"""The web application. ``create_app(settings)`` builds everything; nothing at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web import errors
from leadrail.web.routes import routing, workspace


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = container is None
        app.state.container = container or bootstrap(settings)
        yield
        if own:
            app.state.container.close()

    app = FastAPI(
        title="leadrail",
        version="0.1.0",
        lifespan=lifespan,
        description="Lead routing: decide who gets each prospect, with a trace.",
    )
    if container is not None:
        app.state.container = container
    errors.install(app)
    app.include_router(routing.router)
    app.include_router(workspace.router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        c: Container = app.state.container
        with c.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": c.engine.dialect.name}

    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``leadrail serve``)."""
    return create_app(Settings())
