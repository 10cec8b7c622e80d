"""A fake Salesforce org on 127.0.0.1 (a ThreadingHTTPServer in a thread) for the connector's
tests. It speaks the public REST API's shapes: SOQL queries (a small parser for the
``SELECT ... FROM ... WHERE ... ORDER BY ... LIMIT`` shapes the connector sends, string
literals unescaped as the SOQL reference says), ``nextRecordsUrl`` paging, sObject create and
update, the OAuth refresh-token grant, and errors as ``[{"message", "errorCode"}]``.
Switches: an expired session, canned failures (429/403/503...) with Retry-After, slow answers."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "v62.0"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
STAMP = "%Y-%m-%dT%H:%M:%S.000+0000"  # the API's dateTime form
DATA = f"/services/data/{API}"
PREFIXES = {
    "Contact": "003", "Lead": "00Q", "Account": "001", "User": "005", "Event": "00U",
    "Opportunity": "006",
}  # fmt: skip
DEFAULTS: dict[str, dict[str, Any]] = {"Lead": {"IsConverted": False}}
STANDARD: dict[str, tuple[str, ...]] = {  # fields every org has (describe lists them)
    "Contact": ("Email", "FirstName", "LastName", "AccountId"),
    "Lead": ("Email", "FirstName", "LastName", "Company", "IsConverted", "Status"),
    "Account": ("Name", "Website", "Industry"),
}
REQUIRED = {"Contact": ("LastName",), "Lead": ("LastName", "Company"), "Event": ("WhoId",)}
_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|\\.)*')|(\d+)|(!=|=|\(|\)|,)|([A-Za-z_][\w.]*))", re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class MalformedQuery(Exception):
    pass


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    soql: str | None
    token: str | None
    body: Any


@dataclass
class Fault:
    status: int = 0  # 0: answer normally (after ``delay``)
    code: str = "SERVER_UNAVAILABLE"
    message: str = "Server unavailable"
    retry_after: str | None = None
    delay: float = 0.0


class SoqlString:
    """A SOQL string literal: its characters, each flagged when it came escaped."""

    def __init__(self, raw: str) -> None:
        self.chars: list[tuple[str, bool]] = []
        i = 1
        while i < len(raw) - 1:
            ch = raw[i]
            if ch != "\\":
                self.chars.append((ch, False))
                i += 1
                continue
            nxt = raw[i + 1]
            if nxt.lower() in _ESCAPES or nxt in _ESCAPES:
                self.chars.append((_ESCAPES.get(nxt, _ESCAPES.get(nxt.lower(), nxt)), True))
            elif nxt in "%_":
                self.chars.append((nxt, True))
            else:
                raise MalformedQuery(f"invalid escape \\{nxt}")
            i += 2

    @property
    def text(self) -> str:
        return "".join(ch for ch, _ in self.chars)

    def like(self, value: str) -> bool:
        wild = {"%": ".*", "_": "."}
        rx = "".join(re.escape(c) if esc else wild.get(c, re.escape(c)) for c, esc in self.chars)
        return re.fullmatch(rx, value, re.I | re.S) is not None


Row = dict[str, Any]
Check = Callable[[Row], bool]
Answer = tuple[int, Any, dict[str, str]]  # status, JSON body (None: empty), extra headers


class Soql:
    """Parses ``SELECT a, b FROM X [WHERE cond] [ORDER BY f [ASC|DESC]] [LIMIT n]``."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        pos = 0
        while pos < len(text.rstrip()):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise MalformedQuery(f"unexpected text at {pos}: {text[pos : pos + 20]!r}")
            self.tokens.append(next(g for g in m.groups() if g is not None))
            pos = m.end()
        self.fields = self._fields()
        self.sobject = self._take()
        self.where: Check = self._condition() if self._accept("WHERE") else lambda row: True
        self.order: tuple[str, bool] | None = None
        if self._accept("ORDER"):
            self._expect("BY")
            name = self._take()
            desc = self._accept("DESC")
            if not desc:
                self._accept("ASC")
            self.order = (name, desc)
        self.limit = int(self._take()) if self._accept("LIMIT") else None
        if self.tokens:
            raise MalformedQuery(f"unexpected {self.tokens[0]!r}")

    def _take(self) -> str:
        if not self.tokens:
            raise MalformedQuery("unexpected end of query")
        return self.tokens.pop(0)

    def _accept(self, word: str) -> bool:
        if self.tokens and self.tokens[0].upper() == word:
            self.tokens.pop(0)
            return True
        return False

    def _expect(self, word: str) -> None:
        if not self._accept(word):
            raise MalformedQuery(f"expected {word}")

    def _fields(self) -> list[str]:
        self._expect("SELECT")
        names = [self._take()]
        while self._accept(","):
            names.append(self._take())
        self._expect("FROM")
        return names

    def _condition(self) -> Check:
        """Factors joined by AND or by OR (SOQL needs parentheses to mix them)."""
        parts = [self._factor()]
        joiner = None
        while self.tokens and self.tokens[0].upper() in ("AND", "OR"):
            word = self._take().upper()
            if joiner not in (None, word):
                raise MalformedQuery("AND and OR mixed without parentheses")
            joiner = word
            parts.append(self._factor())
        if joiner == "OR":
            return lambda row: any(p(row) for p in parts)
        return lambda row: all(p(row) for p in parts)

    def _factor(self) -> Check:
        if self._accept("("):
            inner = self._condition()
            self._expect(")")
            return inner
        name, op, raw = self._take(), self._take().upper(), self._take()
        if raw.startswith("'"):
            lit = SoqlString(raw)
            if op == "LIKE":
                return lambda row: lit.like(str(row.get(name) or ""))
            if op in ("=", "!="):
                want = lit.text.lower()
                return lambda row: (str(row.get(name) or "").lower() == want) == (op == "=")
        elif raw.lower() in ("true", "false", "null") and op in ("=", "!="):
            value = {"true": True, "false": False, "null": None}[raw.lower()]
            return lambda row: (row.get(name) == value) == (op == "=")
        raise MalformedQuery(f"unsupported comparison {name} {op} {raw}")

    def run(self, rows: list[Row]) -> list[Row]:
        out = [r for r in rows if self.where(r)]
        if self.order:
            name, desc = self.order
            out.sort(key=lambda r: str(r.get(name) or ""), reverse=desc)
        out = out[: self.limit] if self.limit is not None else out
        return [{"attributes": r["attributes"], **_project(r, self.fields)} for r in out]


