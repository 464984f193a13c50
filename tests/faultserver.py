"""A real HTTP server on 127.0.0.1 that misbehaves on demand, for tests.

framewatch's job is to survive the web, so its tests need a server that can do everything the
web does wrong: hang, dribble bytes, reset, lie about lengths, break chunked encoding, send gzip
bombs, redirect in circles. Mocks cannot do that honestly; a socket can.

Usage::

    from tests.faultserver import FaultServer, Page, Status, Sequence

    with FaultServer() as server:
        url = server.route("/rsp", Page(b"<h1>RSP v1</h1>", etag='"v1"'))
        ...                                    # fetch url: 200, ETag "v1"
        server.route("/rsp", Page(b"<h1>RSP v2</h1>", etag='"v2"'))   # the next cycle sees v2
        server.route("/flaky", Sequence(Status(503), Status(503), Page(b"ok")))
        assert server.requests_to("/rsp")[-1].headers["if-none-match"] == '"v1"'

Each route maps a path to a *reply*: a small object with ``respond(exchange)``. The replies
below cover the usual faults; write your own by subclassing :class:`Reply` and using the
:class:`Exchange` methods (``send_head``, ``write``, ``reset``, ``wait``). Unknown paths answer
404. Every request (method, path, headers, body) is recorded in :attr:`FaultServer.requests`.
Replies also work for POST, so the server doubles as a webhook / Slack endpoint in notifier
tests (``server.requests_to("/hook")[0].json()``).

The server runs in a daemon thread; :meth:`FaultServer.stop` (or leaving the ``with``) wakes any
reply that is hanging or dribbling, so tests never wait for them.
"""

from __future__ import annotations

import email.utils
import functools
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = [
    "BrokenChunked", "CloseWithoutResponse", "Dynamic", "Exchange", "FaultServer", "GzipBomb",
    "Hang", "Noise", "Page", "RecordedRequest", "Redirect", "Reply", "ResetMidBody", "Sequence",
    "ShortBody", "Slowloris", "Status", "Stream", "gzip_bytes", "http_date", "unused_port",
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it. Header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    http_version: str
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def json(self) -> Any:
        """The body parsed as JSON (for webhook-style tests)."""
        return json.loads(self.body)


class Exchange:
    """What a :class:`Reply` uses to answer one request: raw control over the socket."""

    def __init__(self, handler: _Handler, request: RecordedRequest) -> None:
        self._handler = handler
        self.request = request
        self.server: FaultServer = handler.server.owner  # type: ignore[attr-defined]

    def send_head(self, status: int, headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
                  *, version: str = "HTTP/1.1", reason: str | None = None) -> None:
        """Write the status line and headers (adds Date and Server unless given)."""
        if reason is None:
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = "Whatever"
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        names = {name.lower() for name, _ in items}
        if "date" not in names:
            items.append(("Date", http_date(time.time())))
        if "server" not in names:
            items.append(("Server", "faultserver"))
        if any(n == "connection" and v.lower() == "close" for n, v in
               ((n.lower(), v) for n, v in items)) or version == "HTTP/1.0":
            self._handler.close_connection = True
        head = f"{version} {status} {reason}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in items)
        self.write_raw((head + "\r\n").encode("latin-1"))

    def write(self, data: bytes) -> None:
        """Write body bytes (dropped for HEAD requests, as HTTP requires)."""
        if self.request.method != "HEAD":
            self.write_raw(data)

    def write_raw(self, data: bytes) -> None:
        """Write bytes to the socket as-is."""
        self._handler.wfile.write(data)
        self._handler.wfile.flush()

    def close(self) -> None:
        """Finish with an orderly close (FIN) after this reply."""
        self._handler.close_connection = True
        try:
            self._handler.connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), like a crashed server or proxy."""
        handler = self._handler
        handler.close_connection = True
        sock = handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()  # the makefile() reference would otherwise delay the real close
        sock.close()

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server stops first; True when it is stopping."""
        return self.server._stopping.wait(seconds)


class Reply:
    """Base class: one way of answering a request. Subclasses override :meth:`respond`."""

    def respond(self, ex: Exchange) -> None:
        raise NotImplementedError


