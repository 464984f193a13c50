"""crawler.fetch against a real, misbehaving HTTP server on 127.0.0.1 (tests/faultserver.py).

Each test is one promise the fetcher makes to the run cycle: what a user sees (``.kind`` and a
message naming the URL) for every way a web server can fail, and the happy paths that keep
daily checks cheap (conditional GET, redirects, retries).
"""

from __future__ import annotations

import asyncio
import email.utils
import pickle
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from faultserver import (
    BrokenChunked,
    CloseWithoutResponse,
    Exchange,
    FaultServer,
    GzipBomb,
    Hang,
    Page,
    Redirect,
    Reply,
    ResetMidBody,
    Sequence,
    ShortBody,
    Slowloris,
    Status,
    Stream,
    unused_port,
)

from crawler import netguard
from crawler.fetch import Fetcher, FetchOptions, FetchResult, parse_retry_after
from crawler.fetch_errors import KINDS, FetchError

# Loopback is private, so tests opt in, exactly like a sources.toml with allow_private = true.
FAST = FetchOptions(allow_private=True, retries=0, backoff=0.01, connect_timeout=1.0,
                    read_timeout=0.5, total_timeout=3.0, max_bytes=1_000_000)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def fetch(url: str, options: FetchOptions = FAST, **kwargs: Any) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(options) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def fetch_error(url: str, kind: str, options: FetchOptions = FAST, **kwargs: Any) -> FetchError:
    """Fetch, expecting a FetchError of ``kind`` whose message names the URL."""
    with pytest.raises(FetchError) as info:
        fetch(url, options, **kwargs)
    err = info.value
    assert err.kind == kind, err.message
    assert url in err.message
    assert err.url == url
    return err


# -- success paths -------------------------------------------------------------------------


def test_a_page_comes_back_with_body_headers_and_validators(server: FaultServer) -> None:
    url = server.route("/rsp", Page(b"<h1>RSP</h1>", etag='"v1"',
                                    last_modified="Tue, 01 Jul 2025 06:00:00 GMT"))
    result = fetch(url)
    assert (result.status_code, result.body, result.not_modified, result.gone) == (
        200, b"<h1>RSP</h1>", False, False)
    assert result.url == result.final_url == url
    assert result.content_type == "text/html; charset=utf-8"
    assert result.etag == '"v1"'
    assert result.last_modified == "Tue, 01 Jul 2025 06:00:00 GMT"
    assert result.headers["etag"] == '"v1"'
    assert result.attempts == 1 and result.fetcher == "http" and result.elapsed_ms >= 0


def test_the_configured_user_agent_is_sent_and_can_be_overridden(server: FaultServer) -> None:
    url = server.route("/ua", Page(b"ok"))
    fetch(url)
    fetch(url, user_agent="Mozilla/5.0 test", headers={"X-Extra": "1"})
    first, second = server.requests_to("/ua")
    assert first.headers["user-agent"] == FAST.user_agent
    assert second.headers["user-agent"] == "Mozilla/5.0 test"
    assert second.headers["x-extra"] == "1"


def test_etag_is_sent_as_if_none_match_and_304_means_not_modified(server: FaultServer) -> None:
    url = server.route("/doc", Page(b"<p>v1</p>", etag='"v1"'))
    result = fetch(url, etag='"v1"')
    assert server.requests_to("/doc")[0].headers["if-none-match"] == '"v1"'
    assert (result.status_code, result.not_modified, result.body) == (304, True, b"")
    assert result.etag == '"v1"'


def test_last_modified_is_sent_as_if_modified_since_and_304_means_not_modified(
        server: FaultServer) -> None:
    stamp = "Tue, 01 Jul 2025 06:00:00 GMT"
    url = server.route("/doc", Page(b"<p>v1</p>", last_modified=stamp))
    result = fetch(url, last_modified=stamp)
    assert server.requests_to("/doc")[0].headers["if-modified-since"] == stamp
    assert result.not_modified and result.body == b"" and result.last_modified == stamp


def test_a_changed_document_answers_a_stale_etag_with_the_new_body(server: FaultServer) -> None:
    url = server.route("/doc", Page(b"<p>v1</p>", etag='"v1"'))
    first = fetch(url)
    server.route("/doc", Page(b"<p>v2</p>", etag='"v2"'))  # the next cycle
    second = fetch(url, etag=first.etag)
    assert (second.not_modified, second.body, second.etag) == (False, b"<p>v2</p>", '"v2"')


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_decoded(server: FaultServer, encoding: str) -> None:
    text = b"<p>Responsible scaling</p>" * 500
    url = server.route("/z", Page(text, encoding=encoding))
    result = fetch(url)
    assert result.body == text
    assert result.headers["content-encoding"] == encoding


