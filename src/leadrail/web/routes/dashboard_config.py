"""Dashboard configuration screens: everything the workspace file says, except routers
(``dashboard_routers``). Each screen lives in a ``dashboard_config_*`` module; every save
goes through ``app/workspace_edit`` / ``apply_workspace``, the validation of ``leadrail
apply``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from leadrail.web.revision import read_revision
from leadrail.web.routes import (
    dashboard_config_leads,
    dashboard_config_simple,
    dashboard_config_users,
    dashboard_config_workspace,
)

# every page reads the workspace's revision first: its forms carry it (see web/revision.py)
router = APIRouter(include_in_schema=False, dependencies=[Depends(read_revision)])
router.include_router(dashboard_config_users.router)
router.include_router(dashboard_config_simple.router)
router.include_router(dashboard_config_leads.router)
router.include_router(dashboard_config_workspace.router)
