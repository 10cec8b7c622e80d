"""The snippet's events through the visitor side's use case (no database, no hub)."""

from __future__ import annotations

import pytest

from leadrail.app.errors import InvalidInput
from leadrail.app.live.views import Forbidden
from tests.unit.app.live.world import ANA, BEN, LiveWorld


def test_an_unknown_event_type_is_refused_naming_the_field_and_the_known_types() -> None:
    world = LiveWorld()
    with pytest.raises(InvalidInput) as refused:
        world.send(type="__init__")
    assert refused.value.field == "type"
    assert "page_view" in refused.value.message
    assert "chat_request" in refused.value.message


def test_a_first_page_view_routes_the_visitor_and_shows_them_to_their_reps() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    it = world.send(type="page_view", url="https://www.acme.test/pricing", title="Pricing")
    saved = world.repo.visitor(it.visitor.id)
    assert saved is not None
    assert saved.pages == 1
    assert saved.routed_to
    shown = [m for emails, m, _ in world.push.to_reps if m["type"] == "visitor"]
    assert shown
    assert shown[-1]["visitor"]["page"]["title"] == "Pricing"
    assert world.routing.ledger[0][0] == "visitors"  # the decision is in the ledger


def test_a_token_of_another_visitor_signature_is_refused() -> None:
    world = LiveWorld()
    with pytest.raises(Forbidden):
        world.send("not-a-signed-token", type="page_view")


def test_a_chat_request_alerts_every_online_rep_and_tells_the_visitor_to_wait() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    it, cid = world.chat_request()
    assert [m["alert"]["conversation_id"] for m in world.push.sent_to(ANA, "alert")] == [cid]
    assert [m["alert"]["conversation_id"] for m in world.push.sent_to(BEN, "alert")] == [cid]
    assert world.push.events_of(it.visitor.id) == ["chat.waiting"]
    assert it.offer is None


def test_a_chat_request_with_nobody_online_gets_the_offers_at_once() -> None:
    world = LiveWorld()
    it, cid = world.chat_request()
    assert it.offer == [{"kind": "message"}]
    assert world.repo.rows[cid].status == "unanswered"
    assert world.push.sent_to(ANA, "alert") == []


def test_an_away_rep_is_not_alerted() -> None:
    world = LiveWorld()
    world.online(ANA)
    world.push.presence_of[BEN] = "away"
    world.chat_request()
    assert world.push.sent_to(ANA, "alert")
    assert not world.push.sent_to(BEN, "alert")


def test_when_the_countdown_runs_out_the_reps_are_told_and_the_visitor_gets_the_offers() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    it, cid = world.chat_request()
    world.later(10)
    world.chats.expire(cid)
    assert world.push.sent_to(ANA, "expired") == [{"type": "expired", "conversation_id": cid}]
    last = world.push.to_visitors[-1]
    assert last == (
        it.visitor.id,
        "chat.unanswered",
        {"conversation_id": cid, "offer": [{"kind": "message"}]},
    )
    assert [m.text for m in world.repo.messages(cid)] == ["Nobody answered in time."]


def test_a_message_before_any_chat_request_is_refused() -> None:
    world = LiveWorld()
    first = world.send(type="page_view")
    with pytest.raises(InvalidInput) as refused:
        world.send(first.token, type="message", text="hello?")
    assert refused.value.field == "type"


def test_the_visitor_closing_a_waiting_chat_withdraws_the_alerts() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    it, cid = world.chat_request()
    world.send(it.token, type="close")
    assert world.repo.rows[cid].status == "closed"
    assert world.push.sent_to(BEN, "closed") == [{"type": "closed", "conversation_id": cid}]
    assert world.push.events_of(it.visitor.id)[-1] == "chat.closed"
