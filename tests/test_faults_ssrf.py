"""SSRF guard at cycle level: sources and redirects that lead to internal addresses are refused.

framewatch fetches public documents. A sources.toml entry (or a redirect chosen by a remote
server) that points at loopback, a private network or the cloud metadata endpoint must fail with
kind ``private_address`` and a message naming the address and why — unless the operator opted in
with ``allow_private = true`` (per source, or in [settings]).

All servers in tests live on 127.0.0.1, which the guard rightly refuses. To test redirects
*from a public site* to an internal one, :func:`loopback_is_public` narrows the policy so that
exactly 127.0.0.1 counts as public (standing in for the public site) while everything else —
169.254.169.254, 10.0.0.0/8, 127.0.0.2, ::1 — is judged by the real policy. The guard never
connects to a refused address, so no packet leaves the machine.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultserver import FaultServer, Page, Redirect

from crawler import netguard
from framewatch.cli import main
from storage.db import open_database
from storage.integrity import check_database
from storage.repo import Repository

HEALTHY = ("<html><body><main><h1>Healthy Policy</h1><p>We will evaluate every model.</p>"
           "</main></body></html>")
FAST = {"retries": 0, "backoff": 0.01, "connect_timeout": 0.5, "read_timeout": 0.5,
        "total_timeout": 2, "workers": 1}


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat exactly 127.0.0.1 as a public address (the test's "public site"); nothing else."""
    real = netguard.address_problem
    stand_in = ipaddress.ip_address("127.0.0.1")

    def narrowed(ip: netguard.IPAddress) -> str | None:
        return None if ip == stand_in else real(ip)

    monkeypatch.setattr(netguard, "address_problem", narrowed)


def write_config(path: Path, sources: list[dict[str, object]], **settings: object) -> Path:
    base: dict[str, object] = dict(FAST)
    base.update(settings)
    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}" for k, v in base.items()]
    for src in sources:
        lines += ["", "[[source]]"] + [f"{k} = {json.dumps(v)}" for k, v in src.items()]
    cfg = path / "sources.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def source(sid: str, url: str, **extra: object) -> dict[str, object]:
    return {"id": sid, "company": "Example AI", "title": sid.title(), "url": url, **extra}


def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:  # type: ignore[type-arg]
    code = main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json",
                 "--no-notify"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, {s["source"]: s for s in json.loads(captured.out)["sources"]}


def assert_refused(db_url: str, outcome: dict, *needles: str) -> None:  # type: ignore[type-arg]
    assert outcome["status"] == "failed"
    assert outcome["error_kind"] == "private_address", outcome
    for needle in needles:
        assert needle in outcome["message"], (needle, outcome["message"])
    db = open_database(db_url)
    try:
        (check,) = Repository(db).checks(outcome["source"])
        assert check.error_kind == "private_address" and check.snapshot_sha256 is None
        assert check_database(db).ok
    finally:
        db.dispose()


def test_loopback_source_is_refused_by_default_and_never_contacted(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = server.route("/doc", Page(HEALTHY))
    healthy = server.route("/healthy", Page(HEALTHY))
    cfg = write_config(tmp_path, [source("internal", url),
                                  source("healthy", healthy, allow_private=True)],
                       allow_private=False)
    code, out = run(cfg, db_url, capsys)
    assert code == 1
    assert_refused(db_url, out["internal"], "127.0.0.1", "loopback", "allow_private = true")
    assert server.requests_to("/doc") == []
    assert out["healthy"]["status"] == "first"


def test_per_source_allow_private_overrides_the_global_default(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = server.route("/doc", Page(HEALTHY))
    cfg = write_config(tmp_path, [source("intranet", url, allow_private=True)],
                       allow_private=False)
    code, out = run(cfg, db_url, capsys)
    assert code == 0 and out["intranet"]["status"] == "first"


def test_per_source_allow_private_false_overrides_a_global_true(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = server.route("/doc", Page(HEALTHY))
    healthy = server.route("/healthy", Page(HEALTHY))
    cfg = write_config(tmp_path, [source("strict", url, allow_private=False),
                                  source("healthy", healthy)], allow_private=True)
    code, out = run(cfg, db_url, capsys)
    assert code == 1
    assert_refused(db_url, out["strict"], "127.0.0.1")
    assert out["healthy"]["status"] == "first"


def test_host_name_resolving_to_loopback_is_refused(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/doc", Page(HEALTHY))
    cfg = write_config(tmp_path, [source("named", f"http://localhost:{server.port}/doc")],
                       allow_private=False)
    code, out = run(cfg, db_url, capsys)
    assert code == 1
    assert_refused(db_url, out["named"], "localhost resolves to", "loopback")


@pytest.mark.parametrize(("target", "needles"), [
    ("http://169.254.169.254/latest/meta-data/iam/", ("169.254.169.254", "metadata")),
    ("http://10.0.0.5/admin", ("10.0.0.5", "private address")),
    ("http://127.0.0.2:{port}/healthy", ("127.0.0.2", "loopback")),
    ("http://[::1]:{port}/healthy", ("::1", "loopback")),
    ("http://0x7f.0.0.2:{port}/healthy", ("127.0.0.2", "loopback")),
], ids=["metadata", "rfc1918", "other-loopback", "ipv6-loopback", "hex-loopback"])
def test_public_page_redirecting_to_an_internal_address_is_refused(
        target: str, needles: tuple[str, ...], server: FaultServer, tmp_path: Path,
        db_url: str, loopback_is_public: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = target.format(port=server.port)
    url = server.route("/moved", Redirect(target))
    healthy = server.route("/healthy", Page(HEALTHY))
    cfg = write_config(tmp_path, [source("moved", url), source("healthy", healthy)],
                       allow_private=False)
    code, out = run(cfg, db_url, capsys)
    assert code == 1
    assert_refused(db_url, out["moved"], "redirected to", *needles)
    assert out["healthy"]["status"] == "first"
    # The refused hop was never requested (for the targets that are this very server).
    assert len(server.requests_to("/healthy")) == 1


def test_redirect_to_unresolvable_name_fails_as_dns(
        server: FaultServer, tmp_path: Path, db_url: str, loopback_is_public: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = server.route("/moved", Redirect("http://policies.framewatch-test.invalid/rsp"))
    cfg = write_config(tmp_path, [source("moved", url)], allow_private=False)
    code, out = run(cfg, db_url, capsys)
    assert code == 1 and out["moved"]["error_kind"] == "dns"
    assert "policies.framewatch-test.invalid" in out["moved"]["message"]