def test_an_http_1_0_server_without_keep_alive_works(server: FaultServer) -> None:
    url = server.route("/old", Page(b"<p>from 1996</p>", http10=True))
    results = [fetch(url), fetch(url)]
    assert [r.body for r in results] == [b"<p>from 1996</p>"] * 2


@pytest.mark.parametrize("code", [404, 410])
def test_a_vanished_page_is_a_gone_result_not_an_error(server: FaultServer, code: int) -> None:
    url = server.route("/gone", Status(code, "<h1>Not here</h1>"))
    result = fetch(url)
    assert (result.status_code, result.gone, result.body) == (code, True, b"<h1>Not here</h1>")


def test_a_body_of_exactly_max_bytes_is_accepted(server: FaultServer) -> None:
    options = replace(FAST, max_bytes=5000)
    plain = server.route("/plain", Page(b"a" * 5000))
    zipped = server.route("/zipped", Page(b"b" * 5000, encoding="gzip"))
    assert len(fetch(plain, options).body) == 5000
    assert len(fetch(zipped, options).body) == 5000


# -- redirects -----------------------------------------------------------------------------


def test_redirects_are_followed_and_the_final_url_recorded(server: FaultServer) -> None:
    start = server.redirect_chain("/hop", 3, Page(b"<p>final</p>"))
    result = fetch(start)
    assert result.url == start
    assert result.final_url == server.url("/hop/3")
    assert result.body == b"<p>final</p>"
    assert len(server.requests) == 4


def test_exactly_max_redirects_is_allowed_and_one_more_is_not(server: FaultServer) -> None:
    options = replace(FAST, max_redirects=3)
    assert fetch(server.redirect_chain("/ok", 3, Page(b"end")), options).body == b"end"
    start = server.redirect_chain("/long", 4, Page(b"end"))
    err = fetch_error(start, "too_many_redirects", options)
    assert "max_redirects = 3" in err.message


def test_a_redirect_loop_is_reported_as_a_loop(server: FaultServer) -> None:
    start = server.redirect_loop("/loop")
    err = fetch_error(start, "too_many_redirects")
    assert "loop" in err.message and server.url("/loop/b") in err.message
    assert len(server.requests) == 2  # detected on the first repeat, not after max_redirects


@pytest.mark.parametrize("location", ["ftp://files.example.invalid/rsp.pdf",
                                      "file:///etc/passwd", "javascript:alert(1)"])
def test_a_redirect_to_a_non_http_scheme_is_refused(server: FaultServer, location: str) -> None:
    url = server.route("/r", Redirect(location))
    err = fetch_error(url, "bad_redirect", replace(FAST, retries=2))
    assert location in err.message
    assert err.attempts == 1  # never retried


def test_a_redirect_into_a_refused_address_names_the_hop(
        server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Narrow the guard to one address so the test server itself (127.0.0.1) stays reachable.
    monkeypatch.setattr(netguard, "address_problem",
                        lambda ip: "an internal address" if str(ip) == "127.0.0.2" else None)
    hop = f"http://127.0.0.2:{server.port}/admin"
    url = server.route("/r", Redirect(hop))
    err = fetch_error(url, "private_address", replace(FAST, allow_private=False))
    assert hop in err.message and "allow_private" in err.message
    assert [r.path for r in server.requests] == ["/r"]


def test_credentials_are_not_forwarded_to_another_host(server: FaultServer) -> None:
    url = server.route("/r", Redirect(f"http://localhost:{server.port}/elsewhere"))
    server.route("/elsewhere", Page(b"ok"))
    fetch(url, headers={"Authorization": "Bearer secret"})
    first, second = server.requests
    assert first.headers["authorization"] == "Bearer secret"
    assert "authorization" not in second.headers


# -- retries -------------------------------------------------------------------------------


def test_a_flaky_server_is_retried_until_it_answers(server: FaultServer) -> None:
    url = server.route("/flaky", Sequence(Status(503), Status(500), Page(b"<p>ok</p>")))
    result = fetch(url, replace(FAST, retries=2))
    assert result.body == b"<p>ok</p>" and result.attempts == 3
    assert len(server.requests_to("/flaky")) == 3


@pytest.mark.parametrize("code", [500, 502, 503])
def test_a_server_error_that_persists_fails_after_all_retries(
        server: FaultServer, code: int) -> None:
    url = server.route("/down", Status(code))
    err = fetch_error(url, "server_error", replace(FAST, retries=2))
    assert (err.http_status, err.attempts) == (code, 3)
    assert "3 attempts" in err.message
    assert len(server.requests_to("/down")) == 3


def test_other_client_errors_are_not_retried(server: FaultServer) -> None:
    url = server.route("/teapot", Status(418))
    err = fetch_error(url, "http_error", replace(FAST, retries=2))
    assert (err.http_status, err.attempts) == (418, 1)
    assert len(server.requests) == 1


def test_retry_after_seconds_is_honoured(server: FaultServer) -> None:
    url = server.route("/busy", Sequence(Status(429, retry_after=1), Page(b"ok")))
    result = fetch(url, replace(FAST, retries=1, backoff=0.01))
    first, second = server.requests_to("/busy")
    waited = (second.received_at - first.received_at).total_seconds()
    assert result.attempts == 2 and waited >= 0.9  # the 0.01 s back-off cannot explain this


def test_rate_limiting_that_persists_fails_as_rate_limited(server: FaultServer) -> None:
    url = server.route("/busy", Status(429, retry_after=0))
    err = fetch_error(url, "rate_limited", replace(FAST, retries=2))
    assert (err.http_status, err.attempts) == (429, 3)


def test_a_retry_after_beyond_the_cap_fails_at_once_and_says_so(server: FaultServer) -> None:
    url = server.route("/busy", Status(429, retry_after=3600))
    err = fetch_error(url, "rate_limited", replace(FAST, retries=2, max_retry_after=60))
    assert err.retry_after == 3600 and err.attempts == 1
    assert "3600" in err.message and "max_retry_after" in err.message
    assert len(server.requests) == 1


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after(soon) or 0) <= 31
    assert parse_retry_after("Tue, 01 Jul 2003 06:00:00 GMT") == 0.0  # in the past: now
    assert parse_retry_after("soon-ish") is None


