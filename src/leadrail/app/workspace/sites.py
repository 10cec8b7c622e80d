"""Sites: their form leads and live chat settings."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from leadrail.app.workspace.common import (
    Doc,
    Name,
)


class QuestionDoc(Doc):
    field: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    label: Name


class LiveStepDoc(Doc):
    router: str


OfferKind = Literal["booker", "message", "questions"]


def _message_only() -> list[OfferKind]:
    return ["message"]


class LiveChatDoc(Doc):
    router: str
    countdown_seconds: int = Field(default=30, ge=5, le=300)
    questions: list[QuestionDoc] = Field(default_factory=list, max_length=20)
    offer: list[OfferKind] = Field(default_factory=_message_only)
    booker_router: str | None = None
    message_category: str | None = None

    @model_validator(mode="after")
    def _offers(self) -> LiveChatDoc:
        if len(set(self.offer)) != len(self.offer):
            raise ValueError("offer lists each of booker, message, questions at most once")
        if "booker" in self.offer and not self.booker_router:
            raise ValueError("the booker offer needs booker_router: a click router's slug")
        if "questions" in self.offer and not self.questions:
            raise ValueError("the questions offer needs questions")
        return self


class LiveDoc(Doc):
    pounce: LiveStepDoc | None = None
    chat: LiveChatDoc | None = None


def _origin(v: object) -> object:
    if isinstance(v, str):
        v = v.strip().rstrip("/").lower()
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?", v):
            raise ValueError(f"{v!r} is not an origin (write it like https://www.acme.test)")
    return v


Origin = Annotated[str, BeforeValidator(_origin)]


class SiteDoc(Doc):
    """A website that sends leads (and, later, visitors). ``key`` is public: it goes in the
    site's pages; it only lets the site submit leads."""

    name: Name
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")
    thank_you_url: str | None = Field(default=None, max_length=2000)
    router: str | None = None  # route the lead's prospect: a rule may pick the category
    origins: list[Origin] = Field(default_factory=list)  # pages allowed to send visitor events
    live: LiveDoc | None = None  # live visitor routing (pounce, chat)

    @field_validator("thank_you_url")
    @classmethod
    def _thanks(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/?#]+", v, re.IGNORECASE):
            raise ValueError("thank_you_url must be an absolute http:// or https:// URL")
        return v
