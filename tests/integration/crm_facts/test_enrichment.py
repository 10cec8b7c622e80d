"""The enrichment step before the rules: the built-in provider (the built-in CRM's company of
the domain) and the operator's HTTP service (a local server): what it adds, what the trace
says, the cache, the timeout that never holds routing up, the outbound guard."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.errors import InvalidWorkspace
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, FixedClock, workspace

SOFTWARE = {"name": "Software", "route": {"user": "rep1@acme.test"},
            "when": {"field": "industry", "op": "equals", "value": "Software"}}  # fmt: skip
TOKEN_ENV = "LEADRAIL_CRED_TEST_ENRICH"


class Service:
    """The operator's enrichment service: answers ``GET /company?domain=`` with JSON; holds
    its answers while ``hold`` is clear."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.seen: list[tuple[dict[str, list[str]], str | None]] = []
        self.hold = threading.Event()
        self.hold.set()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                query = parse_qs(urlsplit(self.path).query)
                service.seen.append((query, self.headers.get("Authorization")))
                service.hold.wait(10)
                answer = service.answers.get(query.get("domain", [""])[0])
                body = json.dumps(answer).encode()
                self.send_response(200 if answer is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/company"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Iterator[Service]:
    s = Service()
    yield s
    s.stop()


def container(url: str, allow: str = "") -> Container:
    c = bootstrap(Settings(database_url=url, worker=False, secret_key="s" * 32,
                           outbound_allow_hosts=allow))  # fmt: skip
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    return c


def routed(c: Container, **prospect: Any) -> tuple[str | None, list[dict[str, Any]]]:
    done = route_prospect(c.routing, "inbound", prospect, c.clock.now(), dry_run=True)
    return done.decision.rule, done.decision.trace.to_json()


def test_builtin_enrichment_fills_what_the_prospect_lacks(db_url: str) -> None:
    c = container(db_url)
    doc = workspace(rules=[SOFTWARE])
    props = {"industry": "Software", "country": "FR", "company_size": 800}
    company = {"domain": "bigco.test", "properties": props}
    doc["crm"] = {"enrichment": {"provider": "builtin"}, "companies": [company]}
    apply_workspace(c.workspace, doc)
    rule, trace = routed(c, email="cto@eu.bigco.test")
    assert rule == "Software"
    said = "company_size '800', country 'FR', industry 'Software'"
    assert (
        trace[0]["detail"] == f"enrichment from the built-in CRM's company bigco.test added {said}"
    )
    assert trace[0]["data"]["added"] == {"company_size": "800", "country": "FR",
                                         "industry": "Software"}  # fmt: skip
    rule, trace = routed(c, email="cto@bigco.test", industry="Retail")  # what was sent is kept
    assert rule == "default"
    assert trace[0]["data"]["added"] == {"company_size": "800", "country": "FR"}
    rule, trace = routed(c, email="someone@gmail.com")
    assert (
        trace[0]["detail"] == "enrichment from the built-in CRM (no company domain) added nothing"
    )
    c.close()


def test_http_enrichment_with_token_cache_and_timeout(
    sqlite_url: str, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "enrich-secret")
    service.answers["bigco.test"] = {"industry": "Software", "country": "FR", "nested": {"a": 1},
                                     "secret_score": 99}  # fmt: skip
    c = container(sqlite_url, allow="127.0.0.1")
    doc = workspace(rules=[SOFTWARE])
    doc["crm"] = {"enrichment": {"provider": "http", "url": service.url, "token_env": TOKEN_ENV,
                                 "timeout_seconds": 0.3}}  # fmt: skip
    apply_workspace(c.workspace, doc)

    service.hold.clear()  # the service is slow: routing does not wait for it
    rule, trace = routed(c, email="cto@bigco.test")
    assert rule == "default"
    assert trace[0]["outcome"] == "failed"
    assert "no answer within 0.3 s; routed without it" in trace[0]["detail"]
    service.hold.set()  # its late answer fills the cache
    deadline = time.monotonic() + 10
    while (rule := routed(c, email="ceo@bigco.test")[0]) != "Software":
        assert time.monotonic() < deadline, "the late answer never reached the cache"
        time.sleep(0.02)
    rule, trace = routed(c, email="cfo@bigco.test")
    assert trace[0]["detail"].startswith("enrichment from 127.0.0.1 (HTTP) added country 'FR'")
    assert trace[0]["data"]["added"] == {"country": "FR", "industry": "Software"}
    assert len(service.seen) == 1  # cached per domain
    assert service.seen[0] == ({"domain": ["bigco.test"]}, "Bearer enrich-secret")
    c.close()


def test_a_free_mail_prospect_is_asked_by_email_and_a_404_adds_nothing(
    sqlite_url: str, service: Service
) -> None:
    c = container(sqlite_url, allow="127.0.0.1")
    doc = workspace()
    doc["crm"] = {"enrichment": {"provider": "http", "url": service.url}}
    apply_workspace(c.workspace, doc)
    _, trace = routed(c, email="pat@gmail.com")
    assert trace[0]["detail"] == "enrichment from 127.0.0.1 (HTTP) added nothing"
    assert service.seen[0][0] == {"domain": ["gmail.com"], "email": ["pat@gmail.com"]}
    c.close()


def test_the_service_url_goes_through_the_outbound_guard(sqlite_url: str, service: Service) -> None:
    c = container(sqlite_url)  # 127.0.0.1 not allowed
    doc = workspace()
    doc["crm"] = {"enrichment": {"provider": "http", "url": service.url}}
    with pytest.raises(InvalidWorkspace) as refused:
        apply_workspace(c.workspace, doc)
    assert refused.value.problems[0].path == "crm.enrichment.url"
    assert service.seen == []
    c.close()
