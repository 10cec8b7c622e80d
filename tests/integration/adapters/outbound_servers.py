"""Small HTTP servers on 127.0.0.1 for the outbound guard's tests: each records what reached
it and answers what the test says (a status, a redirect, a 401 asking for Basic auth)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    port: int
    received: list[Recorded] = field(default_factory=list)
    status: int = 200
    body: bytes = b"ok"
    content_type: str = "text/plain"
    location: str | None = None  # answer a redirect there
    ask_basic_auth: bool = False  # answer 401 + WWW-Authenticate until credentials come

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def everything_received(self) -> str:
        return "\n".join(
            f"{r.method} {r.path}\n{r.headers}\n{r.body.decode(errors='replace')}"
            for r in self.received
        )


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else b""
            server.received.append(Recorded(self.command, self.path, dict(self.headers), body))
            if server.location:
                self.send_response(302)
                self.send_header("Location", server.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if server.ask_basic_auth and "Authorization" not in self.headers:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="capture"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(server.status)
            self.send_header("Content-Type", server.content_type)
            self.send_header("Content-Length", str(len(server.body)))
            self.end_headers()
            self.wfile.write(server.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = _any  # noqa: N815
        do_OPTIONS = _any  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(**options: object) -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = Server(port=httpd.server_address[1], **options)  # type: ignore[arg-type]
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
