"""The workspace revision a change was made from, so a save made from a stale read is refused
(409 ``stale``) instead of silently undoing someone else's change.

The API: ``GET`` answers with ``ETag: "<revision>"``; a write with ``If-Match: "<revision>"``
is refused when the workspace moved on (no ``If-Match``, or ``*``: no check, for scripts).
The dashboard: every form holds the revision of the page it came from (a hidden ``_revision``
field, read before anything the page shows); a stale save shows the form again, as typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Header, Request, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidInput, Stale

FIELD = "_revision"  # the dashboard forms' hidden field
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')
STALE_FLASH = (
    "Not saved: someone else changed the workspace since you opened this page. Reload it "
    "and make your change again (what you typed is still below until you do)."
)

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        description='The `ETag` of your read (`"12"`): refused with 409 `stale` when the '
        "workspace has changed since. Without it (or `*`), the change is applied as it is.",
    ),
]


def etag(revision: int) -> str:
    return f'"{revision}"'


def if_match(value: str | None) -> int | None:
    """The revision an ``If-Match`` header names; None for none or ``*``."""
    if value is None or value.strip() in ("", "*"):
        return None
    m = _ETAG.match(value.strip())
    if m is None:
        raise InvalidInput(
            'If-Match: send the ETag of your read, such as "12" (or leave it out)',
            field="If-Match",
        )
    return int(m.group(1))


def tag(response: Response, revision: int) -> None:
    response.headers["ETag"] = etag(revision)


def sent_revision(form: Mapping[str, Any]) -> int | None:
    """The revision a dashboard form came from (None when it has none)."""
    value = form.get(FIELD)
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def keep(request: Request, revision: int | None) -> int | None:
    """A form shown again (refused) keeps the revision it was made from."""
    if revision is not None:
        request.state.revision = revision
    return revision


def at_read(sent: int | None, at: int) -> int:
    """The revision a change made now from a read at ``at`` is saved at; ``Stale`` when the
    form was made from another one (someone saved in between)."""
    if sent is not None and sent != at:
        raise Stale(sent, at)
    return at


async def read_revision(request: Request) -> None:
    """Dependency of the dashboard's editing pages: the revision, read before the page reads
    anything it shows (``render`` gives it to the template as ``revision``)."""
    c = request.app.state.container
    request.state.revision = await run_in_threadpool(c.workspace.revision)
