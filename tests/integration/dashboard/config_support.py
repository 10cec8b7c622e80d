"""The configuration screens' workspace (``dash`` in conftest.py uses it)."""

from __future__ import annotations

from typing import Any

from tests.factories import workspace
from tests.support.dashboard import ADMIN, REP

__all__ = ["ADMIN", "REP", "config_workspace"]


def config_workspace() -> dict[str, Any]:
    ws = workspace(n_members=3)
    ws["users"][0]["working_hours"] = {"mon-fri": "09:00-17:00"}
    ws["teams"].append({"name": "AE", "members": [{"user": "rep1@acme.test", "weight": 2}]})
    ws["meeting_types"] = [{"slug": "intro", "name": "Intro", "duration_minutes": 30}]
    ws["categories"] = [{"name": "sales", "destinations": [{"address": "s@acme.test"}]}]
    ws["fallback_destination"] = {"address": "leads@acme.test", "format": "text"}
    ws["stores"] = [{"name": "Paris", "latitude": 48.85, "longitude": 2.35}]
    ws["sites"] = [{"name": "www", "key": "k" * 20}]
    return ws
