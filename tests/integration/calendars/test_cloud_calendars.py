"""A connected Google / Microsoft 365 calendar in use: its busy time (several Google
calendars, Graph's getSchedule) and out-of-office close slots, the booked meeting becomes an
event with a Meet / Teams link that the invitation carries, a cancel removes it; revoked
consent disconnects the calendar (no slots, the admin sees it); 429 waits Retry-After."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.links import open_link
from leadrail.app.outbox import drain
from leadrail.app.route import route_prospect
from leadrail.app.workspace_edit import find_item, put_item
from leadrail.worker import runner_for
from tests.integration.calendars.conftest import ADMIN, REP, Env

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
TEN, ELEVEN = NINE + timedelta(hours=1), NINE + timedelta(hours=2)
TUESDAY = NINE + timedelta(days=1)


def _slots(env: Env) -> set[datetime]:
    view = open_link(
        env.c.routing, env.c.calendar, "solo", {"email": "p@x.test"}, env.c.clock.now()
    )
    return set(view.slots)


def _calendars(env: Env, ids: list[str]) -> None:
    _, user = find_item(env.c.workspace, "users", REP)
    put_item(env.c.workspace, "users", REP, {**user, "calendar": {"provider": "google",
                                                                  "calendars": ids}})  # fmt: skip
    env.c.calendar.forget(REP)


def _online(env: Env) -> None:
    _, mt = find_item(env.c.workspace, "meeting_types", "intro-30")
    put_item(env.c.workspace, "meeting_types", "intro-30", {**mt, "online_meeting": True})


def _jobs(env: Env, kind: str) -> list[dict[str, object]]:
    return [j for j in env.c.outbox.jobs() if j["kind"] == kind]


def test_google_busy_time_of_several_calendars_and_out_of_office_close_slots(env: Env) -> None:
    env.connect("google")
    st = env.cloud.state
    st.google_busy = {"primary": [(NINE, NINE + timedelta(minutes=30))],
                      "team@acme.test": [(TEN, TEN + timedelta(minutes=30))]}  # fmt: skip
    st.google_ooo = [(TUESDAY - timedelta(hours=5), TUESDAY + timedelta(hours=19))]
    st.google_busy["primary"].append(st.google_ooo[0])  # freeBusy counts it busy too
    assert NINE not in _slots(env)
    assert TEN in _slots(env)  # only primary is read by default
    _calendars(env, ["primary", "team@acme.test"])
    slots = _slots(env)
    assert NINE not in slots
    assert TEN not in slots
    assert ELEVEN in slots
    assert not any(s.date() == TUESDAY.date() for s in slots)
    assert env.c.calendars.probe.away(REP) == st.google_ooo  # routing counts it as vacation


def test_microsoft_get_schedule_busy_and_oof(env: Env) -> None:
    env.connect("microsoft")
    env.cloud.state.graph_items = [("busy", NINE, TEN), ("free", TEN, ELEVEN),
                                   ("oof", TUESDAY, TUESDAY + timedelta(hours=8))]  # fmt: skip
    slots = _slots(env)
    assert NINE not in slots
    assert TEN in slots
    assert TUESDAY not in slots
    assert env.c.calendars.probe.away(REP) == [(TUESDAY, TUESDAY + timedelta(hours=8))]


def test_google_event_with_meet_link_rescheduled_and_cancelled(env: Env) -> None:
    env.connect("google")
    env.cloud.state.google_busy = {"primary": []}
    _online(env)
    now = env.c.clock.now()
    done = book(env.c.routing, env.c.calendar, "solo", {"email": "pat@x.test", "name": "Pat"},
                ELEVEN, now)  # fmt: skip
    drain(env.c.outbox, runner_for(env.c), now)
    invite = _jobs(env, "invite")[0]
    assert invite["last_error"] == "waiting for the online meeting link of the rep's calendar"
    (event,) = env.cloud.state.events.values()
    assert event["hangoutLink"] == "https://meet.google.com/abc-defg-hij"  # conferenceData asked
    assert env.c.wiring.calendars.join_url(done.meeting_id) == event["hangoutLink"]
    assert event["start"]["dateTime"] == "2026-11-30T16:00:00Z"
    assert "attendees" not in event  # the rep's copy: Google e-mails nobody
    assert _jobs(env, "calendar_put")[0]["result"] == "event written (with an online meeting link)"
    drain(env.c.outbox, runner_for(env.c), now + timedelta(minutes=10))
    invite = _jobs(env, "invite")[0]
    assert str(invite["last_error"]).startswith("SMTP")  # the link is there: it goes (no SMTP)
    cancel_meeting(env.c.routing, done.meeting_id, now)
    drain(env.c.outbox, runner_for(env.c), now + timedelta(minutes=20))
    assert env.cloud.state.events == {}
    assert ("DELETE", f"/google/calendar/v3/calendars/primary/events/{event['id']}") in (
        env.cloud.state.calls)  # fmt: skip


def test_microsoft_event_with_teams_link(env: Env) -> None:
    env.connect("microsoft")
    _online(env)
    now = env.c.clock.now()
    book(env.c.routing, env.c.calendar, "solo", {"email": "pat@x.test"}, ELEVEN, now)
    drain(env.c.outbox, runner_for(env.c), now)
    (event,) = env.cloud.state.events.values()
    assert event["isOnlineMeeting"] is True
    assert event["onlineMeetingProvider"] == "teamsForBusiness"
    assert event["transactionId"].endswith("@leadrail")
    assert event["start"] == {"dateTime": "2026-11-30T16:00:00", "timeZone": "UTC"}


def test_revoked_consent_disconnects_the_calendar_no_slots_and_the_admin_sees_it(
    env: Env,
) -> None:
    env.connect("google")
    env.cloud.state.google_busy = {"primary": []}
    env.cloud.state.revoked = True
    assert _slots(env) == set()  # no slots rather than a double booking
    grant = env.c.calendars.connections.connection(REP)
    assert grant is not None
    assert grant.status == "disconnected"
    env.as_user(REP)
    assert "calendar disconnected" in env.web.get("/dashboard/me").text
    env.as_user(ADMIN)
    page = env.web.get("/dashboard/calendars").text
    assert f'data-user="{REP}" data-state="disconnected"' in page
    # reconnecting brings the slots back
    env.cloud.state.revoked = False
    env.connect("google")
    env.c.calendar.forget(REP)
    assert ELEVEN in _slots(env)


def test_429_waits_retry_after_then_reads(env: Env) -> None:
    env.connect("google")
    st = env.cloud.state
    st.google_busy = {"primary": [(NINE, TEN)]}
    st.faults = [(429, {"Retry-After": "2"}, {"error": {"code": 429, "message": "Rate Limit"}}),
                 (503, {}, {"error": {"code": 503, "message": "Backend Error"}})]  # fmt: skip
    slots = _slots(env)
    assert NINE not in slots
    assert TEN in slots
    assert env.sleeps[0] == 2.0  # the server's Retry-After
    assert len(env.sleeps) == 2


def test_a_retry_after_too_long_counts_the_rep_busy(env: Env) -> None:
    env.connect("google")
    env.cloud.state.faults = [(429, {"Retry-After": "3600"}, {})]
    assert _slots(env) == set()
    assert env.sleeps == []  # not waited for


def test_status_page_and_test_button_for_every_kind(env: Env) -> None:
    env.connect("google")
    env.cloud.state.google_busy = {"primary": [(NINE, TEN)]}
    doc_user = find_item(env.c.workspace, "users", "rep1@acme.test")[1]
    dav = {"provider": "caldav", "url": "http://127.0.0.1:1/c/"}
    put_item(env.c.workspace, "users", "rep1@acme.test", {**doc_user, "calendar": dav})
    csrf = env.as_user(ADMIN)
    page = env.web.get("/dashboard/calendars").text
    assert f'data-user="{REP}" data-state="ok"' in page
    assert 'data-user="rep2@acme.test" data-state="built-in"' in page
    ok = env.web.post("/dashboard/calendars/test", data={"csrf": csrf, "user": REP})
    assert "OK, read: 1 busy period(s)" in ok.text
    bad = env.web.post("/dashboard/calendars/test", data={"csrf": csrf, "user": "rep1@acme.test"})
    assert "rep1@acme.test: failed: " in bad.text
    assert 'data-user="rep1@acme.test" data-state="problem"' in bad.text
    # a rep tests only their own
    csrf = env.as_user("rep1@acme.test")
    assert env.web.post("/dashboard/calendars/test",
                        data={"csrf": csrf, "user": REP}).status_code == 403  # fmt: skip


def test_out_of_office_today_passes_the_rep_over_as_on_vacation(env: Env) -> None:
    env.connect("microsoft")
    day = NINE - timedelta(hours=5)  # Monday 00:00 New York
    env.cloud.state.graph_items = [("oof", day, day + timedelta(days=1))]
    # reading the calendar learns the out-of-office day: none of Monday's slots
    assert not any(s.date() == NINE.date() for s in _slots(env))
    now = env.c.clock.now()
    decision = route_prospect(env.c.routing, "strict", {"email": "lee@x.test"}, now, dry_run=True)
    assert decision.decision.assignees != (REP,)
    trace = decision.decision.trace.to_json()
    assert REP in json.dumps(trace)
    assert "on vacation" in json.dumps(trace)
