"""A chat's messages come in one order for everyone: numbered 1, 2, 3 ... in the transaction
that stores them, and sent live to the rep and the visitor in that order, even when the rep
and the visitor type at the same instant and the hop to the hub is slow."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from leadrail.app.live.reps import Rep
from tests.integration.live.support import (
    ANA,
    BEN,
    KEY,
    ORIGIN,
    console,
    event,
    frames_until,
    live_app,
    of_type,
)

THREADS, EACH = 6, 6


def slowly(send: Callable[..., None], heard: list[str]) -> Callable[..., None]:
    """The hub's method, after a random pause (a thread that is slow to hand over)."""
    lock = threading.Lock()

    def call(*args: Any, **kwargs: Any) -> None:
        time.sleep(random.uniform(0, 0.004))
        data = args[-1] if args and isinstance(args[-1], dict) else {}
        with lock:
            if "message" in data:
                heard.append(data["message"]["id"])
            send(*args, **kwargs)

    return call


def test_concurrent_messages_reach_everyone_in_the_transcripts_order(db_url: str) -> None:
    with live_app(db_url) as (c, client, tokens):  # noqa: SIM117
        with console(client, tokens[ANA]) as ana, console(client, tokens[BEN]) as ben:
            ana.receive_json(), ben.receive_json()
            token = event(client, {"visitor": None, "type": "page_view"}).json()["visitor"]
            cid = event(client, {"visitor": token, "type": "chat_request"}).json()
            cid = cid["conversation"]["id"]
            frames_until(ana), frames_until(ben)
            ben.send_json({"type": "accept", "conversation_id": cid})
            assert of_type(frames_until(ben), "accepted")
            live = client.app.state.live  # type: ignore[attr-defined]
            to_rep: list[str] = []
            to_visitor: list[str] = []
            live.hub.reps = slowly(live.hub.reps, to_rep)
            live.hub.visitor = slowly(live.hub.visitor, to_visitor)
            rep = Rep(BEN, "Ben Ode", False)

            def chat(i: int) -> None:
                for k in range(EACH):
                    if i % 2:
                        live.reps.message(rep, cid, f"rep {i}.{k}")
                    else:
                        body = {"site_key": KEY, "visitor": token, "type": "message"}
                        live.service.event(
                            {**body, "text": f"visitor {i}.{k}"}, origin=ORIGIN, ip=None
                        )

            with ThreadPoolExecutor(THREADS) as pool:
                list(pool.map(chat, range(THREADS)))
            frames = of_type(frames_until(ben), "message")

    transcript = c.live.repo.messages(cid)
    order = [m.id for m in transcript]
    assert len(order) == THREADS * EACH
    assert to_rep == order  # what the hub was handed, in the order it was handed
    assert to_visitor == order
    assert [m.number for m in transcript] == list(range(1, THREADS * EACH + 1))
    assert [f["message"]["id"] for f in frames] == order  # what Ben's console received
    assert [f["message"]["n"] for f in frames] == list(range(1, THREADS * EACH + 1))
