"""The real `framewatch serve` answers only to its own names and never 500s on an id.

A loopback UI needs no token, so a page elsewhere could reach it through DNS rebinding (its own
host name resolving to 127.0.0.1): the Host header gives that away. Ids past what the database
stores (2^63) are simply not there.
"""

from __future__ import annotations

import httpx
import pytest
from test_web import Seeded, start_server, stop_server
from test_web import seeded as seeded  # noqa: F401 - the fixture, used by name


@pytest.fixture
def server(seeded: Seeded):  # noqa: ANN201, F811 - a (process, url) pair
    proc, url = start_server(seeded.db.url)
    yield url
    stop_server(proc)


def test_only_its_own_host_names_are_answered(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    for host in ("127.0.0.1", "localhost", "[::1]"):
        r = httpx.get(server + "/", headers={"Host": f"{host}:{port}"}, timeout=10)
        assert r.status_code == 200, host
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.nip.io"):
        r = httpx.get(server + "/api/sources", headers={"Host": host}, timeout=10)
        assert r.status_code == 400, host
        assert "acme" not in r.text


def test_ids_beyond_what_the_database_stores_are_404(server: str) -> None:
    for path in ("/changes/9223372036854775808", "/versions/99999999999999999999",
                 "/api/changes/9223372036854775808", "/api/versions/18446744073709551616",
                 "/versions/9223372036854775808/raw"):
        r = httpx.get(server + path, timeout=10)
        assert r.status_code == 404, (path, r.text[:300])
    r = httpx.get(server + "/sources/acme-rsp/compare?a=9223372036854775808&b=1", timeout=10)
    assert r.status_code in (200, 404)
