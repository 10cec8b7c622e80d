"""Dashboard configuration screens: everything the workspace file says, except routers
(``pages/dashboard/routers/``). Each screen lives in a module of this package; every save
goes through ``app/workspace_edit`` / ``apply_workspace``, the validation of ``leadrail
apply``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from leadrail.web.revision import read_revision
from leadrail.web.routes.pages.dashboard.config import leads, simple, users, workspace

# every page reads the workspace's revision first: its forms carry it (see web/revision.py)
router = APIRouter(include_in_schema=False, dependencies=[Depends(read_revision)])
router.include_router(users.router)
router.include_router(simple.router)
router.include_router(leads.router)
router.include_router(workspace.router)
