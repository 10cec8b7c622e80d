"""Small workspace documents for tests."""

from __future__ import annotations

from typing import Any


def workspace(
    n_members: int = 4, weights: list[int] | None = None, **router: Any
) -> dict[str, Any]:
    """A workspace with users rep0..repN-1@acme.test in team SDR and a router 'inbound'
    whose default routes to SDR; ``router`` overrides the router's settings."""
    weights = weights or [1] * n_members
    users = [
        {"email": f"rep{i}@acme.test", "name": f"Rep {i}", "crm_owner_id": f"OWN-{i}"}
        for i in range(n_members)
    ]
    members = [{"user": f"rep{i}@acme.test", "weight": w} for i, w in enumerate(weights)]
    r: dict[str, Any] = {"slug": "inbound", "title": "Inbound", "default": {"team": "SDR"}}
    r.update(router)
    return {
        "timezone": "America/New_York",
        "users": users,
        "teams": [{"name": "SDR", "members": members}],
        "lists": [{"name": "target-accounts", "values": ["bigco.test"]}],
        "routers": [r],
    }