def _project(row: Row, fields: list[str]) -> Row:
    """The fields asked for, by their API names (SOQL names are case-insensitive)."""
    names = {k.lower(): k for k in row}
    return {names.get(f.lower(), f): row.get(names.get(f.lower(), f)) for f in fields}


class FakeSalesforce:
    def __init__(self, *, page_size: int = 2000) -> None:
        self.page_size = page_size
        self.refresh_token, self.client_id, self.client_secret = "refresh-1", "client-1", "shh-1"
        self.valid_tokens = {"token-0"}
        self.instance_url_on_refresh: str | None = None  # the org moved (answered on refresh)
        self.records: dict[str, dict[str, Row]] = {name: {} for name in PREFIXES}
        self.seen: list[Seen] = []
        self.faults: list[Fault] = []
        self._cursors: dict[str, list[Row]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeSalesforce:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- test controls ------------------------------------------------------------------------

    def add(self, sobject: str, **fields: Any) -> str:
        with self._lock:
            n = next(self._ids)
            record_id = f"{PREFIXES[sobject]}FAKE{n:08d}AAA"
            url = f"{DATA}/sobjects/{sobject}/{record_id}"
            self.records[sobject][record_id] = {
                "attributes": {"type": sobject, "url": url}, "Id": record_id,
                "CreatedDate": (EPOCH + timedelta(seconds=n)).strftime(STAMP),
                **DEFAULTS.get(sobject, {}), **fields,
            }  # fmt: skip
            return record_id

    def expire_session(self) -> None:
        self.valid_tokens.clear()

    def fail_next(self, status: int, times: int = 1, **details: Any) -> None:
        self.faults.extend(Fault(status, **details) for _ in range(times))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        self.faults.extend(Fault(delay=seconds) for _ in range(times))

    def data_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(DATA)]

    # -- answering ----------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: str, token: str | None, body: bytes) -> Answer:
        parts = parse_qs(query)
        soql = parts.get("q", [None])[0]
        payload: Any = body.decode() if body else None
        if payload and path.startswith(DATA):
            payload = json.loads(payload)
        with self._lock:
            self.seen.append(Seen(method, path, soql, token, payload))
            take = self.faults and path.startswith(DATA)
            fault = self.faults.pop(0) if take else None
        if fault and fault.delay:
            time.sleep(fault.delay)
        if path == "/services/oauth2/token" and method == "POST":
            return self._token(parse_qs(payload or ""))
        if fault and fault.status:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return fault.status, [{"message": fault.message, "errorCode": fault.code}], headers
        if token not in self.valid_tokens:
            err = {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
            return 401, [err], {}
        try:
            return self._data(method, path, soql, payload)
        except MalformedQuery as e:
            return 400, [{"message": str(e), "errorCode": "MALFORMED_QUERY"}], {}

    def _token(self, form: dict[str, list[str]]) -> Answer:
        def one(name: str) -> str | None:
            return form.get(name, [None])[0]

        expected = ("refresh_token", self.refresh_token, self.client_id, self.client_secret)
        got = (one("grant_type"), one("refresh_token"), one("client_id"), one("client_secret"))
        if got != expected:
            return (
                400,
                {"error": "invalid_grant", "error_description": "authentication failure"},
                {},
            )
        with self._lock:
            token = f"token-{next(self._ids)}"
            self.valid_tokens.add(token)
        answer = {
            "access_token": token,
            "instance_url": self.instance_url_on_refresh or self.url,
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": "c2ln",
        }
        return 200, answer, {}

    def _data(self, method: str, path: str, soql: str | None, payload: Any) -> Answer:
        rest = path.removeprefix(DATA).strip("/").split("/")
        if method == "GET" and rest == ["query"] and soql:
            parsed = Soql(soql)
            if parsed.sobject not in self.records:
                raise MalformedQuery(f"sObject type '{parsed.sobject}' is not supported")
            with self._lock:
                rows = parsed.run(list(self.records[parsed.sobject].values()))
                return 200, self._page(rows, 0, None), {}
        if method == "GET" and len(rest) == 2 and rest[0] == "query":
            cursor, _, offset = rest[1].rpartition("-")
            with self._lock:
                if cursor not in self._cursors:
                    err = {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
                    return 400, [err], {}
                return 200, self._page(self._cursors[cursor], int(offset), cursor), {}
        if method == "GET" and len(rest) == 3 and rest[0] == "sobjects" and rest[2] == "describe":
            return self._describe(rest[1])
        if len(rest) >= 2 and rest[0] == "sobjects" and rest[1] in self.records:
            return self._write(method, rest[1], rest[2] if len(rest) > 2 else None, payload)
        return (
            404,
            [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
            {},
        )

    def _describe(self, sobject: str) -> Answer:
        """``GET sobjects/{X}/describe``: the object's fields (standard ones, and every field
        a record of the fake has), in the public shape's essentials."""
        if sobject not in self.records:
            err = {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
            return 404, [err], {}
        names = {"Id", "OwnerId", "CreatedDate", *STANDARD.get(sobject, ())}
        with self._lock:
            for row in self.records[sobject].values():
                names.update(k for k in row if k != "attributes")
        fields = [{"name": n, "label": n, "type": "string"} for n in sorted(names)]
        return 200, {"name": sobject, "fields": fields}, {}

    def _page(self, rows: list[Row], offset: int, cursor: str | None) -> dict[str, Any]:
        page = rows[offset : offset + self.page_size]
        answer: dict[str, Any] = {"totalSize": len(rows), "done": True, "records": page}
        if offset + self.page_size < len(rows):
            if cursor is None:
                cursor = f"01gFAKE{next(self._ids):06d}"
                self._cursors[cursor] = rows
            answer["done"] = False
            answer["nextRecordsUrl"] = f"{DATA}/query/{cursor}-{offset + self.page_size}"
        return answer

    def _write(self, method: str, sobject: str, record_id: str | None, body: Any) -> Answer:
        if not isinstance(body, dict) or "Id" in body:
            return 400, [{"message": "bad body", "errorCode": "JSON_PARSER_ERROR"}], {}
        if method == "POST" and record_id is None:
            missing = [f for f in REQUIRED.get(sobject, ()) if not body.get(f)]
            if missing:
                message = f"Required fields are missing: [{', '.join(missing)}]"
                return 400, [{"message": message, "errorCode": "REQUIRED_FIELD_MISSING",
                              "fields": missing}], {}  # fmt: skip
            return 201, {"id": self.add(sobject, **body), "success": True, "errors": []}, {}
        if method == "PATCH" and record_id in self.records[sobject]:
            with self._lock:
                self.records[sobject][record_id].update(body)
            return 204, None, {}
        return (
            404,
            [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
            {},
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes
    fake: FakeSalesforce

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        parts = urlsplit(self.path)
        status, payload, headers = self.fake.answer(
            self.command, parts.path, parts.query, token, body
        )
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test)

    do_GET = do_POST = do_PATCH = _handle  # noqa: N815 (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass
