"""A schema fuzzer over every operation of the API: no 5xx, no status the OpenAPI document
does not declare, every response as the document describes it.

In process (ASGI), on SQLite, with an admin token and the demo workspace (so routers, sites
and records exist). Deterministic: Hypothesis derandomized, a small example budget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock

DEMO = Path(__file__).parents[2] / "examples" / "demo.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
pytestmark = pytest.mark.xdist_group("schemathesis")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, str]]:
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    from leadrail.adapters.db.engine import migrate

    migrate(f"sqlite:///{db}")
    c = bootstrap(
        Settings(
            database_url=f"sqlite:///{db}",
            secret_key="f" * 32,
            worker=False,
            public_rate_limit="100000/minute",
        )  # type: ignore[call-arg]
    )
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(c.workspace, yaml.safe_load(DEMO.read_text()))
    c.accounts.create_user("fuzz-admin@acme.test", "Fuzz", admin=True)
    token = c.tokens.create_token("fuzz-admin@acme.test", "schemathesis")
    yield c, token
    c.close()


@pytest.fixture(scope="module")
def client(world: tuple[Container, str]) -> Iterator[TestClient]:
    c, _ = world
    with TestClient(create_app(c.settings, container=c)) as http:
        yield http


def _document() -> dict[str, Any]:
    """The OpenAPI document (building the app touches no database)."""
    settings = Settings(database_url="sqlite://", secret_key="f" * 32, worker=False)
    return create_app(settings).openapi()


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: Any, world: tuple[Container, str], client: TestClient
) -> None:
    _, token = world
    if case.path == "/api/v1/visitors/stream":
        case.query = {**(case.query or {}), "visitor": "not-a-token"}  # never an open stream
    sent = case.as_transport_kwargs(
        base_url="http://testserver", headers={"Authorization": f"Bearer {token}"}
    )
    response = client.request(**_httpx(sent))
    case.validate_response(response, checks=CHECKS)


def _httpx(sent: dict[str, Any]) -> dict[str, Any]:
    """Schemathesis's request (``requests`` arguments) for httpx, which the app's test client
    speaks (schemathesis's own ASGI client needs a ``requests`` that urllib3-future, brought
    in by caldav, does not leave intact)."""
    out = {k: sent[k] for k in ("method", "url", "headers", "params") if k in sent}
    if "json" in sent:
        out["json"] = sent["json"]
    elif isinstance(sent.get("data"), bytes | str):
        out["content"] = sent["data"]
    elif sent.get("data") is not None:
        out["data"] = sent["data"]
    if sent.get("files"):
        out["files"] = sent["files"]
    return out