# -- timeouts and deadlines ----------------------------------------------------------------


def test_a_server_that_never_sends_headers_times_out(server: FaultServer) -> None:
    url = server.route("/hang", Hang())
    started = time.monotonic()
    err = fetch_error(url, "timeout")
    assert time.monotonic() - started < 0.5 + 1.0
    assert "read_timeout" in err.message
    assert err.kind == "timeout"


def test_the_total_deadline_beats_a_slowloris_server(server: FaultServer) -> None:
    # A byte every 0.1 s never trips the 0.5 s read timeout; only the deadline can stop it.
    url = server.route("/drip", Slowloris(interval=0.1))
    options = replace(FAST, total_timeout=1.0)
    started = time.monotonic()
    err = fetch_error(url, "deadline", options)
    assert 1.0 <= time.monotonic() - started < 1.0 + 0.5
    assert "total_timeout" in err.message


def test_the_deadline_covers_all_attempts_together(server: FaultServer) -> None:
    url = server.route("/hang", Hang())
    options = replace(FAST, read_timeout=0.4, retries=10, total_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(url, options)
    assert info.value.kind in ("deadline", "timeout")  # a back-off past the deadline gives up
    assert time.monotonic() - started < 1.0 + 0.5
    assert len(server.requests_to("/hang")) < 4


# -- broken connections and bodies ---------------------------------------------------------


def test_a_connection_reset_mid_body_is_reset(server: FaultServer) -> None:
    url = server.route("/rst", ResetMidBody())
    err = fetch_error(url, "reset")
    assert url in err.message


def test_a_server_that_closes_without_answering_is_reset(server: FaultServer) -> None:
    url = server.route("/bye", CloseWithoutResponse())
    err = fetch_error(url, "reset")
    assert url in err.message


def test_a_body_shorter_than_its_content_length_is_truncated(server: FaultServer) -> None:
    url = server.route("/short", ShortBody(b"<p>partial", declared=5000))
    err = fetch_error(url, "truncated")
    assert "Content-Length" in err.message


def test_broken_chunked_encoding_is_a_protocol_error(server: FaultServer) -> None:
    url = server.route("/chunks", BrokenChunked())
    err = fetch_error(url, "protocol")
    assert url in err.message


def test_a_bad_gzip_body_is_a_protocol_error(server: FaultServer) -> None:
    url = server.route("/z", Page(b"this is not gzip at all", headers={"Content-Encoding": "gzip"}))
    err = fetch_error(url, "protocol")
    assert "gzip" in err.message


def test_a_200_with_an_empty_body_is_empty(server: FaultServer) -> None:
    url = server.route("/blank", Page(b""))
    err = fetch_error(url, "empty")
    assert err.http_status == 200


def test_transient_connection_faults_are_retried(server: FaultServer) -> None:
    url = server.route("/rst", Sequence(ResetMidBody(), ShortBody(), Page(b"whole")))
    result = fetch(url, replace(FAST, retries=2))
    assert result.body == b"whole" and result.attempts == 3


# -- size limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_gzip_bomb_is_stopped_without_inflating_it(
        server: FaultServer, declare_length: bool) -> None:
    bomb = GzipBomb(200 * 1024 * 1024, declare_length=declare_length)
    bomb.payload()  # build the cached ~200 KB payload outside the measurement
    url = server.route("/bomb", bomb)
    tracemalloc.start()
    try:
        err = fetch_error(url, "too_large", replace(FAST, max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "decompressed" in err.message
    assert peak < 10 * 1024 * 1024  # 200 MB inflated would be 20x this


@pytest.mark.parametrize("chunked", [True, False])
def test_a_huge_body_without_content_length_is_cut_off(server: FaultServer, chunked: bool) -> None:
    url = server.route("/huge", Stream(50 * 1024 * 1024, chunked=chunked))
    started = time.monotonic()
    err = fetch_error(url, "too_large", replace(FAST, max_bytes=1_000_000))
    assert "1,000,000" in err.message
    assert time.monotonic() - started < 2.0  # stopped early, not after 50 MB


def test_a_declared_content_length_over_the_limit_is_refused_up_front(
        server: FaultServer) -> None:
    url = server.route("/big", Page(b"x" * 20_000))
    err = fetch_error(url, "too_large", replace(FAST, max_bytes=10_000, retries=2))
    assert "Content-Length 20,000" in err.message and err.attempts == 1


# -- connection-level failures -------------------------------------------------------------


def test_a_closed_port_is_refused_and_retried() -> None:
    url = f"http://127.0.0.1:{unused_port()}/"
    err = fetch_error(url, "refused", replace(FAST, retries=1))
    assert err.attempts == 2


@pytest.mark.parametrize("allow_private", [True, False])
def test_a_name_that_does_not_resolve_is_dns(allow_private: bool) -> None:
    url = "http://framewatch-test.invalid/rsp"
    err = fetch_error(url, "dns", allow_private=allow_private)
    assert "framewatch-test.invalid" in err.message


def test_https_to_a_server_that_does_not_speak_tls_is_tls(server: FaultServer) -> None:
    url = f"https://127.0.0.1:{server.port}/"
    err = fetch_error(url, "tls")
    assert "TLS" in err.message


@pytest.mark.parametrize("url", ["ftp://example.invalid/rsp.pdf", "not a url", "http://",
                                 "file:///etc/passwd"])
def test_a_url_that_is_not_http_is_invalid_url(url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(url)
    assert info.value.kind == "invalid_url" and url in info.value.message


def test_loopback_is_refused_unless_the_source_allows_private(server: FaultServer) -> None:
    url = server.route("/internal", Page(b"ok"))
    guarded = replace(FAST, allow_private=False)
    err = fetch_error(url, "private_address", guarded)
    assert "127.0.0.1" in err.message and "allow_private" in err.message
    assert server.requests == []  # refused before any connection
    assert fetch(url, guarded, allow_private=True).body == b"ok"  # per-source override


# -- concurrency ---------------------------------------------------------------------------


class _CountingReply(Reply):
    """Holds each request 0.2 s and records the most requests in flight at once."""

    def __init__(self) -> None:
        self.active = self.peak = 0
        self.lock = threading.Lock()

    def respond(self, ex: Exchange) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        ex.wait(0.2)
        with self.lock:
            self.active -= 1
        Page(b"ok").respond(ex)


def _fetch_many(urls: list[str], options: FetchOptions) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(options) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    return asyncio.run(run())


@pytest.mark.parametrize(("concurrency", "per_host", "peak"), [(16, 2, 2), (3, 4, 3)])
def test_concurrency_is_bounded_globally_and_per_host(
        server: FaultServer, concurrency: int, per_host: int, peak: int) -> None:
    counter = _CountingReply()
    url = server.route("/slow", counter)
    results = _fetch_many([url] * 8, replace(FAST, concurrency=concurrency, per_host=per_host))
    assert len(results) == 8 and counter.peak == peak


# -- the error type ------------------------------------------------------------------------


def test_fetch_errors_are_one_subclass_per_stable_kind() -> None:
    required = {"timeout", "deadline", "dns", "refused", "reset", "truncated", "protocol",
                "too_large", "too_many_redirects", "bad_redirect", "blocked", "rate_limited",
                "http_error", "server_error", "private_address", "empty", "tls", "invalid_url"}
    assert set(KINDS) == required
    err = FetchError("timeout", "http://x.invalid/", "slow", attempts=2)
    assert err.kind == "timeout"
    copy = pickle.loads(pickle.dumps(err))
    assert (type(copy), copy.kind, copy.message, copy.attempts) == (FetchError, "timeout",
                                                                    "slow", 2)
    with pytest.raises(ValueError):
        FetchError("flaky", "http://x.invalid/", "no such kind")


@pytest.mark.parametrize("code", [401, 403])
def test_a_site_that_blocks_bots_is_blocked_with_a_hint(server: FaultServer, code: int) -> None:
    url = server.route("/cf", Status(code, "<h1>Access denied</h1>"))
    err = fetch_error(url, "blocked", replace(FAST, retries=2))
    assert err.http_status == code and err.attempts == 1
    assert 'fetcher = "browser"' in err.message and "user_agent" in err.message
