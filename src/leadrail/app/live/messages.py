"""A chat's messages in one order for everyone.

Each message gets the next number of its conversation in the transaction that stores it
(``LiveRepo.add_message``), and transcripts are read in that order. The live copies go out
in the same order: storing a message and handing it to the hub happen under the
conversation's turn in this process, and the hub delivers what it is handed in the order it
was handed (one queue per connection). A rep's message and a visitor's sent at the same
instant may come in either order, but every participant and the transcript see the same one.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from leadrail.app.live.views import message_json
from leadrail.app.ports.live import LivePush, LiveRepo, MessageRow

STRIPES = 64  # conversations share this many turns (a turn lasts one insert)


@dataclass
class ChatLog:
    live: LiveRepo
    push: LivePush
    _turns: list[threading.Lock] = field(
        default_factory=lambda: [threading.Lock() for _ in range(STRIPES)]
    )

    def say(self, m: MessageRow, *, reps: Sequence[str], visitor: str | None) -> MessageRow:
        """Store ``m`` (numbered) and send it live to ``reps`` and the visitor."""
        turn = self._turns[zlib.crc32(m.conversation_id.encode()) % STRIPES]
        with turn:
            stored = self.live.add_message(m)
            data = {"conversation_id": m.conversation_id, "message": message_json(stored)}
            if visitor:
                self.push.visitor(visitor, "chat.message", data)
            if reps:
                self.push.reps(list(reps), {"type": "message", **data})
        return stored
