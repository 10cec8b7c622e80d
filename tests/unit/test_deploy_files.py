"""The deployment files say what the code does: compose starts exactly the parts of
docs/deploy.md, nginx treats the app's WebSocket and event-stream routes as such, and bad
scale-out settings are refused with a message naming the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fastapi.routing import iter_route_contexts
from pydantic import ValidationError
from starlette.routing import WebSocketRoute

from leadrail.settings import Settings
from leadrail.web.main import create_app

ROOT = Path(__file__).parents[2]


def test_compose_starts_postgres_redis_servers_workers_and_nginx() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "leadrail", "worker", "nginx"}
    assert services["leadrail"]["command"][:2] == ["leadrail", "serve"]
    assert services["worker"]["command"] == ["leadrail", "worker"]
    env = compose["x-leadrail"]["environment"]
    assert env["LEADRAIL_REDIS_URL"].startswith("redis://redis:")
    assert env["LEADRAIL_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["LEADRAIL_WORKER"] == "false"  # the worker service drains the outbox
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]


def _locations(conf: str) -> dict[str, str]:
    """nginx ``location = PATH { ... }`` blocks by exact path."""
    return dict(re.findall(r"location = (\S+) \{([^}]*)\}", conf))


def test_nginx_upgrades_the_websockets_and_does_not_buffer_the_stream() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    blocks = _locations(conf)
    app = create_app(Settings(database_url="sqlite://"))
    routes = list(iter_route_contexts(app.routes))
    sockets = {r.path for r in routes if isinstance(r.route, WebSocketRoute)}
    assert sockets
    for path in sockets:
        assert "proxy_set_header Upgrade $http_upgrade" in blocks[path], path
        assert "X-Forwarded-For" in blocks[path], path  # a location's own headers replace all
    paths = {r.path for r in routes}
    assert "/api/v1/visitors/stream" in paths
    assert "proxy_buffering off" in blocks["/api/v1/visitors/stream"]
    assert "return 404" in blocks["/metrics"]


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("log_format", "xml", "use text or json"),
        ("redis_url", "http://user:pw@cache:6379", "use redis://"),
    ],
)
def test_bad_scale_out_settings_are_refused(setting: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**{setting: value})  # type: ignore[arg-type]
    assert says in str(refused.value)
    assert "pw@" not in str(refused.value).replace(value, "")  # the URL's password is not echoed


def test_an_empty_redis_url_means_none() -> None:
    assert Settings(redis_url="").redis_url is None
    assert Settings(log_format=" JSON ").log_format == "json"
