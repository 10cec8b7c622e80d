"""Messages of one chat written by several server processes at once (two containers, as two
processes have, each writing from several threads) are numbered 1, 2, 3 ... with no gap and
no repeat, and each writer's messages keep the order it sent them in."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.ports import ConversationRow, MessageRow, VisitorRow
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from tests.factories import leads_workspace

WRITERS = 4  # two per process
EACH = 15


@pytest.mark.postgres
def test_messages_of_one_chat_from_two_processes_are_numbered_in_order(postgres_url: str) -> None:
    a = bootstrap(Settings(database_url=postgres_url, worker=False))
    b = bootstrap(Settings(database_url=postgres_url, worker=False))
    try:
        apply_workspace(a.workspace, leads_workspace())
        now = datetime.now(UTC)
        a.live.repo.save_visitor(
            VisitorRow(id="v1", site="dealer-site", started_at=now, last_seen=now)
        )
        chat = ConversationRow(
            id=uuid.uuid4().hex, visitor_id="v1", site="dealer-site", status="active",
            created_at=now, expires_at=now + timedelta(minutes=5), rep="rep0@acme.test",
        )  # fmt: skip
        a.live.repo.add_conversation(chat)
        start = threading.Barrier(WRITERS)
        numbers: dict[str, list[int]] = {}

        def write(writer: str, repo_of: int) -> None:
            repo = (a, b)[repo_of].live.repo
            start.wait(timeout=30)
            got = []
            for i in range(EACH):
                row = MessageRow(uuid.uuid4().hex, chat.id, "rep", writer, f"{writer} {i}", now)
                got.append(repo.add_message(row).number)
            numbers[writer] = got

        threads = [threading.Thread(target=write, args=(f"w{n}", n % 2)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(n for got in numbers.values() for n in got) == list(
            range(1, WRITERS * EACH + 1)
        )
        for writer, got in numbers.items():
            assert got == sorted(got), writer  # each writer's messages in the order sent
        stored = b.live.repo.messages(chat.id)
        assert [m.number for m in stored] == list(range(1, WRITERS * EACH + 1))
        for writer in numbers:  # read back in number order, a writer's texts are in order
            texts = [m.text for m in stored if m.name == writer]
            assert texts == [f"{writer} {i}" for i in range(EACH)]
    finally:
        a.close()
        b.close()
