"""A scriptable HTTP server on 127.0.0.1 for offline tests of anything that fetches.

Register routes (path → response, or a sequence of responses served in turn), point the
code under test at ``server.url(path)``, then look at ``server.requests`` to see what the
server was asked. Used by the fetch tests and by end-to-end tests of ``corpus build``.

    def test_x(http_server):
        http_server.route("/a", body="<html>…</html>")
        http_server.route("/b", [Reply(status=503), Reply(body="ok")])
        http_server.redirect("/old", "/a")
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    """One canned response.

    ``delay`` waits before the status line; ``stall`` sends the headers and the first
    ``stall_after`` bytes of the body, then waits that long before sending the rest (a read
    that stalls). ``content_type`` is a shortcut for the Content-Type header.
    ``length=False`` sends no Content-Length (the client must stream to learn the size).
    ``trickle`` sends the body one byte at a time, that many seconds apart (a server that
    never trips a read timeout but never finishes either); ``trickle_head`` does the same
    with the status line and headers.
    """

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0
    stall: float = 0.0
    stall_after: int = 0
    length: bool = True  # False: no Content-Length; the body ends when the connection closes
    trickle: float = 0.0
    trickle_head: float = 0.0

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Request:
    """A request the server received."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() when it arrived (rate-limit tests)

    @property
    def route(self) -> str:
        return urlsplit(self.path).path


class _Route:
    def __init__(self, replies: list[Reply]) -> None:
        self._replies = replies
        self._i = 0

    def next(self) -> Reply:
        # The last reply repeats once the sequence is used up.
        reply = self._replies[min(self._i, len(self._replies) - 1)]
        self._i += 1
        return reply


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up (a deadline, a size cap) is what the tests do on purpose;
        # anything else is still printed.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class HTTPTestServer:
    """A threading HTTP server with registered routes and a log of requests."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)  # a short poll: fast shutdown

    # ------------------------------------------------------------------ set-up
    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Iterable[Reply] | None = None, **kw: object) -> str:
        """Serve ``reply`` (or a sequence of replies, in turn) at ``path``; return its URL.

        Keyword arguments build a single ``Reply`` (``body=``, ``status=`` …). The path is
        matched without its query string.
        """
        if reply is None:
            replies = [Reply(**kw)]  # type: ignore[arg-type]
        elif isinstance(reply, Reply):
            replies = [reply]
        else:
            replies = list(reply)
        with self._lock:
            self._routes[path] = _Route(replies)
        return self.url(path)

    def file(self, path: str, file: Path, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve the bytes of ``file`` at ``path``."""
        return self.route(path, Reply(body=file.read_bytes(), content_type=content_type))

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        """Answer ``path`` with a redirect to ``to`` (a path or an absolute URL)."""
        return self.route(path, Reply(status=status, headers={"Location": to}, content_type=None))

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (query string ignored)."""
        return sum(1 for r in self.requests if r.route == path)

    def clear(self) -> None:
        with self._lock:
            self._routes.clear()
            self.requests.clear()

    # ------------------------------------------------------------------ life cycle
    def start(self) -> HTTPTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HTTPTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ serving
    def _next(self, method: str, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(Request(method, path, headers, time.monotonic()))
            route = self._routes.get(urlsplit(path).path)
            return route.next() if route else Reply(status=404, body="not found")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

            def do_GET(self) -> None:
                self._serve(send_body=True)

            def do_HEAD(self) -> None:
                self._serve(send_body=False)

            def _serve(self, send_body: bool) -> None:
                reply = server._next(self.command, self.path, dict(self.headers.items()))
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.payload()
                if reply.trickle_head:
                    head = (f"HTTP/1.1 {reply.status} OK\r\nContent-Length: {len(body)}\r\n"
                            "Content-Type: text/html\r\n\r\n").encode()
                    try:
                        for i in range(len(head)):
                            self.wfile.write(head[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle_head)
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                try:
                    self.send_response(reply.status)
                    if reply.content_type:
                        self.send_header("Content-Type", reply.content_type)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    if not reply.length:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    elif "Content-Length" not in reply.headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not send_body:
                        return
                    if reply.stall:
                        self.wfile.write(body[: reply.stall_after])
                        self.wfile.flush()
                        time.sleep(reply.stall)
                        body = body[reply.stall_after :]
                    if reply.trickle:
                        for i in range(len(body)):
                            self.wfile.write(body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                        return
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts, size caps): that is the test

        return Handler


def serve() -> Iterator[HTTPTestServer]:
    """Start a server, yield it, stop it (the body of the ``http_server`` fixture)."""
    with HTTPTestServer() as server:
        yield server
