"""crawler.h1, the fetcher's HTTP/1.1 transport, against a small asyncio server on 127.0.0.1
that counts the connections it accepts: what keep-alive reuses and what it must not."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from crawler import h1, netguard
from crawler.fetch import Fetcher, FetchOptions

FAST = FetchOptions(allow_private=True, retries=0, connect_timeout=1.0, read_timeout=1.0,
                    total_timeout=3.0)


class CountingServer:
    """Answers every GET with a small page; ``close_after`` closes the connection after each
    answer without saying so (a server whose keep-alive timeout is shorter than ours)."""

    def __init__(self, *, close_after: bool = False) -> None:
        self.close_after = close_after
        self.connections = 0
        self.requests = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> CountingServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.close()

    def url(self, path: str = "/page") -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.requests += 1
                body = b"<p>page %d</p>" % self.requests
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n"
                             b"content-length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())


def test_requests_to_one_host_share_one_kept_alive_connection() -> None:
    async def test() -> None:
        async with CountingServer() as server, Fetcher(FAST) as fetcher:
            for n in range(5):
                result = await fetcher.fetch(server.url(f"/p{n}"))
                assert result.body == b"<p>page %d</p>" % (n + 1)
            assert (server.connections, server.requests) == (1, 5)

    run(test)


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def test() -> None:
        async with CountingServer(close_after=True) as server, Fetcher(FAST) as fetcher:
            for _ in range(3):
                assert (await fetcher.fetch(server.url())).status_code == 200
                await asyncio.sleep(0.05)  # the server's close reaches the idle connection
            assert (server.connections, server.requests) == (3, 3)

    run(test)


def test_a_response_closed_before_its_body_was_read_gives_up_its_connection() -> None:
    async def test() -> None:
        async with CountingServer() as server:
            transport = h1.H11Transport(ssl_context=httpx.create_ssl_context())
            try:
                response = await transport.handle_async_request(
                    httpx.Request("GET", server.url()))
                await response.aclose()  # the body was never read: the connection is not clean
                response = await transport.handle_async_request(
                    httpx.Request("GET", server.url()))
                assert b"".join([c async for c in response.aiter_raw()]) == b"<p>page 2</p>"
            finally:
                await transport.aclose()
            assert server.connections == 2

    run(test)


def test_the_guarded_transport_refuses_a_private_address_without_connecting() -> None:
    async def test() -> None:
        async with CountingServer() as server:
            transport = h1.H11Transport(ssl_context=httpx.create_ssl_context(),
                                        connect=netguard.guarded_connect())
            try:
                with pytest.raises(netguard.GuardRefusal) as refused:
                    await transport.handle_async_request(httpx.Request("GET", server.url()))
            finally:
                await transport.aclose()
            assert refused.value.kind == "private_address"
            assert server.connections == 0

    run(test)


def test_only_body_less_requests_are_sent() -> None:
    async def test() -> None:
        transport = h1.H11Transport(ssl_context=httpx.create_ssl_context())
        with pytest.raises(httpx.LocalProtocolError):
            await transport.handle_async_request(
                httpx.Request("POST", "http://127.0.0.1:9/", content=b"x"))

    run(test)


class _CountedBuild:
    """Builds real SSL contexts, slowly enough that concurrent callers overlap."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Any:
        import ssl
        import time

        self.calls += 1
        time.sleep(0.05)
        return ssl.create_default_context()


def test_plain_http_requests_never_build_the_ssl_context() -> None:
    build = _CountedBuild()

    async def three_plain_requests() -> None:
        async with CountingServer() as server:
            transport = h1.H11Transport(ssl_context=h1.SSLContextOnce(build))
            try:
                for _ in range(3):
                    response = await transport.handle_async_request(
                        httpx.Request("GET", server.url()))
                    await response.aread()
            finally:
                await transport.aclose()

    run(three_plain_requests)
    assert build.calls == 0


def test_concurrent_first_uses_build_the_ssl_context_once() -> None:
    build = _CountedBuild()
    once = h1.SSLContextOnce(build)

    async def five_first_uses() -> list[Any]:
        return await asyncio.gather(*(once.get() for _ in range(5)))

    contexts = asyncio.run(five_first_uses())
    assert build.calls == 1
    assert all(c is contexts[0] for c in contexts)


def test_an_https_request_builds_the_context_and_fails_on_a_server_without_tls() -> None:
    build = _CountedBuild()

    async def https_to_a_plain_server() -> None:
        async with CountingServer() as server:
            transport = h1.H11Transport(ssl_context=h1.SSLContextOnce(build))
            try:
                with pytest.raises(httpx.ConnectError):
                    await transport.handle_async_request(
                        httpx.Request("GET", server.url().replace("http:", "https:")))
            finally:
                await transport.aclose()

    run(https_to_a_plain_server)
    assert build.calls == 1
