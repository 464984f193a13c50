"""Connection-pool bookkeeping made cheap: httpcore streams that remember their socket.

Only a speed-up: if httpx/httpcore internals change, :func:`cache_sockets` wraps nothing and
the fetcher works as before, only slower.
"""

from __future__ import annotations

import select
import socket
import ssl
from typing import Any

import httpcore
import httpx


def cache_sockets(transport: httpx.AsyncBaseTransport) -> None:
    """Wrap the transport's network backend so that streams remember their socket.

    httpcore's pool asks every pooled connection ``has_expired()`` each time it assigns a
    request (twice per request), and that asks the stream ``get_extra_info("is_readable")``;
    anyio answers by rebuilding a dict of attribute getters per call. With 8 pooled connections
    that was the largest single cost of a warm cycle of 304s (profiled: ~40 % of the pool's
    time). The wrapped streams keep the socket found at connect time and poll it directly, as
    httpcore itself does. The guarded backend (SSRF checks) stays inside the wrapper, so every
    connection is still made by it. If httpx/httpcore internals change, nothing is wrapped and
    everything works as before, only slower.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and not isinstance(backend, _SocketCachingBackend):
        pool._network_backend = _SocketCachingBackend(backend)  # type: ignore[union-attr]


class _SocketCachingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        return _SocketCachingStream(await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address,
            socket_options=socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        return _SocketCachingStream(await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _SocketCachingStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._sock = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _SocketCachingStream(
            await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._sock is not None:
            return _socket_readable(self._sock)
        return self._inner.get_extra_info(info)


def _socket_readable(sock: socket.socket) -> bool:
    """httpcore's test: an idle keep-alive socket that is readable was closed by the server
    (or is unusable), so the pool must not hand it out."""
    fd = sock.fileno()
    if fd < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
