"""Fetch one document over HTTP(S): the first step of the cycle.

Everything a remote server can do wrong ends here as either a :class:`FetchResult` (the server
answered: 200, 304 Not Modified, or 404/410 "gone", which is itself a change worth recording) or
a :class:`FetchError` whose ``kind`` is a stable string that goes straight into the ``Check`` row,
the run summary and the maintainer alert, and whose message names the URL and says what to do.

Design choices, each because of a real failure mode:

* Bodies are streamed and counted *after* decompression, by our own bounded ``zlib`` decoder
  (crawler.decode): httpx's decoder inflates a whole network chunk at once (64 KiB of gzip can become 64 MB), so a
  gzip bomb is stopped after at most ``max_bytes + 1`` decoded bytes are held in memory.
* Redirects are followed by hand so every hop is checked: http/https only, SSRF guard on the
  hop's host, hop count and loop detection. The final URL is recorded.
* One ``asyncio.timeout`` (``total_timeout``) covers all attempts, back-off sleeps and body reads:
  connect/read timeouts alone cannot stop a server that sends one byte every few seconds.
* Retries (exponential back-off, small jitter) only where a retry can help: timeouts, refused
  and reset connections, truncated bodies, 5xx and 429 (honouring ``Retry-After`` up to
  ``max_retry_after``). Never on other 4xx, oversize bodies, blocked addresses or bad redirects.
* A per-host semaphore (taken first) and a global one bound load on sites and on us; the fetch
  deadline starts once both are held, so queueing behind other sources never counts against it.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx

from crawler import h1, netguard
from crawler.config import Settings
from crawler.decode import BoundedDecoder
from crawler.fetch_errors import FetchError, from_httpx

DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"
BACKOFF_CAP = 30.0  # seconds; no single back-off sleep is longer than this
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_KINDS = frozenset(
    {"timeout", "refused", "reset", "truncated", "server_error", "rate_limited"}
)
_CROSS_ORIGIN_DROP = ("authorization", "cookie", "proxy-authorization")
_DEFAULTS = Settings()


# --------------------------------------------------------------------------------------------
# Options and results


@dataclass(frozen=True)
class FetchOptions:
    """How the fetcher behaves; built once from ``[settings]`` (tests shrink the timeouts).
    The defaults are the settings' own, so a fetcher built without a config behaves alike."""

    user_agent: str = _DEFAULTS.user_agent
    connect_timeout: float = _DEFAULTS.connect_timeout
    read_timeout: float = _DEFAULTS.read_timeout
    total_timeout: float = _DEFAULTS.total_timeout
    max_bytes: int = _DEFAULTS.max_bytes
    retries: int = _DEFAULTS.retries
    backoff: float = _DEFAULTS.backoff
    max_redirects: int = 10
    concurrency: int = _DEFAULTS.concurrency
    per_host: int = _DEFAULTS.per_host
    allow_private: bool = _DEFAULTS.allow_private
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchOptions.{name} must be positive")
        for name in ("max_bytes", "concurrency", "per_host"):
            if getattr(self, name) < 1:
                raise ValueError(f"FetchOptions.{name} must be at least 1")
        for name in ("retries", "backoff", "max_redirects", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchOptions.{name} must not be negative")


@dataclass(frozen=True)
class FetchResult:
    """What the server answered. ``not_modified`` (304) means ``body == b""``; ``gone`` (404/410)
    means the document disappeared — a change to record, so it is a result, not an error."""

    url: str
    final_url: str
    status_code: int
    not_modified: bool
    body: bytes
    content_type: str | None
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    elapsed_ms: int
    attempts: int
    fetcher: str = "http"
    gone: bool = False


@dataclass
class _Attempt:
    """State of one fetch across attempts (kept so errors can report the hop that failed)."""

    url: str
    allow_private: bool
    headers: dict[str, str]
    attempts: int = 0
    hops: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The fetcher


class Fetcher:
    """An async HTTP fetcher shared by a whole cycle: ``async with Fetcher(opts) as f: ...``.

    Holds two connection pools: a guarded one (connections only to checked public addresses,
    see :mod:`crawler.netguard`) and, for sources with ``allow_private``, a plain one. Requests
    go straight to the transports rather than through ``httpx.AsyncClient``: the client
    parses every ``Location`` header even with redirects off, and raises on hostile ones
    (``javascript:alert(1)``) before we can report them as ``bad_redirect``. The transports are
    :class:`crawler.h1.H11Transport` (h11 over asyncio, a fraction of httpcore's cost per
    request); the guarded one connects through :func:`crawler.netguard.guarded_connect`.
    """

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        self._guarded: httpx.AsyncBaseTransport | None = None
        self._open: httpx.AsyncBaseTransport | None = None
        self._timeout = httpx.Timeout(connect=self.options.connect_timeout,
                                      read=self.options.read_timeout,
                                      write=self.options.read_timeout, pool=None)
        self._global: asyncio.Semaphore | None = None
        self._per_host: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        opts = self.options
        # Same certificate checks on both pools, so one SSL context (one CA-bundle load) serves.
        ssl_context = h1.SSLContextOnce(
            lambda: httpx.create_ssl_context(verify=True, trust_env=False))
        self._guarded = h1.H11Transport(ssl_context=ssl_context,
                                        connect=netguard.guarded_connect(),
                                        max_idle=opts.concurrency)
        self._open = h1.H11Transport(ssl_context=ssl_context, max_idle=opts.concurrency)
        self._global = asyncio.Semaphore(opts.concurrency)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        for transport in (self._guarded, self._open):
            if transport is not None:
                await transport.aclose()
        self._guarded = self._open = None

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
                    allow_private: bool | None = None, user_agent: str | None = None,
                    headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET ``url`` (conditionally, when ``etag`` / ``last_modified`` are given).

        Returns a :class:`FetchResult` for 2xx, 304 and 404/410; raises :class:`FetchError`
        for everything else, after retries where a retry can help.
        """
        if self._global is None:
            raise RuntimeError("use Fetcher inside `async with Fetcher(options) as fetcher:`")
        opts = self.options
        parsed = netguard.parse_http_url(url)  # invalid_url before any waiting
        state = _Attempt(
            url=url,
            allow_private=opts.allow_private if allow_private is None else allow_private,
            headers=self._request_headers(etag, last_modified, user_agent, headers),
        )
        async with self._slots(parsed.host):
            started = time.monotonic()
            deadline = started + opts.total_timeout
            budget = asyncio.timeout(opts.total_timeout)
            try:
                async with budget:
                    result = await self._fetch_with_retries(state, deadline, etag, last_modified)
            except TimeoutError as exc:
                if not budget.expired():
                    raise
                where = state.hops[-1] if state.hops else url
                raise FetchError(
                    "deadline", url,
                    f"{url}: gave up after total_timeout = {opts.total_timeout:g} s "
                    f"(attempt {state.attempts}, at {where}); the server kept the connection "
                    "open without finishing the response. Raise total_timeout for this source "
                    "only if the document is genuinely huge and slow.",
                    attempts=state.attempts,
                ) from exc
        return FetchResult(**{**result, "elapsed_ms": int((time.monotonic() - started) * 1000)})

    # -- internals ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _slots(self, host: str) -> AsyncIterator[None]:
        # Per-host first: waiting for a busy host must not hold one of the global slots.
        host_sem = self._per_host.setdefault(host.lower(), asyncio.Semaphore(self.options.per_host))
        assert self._global is not None
        async with host_sem, self._global:
            yield

    def _request_headers(self, etag: str | None, last_modified: str | None,
                         user_agent: str | None,
                         extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {
            "user-agent": user_agent or self.options.user_agent,
            "accept": DEFAULT_ACCEPT,
            "accept-encoding": "gzip, deflate",
        }
        if etag:
            headers["if-none-match"] = etag
        if last_modified:
            headers["if-modified-since"] = last_modified
        for key, value in (extra or {}).items():
            headers[key.lower()] = value
        return headers

    async def _fetch_with_retries(self, state: _Attempt, deadline: float, etag: str | None,
                                  last_modified: str | None) -> dict[str, Any]:
        while True:
            state.attempts += 1
            state.hops = []
            try:
                result = await self._attempt(state, etag, last_modified)
                result["attempts"] = state.attempts
                return result
            except FetchError as err:
                delay = self._retry_delay(err, state.attempts)
                if delay is None or time.monotonic() + delay >= deadline:
                    raise err.with_attempts(state.attempts) from err
            await asyncio.sleep(delay)

    def _retry_delay(self, err: FetchError, attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or None when retrying cannot help."""
        opts = self.options
        if not err.retryable or err.kind not in RETRYABLE_KINDS or attempts > opts.retries:
            return None
        if err.retry_after is not None:
            return err.retry_after
        base = min(BACKOFF_CAP, opts.backoff * (2 ** (attempts - 1)))
        return base + random.uniform(0, base * 0.1)

    def _transport(self, allow_private: bool) -> httpx.AsyncBaseTransport:
        transport = self._open if allow_private else self._guarded
        assert transport is not None
        return transport

    async def _attempt(self, state: _Attempt, etag: str | None,
                       last_modified: str | None) -> dict[str, Any]:
        """One try: follow redirects by hand, checking each hop, then read the final response."""
        try:
            return await self._follow(state, etag, last_modified)
        except FetchError as err:
            current = state.hops[-1] if state.hops else state.url
            if current == state.url:
                raise
            # Errors name the hop that failed; callers key on the URL they asked for.
            raise FetchError(
                err.kind, state.url, f"{state.url} redirected to {current}, and then: {err.message}",
                http_status=err.http_status, attempts=err.attempts,
                retry_after=err.retry_after, retryable=err.retryable,
            ) from err

    async def _follow(self, state: _Attempt, etag: str | None,
                      last_modified: str | None) -> dict[str, Any]:
        opts = self.options
        current = state.url
        headers = dict(state.headers)
        seen = {current}
        transport = self._transport(state.allow_private)
        timeout = {"timeout": self._timeout.as_dict()}
        while True:
            state.hops.append(current)
            await netguard.check_url_allowed(current, state.allow_private)
            try:
                # the URL as check_url_allowed parsed it (cached): not parsed a second time
                request = httpx.Request("GET", netguard.parse_http_url(current),
                                        headers=headers, extensions=timeout)
                response = await transport.handle_async_request(request)
                response.request = request
            except netguard.GuardRefusal as exc:
                hint = f" {netguard.ALLOW_HINT}" if exc.kind == "private_address" else ""
                raise FetchError(exc.kind, current,
                                 f"refusing to fetch {current}: {exc.reason}.{hint}") from exc
            except httpx.HTTPError as exc:
                raise from_httpx(exc, current, connect_timeout=opts.connect_timeout,
                                 read_timeout=opts.read_timeout) from exc
            try:
                if response.status_code in REDIRECT_CODES and "location" in response.headers:
                    target = self._redirect_target(state, current, response, seen)
                    if httpx.URL(target).host != httpx.URL(current).host:
                        for key in _CROSS_ORIGIN_DROP:
                            headers.pop(key, None)
                    seen.add(target)
                    current = target
                    continue
                return await self._finish(state, current, response, etag, last_modified)
            except httpx.HTTPError as exc:
                raise from_httpx(exc, current, connect_timeout=opts.connect_timeout,
                                 read_timeout=opts.read_timeout) from exc
            finally:
                await response.aclose()

    def _redirect_target(self, state: _Attempt, current: str, response: httpx.Response,
                         seen: set[str]) -> str:
        opts = self.options
        location = response.headers["location"]
        try:
            target = str(httpx.URL(current).join(location.strip()))
        except (httpx.InvalidURL, ValueError) as exc:
            raise FetchError(
                "bad_redirect", current,
                f"{current} redirects to {location!r}, which is not a valid URL.",
                http_status=response.status_code,
            ) from exc
        scheme = target.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise FetchError(
                "bad_redirect", current,
                f"{current} redirects to {location!r}; framewatch follows only "
                "http and https redirects. Point the source at the document's web address.",
                http_status=response.status_code,
            )
        if target in seen:
            chain = " -> ".join([*state.hops, target])
            raise FetchError(
                "too_many_redirects", current,
                f"{current}: redirect loop ({chain}). The site is misconfigured, or it "
                "redirects clients without cookies; try fetcher = \"browser\".",
                http_status=response.status_code,
            )
        if len(state.hops) > opts.max_redirects:
            raise FetchError(
                "too_many_redirects", current,
                f"{current}: more than max_redirects = {opts.max_redirects} redirects "
                f"(last hop {current} -> {target}).",
                http_status=response.status_code,
            )
        return target

    async def _finish(self, state: _Attempt, current: str, response: httpx.Response,
                      etag: str | None, last_modified: str | None) -> dict[str, Any]:
        """Turn the final (non-redirect) response into result fields, or raise by status."""
        code = response.status_code
        reason = response.reason_phrase or ""
        label = f"HTTP {code}{' ' + reason if reason else ''}"
        url = current  # errors name the URL that answered; _attempt adds the redirect story
        if code == 304:
            # Drain the (empty) body so the connection goes back to the pool; closing an
            # unread response would close the socket, costing a new connection per source.
            await self._read_body(response, url)
            body = b""
        elif code in (401, 403):
            raise FetchError(
                "blocked", url,
                f"{url} answered {label}: the site refuses this request. Many sites block "
                "automated clients; try fetcher = \"browser\" for this source, or a "
                "user_agent override.",
                http_status=code,
            )
        elif code == 429:
            retry_after = self._retry_after(response, url, "rate_limited", label)
            raise FetchError(
                "rate_limited", url,
                f"{url} answered {label}: the site is rate-limiting framewatch. Lower "
                "per_host or check less often.",
                http_status=code, retry_after=retry_after,
            )
        elif code >= 500:
            retry_after = self._retry_after(response, url, "server_error", label)
            raise FetchError(
                "server_error", url,
                f"{url} answered {label}: the site is having trouble; usually temporary.",
                http_status=code, retry_after=retry_after,
            )
        elif code in (404, 410):
            body = await self._read_body(response, url)
        elif not 200 <= code < 300:
            raise FetchError(
                "http_error", url, f"{url} answered {label}; expected a document.",
                http_status=code,
            )
        else:
            body = await self._read_body(response, url)
            if not body:
                raise FetchError(
                    "empty", url,
                    f"{url} answered {label} with an empty body; the site may be "
                    "mid-deploy, or it serves content only to browsers (try fetcher = \"browser\").",
                    http_status=code,
                )
        got = {k: v for k, v in response.headers.items()}
        return {
            "url": state.url,
            "final_url": current,
            "status_code": code,
            "not_modified": code == 304,
            "body": body,
            "content_type": got.get("content-type"),
            "headers": got,
            "etag": got.get("etag") or (etag if code == 304 else None),
            "last_modified": got.get("last-modified") or (last_modified if code == 304 else None),
            "gone": code in (404, 410),
            "fetcher": "http",
        }

    def _retry_after(self, response: httpx.Response, url: str, kind: str,
                     label: str) -> float | None:
        """Parse Retry-After (seconds or HTTP-date); fail now if it exceeds max_retry_after."""
        value = response.headers.get("retry-after")
        seconds = parse_retry_after(value) if value else None
        cap = self.options.max_retry_after
        if seconds is not None and seconds > cap:
            raise FetchError(
                kind, url,
                f"{url} answered {label} and asks to retry after {seconds:g} s, longer than "
                f"max_retry_after = {cap:g} s; not waiting. The next cycle will try again.",
                http_status=response.status_code, retry_after=seconds, retryable=False,
            )
        return seconds

    async def _read_body(self, response: httpx.Response, url: str) -> bytes:
        """Read the body, refusing anything over max_bytes before or after decompression."""
        limit = self.options.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.strip().isdigit() and int(declared) > limit:
            raise _too_large(url, f"it declares Content-Length {int(declared):,} bytes",
                             limit)
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), url)
        parts: list[bytes] = []
        size = 0
        on_wire = "the compressed body alone" if decoder.compressed else "the body"
        async for raw in response.aiter_raw():
            if response.num_bytes_downloaded > limit:
                raise _too_large(url, f"{on_wire} is bigger (no Content-Length announced it)",
                                 limit)
            chunk = decoder.feed(raw, limit - size)
            size += len(chunk)
            if size > limit:
                raise _too_large(url, "the decompressed body is bigger", limit)
            parts.append(chunk)
        tail = decoder.flush(limit - size)
        size += len(tail)
        if size > limit:
            raise _too_large(url, "the decompressed body is bigger", limit)
        parts.append(tail)
        return b"".join(parts)


def _too_large(url: str, why: str, limit: int) -> FetchError:
    return FetchError(
        "too_large", url,
        f"{url} is over max_bytes = {limit:,} bytes: {why}. Raise max_bytes if this "
        "document is really that big.",
    )


def parse_retry_after(value: str) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date; None if unparseable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
