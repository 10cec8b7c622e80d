"""Pounce and chat over the console WebSocket: who sees what, alerts, accept, messages."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.integration.live.support import (
    ADMIN,
    ANA,
    BEN,
    SAM,
    console,
    event,
    frames_until,
    live_app,
    of_type,
)
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


def test_pounce_shows_each_visitor_to_its_rep_only_and_all_to_admin(db_url: str) -> None:
    with (
        live_app(db_url) as (_, client, tokens),
        console(client, tokens[ANA]) as ana,
        console(client, tokens[BEN]) as ben,
        console(client, tokens[ADMIN]) as admin,
    ):
        hello = ana.receive_json()
        assert hello["type"] == "hello"
        assert hello["me"]["email"] == ANA
        assert hello["status"] == "online"
        ben.receive_json(), admin.receive_json()
        ids = []
        for page in ("/pricing", "/blog"):
            r = event(client, {"visitor": None, "type": "page_view", "url": page})
            assert r.status_code == 200, r.text
            assert r.headers["access-control-allow-origin"] == "https://www.acme.test"
            ids.append(r.json()["visitor_id"])
        seen_ana = {f["visitor"]["id"] for f in of_type(frames_until(ana), "visitor")}
        seen_ben = {f["visitor"]["id"] for f in of_type(frames_until(ben), "visitor")}
        seen_admin = {f["visitor"]["id"] for f in of_type(frames_until(admin), "visitor")}
        assert len(seen_ana) == len(seen_ben) == 1  # the pool takes turns
        assert seen_ana | seen_ben == set(ids)
        assert not seen_ana & seen_ben
        assert seen_admin == set(ids)


def test_chat_alerts_online_reps_and_exactly_one_accept_wins(db_url: str) -> None:
    with live_app(db_url) as (c, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana, console(client, tokens[BEN]) as ben:
            ana.receive_json(), ben.receive_json()
            token = event(client, {"visitor": None, "type": "page_view", "url": "/"}).json()[
                "visitor"
            ]
            r = event(client, {"visitor": token, "type": "chat_request"})
            body = r.json()
            assert body["conversation"]["status"] == "waiting"
            assert body["conversation"]["countdown_seconds"] == 5
            cid = body["conversation"]["id"]
            for ws in (ana, ben):
                alert = of_type(frames_until(ws), "alert")[0]["alert"]
                assert alert["conversation_id"] == cid
                assert alert["countdown_seconds"] == 5
            # both accept in the same instant
            ana.send_json({"type": "accept", "conversation_id": cid})
            ben.send_json({"type": "accept", "conversation_id": cid})
            frames = frames_until(ana) + frames_until(ben)
            got = of_type(frames, "accepted")
            assert len(got) == 1, frames
            winner = got[0]["conversation"]["rep"]["email"]
            loser = ben if winner == ANA else ana
            if not of_type(frames, "taken"):  # the winner's push may come after the pong
                frames_until(loser, "taken")  # returns once it came (blocks until then)
                frames.append({"type": "taken", "conversation_id": cid})
            taken = of_type(frames, "taken")
            assert len(taken) == 1
            assert taken[0]["conversation_id"] == cid
            assert not of_type(frames_until(loser), "taken")  # once only
            # the winner chats; the visitor's text is stored as typed. The visitor answers
            # once the rep's message is stored (its echo came back): a reply, not a message
            # sent at the same instant, whose order against the rep's would be either.
            winner_ws = ana if winner == ANA else ben
            winner_ws.send_json({"type": "message", "conversation_id": cid, "text": "Hi!"})
            (hi,) = of_type(frames_until(winner_ws), "message")
            evil = "<script>alert(1)</script>"
            event(client, {"visitor": token, "type": "message", "text": evil})
            (reply,) = of_type(frames_until(winner_ws), "message")
            assert [hi["message"]["text"], reply["message"]["text"]] == ["Hi!", evil]
            assert reply["message"]["n"] == hi["message"]["n"] + 1
            stored = c.live.repo.messages(cid)
            assert [m.text for m in stored][-2:] == ["Hi!", evil]
            assert c.live.repo.conversation(cid).status == "active"


def test_offline_reps_are_never_alerted_and_nobody_online_gets_offers(db_url: str) -> None:
    with live_app(db_url) as (_, client, tokens):  # noqa: SIM117
        with console(client, tokens[BEN]) as ben:
            ben.receive_json()
            token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
            cid = event(client, {"visitor": token, "type": "chat_request"}).json()
            assert cid["conversation"]["status"] == "waiting"
            assert of_type(frames_until(ben), "alert")
        # nobody connected now (after the grace period)
        time.sleep(0.5)
        token2 = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
        body = event(client, {"visitor": token2, "type": "chat_request"}).json()
        assert body["conversation"]["status"] == "unanswered"
        kinds = [o["kind"] for o in body["offer"]]
        assert kinds == ["booker", "message", "questions"]
        assert body["offer"][0]["url"] == "/c/q2-enterprise"


def test_grace_period_keeps_a_reconnecting_rep_online(db_url: str) -> None:
    with live_app(db_url, presence_grace_seconds=1.5) as (_, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana:
            ana.receive_json()
        # socket dropped; within the grace period Ana is still online and gets the alert
        token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
        body = event(client, {"visitor": token, "type": "chat_request"}).json()
        assert body["conversation"]["status"] == "waiting"
        with console(client, tokens[ANA]) as ana:
            hello = ana.receive_json()
            assert [a["conversation_id"] for a in hello["alerts"]] == [body["conversation"]["id"]]


def test_away_rep_is_not_alerted(db_url: str) -> None:
    with live_app(db_url) as (_, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana, console(client, tokens[BEN]) as ben:
            ana.receive_json(), ben.receive_json()
            ana.send_json({"type": "status", "status": "away"})
            assert of_type(frames_until(ana), "status") == [{"type": "status", "status": "away"}]
            token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
            event(client, {"visitor": token, "type": "chat_request"})
            assert not of_type(frames_until(ana), "alert")
            assert of_type(frames_until(ben), "alert")


def test_countdown_expiry_tells_reps_and_offers_the_visitor(db_url: str) -> None:
    with live_app(db_url, countdown=5) as (c, client, tokens):  # noqa: SIM117
        with console(client, tokens[BEN]) as ben:
            ben.receive_json()
            token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
            cid = event(client, {"visitor": token, "type": "chat_request"}).json()["conversation"]
            c.live.repo  # noqa: B018
            app_live = client.app.state.live  # type: ignore[attr-defined]
            app_live.chats.expire(cid["id"])  # what the 5 s timer does
            frames = frames_until(ben)
            assert of_type(frames, "expired") == [{"type": "expired", "conversation_id": cid["id"]}]
            ben.send_json({"type": "accept", "conversation_id": cid["id"]})
            assert of_type(frames_until(ben), "expired")
            assert c.live.repo.conversation(cid["id"]).status == "unanswered"


def test_capacity_owner_and_aligned_sdr(db_url: str) -> None:
    with (
        live_app(db_url) as (_, client, tokens),
        console(client, tokens[ANA]) as ana,
        console(client, tokens[BEN]) as ben,
        console(client, tokens[SAM]) as sam,
    ):
        for ws in (ana, ben, sam):
            ws.receive_json()
        token = event(client, {"visitor": None, "type": "identify", "email": "owned@bigco.test"})
        token = token.json()["visitor"]
        cid = event(client, {"visitor": token, "type": "chat_request"}).json()["conversation"]
        alert = of_type(frames_until(ana), "alert")[0]["alert"]
        assert "owned by ana@acme.test" in alert["why"]
        assert "sam@acme.test" in alert["why"]
        assert of_type(frames_until(sam), "alert")  # the aligned SDR comes along
        assert not of_type(frames_until(ben), "alert")  # the owner is online: not Ben
        ana.send_json({"type": "accept", "conversation_id": cid["id"]})
        assert of_type(frames_until(ana), "accepted")
        # Ana is at her limit (max_chats 1): the next owned visitor goes to the fallback
        t2 = event(client, {"visitor": None, "type": "identify", "email": "owned@bigco.test"})
        event(client, {"visitor": t2.json()["visitor"], "type": "chat_request"})
        assert not of_type(frames_until(ana), "alert")
        assert of_type(frames_until(ben), "alert")


def test_owner_not_a_user_goes_to_the_fallback_group(db_url: str) -> None:
    with live_app(db_url) as (_, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana, console(client, tokens[BEN]) as ben:
            ana.receive_json(), ben.receive_json()
            body = {"visitor": None, "type": "identify", "email": "stranger@bigco.test"}
            token = event(client, body).json()["visitor"]
            event(client, {"visitor": token, "type": "chat_request"})
            alert = of_type(frames_until(ana), "alert")[0]["alert"]
            assert "not a leadrail user" in alert["why"]
            assert of_type(frames_until(ben), "alert")


def test_returning_visitor_goes_to_the_last_rep(db_url: str) -> None:
    with live_app(db_url) as (_, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana, console(client, tokens[BEN]) as ben:
            ana.receive_json(), ben.receive_json()
            token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
            cid = event(client, {"visitor": token, "type": "chat_request"}).json()["conversation"]
            frames_until(ana), frames_until(ben)
            ben.send_json({"type": "accept", "conversation_id": cid["id"]})
            assert of_type(frames_until(ben), "accepted")
            ben.send_json({"type": "close", "conversation_id": cid["id"]})
            assert of_type(frames_until(ben), "closed")
            event(client, {"visitor": token, "type": "chat_request"})
            alert = of_type(frames_until(ben), "alert")[0]["alert"]
            assert "returning visitor" in alert["why"]
            assert not of_type(frames_until(ana), "alert")


def test_unauthenticated_socket_is_closed_4401(db_url: str) -> None:
    with live_app(db_url) as (_, client, _tokens):
        for path in ("/api/v1/console/ws", "/api/v1/console/ws?token=lr_forged"):
            with client.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4401


def test_accept_race_in_the_database_has_one_winner(db_url: str) -> None:
    with live_app(db_url) as (c, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana, console(client, tokens[BEN]) as ben:
            ana.receive_json(), ben.receive_json()
            token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
            cid = event(client, {"visitor": token, "type": "chat_request"}).json()["conversation"]
        store, now = c.live.repo, c.clock.now()
        start, wins = threading.Barrier(2), []

        def accept(rep: str) -> None:
            start.wait()
            wins.append(store.accept(cid["id"], rep, now))

        threads = [threading.Thread(target=accept, args=(r,)) for r in (ANA, BEN)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(wins) == [False, True]
