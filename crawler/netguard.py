"""SSRF guard: framewatch fetches public documents, never internal services.

``sources.toml`` is edited by people, and redirects are chosen by remote servers, so a URL can
point (directly, through DNS, or through a redirect) at ``127.0.0.1``, a router on ``10.0.0.1`` or
the cloud metadata endpoint ``169.254.169.254``. Fetching those would turn framewatch into a proxy
into the network it runs in. This module refuses such addresses unless the operator opts in with
``allow_private = true`` (per source, or in ``[settings]``; tests set it).

Three layers, all driven by :func:`address_problem`:

* :func:`check_url_allowed` resolves a URL's host and refuses it when *any* address it resolves to
  is non-public. :mod:`crawler.fetch` calls it for the first URL and for every redirect hop, so
  the error names the URL the user wrote or the hop that went wrong.
* :func:`guarded_connect`, the fetcher's connections (:class:`crawler.h1.H11Transport`),
  resolves again at the moment it opens a TCP connection, checks those addresses, and connects
  to exactly the address it checked. A name whose DNS answer changes between the check and the
  connection (DNS rebinding) therefore cannot slip through: the address that is connected to is
  always one that passed the check. TLS SNI, certificate verification and the ``Host`` header
  still use the host name, taken from the URL, not from the socket address.
* :class:`GuardProxy`, a small proxy on 127.0.0.1 that the browser fetcher routes a page through,
  applies the same check (:func:`checked_addresses`) to every connection the page makes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from crawler import h1
from crawler.fetch_errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
Classifier = Callable[[IPAddress], "str | None"]

ALLOW_HINT = (
    "If this source is meant to be on your own network, set `allow_private = true` on the "
    "[[source]] or in [settings] of sources.toml."
)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_METADATA = ipaddress.ip_address("169.254.169.254")


class GuardRefusal(Exception):
    """Raised inside the transport, where only host and port are known; fetch adds the URL.

    ``kind`` is a :class:`crawler.fetch_errors.FetchError` kind ("private_address" or "dns"), ``reason``
    a human sentence without the URL.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def address_problem(ip: IPAddress) -> str | None:
    """Say why ``ip`` is not a public internet address, or return None when it is.

    Embedded IPv4 addresses (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``, NAT64
    ``64:ff9b::/96``) are judged by the IPv4 address inside, because that is where the packets
    end up.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_problem(embedded)
            return f"{inner} (embedded in the IPv6 address {ip})" if inner else None
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_unspecified:
        return "the unspecified address (this machine)"
    if ip == _METADATA:
        return "the cloud metadata endpoint (link-local)"
    if ip.is_link_local:
        return "a link-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a carrier-grade NAT address (100.64.0.0/10)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        # Python's is_private also covers documentation and benchmarking ranges; they are no
        # more fetchable than RFC 1918 space.
        return "a private address (RFC 1918 / unique local / special-purpose)"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def resolve_host(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to (TCP), in resolver order, duplicates removed.

    Uses the event loop's ``getaddrinfo`` so numeric forms that the C library accepts
    (``2130706433``, ``0x7f.1``) are normalised to the address they really mean.
    Raises :class:`socket.gaierror` when the name does not resolve.
    """
    literal = _literal_ip(host)
    if literal is not None:
        return [str(literal)]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]).split("%", 1)[0], None)
    return list(seen)


def _first_problem(host: str, addresses: Iterable[str],
                   classify: Classifier | None = None) -> str | None:
    classify = classify or address_problem  # looked up per call, so tests can narrow the policy
    for text in addresses:
        problem = classify(ipaddress.ip_address(text))
        if problem is not None:
            if host == text:
                return f"{text} is {problem}"
            return f"{host} resolves to {text}, which is {problem}"
    return None


