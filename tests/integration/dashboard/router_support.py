"""The router screens' workspace and clock (their modules override ``dash_setup``)."""

from __future__ import annotations

from typing import Any

from tests.factories import MONDAY_8AM_NY, FixedClock, workspace


def router_workspace() -> dict[str, Any]:
    ws = workspace(
        rules=[
            {"name": "Big accounts", "when": {"field": "domain", "op": "in_list",
                                              "value": "target-accounts"},
             "route": {"user": "rep1@acme.test"}},
            {"name": "France", "when": {"field": "country", "op": "equals", "value": "fr"},
             "route": {"user": "rep2@acme.test"}},
        ]
    )  # fmt: skip
    ws["meeting_types"] = [{"slug": "intro", "name": "Intro", "duration_minutes": 30}]
    ws["categories"] = [{"name": "sales"}]
    ws["fallback_destination"] = {"address": "leads@acme.test", "format": "text"}
    ws["lists"].append({"name": "vip", "values": ["vip.test"]})
    return ws


def router_setup() -> tuple[dict[str, Any], Any]:
    """What the router screens' modules give ``dash_setup``: their workspace, a fixed clock."""
    return router_workspace(), FixedClock(MONDAY_8AM_NY)
