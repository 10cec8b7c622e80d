"""The snippet's HTTP side: refusals, leave-a-message leads, transcripts, workspace settings."""

from __future__ import annotations

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.errors import InvalidWorkspace
from tests.integration.live.support import (
    ADMIN,
    ANA,
    KEY,
    OTHER_KEY,
    console,
    event,
    frames_until,
    live_app,
    of_type,
    workspace,
)
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


def test_refusals_name_the_field(db_url: str) -> None:
    with live_app(db_url) as (_, client, _tokens):
        r = client.post(
            "/api/v1/visitors/events",
            json={"site_key": "pk_spoofed_000000000", "type": "page_view"},
        )
        assert r.status_code == 401
        assert r.json()["error"]["field"] == "site_key"
        r = event(client, {"visitor": None, "type": "page_view"}, origin="https://evil.test")
        assert r.status_code == 403
        assert r.json()["error"]["field"] == "origin"
        assert r.headers["access-control-allow-origin"] == "https://evil.test"  # readable
        token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
        forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
        r = event(client, {"visitor": forged, "type": "page_view"})
        assert r.status_code == 403
        assert r.json()["error"]["field"] == "visitor"
        other = client.post(
            "/api/v1/visitors/events",
            json={"site_key": OTHER_KEY, "visitor": None, "type": "page_view"},
        ).json()["visitor"]
        r = event(client, {"visitor": other, "type": "page_view"})
        assert r.status_code == 403
        assert r.json()["error"]["field"] == "visitor"
        event(client, {"visitor": token, "type": "chat_request"})
        r = event(client, {"visitor": token, "type": "message", "text": "x" * 2001})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "text"
        r = event(client, {"visitor": token, "type": "dance"})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "type"
        r = client.post(
            "/api/v1/visitors/events",
            content=b"not json",
            headers={"Origin": "https://www.acme.test"},
        )
        assert r.status_code == 400  # refused at the edge, still readable by the page
        assert r.json()["error"]["code"] == "bad_json"
        assert r.headers["access-control-allow-origin"] == "https://www.acme.test"
        pre = client.options(
            "/api/v1/visitors/events",
            headers={"Origin": "https://www.acme.test", "Access-Control-Request-Method": "POST"},
        )
        assert pre.status_code == 204
        assert pre.headers["access-control-allow-origin"] == "https://www.acme.test"


def test_rate_limit_answers_429(db_url: str) -> None:
    with live_app(db_url, live_event_rate="3/minute") as (_, client, _tokens):
        token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
        codes = [
            event(client, {"visitor": token, "type": "page_view"}).status_code for _ in range(4)
        ]
        assert codes[:2] == [200, 200]
        assert codes[-1] == 429


def test_leave_a_message_becomes_a_lead_with_deliveries(db_url: str) -> None:
    with live_app(db_url) as (c, client, tokens):
        token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
        body = event(client, {"visitor": token, "type": "chat_request"}).json()
        assert body["conversation"]["status"] == "unanswered"  # nobody online
        r = event(
            client,
            {
                "visitor": token,
                "type": "leave_message",
                "email": "Pat@BigCo.test",
                "name": "Pat",
                "text": "Call me <b>tomorrow</b>",
            },
        )
        assert r.status_code == 200, r.text
        conv = c.live.repo.conversation(body["conversation"]["id"])
        assert conv is not None
        assert conv.status == "closed"
        assert conv.lead_id
        ledger = c.ledger.decision(conv.decision_id or "")  # the chat router's decision
        assert ledger is not None
        assert (ledger.router, ledger.via) == ("website-chat", "none")
        lead = c.leads.lead(conv.lead_id)
        assert lead is not None
        assert lead.data["category"] == "General"
        assert lead.data["comments"] == "Call me <b>tomorrow</b>"
        assert [d["destination"] for d in lead.deliveries] == ["leads@acme.test"]
        # the transcript API (admin token) has the messages
        auth = {"Authorization": f"Bearer {tokens[ADMIN]}"}
        listed = client.get("/api/v1/conversations", params={"site": "Acme website"}, headers=auth)
        assert listed.status_code == 200
        one = listed.json()["conversations"][0]
        assert one["id"] == conv.id
        assert one["lead_id"] == conv.lead_id
        full = client.get(f"/api/v1/conversations/{conv.id}", headers=auth).json()
        assert [m["from"] for m in full["messages"]] == ["system", "visitor"]
        rep_auth = {"Authorization": f"Bearer {tokens[ANA]}"}
        assert client.get("/api/v1/conversations", headers=rep_auth).status_code == 403
        assert client.get("/api/v1/conversations/nope", headers=auth).status_code == 404


