"""The countdown is a deadline any process may act on; a rep who goes offline hands their
alerts on."""

from __future__ import annotations

from tests.unit.app.live.world import ANA, BEN, LiveWorld, live_workspace, rep


def test_a_chat_past_its_deadline_ends_at_the_next_sweep_and_only_once() -> None:
    world = LiveWorld(live_workspace(countdown=10))
    world.online(ANA)
    it, cid = world.chat_request()
    assert world.chats.expire_due() == 0  # not yet
    assert world.repo.rows[cid].status == "waiting"
    world.later(10)
    assert world.chats.expire_due() == 1
    assert world.chats.expire_due() == 0  # a second process sweeping finds nothing
    assert world.push.events_of(it.visitor.id).count("chat.unanswered") == 1
    assert world.repo.rows[cid].status == "unanswered"


def test_an_accepted_chat_is_not_ended_by_its_old_deadline() -> None:
    world = LiveWorld(live_workspace(countdown=10))
    world.online(ANA)
    it, cid = world.chat_request()
    world.reps.accept(rep(ANA), cid)
    world.later(60)
    assert world.chats.expire_due() == 0
    assert world.repo.rows[cid].status == "active"
    assert "chat.unanswered" not in world.push.events_of(it.visitor.id)


def test_a_rep_going_offline_loses_the_alert_and_the_other_alerted_rep_keeps_it() -> None:
    world = LiveWorld()
    world.online(ANA, BEN)
    _, cid = world.chat_request()
    assert world.offline(ANA) == []  # Ben still has it: nothing to hand on
    assert world.repo.rows[cid].alerted == [BEN]
    assert world.push.sent_to(ANA, "expired") == [{"type": "expired", "conversation_id": cid}]
    assert world.reps.hello(rep(ANA), "online")["alerts"] == []


def test_a_chat_whose_only_alerted_rep_goes_offline_goes_to_whoever_else_may_take_it() -> None:
    world = LiveWorld(live_workspace(countdown=10))
    world.online(ANA)
    it, cid = world.chat_request()
    world.later(4)
    world.online(BEN)  # Ben came online after the request
    assert world.offline(ANA) == [cid]
    row = world.repo.rows[cid]
    assert row.status == "waiting"
    assert row.alerted == [BEN]
    assert (row.expires_at - world.clock.now()).total_seconds() == 10  # a new countdown
    assert [m["alert"]["conversation_id"] for m in world.push.sent_to(BEN, "alert")] == [cid]
    assert world.push.events_of(it.visitor.id) == ["chat.waiting", "chat.waiting"]
    assert world.reps.accept(rep(BEN), cid) is not None


def test_a_chat_whose_only_alerted_rep_goes_offline_with_nobody_else_gets_the_offers() -> None:
    world = LiveWorld()
    world.online(ANA)
    it, cid = world.chat_request()
    assert world.offline(ANA) == [cid]
    assert world.repo.rows[cid].status == "unanswered"
    assert world.push.to_visitors[-1][1:] == (
        "chat.unanswered",
        {"conversation_id": cid, "offer": [{"kind": "message"}]},
    )


def test_going_offline_twice_hands_on_once() -> None:
    world = LiveWorld()
    world.online(ANA)
    it, cid = world.chat_request()
    world.offline(ANA)
    assert world.offline(ANA) == []  # another process noticing the same departure
    assert world.push.events_of(it.visitor.id).count("chat.unanswered") == 1
