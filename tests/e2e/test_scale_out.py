"""Two real `leadrail serve` servers (the second with `--workers 2`) on one PostgreSQL
database and the local Redis (a key prefix of their own): limits hold in total, a revocation
on one is refused by the other at once, and each answers /readyz, /metrics (the second for
both its processes) and logs JSON lines with request ids."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest

from tests.ops_support import REDIS_URL, fresh_pg, redis_prefix  # noqa: F401 (fixtures)
from tests.support.serve import Server, environment, leadrail, serving

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]
LIMIT = 10
PASSWORD = "correct horse battery staple"
WORKSPACE = {
    "users": [{"email": "ana@acme.test", "name": "Ana Ruiz"}],
    "routers": [{"slug": "inbound", "title": "Inbound", "default": {"user": "ana@acme.test"}}],
}


@dataclass
class Pair:
    a: Server
    b: Server
    env: dict[str, str]

    @property
    def ab(self) -> tuple[Server, Server]:
        return self.a, self.b


@pytest.fixture(scope="module")
def pair(
    fresh_pg: str,  # noqa: F811
    redis_prefix: str,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Pair]:
    tmp = tmp_path_factory.mktemp("scale")
    env = environment(
        tmp, WORKSPACE, database_url=fresh_pg, redis_url=REDIS_URL, redis_prefix=redis_prefix,
        public_rate_limit=f"{LIMIT}/minute", trusted_proxies="127.0.0.1", log_format="json",
        worker="false",
    )  # fmt: skip
    leadrail(env, "user", "create", "admin@acme.test", "--admin", "--password-stdin",
             stdin=PASSWORD + "\n")  # fmt: skip
    with ExitStack() as stack:
        a = stack.enter_context(serving(env, tmp))
        b = stack.enter_context(serving(env, tmp, "--workers", "2"))  # 3 processes in all
        yield Pair(a, b, env)


def _public(base: str, client_ip: str) -> int:
    """A public request (the slots of an unknown router: the limit is checked before the
    404) from ``client_ip`` (through the trusted proxy 127.0.0.1)."""
    return httpx.get(
        f"{base}/api/v1/routers/nope/slots",
        params={"email": "x@acme.test"},
        headers={"X-Forwarded-For": client_ip},
        timeout=10,
    ).status_code


def test_the_rate_limit_holds_across_both_processes(pair: Pair) -> None:
    codes = [_public(server.base, "203.0.113.5") for _ in range(LIMIT) for server in pair.ab]
    assert codes.count(404) == LIMIT, codes  # not LIMIT on each process
    assert codes.count(429) == LIMIT, codes
    assert _public(pair.b.base, "203.0.113.6") == 404  # another client has its own window


def test_the_windows_are_kept_under_the_redis_prefix(pair: Pair, redis_prefix: str) -> None:  # noqa: F811
    import redis

    _public(pair.a.base, "203.0.113.7")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"{redis_prefix}:*")]
    finally:
        client.close()
    assert any(k.startswith(f"{redis_prefix}:limits") for k in keys), keys


def _login(base: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(
        base_url=base,
        timeout=10,
        headers={"X-Forwarded-For": "198.51.100.1"},
        follow_redirects=True,
    )
    r = http.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    assert r.status_code == 200, r.text[:300]
    assert "/dashboard" in str(r.url), r.text[:300]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', http.get("/dashboard").text)
    assert csrf
    return http, csrf.group(1)


def test_a_token_revoked_on_one_process_is_refused_by_the_other_at_once(pair: Pair) -> None:
    token = leadrail(pair.env, "token", "create", "--email", "admin@acme.test").strip()
    auth = {"Authorization": f"Bearer {token}"}
    for server in pair.ab:  # both have it in their token cache now
        assert httpx.get(f"{server.base}/api/v1/routers", headers=auth).status_code == 200
    http, csrf = _login(pair.a.base)
    page = http.get("/dashboard/tokens").text
    ids = re.findall(r"/dashboard/tokens/(\d+)/revoke", page)
    assert ids, page[:500]
    assert http.post(f"/dashboard/tokens/{ids[-1]}/revoke", data={"csrf": csrf}).is_success
    http.close()
    assert httpx.get(f"{pair.b.base}/api/v1/routers", headers=auth).status_code == 401
    assert httpx.get(f"{pair.a.base}/api/v1/routers", headers=auth).status_code == 401


def test_a_session_ended_on_one_process_is_refused_by_the_other(pair: Pair) -> None:
    http, csrf = _login(pair.a.base)
    cookies = dict(http.cookies)
    assert httpx.get(f"{pair.b.base}/dashboard", cookies=cookies).status_code == 200
    assert http.post("/logout", data={"csrf": csrf}).is_success
    http.close()
    r = httpx.get(f"{pair.b.base}/dashboard", cookies=cookies, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


def test_both_are_ready_and_report_metrics(pair: Pair) -> None:
    for server in pair.ab:
        r = httpx.get(f"{server.base}/readyz")
        assert (r.status_code, r.json()) == (200, {"status": "ready"})
    token = leadrail(pair.env, "token", "create", "--email", "admin@acme.test").strip()
    r = httpx.post(
        f"{pair.a.base}/api/v1/routers/inbound/route",
        json={"email": "pat@bigco.test"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    text = httpx.get(f"{pair.a.base}/metrics").text
    assert 'leadrail_decisions_total{router="inbound",source="api"} 1.0' in text
    assert 'route="/api/v1/routers/{slug}/route"' in text
    assert "leadrail_live_chats" in text
    assert "leadrail_outbox_jobs" in text
    assert token not in text
    assert "lr_" not in text


def test_each_request_logs_a_json_line_with_its_request_id(pair: Pair) -> None:
    r = httpx.get(f"{pair.b.base}/healthz", headers={"X-Request-ID": "probe-4f2a"})
    assert r.headers["x-request-id"] == "probe-4f2a"
    deadline = time.monotonic() + 30
    while True:
        lines = [json.loads(x) for x in pair.b.output().splitlines() if x.startswith("{")]
        found = [x for x in lines if x.get("request_id") == "probe-4f2a"]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert found, pair.b.output()[-2000:]
    assert found[0]["logger"] == "leadrail.access"
    assert found[0]["route"] == "/healthz"
    assert found[0]["status"] == 200
