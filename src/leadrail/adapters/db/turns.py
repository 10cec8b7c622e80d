"""Threads of one process take turns on a key (a router, a rep) before they ask the pool for
a connection.

PostgreSQL serialises the writers of one router with a row lock, and a writer waiting for
that lock holds a pooled connection while it waits. Thirty bookings on one router would
hold thirty connections doing nothing, and every other request of the process would wait
for the pool. Waiting here first costs no connection: at most one writer per key and
process holds a connection at the row lock (writers of other processes still meet there).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class Turns:
    def __init__(self) -> None:
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield
