"""crawler.netguard: the SSRF guard refuses internal addresses, names them, and says how to allow.

Literal IP addresses and ``.invalid`` names only: nothing here sends traffic beyond 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from faultserver import FaultServer, Page

from crawler.fetch_errors import FetchError
from crawler.h1 import H11Transport
from crawler.netguard import (
    GuardRefusal,
    Resolver,
    address_problem,
    check_url_allowed,
    guarded_connect,
)

REFUSED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.8.9.10:8080/x", "loopback"),
    ("http://10.1.2.3/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://[fc00::1]/", "private"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[64:ff9b::a00:1]/", "private"),  # NAT64 form of 10.0.0.1
    ("http://2130706433/", "loopback"),  # 127.0.0.1 written as one decimal number
    ("http://localhost/", "loopback"),  # resolved through /etc/hosts
]


def check(url: str, allow_private: bool) -> None:
    asyncio.run(check_url_allowed(url, allow_private))


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_internal_addresses_are_refused_with_the_reason_and_the_way_out(url: str, why: str) -> None:
    with pytest.raises(FetchError) as info:
        check(url, allow_private=False)
    err = info.value
    assert err.kind == "private_address" and err.url == url
    assert url in err.message and why in err.message
    assert "allow_private = true" in err.message


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_allow_private_lets_internal_addresses_through(url: str, why: str) -> None:
    assert check(url, allow_private=True) is None  # allowed: no FetchError


@pytest.mark.parametrize("url", ["http://93.184.215.14/", "https://[2606:4700::1111]/rsp"])
def test_public_addresses_are_allowed(url: str) -> None:
    assert check(url, allow_private=False) is None  # allowed: no FetchError


def test_the_resolved_address_is_named_when_a_host_name_is_refused() -> None:
    with pytest.raises(FetchError) as info:
        check("http://localhost:8000/", allow_private=False)
    assert "localhost resolves to" in info.value.message


def test_a_name_that_does_not_resolve_is_dns() -> None:
    with pytest.raises(FetchError) as info:
        check("https://framewatch-test.invalid/rsp", allow_private=False)
    assert info.value.kind == "dns"
    assert "framewatch-test.invalid" in info.value.message


@pytest.mark.parametrize("url", ["ftp://example.invalid/", "http://", "no scheme at all",
                                 "javascript:alert(1)"])
def test_urls_that_are_not_http_are_invalid_url(url: str) -> None:
    with pytest.raises(FetchError) as info:
        check(url, allow_private=True)
    assert info.value.kind == "invalid_url" and url in info.value.message


@pytest.mark.parametrize(("address", "refused"), [
    ("2002:7f00:1::1", True),  # 6to4 wrapping 127.0.0.1
    ("2002:5db8:d70e::1", False),  # 6to4 wrapping a public address
    ("::ffff:8.8.8.8", False),
    ("8.8.8.8", False),
    ("198.51.100.7", True),  # documentation range: not on the internet
])
def test_embedded_ipv4_is_judged_by_the_address_inside(address: str, refused: bool) -> None:
    assert (address_problem(ipaddress.ip_address(address)) is not None) is refused


# -- the transport: connections go only to the address that was checked -------------------


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        running.route("/page", Page(b"<p>ok</p>"))
        yield running


def guarded(resolver: Resolver | None = None, classify: Any = None) -> H11Transport:
    """The fetcher's transport for sources without ``allow_private``."""
    return H11Transport(ssl_context=httpx.create_ssl_context(),
                        connect=guarded_connect(resolver, classify))


async def _get(transport: H11Transport, url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport) as client:
        return await client.get(url)


def test_the_transport_refuses_loopback_at_connect_time(server: FaultServer) -> None:
    with pytest.raises(GuardRefusal) as info:
        asyncio.run(_get(guarded(), server.url("/page")))
    assert info.value.kind == "private_address" and "127.0.0.1" in info.value.reason
    assert server.requests == []  # no byte reached the server


def test_the_transport_connects_to_the_address_it_checked_not_a_later_answer(
        server: FaultServer) -> None:
    # A rebinding name: harmless on the first lookup, internal on any later one.
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    lookups: list[str] = []

    async def rebinding_resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    def only_10_is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return "an internal address" if str(ip).startswith("10.") else None

    transport = guarded(rebinding_resolver, only_10_is_internal)
    url = f"http://docs.example.invalid:{server.port}/page"
    response = asyncio.run(_get(transport, url))
    assert response.content == b"<p>ok</p>"
    assert lookups == ["docs.example.invalid"]  # resolved once, and that answer was used
    assert server.requests[0].headers["host"] == f"docs.example.invalid:{server.port}"

    with pytest.raises(GuardRefusal) as info:  # the rebound answer is refused, not connected
        asyncio.run(_get(guarded(rebinding_resolver, only_10_is_internal), url))
    assert "10.0.0.1" in info.value.reason
    assert len(server.requests) == 1