@functools.lru_cache(maxsize=4096)
def parse_http_url(url: str) -> httpx.URL:
    """Parse ``url``; raise FetchError("invalid_url") unless it is http(s) with a host.

    Cached (an ``httpx.URL`` is immutable): each fetch parses its URL twice, before queueing
    and again when its hop is checked, and a source's later pages (redirects, an index's
    document) come back to the same URLs."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("invalid_url", url, f"{url!r} is not a valid URL: {exc}.") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            "invalid_url", url,
            f"{url!r} is not an http(s) URL; framewatch only fetches http:// and https://.",
        )
    if not parsed.host:
        raise FetchError("invalid_url", url, f"{url!r} has no host name.")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        # httpx accepts "http://127.0.0.1:99999/" and the socket layer fails deep inside a
        # task group, as an ExceptionGroup traceback reported as an internal error.
        raise FetchError("invalid_url", url,
                                f"{url!r}: port {parsed.port} is out of range (1–65535).")
    return parsed


async def check_url_allowed(url: str, allow_private: bool) -> None:
    """Refuse ``url`` unless every address its host resolves to is public (or ``allow_private``).

    Raises :class:`crawler.fetch_errors.FetchError` with kind ``invalid_url`` (not an http(s) URL with
    a host), ``dns`` (the name does not resolve) or ``private_address`` (naming the address, why
    it is refused, and how to allow it). With ``allow_private`` only the URL's shape is checked
    and no name is resolved.
    """
    parsed = parse_http_url(url)
    if allow_private:
        return
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = await resolve_host(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            "dns", url,
            f"{url}: the host name {host!r} does not resolve ({_gai_text(exc)}). "
            "Check the URL for typos; the site may have moved or the domain lapsed.",
        ) from exc
    problem = _first_problem(host, addresses)
    if problem is not None:
        raise FetchError(
            "private_address", url, f"refusing to fetch {url}: {problem}. {ALLOW_HINT}"
        )


def _gai_text(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and len(exc.args) >= 2:
        return str(exc.args[1])
    return str(exc) or type(exc).__name__


async def checked_addresses(host: str, port: int, *, timeout: float | None = None,
                            resolve: Resolver | None = None,
                            classify: Classifier | None = None) -> list[str]:
    """Resolve ``host`` once and return its addresses if every one is public, for the caller to
    connect to exactly these (so DNS rebinding cannot slip another in). Raises
    :class:`GuardRefusal` ("dns" or "private_address") otherwise. The one check behind both the
    fetcher's connections and the browser's proxy."""
    try:
        async with asyncio.timeout(timeout):
            addresses = await (resolve or resolve_host)(host, port)
    except TimeoutError as exc:
        raise GuardRefusal("dns", f"resolving {host!r} took longer than {timeout} s") from exc
    except (socket.gaierror, UnicodeError) as exc:
        raise GuardRefusal(
            "dns", f"the host name {host!r} does not resolve ({_gai_text(exc)})"
        ) from exc
    problem = _first_problem(host, addresses, classify)
    if problem is not None:
        raise GuardRefusal("private_address", problem)
    return addresses


def guarded_connect(resolver: Resolver | None = None,
                    classify: Classifier | None = None) -> h1.Connector:
    """The fetcher's connections for guarded sources (:class:`crawler.h1.H11Transport`): the
    host is resolved once, refused with :class:`GuardRefusal` if any address is non-public, and
    the connection goes to those checked addresses (in order, until one answers). ``resolver``
    and ``classify`` are injectable so tests can simulate a rebinding name without touching
    real DNS."""

    async def connect(host: str, port: int, ssl_context: ssl.SSLContext | None,
                      timeout: float | None, factory: typing.Any) -> typing.Any:
        addresses = await checked_addresses(host, port, timeout=timeout, resolve=resolver,
                                            classify=classify)
        last: Exception | None = None
        for address in addresses:
            try:
                return await h1.connect_to(address, host, port, ssl_context, timeout, factory)
            except httpx.ConnectError as exc:
                last = exc
        assert last is not None  # resolve_host never returns an empty list
        raise last

    return connect


# --------------------------------------------------------------------------------------------
# The proxy the browser connects through


@dataclass(frozen=True)
class Refusal:
    """One connection the proxy refused: kind is a FetchError kind (private_address, dns)."""

    kind: str
    host: str
    reason: str


class GuardProxy:
    """An HTTP proxy on 127.0.0.1 through which a guarded page makes every connection.

    Playwright's request interception does not see redirect hops, so a page without
    ``allow_private`` makes every connection (document, redirects, sub-requests, WebSockets)
    through this proxy. For ``CONNECT host:port`` (HTTPS, WebSockets over TLS) and absolute-URL
    requests (plain HTTP) it checks the host with :func:`checked_addresses` (the transport's
    own check) and connects to exactly the address it checked, so DNS rebinding cannot slip a
    private address in between check and connect.
    Refusals are kept in :attr:`refused` so the fetcher can explain a failed navigation.
    Plain-HTTP requests are forwarded with ``Connection: close`` (one request per
    connection keeps the forwarding a byte pipe; HTTPS tunnels stay persistent).
    """

    def __init__(self) -> None:
        self.refused: list[Refusal] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                TimeoutError):
            pass
        except asyncio.CancelledError:  # close() ends open tunnels; nothing to report
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        if method.upper() == "CONNECT":
            host, _, port_text = target.rpartition(":")
            host, port = host.strip("[]"), int(port_text)
            forward = b""
        else:
            parts = urlsplit(target)
            if parts.scheme != "http" or not parts.hostname:
                await _proxy_answer(writer, 400, "framewatch proxy: absolute http URL expected")
                return
            host, port = parts.hostname, parts.port or 80
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            kept = [h for h in header_lines if h and h.split(":", 1)[0].strip().lower()
                    not in ("proxy-connection", "connection", "keep-alive", "proxy-authorization")]
            forward = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close",
                                   "", ""]).encode("latin-1")
        addresses = await self._checked_addresses(host, port)
        if addresses is None:
            await _proxy_answer(writer, 403, "framewatch refused this address (SSRF guard)")
            return
        upstream = None
        for address in addresses:
            try:
                upstream = await asyncio.wait_for(asyncio.open_connection(address, port), 30)
                break
            except (OSError, TimeoutError):
                continue
        if upstream is None:
            await _proxy_answer(writer, 502, "framewatch proxy: could not connect")
            return
        up_reader, up_writer = upstream
        try:
            if forward:
                up_writer.write(forward)
            else:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            up_writer.close()

    async def _checked_addresses(self, host: str, port: int) -> list[str] | None:
        try:
            return await checked_addresses(host, port)
        except GuardRefusal as refusal:
            self.refused.append(Refusal(refusal.kind, host, refusal.reason))
            return None


async def _proxy_answer(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    body = text.encode()
    writer.write(f"HTTP/1.1 {status} framewatch\r\nContent-Type: text/plain\r\n"
                 f"X-Framewatch-Proxy: refused\r\nContent-Length: {len(body)}\r\n"
                 f"Connection: close\r\n\r\n".encode() + body)
    await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()
