"""Live routing across two real server processes (PostgreSQL + Redis, LEADRAIL_REDIS_URL):
a visitor on one and reps on the other see each other; a chat outlives the process that
started its countdown; a dead process's reps go offline and their chats move on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.live_cluster import (
    ANA,
    BEN,
    Console,
    Visitor,
    cluster,
    redis_or_skip,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(600)]  # two servers each


@pytest.fixture
def redis_url() -> str:
    return redis_or_skip()


@pytest.fixture
def consoles() -> Iterator[list[Console]]:
    opened: list[Console] = []
    yield opened
    for c in opened:
        c.close()


def seen_by(visitor: Visitor, base: str, console: Console, email: str) -> None:
    """Until ``base`` sees ``email`` online: each identify routes the visitor among the reps
    online (as ``base`` sees them); the rep's console gets the visitor once they are."""

    def routed() -> bool:
        visitor.send(base, type="identify", name="Pat Doe")
        return any(
            f["visitor"]["id"] == visitor.id and email in f["visitor"]["routed_to"]
            for f in console.frames("visitor")
        )

    wait_until(f"{email} online as {base} sees it", routed)


def test_a_visitor_on_one_process_chats_with_a_rep_on_the_other(
    pg_admin_url: str, redis_url: str, tmp_path: Path, consoles: list[Console]
) -> None:
    with cluster(pg_admin_url, redis_url, tmp_path, countdown=60, grace=20) as c:
        a, b = c.bases
        ana, ben = Console(b, c.tokens[ANA]), Console(b, c.tokens[BEN])
        consoles += [ana, ben]
        visitor = Visitor()
        visitor.send(a, type="page_view", url="https://www.acme.test/pricing")
        visitor.listen(a)
        seen_by(visitor, a, ana, ANA)
        seen_by(visitor, a, ben, BEN)

        cid = visitor.send(a, type="chat_request")["conversation"]["id"]
        for rep in (ana, ben):
            assert rep.wait("alert")["alert"]["conversation_id"] == cid
        assert len(ana.frames("alert")) == 1  # once, not once per process
        ana.send(type="accept", conversation_id=cid)  # both at once
        ben.send(type="accept", conversation_id=cid)
        accepted = visitor.wait("chat.accepted")[0]
        winner, loser = (ana, ben) if accepted["rep"]["name"] == "Ana Ruiz" else (ben, ana)
        assert winner.wait("accepted")["conversation"]["id"] == cid
        assert loser.wait("taken", conversation_id=cid)["by"] == accepted["rep"]["name"]
        assert loser.frames("accepted") == []

        winner.send(type="message", conversation_id=cid, text="Hello from process B")
        said = visitor.wait("chat.message")[0]["message"]
        assert (said["from"], said["text"], said["n"]) == ("rep", "Hello from process B", 1)
        visitor.send(a, type="message", text="Hi <b>there</b> from process A")
        wait_until("the visitor's line on the console", lambda: len(winner.frames("message")) > 1)
        lines = [(f["message"]["n"], f["message"]["from"], f["message"]["text"])
                 for f in winner.frames("message")]  # fmt: skip
        typed = "Hi <b>there</b> from process A"
        assert lines == [(1, "rep", "Hello from process B"), (2, "visitor", typed)]  # once each
        visitor.stop()


def test_a_chat_whose_process_was_killed_still_ends_with_the_offers_on_time(
    pg_admin_url: str, redis_url: str, tmp_path: Path, consoles: list[Console]
) -> None:
    with cluster(pg_admin_url, redis_url, tmp_path, countdown=5, grace=30) as c:
        a, b = c.bases
        ana = Console(a, c.tokens[ANA])
        consoles.append(ana)
        visitor = Visitor()
        visitor.send(a, type="page_view", url="https://www.acme.test/pricing")
        visitor.listen(a)
        seen_by(visitor, b, ana, ANA)  # B sees Ana (connected to A) online

        cid = visitor.send(b, type="chat_request")["conversation"]["id"]  # B holds the countdown
        alert = ana.wait("alert")["alert"]
        assert alert["conversation_id"] == cid
        c.kill(b)

        ended, at = visitor.wait("chat.unanswered", timeout=60)
        assert ended == {"conversation_id": cid, "offer": [{"kind": "message"}]}
        assert ana.wait("expired", conversation_id=cid)
        deadline = datetime.fromisoformat(alert["expires_at"]).timestamp()
        assert at >= deadline  # not before the countdown was over
        print(f"offers {at - deadline:.3f} s after the deadline")  # see docs/live.md
        visitor.stop()


def test_a_dead_processs_rep_goes_offline_after_the_grace_and_the_chat_moves_on(
    pg_admin_url: str, redis_url: str, tmp_path: Path, consoles: list[Console]
) -> None:
    with cluster(pg_admin_url, redis_url, tmp_path, countdown=120, grace=2) as c:
        a, b = c.bases
        ana = Console(b, c.tokens[ANA])
        consoles.append(ana)
        visitor = Visitor()
        visitor.send(a, type="page_view")
        visitor.listen(a)
        seen_by(visitor, a, ana, ANA)

        cid = visitor.send(a, type="chat_request")["conversation"]["id"]
        assert ana.wait("alert")["alert"]["conversation_id"] == cid
        ben = Console(a, c.tokens[BEN])  # Ben comes online on A after the request
        consoles.append(ben)
        c.kill(b)  # Ana's process dies with her socket

        moved = ben.wait("alert", timeout=60)["alert"]
        assert moved["conversation_id"] == cid
        assert len(visitor.events("chat.waiting")) == 2  # a new countdown
        ben.send(type="accept", conversation_id=cid)
        assert visitor.wait("chat.accepted")[0]["rep"] == {"name": "Ben Ode"}
        visitor.stop()
