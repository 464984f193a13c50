"""The fetcher's HTTP/1.1 transport: h11 over plain asyncio connections, with keep-alive.

httpx's default transport runs every request through httpcore's connection pool and anyio's
cancel scopes, locks and stream wrappers. On a cycle of 1,000 conditional GETs that machinery
was most of the run's own CPU (profiled: ≈ 0.6 ms a request, against ≈ 0.13 ms for the same
requests over bare asyncio streams), and the run's process is what every source waits on.
This transport keeps what the fetcher relies on and drops the rest:

* the same parser and framing rules: h11, as in httpcore, so a hostile or broken server fails
  the same way and with the same messages (``crawler.fetch_errors.from_httpx`` reads them);
* the same exception types: httpx's ``ConnectTimeout`` / ``ReadTimeout`` / ``ConnectError`` /
  ``ReadError`` / ``RemoteProtocolError``, raised from the OS or TLS error that caused them;
* keep-alive connections per (scheme, host, port), expired after ``KEEPALIVE_EXPIRY`` idle
  seconds, and never reused once the server closed them or sent anything unasked;
* connections made by an injectable ``connect`` (the SSRF guard connects only to addresses it
  checked: :func:`crawler.netguard.guarded_connect`).

Not supported, because the fetcher never asks for them: request bodies, HTTP/2, proxies and
upgrades. Concurrency is bounded by the fetcher's own semaphores, not here.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import h11
import httpx

KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept (httpx's default)
MAX_INCOMPLETE_EVENT_SIZE = 100 * 1024  # largest response head accepted (httpcore's figure)
READ_HIGH_WATER = 256 * 1024  # buffered bytes at which the socket stops being read


class _Protocol(asyncio.Protocol):
    """Bytes received, kept until read; EOF and connection loss remembered."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and not self._paused and self.transport:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def read(self) -> bytes:
        """What has arrived (waiting for something), or b"" at EOF. Raises what the OS said
        if the connection was lost with an error and nothing is left to read."""
        while not self.buffer and not self.eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.buffer:
            data = bytes(self.buffer)
            self.buffer.clear()
            if self._paused and self.transport is not None:
                self._paused = False
                self.transport.resume_reading()
            return data
        if self.error is not None:
            raise self.error
        return b""


class _Connection:
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self.transport = transport
        self.protocol = protocol
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_INCOMPLETE_EVENT_SIZE)
        self.idle_since = 0.0

    def reusable(self, now: float) -> bool:
        """Still open, nothing unasked received (a readable idle connection was closed by the
        server, or is out of step), and not idle past the keep-alive expiry."""
        p = self.protocol
        return (not p.eof and not p.buffer and not self.transport.is_closing()
                and now - self.idle_since < KEEPALIVE_EXPIRY)

    def close(self) -> None:
        self.transport.close()

    async def next_event(self, read_timeout: float | None) -> Any:
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event
            try:
                async with asyncio.timeout(read_timeout):
                    data = await self.protocol.read()
            except TimeoutError as exc:
                raise httpx.ReadTimeout("timed out reading the response") from exc
            except OSError as exc:
                raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
            if not data and self.h11.their_state is h11.SEND_RESPONSE:
                # httpcore's words, which the fetch errors tell apart from a cut-off body
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            try:
                self.h11.receive_data(data)
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc


#: ``connect(host, port, ssl_context or None, timeout, protocol_factory)`` → (transport, protocol)
Connector = Callable[[str, int, ssl.SSLContext | None, float | None, Callable[[], _Protocol]],
                     Awaitable[tuple[asyncio.Transport, _Protocol]]]


async def plain_connect(host: str, port: int, ssl_context: ssl.SSLContext | None,
                        timeout: float | None,
                        factory: Callable[[], _Protocol]) -> tuple[asyncio.Transport, _Protocol]:
    """Connect to ``host`` as it resolves (sources with ``allow_private``)."""
    return await connect_to(host, host, port, ssl_context, timeout, factory)


