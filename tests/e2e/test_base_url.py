"""Without LEADRAIL_PUBLIC_BASE_URL, links point at the port `leadrail serve` listens on (not
8000), and the server says at start that the setting is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.mail import Inbox, smtp_inbox
from tests.support.serve import environment, leadrail, serving

KEY = "pk_live_acme_website_0001"
PASSWORD = "a long enough passphrase"
WORKSPACE = {
    "users": [
        {"email": "ana@acme.test", "name": "Ana Ruiz", "timezone": "UTC",
         "working_hours": {"mon-sun": "00:00-24:00"}},
        {"email": "admin@acme.test", "name": "Ada Admin"},
    ],
    "meeting_types": [{"slug": "intro", "name": "Intro", "duration_minutes": 30}],
    "routers": [{"slug": "q2", "title": "Talk to us", "meeting_type": "intro",
                 "default": {"user": "ana@acme.test"}}],
    "categories": [{"name": "New", "destinations": [{"address": "new@dealer.test",
                                                     "format": "adf"}]}],
    "fallback_destination": {"address": "manager@dealer.test", "format": "text"},
    "sites": [{"name": "Web", "key": KEY}],
}  # fmt: skip


def _body(message: object) -> str:
    return "\n".join(
        part.get_payload(decode=True).decode(errors="replace")  # type: ignore[attr-defined]
        for part in message.walk()  # type: ignore[attr-defined]
        if not part.is_multipart()
    )


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as box:
        yield box, box.port


@pytest.mark.timeout(240)
def test_links_use_the_served_port_without_the_setting(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, smtp_port = inbox
    env = environment(
        tmp_path, WORKSPACE, smtp_host="127.0.0.1", smtp_port=str(smtp_port),
        worker_interval_seconds="0.2",
    )  # fmt: skip
    leadrail(
        env, "user", "create", "admin@acme.test", "--admin", "--password-stdin", stdin=PASSWORD
    )
    with serving(env, tmp_path) as server, httpx.Client(base_url=server.base, timeout=20) as http:
        own = f"http://127.0.0.1:{server.port}"
        assert server.port != 8000
        assert "LEADRAIL_PUBLIC_BASE_URL is unset" in server.output()
        assert own in server.output()
        # a booking: the invite's cancel and reschedule links
        start = datetime.now(UTC) + timedelta(days=2)
        slots = http.get(
            "/api/v1/routers/q2/slots",
            params={"email": "pat@example.test", "start": start.isoformat()},
        ).json()["slots"]
        booked = http.post(
            "/api/v1/bookings",
            json={"router": "q2", "prospect": {"email": "pat@example.test"},
                  "start": slots[0]["start"]},
        )  # fmt: skip
        assert booked.status_code == 201, booked.text
        # a lead delivered as ADF: <provider><url>
        lead = http.post(
            "/api/v1/leads",
            json={"category": "New", "customer": {"email": "pat@example.test"}},
            headers={"X-Site-Key": KEY},
        )
        assert lead.status_code == 201, lead.text
        # a password-reset e-mail
        http.post("/password/forgot", data={"email": "admin@acme.test"})

        bodies = [_body(m) for m in box.wait(3)]
        # the link builder in the dashboard
        http.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
        builder = http.get("/dashboard/routers/q2/links").text
    invite = next(b for b in bodies if "BEGIN:VCALENDAR" in b)
    adf = next(b for b in bodies if "<adf>" in b)
    reset = next(b for b in bodies if "/password/reset/" in b)
    assert re.search(rf"{re.escape(own)}/m/\w+/cancel\?t=", invite)
    assert f"<url>{own}</url>" in adf
    assert f"{own}/password/reset/" in reset
    assert f"{own}/c/q2" in builder
    assert ":8000" not in "".join([*bodies, builder])
