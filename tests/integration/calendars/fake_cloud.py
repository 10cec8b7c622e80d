"""A fake Google (OAuth 2.0 + Calendar API v3) and Microsoft (identity platform v2.0 +
Graph v1.0) on 127.0.0.1 (a ThreadingHTTPServer in a thread, free port), answering with the
public API shapes (see docs/calendars.md for the reference pages):

- ``/google/auth`` and ``/ms/{tenant}/oauth2/v2.0/authorize``: a consent page whose "Allow"
  link goes back to ``redirect_uri`` with ``code`` and ``state``;
- the token endpoints check the client, the redirect URI and the PKCE verifier (S256), give
  a refresh token, refresh (Microsoft rotates it), answer ``invalid_grant`` once revoked;
- Google: ``POST /freeBusy``, ``GET/POST /calendars/primary/events`` (``eventTypes``,
  ``iCalUID``, ``conferenceData``), ``PATCH``/``DELETE`` an event;
- Graph: ``GET /me``, ``POST /me/calendar/getSchedule``, ``POST/PATCH/DELETE /me/events``.

``faults``: answers (status, headers, body) given, in order, to the next API calls."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID, CLIENT_SECRET = "test-client-id", "test-client-secret-9d1e"


@dataclass
class CloudState:
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> its request
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> provider
    access: set[str] = field(default_factory=set)
    revoked: bool = False
    google_busy: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    google_ooo: list[tuple[datetime, datetime]] = field(default_factory=list)
    graph_items: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> body
    faults: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    refreshes: int = 0


def _z(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    # --- plumbing -----------------------------------------------------------------------
    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
              ctype: str = "application/json") -> None:  # fmt: skip
        data = (
            b""
            if body is None
            else (body if isinstance(body, bytes) else json.dumps(body).encode())
        )
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._route("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")

    def _route(self, method: str) -> None:
        st = self.server.state
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        raw = self._body()
        with self.server.lock:
            if path.endswith(("/auth", "/authorize")):
                return self._consent(query)
            if path.endswith("/token"):
                return self._token(path, {k: v[-1] for k, v in parse_qs(raw.decode()).items()})
            st.calls.append((method, path))
            if st.faults:
                status, headers, body = st.faults.pop(0)
                return self._send(status, body, headers)
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in st.access:
                return self._send(401, {"error": {"code": 401, "message": "Invalid Credentials",
                                                  "status": "UNAUTHENTICATED"}})  # fmt: skip
            body = json.loads(raw) if raw else None
            if path.startswith("/google/"):
                return self._google(method, path.removeprefix("/google/calendar/v3"), query, body)
            return self._graph(method, path.removeprefix("/graph/v1.0"), body)

    # --- OAuth --------------------------------------------------------------------------
    def _consent(self, q: dict[str, str]) -> None:
        code = secrets.token_urlsafe(16)
        self.server.state.codes[code] = q
        back = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
        scopes = q.get("scope", "")
        page = (f"<html><body><h1>Consent</h1><p id='scopes'>{scopes}</p>"
                f"<a id='allow' href='{back}'>Allow</a></body></html>")  # fmt: skip
        self._send(200, page.encode(), ctype="text/html")

    def _token(self, path: str, form: dict[str, str]) -> None:
        st = self.server.state
        provider = "google" if path.startswith("/google") else "microsoft"
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._send(401, {"error": "invalid_client"})
        if form.get("grant_type") == "authorization_code":
            asked = st.codes.pop(form.get("code", ""), None)
            ok = (
                asked is not None
                and asked["redirect_uri"] == form.get("redirect_uri")
                and (asked["code_challenge"] == _challenge(form.get("code_verifier", "")))
            )
            if not ok:
                return self._send(400, {"error": "invalid_grant",
                                        "error_description": "Bad code or verifier"})  # fmt: skip
        elif form.get("grant_type") == "refresh_token":
            known = st.refresh.get(form.get("refresh_token", ""))
            if st.revoked or known != provider:
                return self._send(400, {"error": "invalid_grant", "error_description":
                                        "Token has been expired or revoked."})  # fmt: skip
            st.refreshes += 1
            if provider == "microsoft":  # rotated
                st.refresh.pop(form["refresh_token"])
        else:
            return self._send(400, {"error": "unsupported_grant_type"})
        access, refresh = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
        st.access.add(access)
        answer: dict[str, Any] = {"access_token": access, "expires_in": 3599,
                                  "token_type": "Bearer", "scope": "calendar"}  # fmt: skip
        if form["grant_type"] == "authorization_code" or provider == "microsoft":
            st.refresh[refresh] = provider
            answer["refresh_token"] = refresh
        self._send(200, answer)

    # --- Google Calendar v3 -------------------------------------------------------------
    def _google(self, method: str, path: str, q: dict[str, str], body: Any) -> None:
        st = self.server.state
        if path == "/freeBusy" and method == "POST":
            cals: dict[str, Any] = {}
            for item in body["items"]:
                if item["id"] not in st.google_busy:
                    cals[item["id"]] = {"errors": [{"domain": "global", "reason": "notFound"}],
                                        "busy": []}  # fmt: skip
                    continue
                cals[item["id"]] = {"busy": [{"start": _z(a), "end": _z(b)}
                                             for a, b in st.google_busy[item["id"]]]}  # fmt: skip
            return self._send(200, {"kind": "calendar#freeBusy", "timeMin": body["timeMin"],
                                    "timeMax": body["timeMax"], "calendars": cals})  # fmt: skip
        base = "/calendars/primary/events"
        if path == base and method == "GET":
            if q.get("eventTypes") == "outOfOffice":
                items = [{"id": f"ooo{i}", "eventType": "outOfOffice", "status": "confirmed",
                          "start": {"dateTime": _z(a)}, "end": {"dateTime": _z(b)}}
                         for i, (a, b) in enumerate(st.google_ooo)]  # fmt: skip
            else:
                items = [e for e in st.events.values() if e.get("iCalUID") == q.get("iCalUID")]
            return self._send(200, {"kind": "calendar#events", "items": items})
        if path == base and method == "POST":
            if any(e.get("iCalUID") == body.get("iCalUID") for e in st.events.values()):
                return self._send(409, {"error": {"code": 409, "message": "The requested "
                                                  "identifier already exists."}})  # fmt: skip
            event = {**body, "id": secrets.token_hex(8), "status": "confirmed"}
            self._meet(event, q)
            st.events[event["id"]] = event
            return self._send(200, event)
        event_id = path.removeprefix(base + "/")
        if event_id not in st.events:
            return self._send(404 if method != "DELETE" else 410,
                              {"error": {"code": 404, "message": "Not Found"}})  # fmt: skip
        if method == "PATCH":
            st.events[event_id].update(body)
            self._meet(st.events[event_id], q)
            return self._send(200, st.events[event_id])
        if method == "DELETE":
            del st.events[event_id]
            return self._send(204)
        return self._send(405)

    def _meet(self, event: dict[str, Any], q: dict[str, str]) -> None:
        create = (event.get("conferenceData") or {}).get("createRequest")
        if create and q.get("conferenceDataVersion") == "1" and "hangoutLink" not in event:
            link = "https://meet.google.com/abc-defg-hij"
            event["hangoutLink"] = link
            event["conferenceData"] = {"conferenceId": "abc-defg-hij", "entryPoints": [
                {"entryPointType": "video", "uri": link}],
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}}}  # fmt: skip

    # --- Microsoft Graph ----------------------------------------------------------------
    def _graph(self, method: str, path: str, body: Any) -> None:
        st = self.server.state
        if path == "/me":
            return self._send(200, {"mail": "Rep.Cloud@Contoso.test",
                                    "userPrincipalName": "rep.cloud@contoso.test"})  # fmt: skip
        if path == "/me/calendar/getSchedule":
            items = [{"status": s, "start": {"dateTime": a.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                                              "timeZone": "UTC"},
                      "end": {"dateTime": b.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                              "timeZone": "UTC"}} for s, a, b in st.graph_items]  # fmt: skip
            return self._send(
                200,
                {
                    "value": [
                        {
                            "scheduleId": body["schedules"][0],
                            "availabilityView": "",
                            "scheduleItems": items,
                        }
                    ]
                },
            )
        if path == "/me/events" and method == "POST":
            event = {**body, "id": "AAMk" + secrets.token_hex(8)}
            if body.get("isOnlineMeeting"):
                event["onlineMeeting"] = {"joinUrl": "https://teams.microsoft.com/l/meetup-join/x"}
            st.events[event["id"]] = event
            return self._send(201, event)
        event_id = path.removeprefix("/me/events/")
        if event_id not in st.events:
            return self._send(404, {"error": {"code": "ErrorItemNotFound", "message": "Not found"}})
        if method == "PATCH":
            st.events[event_id].update(body)
            return self._send(200, st.events[event_id])
        if method == "DELETE":
            del st.events[event_id]
            return self._send(204)
        return self._send(405)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: CloudState
    lock: threading.Lock


class FakeCloud:
    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = CloudState()
        self.server.lock = threading.Lock()
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def state(self) -> CloudState:
        return self.server.state

    def settings(self) -> dict[str, str]:
        """The LEADRAIL_ settings that point leadrail at this server."""
        b = self.base
        return {
            "google_client_id": CLIENT_ID, "google_client_secret": CLIENT_SECRET,
            "google_auth_url": f"{b}/google/auth", "google_token_url": f"{b}/google/token",
            "google_api_url": f"{b}/google/calendar/v3",
            "microsoft_client_id": CLIENT_ID, "microsoft_client_secret": CLIENT_SECRET,
            "microsoft_tenant": "contoso.test", "microsoft_login_url": f"{b}/ms",
            "microsoft_api_url": f"{b}/graph/v1.0",
            "outbound_allow_hosts": "127.0.0.1",
        }  # fmt: skip

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
