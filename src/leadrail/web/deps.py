"""Typed dependencies: the container and the caller's API token.

They are ``async`` so FastAPI runs them on the event loop instead of sending each to the
thread pool; the token check is answered from the token repo's short cache (valid while no
token was revoked anywhere: ``Container.revocations``), and only a miss goes to the database
(in a worker thread)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from leadrail.app.ports import TokenOwner, WouldWait
from leadrail.bootstrap import Container

T = TypeVar("T")


async def now_or_in_thread(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, wait=False, **kwargs)`` on the event loop's thread; when it would wait
    (``WouldWait``: it did nothing), ``call(*args, **kwargs)`` in a worker thread. A SQLite
    write whose lock is free costs no hand-over to a thread and back (about a third of a
    routing request's time)."""
    try:
        return call(*args, wait=False, **kwargs)
    except WouldWait:
        return await run_in_threadpool(call, *args, **kwargs)


bearer = HTTPBearer(auto_error=False, description="An API token from `leadrail token create`.")


async def get_container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


ContainerDep = Annotated[Container, Depends(get_container)]


async def _token_owner(c: Container, creds: HTTPAuthorizationCredentials | None) -> TokenOwner:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "send an API token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    epoch = await c.revocations.epoch()  # a revocation on any process ends the cached entry
    owner = c.tokens.cached_token_owner(creds.credentials, epoch)
    if owner is None:
        owner = await run_in_threadpool(c.tokens.token_owner, creds.credentials, epoch)
    if owner is None:
        raise HTTPException(
            401, "the API token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return owner


async def admin_token(c: Container, authorization: str | None) -> TokenOwner:
    """The admin behind an ``Authorization: Bearer`` header (for endpoints that read their
    own request)."""
    scheme, _, token = (authorization or "").partition(" ")
    creds = (
        HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
        if scheme and token.strip()
        else None
    )
    owner = await _token_owner(c, creds)
    if not owner.is_admin:
        raise HTTPException(403, "this needs an admin's API token")
    return owner


async def require_admin(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> TokenOwner:
    """The caller's token must belong to an active admin (one dependency: each one FastAPI
    resolves costs time on every request)."""
    owner = await _token_owner(request.app.state.container, creds)
    if not owner.is_admin:
        raise HTTPException(403, "this needs an admin's API token")
    return owner


Admin = Annotated[TokenOwner, Depends(require_admin)]