class Page(Reply):
    """A normal document: status, body, headers; optional validators and compression.

    With ``etag`` / ``last_modified`` it answers conditional requests with 304 Not Modified the
    way real servers do. ``encoding="gzip"`` or ``"deflate"`` compresses the body on the wire.
    ``http10=True`` answers like an old HTTP/1.0 server: no Content-Length, no keep-alive, the
    body ends when the connection closes. ``last_modified`` may be an HTTP-date string or a
    Unix timestamp.
    """

    def __init__(self, body: bytes | str = b"", *, status: int = 200,
                 content_type: str | None = "text/html; charset=utf-8",
                 headers: Mapping[str, str] | None = None, etag: str | None = None,
                 last_modified: str | float | None = None, encoding: str | None = None,
                 http10: bool = False) -> None:
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.status = status
        self.content_type = content_type
        self.headers = dict(headers or {})
        self.etag = etag
        self.last_modified = (http_date(last_modified) if isinstance(last_modified, int | float)
                              else last_modified)
        self.encoding = encoding
        self.http10 = http10

    def _not_modified(self, request: RecordedRequest) -> bool:
        inm = request.headers.get("if-none-match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return self.etag is not None and ("*" in tags or self.etag.removeprefix("W/") in tags)
        ims = request.headers.get("if-modified-since")
        if ims and self.last_modified:
            try:
                since = email.utils.parsedate_to_datetime(ims)
                modified = email.utils.parsedate_to_datetime(self.last_modified)
            except (TypeError, ValueError):
                return False
            return modified <= since
        return False

    def respond(self, ex: Exchange) -> None:
        headers: dict[str, str] = {}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        if self.etag:
            headers["ETag"] = self.etag
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        headers.update(self.headers)
        if self.status == 200 and self._not_modified(ex.request):
            headers.pop("Content-Type", None)
            ex.send_head(304, headers, version="HTTP/1.0" if self.http10 else "HTTP/1.1")
            return
        body = self.body
        if self.encoding == "gzip":
            body = gzip_bytes(body)
        elif self.encoding == "deflate":
            body = zlib.compress(body)
        if self.encoding:
            headers["Content-Encoding"] = self.encoding
        if self.http10:
            headers["Connection"] = "close"
            ex.send_head(self.status, headers, version="HTTP/1.0")
            ex.write(body)
            ex.close()
            return
        headers.setdefault("Content-Length", str(len(body)))
        ex.send_head(self.status, headers)
        ex.write(body)


class Status(Reply):
    """Just a status code (404, 410, 401, 403, 429, 500, 503 …) with an optional body.

    ``retry_after`` sets the Retry-After header (seconds, or an HTTP-date string).
    """

    def __init__(self, code: int, body: bytes | str = b"", *,
                 headers: Mapping[str, str] | None = None,
                 retry_after: float | str | None = None) -> None:
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = (retry_after if isinstance(retry_after, str)
                                    else f"{retry_after:g}")
        self._page = Page(body, status=code, headers=extra,
                          content_type="text/html; charset=utf-8" if body else None)

    def respond(self, ex: Exchange) -> None:
        self._page.respond(ex)


class Redirect(Reply):
    """A redirect to ``location`` (relative or absolute; any scheme, e.g. ``ftp://…``)."""

    def __init__(self, location: str, status: int = 302) -> None:
        self.location = location
        self.status = status

    def respond(self, ex: Exchange) -> None:
        ex.send_head(self.status, {"Location": self.location, "Content-Length": "0"})


class Sequence(Reply):
    """Each request gets the next reply; the last one repeats (fail N times, then succeed)."""

    def __init__(self, *replies: Reply) -> None:
        if not replies:
            raise ValueError("Sequence needs at least one reply")
        self.replies = list(replies)
        self.served = 0
        self._lock = threading.Lock()

    def respond(self, ex: Exchange) -> None:
        with self._lock:
            reply = self.replies[min(self.served, len(self.replies) - 1)]
            self.served += 1
        reply.respond(ex)


class Dynamic(Reply):
    """Decide per request: ``Dynamic(lambda request: Page(...))``."""

    def __init__(self, choose: Callable[[RecordedRequest], Reply]) -> None:
        self.choose = choose

    def respond(self, ex: Exchange) -> None:
        self.choose(ex.request).respond(ex)


class Noise(Reply):
    """A page that differs on every request, like a timestamp or visit counter widget.

    ``template`` may contain ``{now}`` (ISO 8601 UTC, microseconds) and ``{n}`` (request count).
    """

    def __init__(self, template: str, **page_options: Any) -> None:
        self.template = template
        self.page_options = page_options
        self.count = 0
        self._lock = threading.Lock()

    def respond(self, ex: Exchange) -> None:
        with self._lock:
            self.count += 1
            n = self.count
        body = self.template.format(now=datetime.now(UTC).isoformat(), n=n)
        Page(body, **self.page_options).respond(ex)


class Hang(Reply):
    """Accept the request, then say nothing for ``seconds`` (default: until the server stops)."""

    def __init__(self, seconds: float = 3600.0, then: Reply | None = None) -> None:
        self.seconds = seconds
        self.then = then

    def respond(self, ex: Exchange) -> None:
        if ex.wait(self.seconds) or self.then is None:
            ex.close()
            return
        self.then.respond(ex)


class Slowloris(Reply):
    """Send headers promptly, then one body byte every ``interval`` seconds, never finishing.

    Each byte arrives well inside any read timeout, so only a total deadline stops it.
    """

    def __init__(self, interval: float = 0.2, length: int = 1_000_000) -> None:
        self.interval = interval
        self.length = length

    def respond(self, ex: Exchange) -> None:
        ex.send_head(200, {"Content-Type": "text/html", "Content-Length": str(self.length)})
        for _ in range(self.length):
            ex.write(b"x")
            if ex.wait(self.interval):
                break
        ex.close()


class ResetMidBody(Reply):
    """Promise ``len(body)`` bytes, send the first ``after``, then reset the connection (RST)."""

    def __init__(self, body: bytes = b"x" * 10_000, after: int = 1_000) -> None:
        self.body = body
        self.after = after

    def respond(self, ex: Exchange) -> None:
        ex.send_head(200, {"Content-Type": "text/html", "Content-Length": str(len(self.body))})
        ex.write(self.body[: self.after])
        time.sleep(0.05)  # let the bytes leave before the RST overtakes them
        ex.reset()


class ShortBody(Reply):
    """Declare ``Content-Length: declared`` but send only ``body``, then close cleanly (FIN)."""

    def __init__(self, body: bytes = b"<p>partial", declared: int = 10_000) -> None:
        self.body = body
        self.declared = declared

    def respond(self, ex: Exchange) -> None:
        ex.send_head(200, {"Content-Type": "text/html", "Content-Length": str(self.declared)})
        ex.write(self.body)
        ex.close()


class BrokenChunked(Reply):
    """Chunked transfer encoding that goes wrong: a valid chunk, then a garbage chunk header."""

    def __init__(self, good: bytes = b"<p>hello</p>", garbage: bytes = b"zz-not-hex\r\n") -> None:
        self.good = good
        self.garbage = garbage

    def respond(self, ex: Exchange) -> None:
        ex.send_head(200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
        ex.write(f"{len(self.good):x}\r\n".encode() + self.good + b"\r\n" + self.garbage)
        ex.close()


class CloseWithoutResponse(Reply):
    """Read the request, then close the connection without a byte of response."""

    def respond(self, ex: Exchange) -> None:
        ex.close()


class Stream(Reply):
    """``size`` bytes of body with no Content-Length (chunked, or close-delimited with
    ``chunked=False``), generated on the fly so huge bodies cost no memory."""

    def __init__(self, size: int, *, chunked: bool = True, chunk: int = 64 * 1024,
                 fill: bytes = b"a", content_type: str = "text/html") -> None:
        self.size = size
        self.chunked = chunked
        self.chunk = chunk
        self.fill = fill
        self.content_type = content_type

    def respond(self, ex: Exchange) -> None:
        headers = {"Content-Type": self.content_type}
        if self.chunked:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Connection"] = "close"
        ex.send_head(200, headers)
        block = (self.fill * (self.chunk // len(self.fill) + 1))[: self.chunk]
        left = self.size
        while left > 0:
            piece = block[: min(left, self.chunk)]
            left -= len(piece)
            ex.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if self.chunked else piece)
        if self.chunked:
            ex.write(b"0\r\n\r\n")
        else:
            ex.close()


class GzipBomb(Reply):
    """``Content-Encoding: gzip`` whose body inflates to ``size`` zero bytes (default 200 MB).

    Only ~1/1000 of that crosses the wire; the compressed bytes are built once per size and
    cached. With ``declare_length=False`` the body is sent chunked (no Content-Length).
    """

    def __init__(self, size: int = 200 * 1024 * 1024, *, declare_length: bool = True) -> None:
        self.size = size
        self.declare_length = declare_length

    def payload(self) -> bytes:
        """The compressed bytes on the wire (built on first use, then cached)."""
        return _gzip_zeros(self.size)

    def respond(self, ex: Exchange) -> None:
        data = self.payload()
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        if self.declare_length:
            headers["Content-Length"] = str(len(data))
            ex.send_head(200, headers)
            ex.write(data)
            return
        headers["Transfer-Encoding"] = "chunked"
        ex.send_head(200, headers)
        for i in range(0, len(data), 16 * 1024):
            piece = data[i:i + 16 * 1024]
            ex.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        ex.write(b"0\r\n\r\n")


@functools.lru_cache(maxsize=4)
def _gzip_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = []
    left = size
    while left > 0:
        parts.append(compressor.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip-compressed (as servers send with Content-Encoding: gzip)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def http_date(timestamp: float) -> str:
    """An HTTP-date (RFC 9110) for a Unix timestamp: ``Tue, 01 Jul 2025 06:00:00 GMT``."""
    return email.utils.formatdate(timestamp, usegmt=True)


def unused_port() -> int:
    """A local TCP port nothing listens on (for "connection refused" tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections give up eventually; the thread is a daemon

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            http_version=self.request_version,
        )
        owner: FaultServer = self.server.owner  # type: ignore[attr-defined]
        owner._record(request)
        try:
            owner._reply_for(self.path).respond(Exchange(self, request))
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, ValueError):
            # The client went away (e.g. the fetcher stopped reading a gzip bomb) or the
            # socket was reset on purpose: nothing left to say.
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silent: pytest output should show test failures, not access logs."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection errors are the point of this server; only real bugs are printed."""
        import sys

        if isinstance(sys.exc_info()[1], OSError | ValueError):
            return
        super().handle_error(request, client_address)


class FaultServer:
    """A programmable HTTP server on 127.0.0.1 (random free port), running in a thread.

    ``with FaultServer() as server:`` starts and stops it; :meth:`route` maps paths to replies;
    :attr:`requests` lists what arrived. Routes may be changed at any time (between cycles).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._routes: dict[str, Reply] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FaultServer:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"faultserver:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake replies that are hanging or dribbling."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FaultServer is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- routes ------------------------------------------------------------------------------

    def route(self, path: str, reply: Reply) -> str:
        """Answer requests for ``path`` (exact; query string optional) with ``reply``.

        Returns the route's absolute URL. Calling it again for the same path replaces the reply.
        """
        if not path.startswith("/"):
            raise ValueError(f"route paths start with '/': {path!r}")
        with self._lock:
            self._routes[path] = reply
        return self.url(path)

    def redirect_chain(self, prefix: str, hops: int, final: Reply, status: int = 302) -> str:
        """``prefix/0`` → ``prefix/1`` → … → ``prefix/{hops}``, which serves ``final``.

        Returns the URL of the first hop; following it takes exactly ``hops`` redirects.
        """
        for i in range(hops):
            self.route(f"{prefix}/{i}", Redirect(f"{prefix}/{i + 1}", status))
        self.route(f"{prefix}/{hops}", final)
        return self.url(f"{prefix}/0")

    def redirect_loop(self, prefix: str, status: int = 302) -> str:
        """``prefix/a`` → ``prefix/b`` → ``prefix/a`` …; returns the URL of ``prefix/a``."""
        self.route(f"{prefix}/a", Redirect(f"{prefix}/b", status))
        self.route(f"{prefix}/b", Redirect(f"{prefix}/a", status))
        return self.url(f"{prefix}/a")

    def _reply_for(self, path: str) -> Reply:
        with self._lock:
            reply = self._routes.get(path) or self._routes.get(path.split("?", 1)[0])
        return reply or Status(404, f"faultserver: no route for {path}")

    # -- recorded requests -------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (ignoring the query string) is ``path``."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
