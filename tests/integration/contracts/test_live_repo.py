"""Live routing's storage (``LiveRepo``) on SQLite, on PostgreSQL and as the fake of
tests/fakes/live.py: the deadlines any process sweeps, and withdrawing a rep who went
offline, exactly once however many processes notice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.ports.live import ConversationRow, LiveRepo, VisitorRow
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY
from tests.fakes.live import FakeLiveRepo

T0 = MONDAY_8AM_NY
ANA, BEN = "ana@acme.test", "ben@acme.test"
KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "fake"]
WORKSPACE: dict[str, Any] = {
    "users": [{"email": ANA, "name": "Ana"}, {"email": BEN, "name": "Ben"}],
    "routers": [{"slug": "chat", "title": "Chat", "default": {"broadcast": [ANA, BEN]}}],
    "sites": [
        {"name": "Acme", "key": "pk_live_contract_000001",
         "live": {"chat": {"router": "chat", "countdown_seconds": 10}}},
    ],
}  # fmt: skip


@pytest.fixture(params=KINDS)
def repo(request: pytest.FixtureRequest) -> Iterator[LiveRepo]:
    if request.param == "fake":
        yield FakeLiveRepo(WORKSPACE)
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    c = bootstrap(Settings(database_url=url, worker=False))
    apply_workspace(c.workspace, WORKSPACE)
    try:
        yield c.live.repo
    finally:
        c.close()


def chat(repo: LiveRepo, n: int, alerted: list[str], *, seconds: int = 10) -> ConversationRow:
    v = VisitorRow(f"v{n}", "Acme", T0, T0)
    repo.save_visitor(v)
    c = ConversationRow(f"c{n}", v.id, "Acme", "waiting", T0, T0 + timedelta(seconds=seconds),
                        alerted=list(alerted))  # fmt: skip
    repo.add_conversation(c)
    return c


def test_due_lists_the_waiting_chats_whose_deadline_has_come(repo: LiveRepo) -> None:
    soon, later, taken = chat(repo, 1, [ANA], seconds=5), chat(repo, 2, [ANA]), chat(repo, 3, [ANA])
    assert repo.accept(taken.id, ANA, T0)
    assert repo.due(T0) == []
    assert [c.id for c in repo.due(T0 + timedelta(seconds=5))] == [soon.id]
    assert [c.id for c in repo.due(T0 + timedelta(seconds=60))] == [soon.id, later.id]


def test_withdraw_takes_the_rep_off_waiting_chats_once(repo: LiveRepo) -> None:
    both, alone, taken = chat(repo, 1, [ANA, BEN]), chat(repo, 2, [ANA]), chat(repo, 3, [ANA, BEN])
    assert repo.accept(taken.id, BEN, T0)
    changed = {c.id: c.alerted for c in repo.withdraw(ANA)}
    assert changed == {both.id: [BEN], alone.id: []}
    assert repo.withdraw(ANA) == []  # another process noticing the same departure
    assert repo.conversation(both.id).alerted == [BEN]  # type: ignore[union-attr]
    assert repo.conversation(taken.id).alerted == [ANA, BEN]  # type: ignore[union-attr]


def test_realert_moves_only_a_waiting_chat(repo: LiveRepo) -> None:
    waiting, taken = chat(repo, 1, []), chat(repo, 2, [ANA])
    assert repo.accept(taken.id, ANA, T0)
    new = T0 + timedelta(seconds=40)
    assert repo.realert(waiting.id, [BEN], new)
    assert not repo.realert(taken.id, [BEN], new)
    moved = repo.conversation(waiting.id)
    assert moved is not None
    assert (moved.alerted, moved.expires_at) == ([BEN], new)
    assert repo.conversation(taken.id).alerted == [ANA]  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_withdrawing_one_rep_at_once_each_chat_goes_to_one(
    kind: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "postgres_url")
    servers = [bootstrap(Settings(database_url=url, worker=False)) for _ in range(4)]
    apply_workspace(servers[0].workspace, WORKSPACE)
    try:
        for n in range(20):
            chat(servers[0].live.repo, n, [ANA, BEN])
        got: list[list[str]] = []
        start = threading.Barrier(len(servers))

        def withdraw(repo: LiveRepo) -> None:
            start.wait()
            got.append([c.id for c in repo.withdraw(ANA)])

        threads = [threading.Thread(target=withdraw, args=(s.live.repo,)) for s in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = sorted(i for mine in got for i in mine)
        assert ids == sorted(f"c{n}" for n in range(20))  # each once, none lost
    finally:
        for s in servers:
            s.close()