def test_booker_url_carries_the_identified_visitor(db_url: str) -> None:
    with live_app(db_url) as (_, client, _tokens):
        body = {"visitor": None, "type": "identify", "email": "pat@bigco.test", "name": "Pat Doe"}
        token = event(client, body).json()["visitor"]
        offer = event(client, {"visitor": token, "type": "chat_request"}).json()["offer"]
        assert offer[0] == {
            "kind": "booker",
            "url": "/c/q2-enterprise?email=pat%40bigco.test&name=Pat+Doe",
        }
        assert offer[2]["questions"] == [{"field": "employees", "label": "How many people?"}]
        r = event(client, {"visitor": token, "type": "answers", "answers": {"employees": "50"}})
        assert r.status_code == 200


def test_identify_shows_name_and_crm_owner_to_the_rep(db_url: str) -> None:
    with live_app(db_url) as (_, client, tokens), console(client, tokens[ANA]) as ana:
        ana.receive_json()
        body = {
            "visitor": None,
            "type": "identify",
            "email": "owned@bigco.test",
            "name": "Olga",
            "company": "BigCo",
        }
        event(client, body)
        v = of_type(frames_until(ana), "visitor")[-1]["visitor"]
        assert v["name"] == "Olga"
        assert v["company"] == "BigCo"
        assert v["crm"] == {"owner": ANA, "record": "contact"}
        assert v["routed_to"][0] == ANA
        assert "owned by" in v["why"]


def test_workspace_settings_are_checked_and_kept(db_url: str) -> None:
    with live_app(db_url) as (c, _client, _tokens):
        doc = c.workspace.load()
        site = doc.sites[0]
        assert site.origins == ["https://www.acme.test"]
        assert site.live.chat.countdown_seconds == 5
        assert site.live.chat.booker_router == "q2-enterprise"
        ana = next(u for u in doc.users if u.email == ANA)
        assert ana.max_chats == 1
        assert ana.aligned == ["sam@acme.test"]
        assert doc.routers[1].ownership.include_aligned is True
        assert apply_workspace(c.workspace, workspace()) == []  # round trip: nothing changes
        bad = workspace()
        bad["sites"][0]["live"]["chat"]["router"] = "nope"
        bad["sites"][0]["live"]["chat"]["countdown_seconds"] = 2
        bad["users"][0]["aligned"] = ["ghost@acme.test"]
        with pytest.raises(InvalidWorkspace) as err:
            apply_workspace(c.workspace, bad)
        paths = {p.path for p in err.value.problems}
        assert "sites[0].live.chat.countdown_seconds" in paths
        bad["sites"][0]["live"]["chat"]["countdown_seconds"] = 30
        with pytest.raises(InvalidWorkspace) as err:
            apply_workspace(c.workspace, bad)
        paths = {p.path for p in err.value.problems}
        assert paths == {"sites[0].live.chat.router", "users[0].aligned[0]"}


def test_console_page_and_demo_page(db_url: str) -> None:
    from tests.support.dashboard import login

    with live_app(db_url) as (_, client, _tokens):
        assert client.get("/dashboard/console", follow_redirects=False).status_code == 303
        login(client, ANA)
        page = client.get("/dashboard/console")
        assert page.status_code == 200
        demo = client.get("/demo/site")
        assert demo.status_code == 200
        assert KEY in demo.text
