"""The reps' side of a chat through its use case: accepting, chatting, closing."""

from __future__ import annotations

import pytest

from leadrail.app.errors import InvalidInput
from tests.unit.app.live.world import ANA, BEN, LiveWorld, live_workspace, rep


def test_the_first_rep_to_accept_gets_the_chat_and_the_other_is_told_it_is_taken() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    it, cid = world.chat_request()
    won = world.reps.accept(rep(BEN), cid)
    assert won is not None
    assert won["type"] == "accepted"
    assert won["conversation"]["rep"] == {"email": BEN, "name": "Ben Ode"}
    assert world.reps.accept(rep(ANA), cid) is None  # Ben's ``taken`` reaches Ana
    assert world.push.sent_to(ANA, "taken") == [
        {"type": "taken", "conversation_id": cid, "by": "Ben Ode"}
    ]
    assert world.push.events_of(it.visitor.id)[-1] == "chat.accepted"
    assert world.repo.visitor(it.visitor.id).last_rep == BEN  # type: ignore[union-attr]


def test_accepting_after_the_countdown_says_expired() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    _, cid = world.chat_request()
    world.chats.expire(cid)
    assert world.reps.accept(rep(ANA), cid) == {"type": "expired", "conversation_id": cid}


def test_a_rep_who_was_not_alerted_may_not_accept() -> None:
    world = LiveWorld()
    world.online(ANA)
    _, cid = world.chat_request()
    with pytest.raises(InvalidInput) as refused:
        world.reps.accept(rep(BEN), cid)
    assert refused.value.field == "conversation_id"


def test_messages_both_ways_are_numbered_in_one_order_and_reach_the_other_side() -> None:
    world = LiveWorld()
    world.online(ANA)
    it, cid = world.chat_request()
    world.reps.accept(rep(ANA), cid)
    world.reps.message(rep(ANA), cid, "Hi, how can I help?")
    world.send(it.token, type="message", text="Pricing <b>please</b>")
    assert [(m.number, m.sender, m.text) for m in world.repo.messages(cid)] == [
        (1, "rep", "Hi, how can I help?"),
        (2, "visitor", "Pricing <b>please</b>"),
    ]
    to_ana = world.push.sent_to(ANA, "message")
    assert [m["message"]["n"] for m in to_ana] == [1, 2]
    assert world.push.events_of(it.visitor.id)[-2:] == ["chat.message", "chat.message"]


def test_a_rep_may_not_write_in_someone_elses_chat() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    _, cid = world.chat_request()
    world.reps.accept(rep(ANA), cid)
    with pytest.raises(InvalidInput):
        world.reps.message(rep(BEN), cid, "me too")


def test_the_console_hello_lists_open_alerts_until_they_expire() -> None:
    world = LiveWorld(live_workspace(countdown=10))
    world.online(ANA)
    _, cid = world.chat_request()
    hello = world.reps.hello(rep(ANA), "online")
    assert [a["conversation_id"] for a in hello["alerts"]] == [cid]
    world.later(11)
    assert world.reps.hello(rep(ANA), "online")["alerts"] == []


def test_closing_tells_the_visitor() -> None:
    world = LiveWorld()
    world.online(ANA)
    it, cid = world.chat_request()
    world.reps.accept(rep(ANA), cid)
    world.reps.close(rep(ANA), cid)
    assert world.repo.rows[cid].status == "closed"
    assert world.push.events_of(it.visitor.id)[-1] == "chat.closed"