async def connect_to(address: str, host: str, port: int, ssl_context: ssl.SSLContext | None,
                     timeout: float | None,
                     factory: Callable[[], _Protocol]) -> tuple[asyncio.Transport, _Protocol]:
    """Connect to ``address`` for ``host`` (the TLS server name), within ``timeout``.

    Errors are httpx's: ``ConnectTimeout``, else ``ConnectError`` raised from the OS, DNS or
    TLS error (``from_httpx`` tells refused, DNS and TLS failures apart by that cause)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            transport, protocol = await loop.create_connection(
                factory, address, port, ssl=ssl_context,
                server_hostname=host if ssl_context is not None else None)
    except TimeoutError as exc:
        raise httpx.ConnectTimeout(f"could not connect to {host}:{port} in time") from exc
    except (OSError, ssl.SSLError, ssl.CertificateError) as exc:
        raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:  # requests are small and sent whole: no reason to wait for an ACK
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
    return transport, protocol  # type: ignore[return-value]


class SSLContextOnce:
    """An SSL context built on first need, in a thread. Loading the CA bundle costs 15–20 ms
    of CPU: a run of plain-HTTP sources never pays it, and a run of HTTPS sources pays it
    without stopping the event loop (OpenSSL reads the bundle with the GIL released)."""

    def __init__(self, build: Callable[[], ssl.SSLContext]) -> None:
        self._build = build
        self._context: ssl.SSLContext | None = None
        self._task: asyncio.Future[ssl.SSLContext] | None = None

    @classmethod
    def ready(cls, context: ssl.SSLContext) -> SSLContextOnce:
        """One already built."""
        once = cls(lambda: context)
        once._context = context
        return once

    async def get(self) -> ssl.SSLContext:
        if self._context is None:
            if self._task is None:
                self._task = asyncio.ensure_future(asyncio.to_thread(self._build))
            # shielded: a connect that times out does not cancel the build the others wait on
            self._context = await asyncio.shield(self._task)
        return self._context


class H11Transport(httpx.AsyncBaseTransport):
    """GET-only HTTP/1.1 for the fetcher (see the module docstring for what is left out)."""

    def __init__(self, *, ssl_context: ssl.SSLContext | SSLContextOnce,
                 connect: Connector = plain_connect, max_idle: int = 16) -> None:
        self.ssl_context = (ssl_context if isinstance(ssl_context, SSLContextOnce)
                            else SSLContextOnce.ready(ssl_context))
        self._connect = connect
        self._max_idle = max_idle
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        if request.method not in ("GET", "HEAD") or request.headers.get("content-length",
                                                                         "0") != "0":
            raise httpx.LocalProtocolError("this transport sends GET and HEAD requests only")
        port = url.port or (443 if scheme == "https" else 80)
        key = (scheme, url.host, port)
        timeouts = request.extensions.get("timeout", {})
        conn = self._checkout(key)
        if conn is None:
            context = await self.ssl_context.get() if scheme == "https" else None
            transport, protocol = await self._connect(url.host, port, context,
                                                      timeouts.get("connect"), _Protocol)
            conn = _Connection(transport, protocol)
        try:
            target = url.raw_path
            data = conn.h11.send(h11.Request(method=request.method, target=target,
                                             headers=request.headers.raw))
            data = (data or b"") + (conn.h11.send(h11.EndOfMessage()) or b"")
            conn.transport.write(data)
            while True:
                event = await conn.next_event(timeouts.get("read"))
                if isinstance(event, h11.InformationalResponse):
                    continue
                if isinstance(event, h11.ConnectionClosed):
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response.")
                break
        except h11.LocalProtocolError as exc:
            conn.close()
            raise httpx.LocalProtocolError(str(exc)) from exc
        except BaseException:
            conn.close()
            raise
        assert isinstance(event, h11.Response)
        return httpx.Response(
            status_code=event.status_code, headers=event.headers.raw_items(),
            stream=_Body(self, key, conn, timeouts.get("read")),
            extensions={"http_version": b"HTTP/" + event.http_version,
                        "reason_phrase": event.reason},
        )

    def _checkout(self, key: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.reusable(now):
                return conn
            conn.close()
        return None

    def _checkin(self, key: tuple[str, str, int], conn: _Connection) -> None:
        """A connection whose exchange completed: kept for the next request, or closed."""
        h = conn.h11
        if self._closed or h.our_state is not h11.DONE or h.their_state is not h11.DONE:
            conn.close()
            return
        try:
            h.start_next_cycle()
        except h11.LocalProtocolError:
            conn.close()
            return
        idle = self._idle.setdefault(key, [])
        if len(idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        idle.append(conn)

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


class _Body(httpx.AsyncByteStream):
    """A response body, read from the connection as it is iterated; the connection goes back
    to the pool once the whole body was read, and is closed if the body is abandoned."""

    def __init__(self, owner: H11Transport, key: tuple[str, str, int], conn: _Connection,
                 read_timeout: float | None) -> None:
        self._owner, self._key, self._conn = owner, key, conn
        self._timeout = read_timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        try:
            while True:
                event = await conn.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._done = True
                    break
                else:  # ConnectionClosed before the end: h11 raises for a short body first
                    raise httpx.RemoteProtocolError(
                        "peer closed connection without sending complete message body")
        except BaseException:
            self._release()
            raise
        self._release()

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._done:
            self._owner._checkin(self._key, conn)
        else:
            conn.close()

    async def aclose(self) -> None:
        self._release()
