"""Live routing's use cases over the fakes of tests/fakes/live.py, wired as bootstrap does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from leadrail.app.live.chats import Chats
from leadrail.app.live.presence import RepsGoing
from leadrail.app.live.reps import LiveReps, Rep
from leadrail.app.live.takers import ChatTakers
from leadrail.app.live.views import VisitorTokens
from leadrail.app.live.visitors import Intake, LiveService
from tests.factories import FixedClock
from tests.fakes.live import FakeLiveRepo, FakePush, FakeRouting

KEY = "pk_live_unit_site_000001"
ORIGIN = "https://www.acme.test"
ANA, BEN = "ana@acme.test", "ben@acme.test"
T0 = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def live_workspace(countdown: int = 10) -> dict[str, Any]:
    """Ana and Ben take chats (the chat router alerts both); the site offers a message."""
    return {
        "users": [{"email": ANA, "name": "Ana Ruiz"}, {"email": BEN, "name": "Ben Ode"}],
        "teams": [{"name": "Sales", "members": [ANA, BEN]}],
        "routers": [
            {"slug": "visitors", "title": "Visitors", "default": {"team": "Sales"}},
            {"slug": "chat", "title": "Chat", "default": {"broadcast": [ANA, BEN]}},
        ],
        "sites": [
            {
                "name": "Acme",
                "key": KEY,
                "origins": [ORIGIN],
                "live": {
                    "pounce": {"router": "visitors"},
                    "chat": {"router": "chat", "countdown_seconds": countdown},
                },
            }
        ],
    }


class LiveWorld:
    def __init__(self, workspace: dict[str, Any] | None = None) -> None:
        ws = workspace or live_workspace()
        self.clock = FixedClock(T0)
        self.repo, self.push, self.routing = FakeLiveRepo(ws), FakePush(), FakeRouting(ws)
        self.chats = Chats(self.repo, self.push, self.clock.now)
        takers = ChatTakers(self.repo, self.push, self.routing)
        self.going = RepsGoing(self.chats, takers)
        self.service = LiveService(
            self.chats, takers, self.routing, leads=None, locator=None,  # type: ignore[arg-type]
            tokens=VisitorTokens("a unit test secret"), place=lambda ip: None,
        )  # fmt: skip
        self.reps = LiveReps(self.chats, timedelta(seconds=30))

    def online(self, *emails: str) -> None:
        self.push.presence_of.update(dict.fromkeys(emails, "online"))

    def send(self, token: str | None = None, **body: Any) -> Intake:
        return self.service.event(
            {"site_key": KEY, "visitor": token, **body}, origin=ORIGIN, ip="192.0.2.7"
        )

    def chat_request(self) -> tuple[Intake, str]:
        """A new visitor asks for a chat; returns the intake and the conversation id."""
        first = self.send(type="page_view", url="https://www.acme.test/pricing")
        it = self.send(first.token, type="chat_request")
        assert it.conversation is not None
        return it, it.conversation.id

    def later(self, seconds: float) -> None:
        self.clock.current += timedelta(seconds=seconds)

    def offline(self, email: str) -> list[str]:
        """``email``'s presence is gone (as the hub sees it), then the use case runs."""
        self.push.presence_of.pop(email, None)
        return self.going.offline(email)


def rep(email: str) -> Rep:
    return Rep(email, email.split("@")[0].title(), False)
