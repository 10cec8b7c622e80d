"""Typed dependencies: the container and the caller's API token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from leadrail.app.ports import TokenOwner
from leadrail.bootstrap import Container

bearer = HTTPBearer(auto_error=False, description="An API token from `leadrail token create`.")


def get_container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


ContainerDep = Annotated[Container, Depends(get_container)]


def require_token(
    c: ContainerDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> TokenOwner:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "send an API token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    owner = c.store.token_owner(creds.credentials)
    if owner is None:
        raise HTTPException(
            401, "the API token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return owner


def require_admin(owner: Annotated[TokenOwner, Depends(require_token)]) -> TokenOwner:
    if not owner.is_admin:
        raise HTTPException(403, "this needs an admin's API token")
    return owner


Admin = Annotated[TokenOwner, Depends(require_admin)]
