"""The decision audit, no-shows and a rep's own stats."""

from __future__ import annotations

from tests.integration.analytics.world import ADMIN, World
from tests.support.dashboard import csrf_of, login, make_account


def test_search_by_email_normalised_and_paged(world: World) -> None:
    csrf = login(world.client, ADMIN)
    assert csrf
    html = world.client.get("/dashboard/decisions", params={"email": "  P0@Example.TEST "}).text
    assert html.count("Why?</a>") == 2  # routed by 'strict', then its form lead by 'solo'
    assert f"/dashboard/decisions/{world.decisions[0]}" in html
    html = world.client.get("/dashboard/decisions", params={"router": "strict"}).text
    assert html.count("Why?</a>") == 8
    html = world.client.get("/dashboard/decisions", params={"router": "solo"}).text
    assert html.count("Why?</a>") == 2  # the two form leads, routed by the site's router
    r = world.client.get("/dashboard/decisions", params={"email": "not an email"})
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text
    r = world.client.get("/dashboard/decisions", params={"from": "2026-12-03", "to": "2026-12-01"})
    assert r.status_code == 422


def test_paging(world: World) -> None:
    from leadrail.app.route import route_prospect

    for i in range(30):
        route_prospect(
            world.c.routing, "solo", {"email": f"x{i}@example.test"}, world.c.clock.now()
        )
    login(world.client, ADMIN)
    first = world.client.get("/dashboard/decisions").text
    assert first.count("Why?</a>") == 25
    assert "page=2" in first
    second = world.client.get("/dashboard/decisions", params={"page": "2"}).text
    assert second.count("Why?</a>") == 40 - 25
    assert "page=1" in second


def test_decision_page_tells_why_and_what_followed(world: World) -> None:
    login(world.client, ADMIN)
    html = world.client.get(f"/dashboard/decisions/{world.decisions[0]}").text
    assert "Why did this lead go to rep0@acme.test?" in html
    assert '<ol class="trace" id="trace">' in html
    assert "rotation" in html
    assert "Mark as no-show" in html  # the booked meeting has started
    assert "invite" in html  # the invite job queued by the booking
    assert "Receipts of this lead" in html  # the form lead from p0, same day
    assert 'id="chat-hook"' in html or "No chat followed" in html
    assert world.client.get("/dashboard/decisions/nope").status_code == 404


def test_the_decision_page_lists_every_candidate(world: World) -> None:
    login(world.client, ADMIN)
    html = world.client.get(f"/dashboard/decisions/{world.decisions[0]}").text
    assert '<table class="candidates small"' in html
    assert '<tr data-user="rep0@acme.test"><td>rep0@acme.test</td><td>yes</td>' in html


def test_no_show_by_the_rep_counts_and_undo(world: World) -> None:
    meeting = world.c.routing.meeting(world.meetings[0])
    assert meeting is not None
    make_account(world.c, meeting.rep, admin=False)
    other = "rep2@acme.test" if meeting.rep != "rep2@acme.test" else "rep1@acme.test"
    make_account(world.c, other, admin=False)
    csrf = login(world.client, other)
    url = f"/dashboard/meetings/{meeting.id}/no-show"
    assert world.client.post(url, data={"csrf": csrf}).status_code == 403
    csrf = login(world.client, meeting.rep)
    assert world.client.post(url, data={}).status_code == 403  # no CSRF token
    r = world.client.post(url + "?back=stats", data={"csrf": csrf})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/dashboard/stats/me")
    assert world.c.routing.meeting(meeting.id).status == "no_show"  # type: ignore[union-attr]
    html = world.client.get("/dashboard/stats/me", params={"from": "2026-11-30",
                                                           "to": "2026-11-30"}).text  # fmt: skip
    assert '<div class="kpi" id="kpi-noshows">1' in html
    assert "Undo no-show" in html
    r = world.client.post(url + "/undo?back=stats", data={"csrf": csrf_of(html)})
    assert r.status_code == 303
    assert world.c.routing.meeting(meeting.id).status == "booked"  # type: ignore[union-attr]


def test_no_show_needs_a_past_start(world: World) -> None:
    world.c.clock.current = world.c.clock.current.replace(hour=13)  # type: ignore[attr-defined]
    csrf = login(world.client, ADMIN)
    r = world.client.post(f"/dashboard/meetings/{world.meetings[0]}/no-show", data={"csrf": csrf})
    assert r.status_code == 303
    assert "kind=bad" in r.headers["location"]
    assert world.c.routing.meeting(world.meetings[0]).status == "booked"  # type: ignore[union-attr]


def test_admin_no_show_shows_in_router_analytics(world: World) -> None:
    csrf = login(world.client, ADMIN)
    world.client.post(f"/dashboard/meetings/{world.meetings[1]}/no-show", data={"csrf": csrf})
    r = world.client.get(
        "/api/v1/analytics/routers/strict",
        params={"from": "2026-11-30", "to": "2026-11-30"},
        headers={"Authorization": f"Bearer {world.token}"},
    )
    body = r.json()
    assert body["no_shows"] == 1
    rep = world.c.routing.meeting(world.meetings[1]).rep  # type: ignore[union-attr]
    assert {u["user"]: u["no_shows"] for u in body["users"]}[rep] == 1


def test_a_reps_stats_are_only_theirs(world: World) -> None:
    make_account(world.c, "rep2@acme.test", admin=False)
    login(world.client, "rep2@acme.test")
    html = world.client.get("/dashboard/stats/me", params={"from": "2026-11-30",
                                                           "to": "2026-11-30"}).text  # fmt: skip
    assert '<div class="kpi" id="kpi-assignments">2</div>' in html
    assert '<div class="kpi" id="kpi-meetings">0</div>' in html
    assert "p0@example.test" not in html
    assert "p1@example.test" not in html
    # no parameter lets a rep ask for someone else's numbers
    html2 = world.client.get(
        "/dashboard/stats/me", params={"user": "rep0@acme.test", "email": "rep0@acme.test"}
    ).text
    assert "rep0@acme.test" not in html2.replace("rep2@acme.test", "")


def test_a_chat_from_the_decision_shows_with_its_transcript(world: World) -> None:
    """Rows as the live-routing code writes them (its use cases are tested elsewhere)."""
    from sqlalchemy.orm import Session

    from leadrail.adapters.db import tables as t

    now = world.c.clock.now()
    with Session(world.c.wiring.db.engine) as s, s.begin():
        s.add(t.LiveVisitor(id="v1", site="dealer-site", started_at=now, last_seen=now))
        s.flush()
        s.add(t.LiveConversation(id="chat1", visitor_id="v1", site="dealer-site",
                                 status="closed", rep="rep0@acme.test",
                                 decision_id=world.decisions[0], created_at=now,
                                 expires_at=now))  # fmt: skip
        s.flush()
        evil = "<img src=x onerror=alert(1)>"
        s.add(t.LiveMessage(id="m1", conversation_id="chat1", number=1, sender="visitor",
                            name="<b>Pat</b>", text=evil, at=now))  # fmt: skip
    login(world.client, ADMIN)
    html = world.client.get(f"/dashboard/decisions/{world.decisions[0]}").text
    assert 'id="chat-chat1"' in html
    assert "/api/v1/conversations/chat1" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;Pat&lt;/b&gt;" in html
