"""A fake HubSpot on 127.0.0.1 (a ThreadingHTTPServer in a thread, free port): the CRM v3
search, owners, contact create/update and meeting endpoints, and the OAuth token endpoint,
answering with the shapes of HubSpot's public API reference. Tests fill it with records, read
what arrived (``requests``), and script failures: ``expire()`` the token (401 until refreshed),
or ``then(...)`` for the next answers (429 with Retry-After, 500, a 4xx, a reply slower than
the client's timeout)."""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "client-id-1"
CLIENT_SECRET = "client-secret-1"
NOW = "2026-01-05T09:00:00.000Z"

Answer = tuple[int, dict[str, str], Any]
STANDARD = {  # properties every portal has (the properties API lists them)
    "contacts": ("email", "firstname", "lastname", "lifecyclestage", "phone", "company"),
    "companies": ("domain", "name", "industry", "hs_additional_domains"),
    "deals": ("dealname", "dealstage", "amount", "hs_is_closed"),
}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any  # decoded JSON, the form as a dict, or None


@dataclass
class Scripted:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (past the client's timeout)
    path: str = ""  # only requests whose path starts with this ("" = any)
    times: int = 1


def error(message: str, category: str) -> dict[str, str]:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }


class FakeHubSpot:
    def __init__(self) -> None:
        self.contacts: dict[str, dict[str, str]] = {}
        self.companies: dict[str, dict[str, str]] = {}
        self.deals: dict[str, dict[str, str]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.owners: list[dict[str, Any]] = []
        self.requests: list[Seen] = []
        self.token: str | None = "tok-1"  # the access token accepted now (None: all expired)
        self.refresh_token = "refresh-1"
        self.owners_page_size = 100  # the server's largest owners page
        self.search_page_size = 200
        self.search_lags = False  # searches see no contact (HubSpot's index lags writes)
        self._script: list[Scripted] = []
        self._ids = itertools.count(1001)
        self._tokens = itertools.count(2)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeHubSpot:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- filling and scripting -----------------------------------------------------------

    def add_contact(self, email: str, owner: str | None = None, **props: str) -> str:
        return self._add(self.contacts, {"email": email, "hubspot_owner_id": owner, **props})

    def add_company(
        self, domain: str, owner: str | None = None, name: str = "", **props: str
    ) -> str:
        return self._add(
            self.companies, {"domain": domain, "hubspot_owner_id": owner, "name": name, **props}
        )

    def add_deal(
        self,
        name: str,
        owner: str | None,
        *,
        contact: str = "",
        company: str = "",
        closed: bool = False,
        **props: str,
    ) -> str:
        """A deal associated with a contact and/or a company (by their ids): its association
        ids are what ``associations.contact`` / ``associations.company`` filters compare."""
        return self._add(self.deals, {
            "dealname": name, "hubspot_owner_id": owner, "associations.contact": contact,
            "associations.company": company, "hs_is_closed": "true" if closed else "false",
            **props,
        })  # fmt: skip

    def add_owner(self, email: str | None, owner_id: str | None = None) -> str:
        oid = owner_id or str(next(self._ids))
        self.owners.append(
            {
                "id": oid,
                "email": email,
                "type": "PERSON" if email else "QUEUE",
                "firstName": "",
                "lastName": "",
                "userId": int(oid) if oid.isdigit() else None,
                "createdAt": NOW,
                "updatedAt": NOW,
                "archived": False,
            }
        )
        return oid

    def then(self, status: int, body: Any = None, **options: Any) -> None:
        """Answer the next matching request(s) with this instead (``Scripted``'s options)."""
        self._script.append(Scripted(status, body, **options))

    def expire(self) -> None:
        """The access token expires: 401 until the client refreshes it."""
        self.token = None

    def api_requests(self, prefix: str = "/crm/") -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def _add(self, table: dict[str, dict[str, str]], props: dict[str, str | None]) -> str:
        rid = str(next(self._ids))
        table[rid] = {k: v for k, v in props.items() if v is not None}
        return rid

    # --- answering -----------------------------------------------------------------------

    def answer(self, seen: Seen) -> Answer:
        with self._lock:
            self.requests.append(seen)
            scripted = self._scripted(seen.path)
        if scripted is not None:
            time.sleep(scripted.delay)
            return scripted.status, scripted.headers, scripted.body
        if seen.path == "/oauth/v1/token":
            return self._refresh(seen)
        if self.token is None or seen.headers.get("authorization") != f"Bearer {self.token}":
            message = "The OAuth token used to make this call expired 5 second(s) ago."
            return 401, {}, error(message, "EXPIRED_AUTHENTICATION")
        with self._lock:
            return self._route(seen)

    def _scripted(self, path: str) -> Scripted | None:
        for entry in self._script:
            if path.startswith(entry.path):
                entry.times -= 1
                if entry.times <= 0:
                    self._script.remove(entry)
                return entry
        return None

    def _refresh(self, seen: Seen) -> Answer:
        form = seen.body if isinstance(seen.body, dict) else {}
        if form.get("grant_type") != "refresh_token":
            return 400, {}, error("unsupported grant_type", "BAD_GRANT_TYPE")
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 400, {}, error("client id or secret mismatch", "BAD_CLIENT_ID")
        if form.get("refresh_token") != self.refresh_token:
            return 400, {}, error("missing or unknown refresh token", "BAD_REFRESH_TOKEN")
        n = next(self._tokens)
        self.token, self.refresh_token = f"tok-{n}", f"refresh-{n}"
        answer = {
            "access_token": self.token,
            "refresh_token": self.refresh_token,
            "expires_in": 1800,
            "token_type": "bearer",
        }
        return 200, {}, answer

    def _route(self, seen: Seen) -> Answer:
        parts = seen.path.strip("/").split("/")
        route = (seen.method, *parts[:4])
        if seen.method == "POST" and parts[-1] == "search" and len(parts) == 5:
            tables = {"contacts": self.contacts, "companies": self.companies, "deals": self.deals}
            table = tables.get(parts[3])
            if table is not None:
                return self._search(table, parts[3] == "contacts", seen.body)
        if seen.method == "GET" and parts[:3] == ["crm", "v3", "properties"] and len(parts) == 4:
            return self._properties(parts[3])
        if route == ("GET", "crm", "v3", "owners"):
            return self._owners(seen.query)
        if route == ("POST", "crm", "v3", "objects", "contacts") and len(parts) == 4:
            return self._create_contact(seen.body)
        if route == ("PATCH", "crm", "v3", "objects", "contacts") and len(parts) == 5:
            return self._update_contact(parts[4], seen.body)
        if route == ("POST", "crm", "v3", "objects", "meetings") and len(parts) == 4:
            return self._create_meeting(seen.body)
        return 404, {}, error("resource not found", "OBJECT_NOT_FOUND")

    def _search(self, table: dict[str, dict[str, str]], lags: bool, body: Any) -> Answer:
        groups = body.get("filterGroups", [])
        if len(groups) > 5:
            return 400, {}, error("Too many filter groups (max 5)", "VALIDATION_ERROR")
        hits = [
            rid
            for rid, props in table.items()
            if not (lags and self.search_lags)
            and (not groups or any(_all(g, props) for g in groups))
        ]
        start = int(body.get("after", 0))
        size = min(int(body.get("limit", 10)), self.search_page_size)
        wanted = body.get("properties") or []
        results = [_record(rid, table[rid], wanted) for rid in hits[start : start + size]]
        answer: dict[str, Any] = {"total": len(hits), "results": results}
        if start + size < len(hits):
            answer["paging"] = {"next": {"after": str(start + size)}}
        return 200, {}, answer

    def _properties(self, kind: str) -> Answer:
        """``GET /crm/v3/properties/{objectType}``: the standard properties and every one a
        record of the fake has."""
        tables = {"contacts": self.contacts, "companies": self.companies, "deals": self.deals}
        if kind not in tables:
            return 400, {}, error(f"Unable to infer object type from: {kind}", "VALIDATION_ERROR")
        names = {"hs_object_id", "createdate", "hubspot_owner_id", *STANDARD.get(kind, ())}
        for props in tables[kind].values():
            names.update(n for n in props if not n.startswith("associations."))
        results = [{"name": n, "label": n, "type": "string", "fieldType": "text",
                    "groupName": f"{kind[:-1]}information"} for n in sorted(names)]  # fmt: skip
        return 200, {}, {"results": results}

    def _owners(self, query: dict[str, list[str]]) -> Answer:
        start = int(query.get("after", ["0"])[0])
        size = min(int(query.get("limit", ["100"])[0]), self.owners_page_size)
        answer: dict[str, Any] = {"results": self.owners[start : start + size]}
        if start + size < len(self.owners):
            after = str(start + size)
            link = f"{self.url}/crm/v3/owners?after={after}"
            answer["paging"] = {"next": {"after": after, "link": link}}
        return 200, {}, answer

    def _create_contact(self, body: Any) -> Answer:
        props = dict(body.get("properties", {}))
        email = props.get("email", "").lower()
        for rid, existing in self.contacts.items():
            if existing.get("email", "").lower() == email:
                return 409, {}, error(f"Contact already exists. Existing ID: {rid}", "CONFLICT")
        rid = self._add(self.contacts, props)
        return 201, {}, _record(rid, self.contacts[rid], list(props))

    def _update_contact(self, rid: str, body: Any) -> Answer:
        if rid not in self.contacts:
            return (
                404,
                {},
                error("Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND"),
            )
        self.contacts[rid].update(body.get("properties", {}))
        return 200, {}, _record(rid, self.contacts[rid], list(self.contacts[rid]))

    def _create_meeting(self, body: Any) -> Answer:
        props = body.get("properties", {})
        if not props.get("hs_timestamp"):
            return 400, {}, error("hs_timestamp is required", "VALIDATION_ERROR")
        for association in body.get("associations", []):
            if association["to"]["id"] not in self.contacts:
                return 400, {}, error("association target not found", "VALIDATION_ERROR")
        rid = str(next(self._ids))
        self.meetings[rid] = body
        return 201, {}, _record(rid, props, list(props))


def _all(group: dict[str, Any], props: dict[str, str]) -> bool:
    """Every filter of one filter group holds (EQ, IN, and CONTAINS_TOKEN on a ``;``-separated
    value; case-insensitive like HubSpot)."""
    for f in group.get("filters", []):
        value = props.get(f["propertyName"], "").lower()
        if f["operator"] == "EQ" and value != str(f["value"]).lower():
            return False
        if f["operator"] == "IN" and value not in {str(v).lower() for v in f["values"]}:
            return False
        tokens = {t.strip().lower() for t in value.split(";")}
        if f["operator"] == "CONTAINS_TOKEN" and str(f["value"]).lower() not in tokens:
            return False
        if f["operator"] not in ("EQ", "IN", "CONTAINS_TOKEN"):
            raise ValueError(f"the fake does not know operator {f['operator']}")
    return True


def _record(rid: str, props: dict[str, str], wanted: list[str]) -> dict[str, Any]:
    shown = {"hs_object_id": rid, "createdate": NOW, "lastmodifieddate": NOW}
    shown.update({name: props.get(name) for name in wanted})  # type: ignore[misc]
    return {"id": rid, "properties": shown, "createdAt": NOW, "updatedAt": NOW, "archived": False}


class _Handler(BaseHTTPRequestHandler):
    def _serve(self) -> None:
        fake: FakeHubSpot = self.server.fake  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body: Any = None
        if raw and self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw)
        elif raw:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        seen = Seen(self.command, split.path, parse_qs(split.query), headers, body)
        status, extra, payload = fake.answer(seen)
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout tests)
            pass

    do_GET = do_POST = do_PATCH = _serve  # noqa: N815 (http.server's hook names)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass
