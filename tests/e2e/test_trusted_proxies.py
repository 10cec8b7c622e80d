"""X-Forwarded-For is believed only from LEADRAIL_TRUSTED_PROXIES, in a real `leadrail serve`
process (uvicorn's own default believes any local process)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.serve import environment, serving

WORKSPACE = {
    "users": [{"email": "ana@acme.test", "name": "Ana Ruiz"}],
    "routers": [{"slug": "api-only", "title": "API", "default": {"user": "ana@acme.test"}}],
}
LIMIT = 3


def _statuses(base: str, forwarded: list[str]) -> list[int]:
    """One public request per X-Forwarded-For value (the slots of an unknown router: the
    rate limit is checked before the 404)."""
    with httpx.Client(base_url=base, timeout=10) as http:
        return [
            http.get(
                "/api/v1/routers/nope/slots",
                params={"email": "x@acme.test"},
                headers={"X-Forwarded-For": ip},
            ).status_code
            for ip in forwarded
        ]


@pytest.mark.timeout(180)
def test_a_rotating_forwarded_for_does_not_escape_the_limit(tmp_path: Path) -> None:
    env = environment(tmp_path, WORKSPACE, public_rate_limit=f"{LIMIT}/minute")
    with serving(env, tmp_path) as server:
        codes = _statuses(server.base, [f"203.0.113.{i}" for i in range(LIMIT + 3)])
    assert codes[:LIMIT] == [404] * LIMIT
    assert codes[LIMIT:] == [429] * 3


@pytest.mark.timeout(180)
def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(tmp_path: Path) -> None:
    env = environment(
        tmp_path,
        WORKSPACE,
        public_rate_limit=f"{LIMIT}/minute",
        trusted_proxies="10.0.0.0/8, 127.0.0.1",
    )
    with serving(env, tmp_path) as server:
        # each forwarded client has its own budget: six clients, no 429
        rotating = _statuses(server.base, [f"203.0.113.{i}" for i in range(6)])
        # one client behind two trusted proxies, with a spoofed left-most entry each time
        same = _statuses(
            server.base, [f"198.51.100.{i}, 192.0.2.7, 10.1.2.3" for i in range(LIMIT + 2)]
        )
    assert rotating == [404] * 6
    assert same[:LIMIT] == [404] * LIMIT
    assert same[LIMIT:] == [429] * 2
