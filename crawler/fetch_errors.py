"""Why a fetch failed, as one error type with a stable ``kind`` (stored on the Check row,
grouped in health alerts, chosen for retries): shared by the fetcher and the network guard."""

from __future__ import annotations

from typing import Any, ClassVar


class FetchError(Exception):
    """Base of all fetch failures; ``kind`` is the stable string callers and storage use.

    Construct with the kind: ``FetchError("timeout", url, message)`` returns an instance of the
    matching subclass (:class:`FetchTimeout` …), so both ``except FetchError`` with ``.kind`` and
    ``except FetchTimeout`` work.
    """

    kind: str = ""
    _by_kind: ClassVar[dict[str, type[FetchError]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            FetchError._by_kind[cls.kind] = cls

    def __new__(cls, kind: str, url: str, message: str, **_: Any) -> FetchError:
        target = FetchError._by_kind.get(kind)
        if target is None:
            raise ValueError(f"unknown FetchError kind {kind!r}; known: {sorted(KINDS)}")
        if not issubclass(target, cls):
            raise TypeError(f"{cls.__name__} cannot be raised with kind {kind!r}")
        return super().__new__(target)

    def __init__(self, kind: str, url: str, message: str, *, http_status: int | None = None,
                 attempts: int = 1, retry_after: float | None = None,
                 retryable: bool = True) -> None:
        super().__init__(message)
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


class FetchTimeout(FetchError):
    """The server did not connect or answer within connect_timeout / read_timeout."""
    kind = "timeout"


class FetchDeadline(FetchError):
    """The whole fetch (all attempts and the body) took longer than total_timeout."""
    kind = "deadline"


class FetchDNSError(FetchError):
    """The host name does not resolve."""
    kind = "dns"


class FetchRefused(FetchError):
    """No connection could be opened (refused or unreachable)."""
    kind = "refused"


class FetchReset(FetchError):
    """The connection was reset or closed before the response was complete."""
    kind = "reset"


class FetchTruncated(FetchError):
    """The body was shorter than its Content-Length."""
    kind = "truncated"


class FetchProtocolError(FetchError):
    """The server broke HTTP: bad chunked encoding, malformed response, bad compression."""
    kind = "protocol"


class FetchTooLarge(FetchError):
    """The body (compressed or decompressed) is bigger than max_bytes."""
    kind = "too_large"


class FetchTooManyRedirects(FetchError):
    """A redirect loop, or more redirects than max_redirects."""
    kind = "too_many_redirects"


class FetchBadRedirect(FetchError):
    """A redirect to something that is not http(s): ftp:, file:, javascript:, or garbage."""
    kind = "bad_redirect"


class FetchBlocked(FetchError):
    """HTTP 401/403: the site refuses this client (often a bot filter)."""
    kind = "blocked"


class FetchRateLimited(FetchError):
    """HTTP 429 on every attempt, or a Retry-After longer than max_retry_after."""
    kind = "rate_limited"


class FetchHTTPError(FetchError):
    """Any other 4xx (404 and 410 are results with gone=True, not errors)."""
    kind = "http_error"


class FetchServerError(FetchError):
    """HTTP 5xx on every attempt."""
    kind = "server_error"


class FetchPrivateAddress(FetchError):
    """The URL or a redirect points at a loopback, private or link-local address (SSRF guard)."""
    kind = "private_address"


class FetchEmpty(FetchError):
    """A 2xx response with an empty body."""
    kind = "empty"


class FetchTLSError(FetchError):
    """The TLS handshake failed (bad certificate, or not TLS at all)."""
    kind = "tls"


class FetchInvalidURL(FetchError):
    """The URL is malformed or not http(s)."""
    kind = "invalid_url"


KINDS: tuple[str, ...] = tuple(FetchError._by_kind)
