"""Why a fetch failed, as one error type with a stable ``kind`` (stored on the Check row,
grouped in health alerts, chosen for retries): shared by the fetcher, the network guard and the
browser fetcher."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import httpx

KINDS: dict[str, str] = {
    'timeout': 'The server did not connect or answer within connect_timeout / read_timeout.',
    'deadline': 'The whole fetch (all attempts and the body) took longer than total_timeout.',
    'dns': 'The host name does not resolve.',
    'refused': 'No connection could be opened (refused or unreachable).',
    'reset': 'The connection was reset or closed before the response was complete.',
    'truncated': 'The body was shorter than its Content-Length.',
    'protocol': 'The server broke HTTP: bad chunked encoding, malformed response, bad compression.',
    'too_large': 'The body (compressed or decompressed) is bigger than max_bytes.',
    'too_many_redirects': 'A redirect loop, or more redirects than max_redirects.',
    'bad_redirect': 'A redirect to something that is not http(s): ftp:, file:, javascript:, or garbage.',
    'blocked': 'HTTP 401/403: the site refuses this client (often a bot filter).',
    'rate_limited': 'HTTP 429 on every attempt, or a Retry-After longer than max_retry_after.',
    'http_error': 'Any other 4xx (404 and 410 are results with gone=True, not errors).',
    'server_error': 'HTTP 5xx on every attempt.',
    'private_address': 'The URL or a redirect points at a loopback, private or link-local address (SSRF guard).',
    'empty': 'A 2xx response with an empty body.',
    'tls': 'The TLS handshake failed (bad certificate, or not TLS at all).',
    'invalid_url': 'The URL is malformed or not http(s).',
}
"""The kinds of an HTTP fetch failure, each with what it means."""

BROWSER_KINDS: dict[str, str] = {
    "browser_missing": "No usable Chromium (or Playwright is not installed); the message says "
                       "how to install one.",
    "browser_crashed": "The browser or the page's renderer died while rendering; the next "
                       "source restarts it.",
}
"""The kinds only the browser fetcher raises."""


class FetchError(Exception):
    """Every fetch failure; ``kind`` (one of :data:`KINDS` or :data:`BROWSER_KINDS`) is the
    stable string callers branch on and storage keeps."""

    def __init__(self, kind: str, url: str, message: str, *, http_status: int | None = None,
                 attempts: int = 1, retry_after: float | None = None,
                 retryable: bool = True) -> None:
        if kind not in KINDS and kind not in BROWSER_KINDS:
            raise ValueError(f"unknown FetchError kind {kind!r}; known: {sorted(KINDS)}")
        super().__init__(message)
        self.kind = kind
        #: False when retrying cannot help even though the kind is usually transient
        #: (e.g. a Retry-After longer than max_retry_after).
        self.retryable = retryable
        self.url = url
        self.message = message
        self.http_status = http_status
        self.attempts = attempts
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.kind, self.url, self.message, self.http_status,
                                 self.attempts, self.retry_after))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, url={self.url!r}, message={self.message!r})"

    def with_attempts(self, attempts: int) -> FetchError:
        """The same error after ``attempts`` tries, saying so in the message when there were more than one."""
        message = self.message
        if attempts > 1 and "attempts" not in message:
            message = f"{message} (gave up after {attempts} attempts)"
        return FetchError(self.kind, self.url, message, http_status=self.http_status,
                          attempts=attempts, retry_after=self.retry_after,
                          retryable=self.retryable)


def _rebuild_error(kind: str, url: str, message: str, http_status: int | None, attempts: int,
                   retry_after: float | None) -> FetchError:
    return FetchError(kind, url, message, http_status=http_status, attempts=attempts,
                      retry_after=retry_after)


# ---- an httpx exception, translated ---------------------------------------------------------

def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it was raised from, exception groups included."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is seen for seen in found):
            continue
        found.append(item)
        todo.extend([item.__cause__, item.__context__])
        if isinstance(item, BaseExceptionGroup):
            todo.extend(item.exceptions)
    return found


def from_httpx(exc: httpx.HTTPError, url: str, *, connect_timeout: float,
               read_timeout: float) -> FetchError:
    """Map an httpx exception to a FetchError with a kind and a message a user can act on."""
    chain = _chain(exc)
    text = str(exc) or type(exc).__name__

    def has(kind: type[BaseException] | tuple[type[BaseException], ...]) -> bool:
        return any(isinstance(e, kind) for e in chain)

    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError("timeout", url, f"{url}: could not connect within connect_timeout = "
                          f"{connect_timeout:g} s; the server is down or unreachable.")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", url, f"{url}: the server stopped answering for longer than "
                          f"read_timeout = {read_timeout:g} s.")
    if has(ssl.SSLError) or has(ssl.CertificateError):
        return FetchError("tls", url, f"{url}: TLS handshake failed ({text}). The certificate "
                          "may be expired or self-signed, or the port does not speak TLS.")
    if isinstance(exc, httpx.ConnectError):
        if has(socket.gaierror):
            return FetchError("dns", url, f"{url}: the host name does not resolve ({text}). "
                              "Check the URL for typos; the domain may have moved or lapsed.")
        detail = "connection refused" if has(ConnectionRefusedError) else text
        return FetchError("refused", url, f"{url}: could not connect ({detail}); the server is "
                          "down or not listening on that port.")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "incomplete chunked read" in text or "without sending a response" in text:
            return FetchError("reset", url, f"{url}: the server closed the connection before "
                              f"the response was complete ({text}).")
        if "complete message body" in text:
            return FetchError("truncated", url, f"{url}: the body is shorter than its "
                              f"Content-Length ({text}); the server or a proxy cut it off.")
        return FetchError("protocol", url, f"{url}: the server broke the HTTP protocol ({text}).")
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        detail = "connection reset by peer" if has(ConnectionResetError) else text
        return FetchError("reset", url, f"{url}: the connection was reset mid-transfer "
                          f"({detail}); usually a crashed server or a proxy cutting it off.")
    if isinstance(exc, (httpx.LocalProtocolError, httpx.ProtocolError, httpx.DecodingError)):
        return FetchError("protocol", url, f"{url}: the server broke the HTTP protocol ({text}).")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return FetchError("invalid_url", url, f"{url} cannot be fetched: {text}.")
    if isinstance(exc, httpx.TransportError):
        return FetchError("reset", url, f"{url}: the connection failed ({text}).")
    return FetchError("protocol", url, f"{url}: unexpected HTTP failure ({text}).")
