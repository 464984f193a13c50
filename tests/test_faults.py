"""Hostile web: every way a server can misbehave, one full cycle each, nothing lost.

Each case runs `framewatch run` (the CLI, in-process) against a real FaultServer on 127.0.0.1
with one healthy source beside the faulty one, and asserts every time that:

* the healthy source is stored correctly (its first version, with the right text);
* the faulty source gets a Check with the expected error ``kind`` and a readable message that
  names its URL (or, for documents that merely look wrong, succeeds with correct text);
* the database passes the integrity check (storage.integrity);
* the exit code is 1 when a source failed, 0 when everything succeeded.

Timeouts are shrunk (read 0.5 s, total 2 s, no retries) so the whole table runs in seconds.
"""

from __future__ import annotations

import codecs
import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from faultserver import (
    BrokenChunked,
    CloseWithoutResponse,
    FaultServer,
    GzipBomb,
    Hang,
    Page,
    Redirect,
    ResetMidBody,
    Sequence,
    ShortBody,
    Slowloris,
    Status,
    Stream,
    unused_port,
)

from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

HEALTHY = """<!doctype html><html><head><title>Healthy Policy</title></head><body><main>
<h1>Healthy Responsible Scaling Policy</h1>
<p>We will evaluate every frontier model before deployment.</p>
</main></body></html>"""

DOC = """<!doctype html><html><head><title>Faulty Policy</title></head><body><main>
<h1>Frontier Safety Framework</h1>
<p>We will publish a capability report for each model.</p>
</main></body></html>"""

ROOMY: dict[str, object] = {"read_timeout": 5, "total_timeout": 7}
FAST = {"allow_private": True, "retries": 0, "backoff": 0.01, "connect_timeout": 0.5,
        "read_timeout": 0.5, "total_timeout": 2, "max_bytes": 1_000_000, "workers": 1}


# ---- helpers (copied from the pipeline tests' approach, not imported) ----------------------------

@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def toml_value(value: object) -> str:
    return json.dumps(value)


def write_config(path: Path, sources: list[dict[str, object]], **settings: object) -> Path:
    base = dict(FAST)
    base.update(settings)
    lines = ["[settings]"] + [f"{k} = {toml_value(v)}" for k, v in base.items()]
    for src in sources:
        lines += ["", "[[source]]"] + [f"{k} = {toml_value(v)}" for k, v in src.items()]
    cfg = path / "sources.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def source(sid: str, url: str, **extra: object) -> dict[str, object]:
    return {"id": sid, "company": "Example AI", "title": sid.title(), "url": url, **extra}


def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code = main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json",
                 "--no-notify"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def by_source(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {s["source"]: s for s in report["sources"]}


def assert_integrity(db_url: str) -> None:
    """The stored history is whole: storage.integrity when present, else the essentials in SQL."""
    db = open_database(db_url)
    try:
        try:
            from storage.integrity import check_database
        except ImportError:
            _assert_integrity_sql(db)
            return
        report = check_database(db)
        assert report.ok, [str(p) for p in report.problems]
    finally:
        db.dispose()


def _assert_integrity_sql(db: object) -> None:  # pragma: no cover - for databases without the integrity API
    import hashlib

    from sqlalchemy import text

    from storage.repo import decompress

    with db.session() as s:  # type: ignore[attr-defined]
        assert not s.execute(text(
            "SELECT v.id FROM versions v LEFT JOIN snapshots s ON s.sha256 = v.snapshot_sha256 "
            "WHERE v.snapshot_sha256 IS NOT NULL AND s.sha256 IS NULL")).all()
        assert not s.execute(text(
            "SELECT c.id FROM changes c LEFT JOIN versions v ON v.id = c.new_version_id "
            "WHERE v.id IS NULL")).all()
        for sha, data, compression in s.execute(
                text("SELECT sha256, data, compression FROM snapshots")):
            assert hashlib.sha256(decompress(data, compression)).hexdigest() == sha


def assert_readable(message: str, *needles: str) -> None:
    """A message a person can act on: one or a few sentences, no traceback, no repr soup."""
    assert message and message.strip()
    assert "Traceback" not in message and "File \"" not in message
    assert len(message) < 2000
    for needle in needles:
        assert needle in message, (needle, message)


# ---- PDFs --------------------------------------------------------------------------------------

def text_pdf(text: str, pages: int = 1) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(pages):
        y = 800
        for line in text.splitlines():
            c.drawString(60, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


PDF_TEXT = "Frontier Safety Framework\n\nWe will notify the government before deployment.\n"


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text_pdf(PDF_TEXT))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="hunter2", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


MALFORMED_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(
    range(256)) * 8 + b"\n%%EOF-not-really"


# ---- a listener that never accepts: connect timeout on loopback -------------------------------

@pytest.fixture
def unaccepted_port() -> Iterator[int]:
    """A port whose accept queue is full, so a new SYN is dropped and connect times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(4):  # fill the (backlog + 1) accept queue; extra SYNs are then dropped
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(s)
    time.sleep(0.05)
    yield port
    for s in fillers:
        s.close()
    listener.close()


# ---- the fault table ---------------------------------------------------------------------------

Setup = Callable[[FaultServer, dict[str, object]], str]


@dataclass(frozen=True)
class Fault:
    """One hostile behaviour: how to serve it, and what a user sees.

    ``kind`` None means the cycle must succeed (sniffing, decoding), and then ``text`` lists
    phrases the stored version must contain. ``message`` lists phrases the error must contain.
    """

    id: str
    setup: Setup
    kind: str | None
    message: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    settings: dict[str, object] = field(default_factory=dict)
    source: dict[str, object] = field(default_factory=dict)
    keeps_snapshot: bytes | None = None  # an unreadable document whose raw bytes must be kept
    seconds: float = 8.0  # the whole cycle must finish within this


def route(path: str, reply: object) -> Setup:
    return lambda srv, ctx: srv.route(f"{ctx['prefix']}{path}", reply)  # type: ignore[arg-type]


def _connect_timeout(_srv: FaultServer, ctx: dict[str, object]) -> str:
    return f"http://127.0.0.1:{ctx['unaccepted_port']}/doc"


def _chain(srv: FaultServer, ctx: dict[str, object]) -> str:
    return srv.redirect_chain(f"{ctx['prefix']}/chain", 12, Page(DOC))


def _loop(srv: FaultServer, ctx: dict[str, object]) -> str:
    return srv.redirect_loop(f"{ctx['prefix']}/loop")


FAULTS = [
    Fault("connection_refused", lambda _s, _c: f"http://127.0.0.1:{unused_port()}/doc",
          "refused", ("could not connect",)),
    Fault("dns_failure", lambda _s, _c: "http://framewatch-no-such-host.invalid/doc", "dns",
          ("does not resolve", "framewatch-no-such-host.invalid")),
    Fault("connect_timeout", _connect_timeout, "timeout", ("connect_timeout",)),
    Fault("read_timeout", route("/doc", Hang(30)), "timeout", ("read_timeout",)),
    Fault("slowloris_headers_then_stall", route("/doc", Slowloris(interval=0.1)), "deadline",
          ("total_timeout",)),
    Fault("reset_mid_body", route("/doc", ResetMidBody()), "reset", ("reset",)),
    Fault("close_without_response", route("/doc", CloseWithoutResponse()), "reset",
          ("closed the connection",)),
    Fault("truncated_body", route("/doc", ShortBody()), "truncated", ("Content-Length",)),
    Fault("chunked_encoding_error", route("/doc", BrokenChunked()), "protocol",
          ("protocol",)),
    # Size faults are not timing tests: a loaded machine may stream slowly, so they get time.
    Fault("gzip_bomb", route("/doc", GzipBomb(64 * 1024 * 1024)), "too_large",
          ("decompressed",), settings=ROOMY),
    Fault("gzip_bomb_chunked", route("/doc", GzipBomb(64 * 1024 * 1024, declare_length=False)),
          "too_large", ("max_bytes",), settings=ROOMY),
    Fault("oversize_without_content_length",
          route("/doc", Stream(3_000_000, chunked=False)), "too_large",
          ("no Content-Length",), settings=ROOMY),
    Fault("oversize_declared", route("/doc", Page(b"x" * 1_500_000)), "too_large",
          ("Content-Length",)),
    Fault("redirect_loop", _loop, "too_many_redirects", ("redirect loop",)),
    Fault("redirect_chain_over_limit", _chain, "too_many_redirects", ("max_redirects",)),
    Fault("redirect_to_ftp", route("/doc", Redirect("ftp://example.org/policy.pdf")),
          "bad_redirect", ("ftp://example.org/policy.pdf", "http and https")),
    Fault("redirect_to_javascript", route("/doc", Redirect("javascript:alert(1)")),
          "bad_redirect", ("javascript:alert(1)",)),
    Fault("redirect_to_file", route("/doc", Redirect("file:///etc/passwd")),
          "bad_redirect", ("file:///etc/passwd",)),
    Fault("html_served_as_pdf",
          route("/doc", Page(DOC, content_type="application/pdf")), None,
          text=("Frontier Safety Framework", "publish a capability report")),
    Fault("pdf_served_as_html",
          route("/doc", Page(text_pdf(PDF_TEXT), content_type="text/html; charset=utf-8")),
          None, text=("Frontier Safety Framework", "notify the government before deployment")),
    Fault("latin1_declared_utf8",
          route("/doc", Page("<html><body><main><h1>Politique de s\u00e9curit\u00e9</h1>"
                             "<p>Caf\u00e9 na\u00efve r\u00e9sum\u00e9: we will pause.</p>"
                             "</main></body></html>".encode("latin-1"),
                             content_type="text/html; charset=utf-8")),
          None, text=("Politique de s", "we will pause")),
    Fault("mixed_utf8_and_latin1",
          route("/doc", Page("<html><body><p>Caf\u00e9 \u2014 d\u00e9j\u00e0 vu.</p>".encode()
                             + "<p>Na\u00efve text, then more.</p></body></html>".encode(
                                 "latin-1"),
                             content_type="text/html")),
          None, text=("Caf", "then more.")),
    Fault("utf8_bom_contradicting_header",
          route("/doc", Page(codecs.BOM_UTF8 + "<html><body><p>Caf\u00e9 policy: we will "
                             "pause.</p></body></html>".encode(),
                             content_type="text/html; charset=iso-8859-1")),
          None, text=("Caf\u00e9 policy: we will pause.",)),
    Fault("utf16_bom_without_charset",
          route("/doc", Page(codecs.BOM_UTF16_LE + "<html><body><p>Caf\u00e9 policy in "
                             "UTF-16.</p></body></html>".encode("utf-16-le"),
                             content_type="text/html")),
          None, text=("Caf\u00e9 policy in UTF-16.",)),
    Fault("deeply_nested_html",
          route("/doc", Page("<html><body>" + "<div>" * 50_000 + "<p>Deep commitment.</p>"
                             + "</div>" * 50_000 + "<p>Shallow commitment.</p></body></html>")),
          None, text=("commitment",)),
    Fault("enormous_html",
          route("/doc", Page("<html><body><main>" + "".join(
              f"<p>Paragraph {i}: we will evaluate model {i} before deployment.</p>"
              for i in range(12_000)) + "</main></body></html>")),
          None, text=("Paragraph 11999: we will evaluate model 11999",),
          settings={"max_bytes": 2_000_000}),
    Fault("malformed_pdf",
          route("/doc", Page(MALFORMED_PDF, content_type="application/pdf")), "bad_pdf",
          ("PDF",), source={"kind": "pdf"}, keeps_snapshot=MALFORMED_PDF),
    Fault("encrypted_pdf",
          route("/doc", Page(encrypted_pdf(), content_type="application/pdf")), "encrypted_pdf",
          ("password",), source={"kind": "pdf"}, keeps_snapshot=b"<encrypted>"),
    Fault("huge_page_count_pdf",
          route("/doc", Page(many_pages_pdf(600), content_type="application/pdf")),
          "pdf_too_large", ("600 pages",), settings={"max_pdf_pages": 100},
          source={"kind": "pdf"}, keeps_snapshot=b"<600 pages>"),
    Fault("slow_pdf_over_pdf_timeout",
          route("/doc", Page(text_pdf(PDF_TEXT * 20, pages=60), content_type="application/pdf")),
          "pdf_timeout", ("gave up after",), settings={"pdf_timeout": 0.001},
          source={"kind": "pdf"}, keeps_snapshot=b"<60 pages>"),
    Fault("empty_200", route("/doc", Page(b"")), "empty", ("empty body",)),
    Fault("whitespace_only_200", route("/doc", Page(b"  \n\t ", content_type="text/plain")),
          "empty", ("no text",), keeps_snapshot=b"  \n\t "),
    Fault("http_401", route("/doc", Status(401)), "blocked", ("401", "browser")),
    Fault("http_403", route("/doc", Status(403)), "blocked", ("403", "browser")),
    Fault("http_429_long_retry_after", route("/doc", Status(429, retry_after=3600)),
          "rate_limited", ("429", "3600")),
    Fault("http_429_every_attempt", route("/doc", Status(429, retry_after=0)),
          "rate_limited", ("rate-limiting", "2 attempts"), settings={"retries": 1}),
    Fault("http_429_then_ok", route("/doc", Sequence(Status(429, retry_after=0), Page(DOC))),
          None, text=("publish a capability report",), settings={"retries": 1}),
    Fault("http_500", route("/doc", Status(500)), "server_error", ("500",)),
    Fault("http_418", route("/doc", Status(418)), "http_error", ("418",)),
    Fault("http10_without_keepalive", route("/doc", Page(DOC, http10=True)), None,
          text=("publish a capability report",)),
    Fault("unknown_content_encoding",
          route("/doc", Page(DOC, headers={"Content-Encoding": "br"})), "protocol",
          ("Content-Encoding",)),
    Fault("binary_garbage", route("/doc", Page(bytes(range(256)) * 40,
                                               content_type="image/png")),
          "unsupported_type", ("image/png",), keeps_snapshot=bytes(range(256)) * 40),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_fault_beside_healthy_source(fault: Fault, server: FaultServer, tmp_path: Path,
                                     db_url: str, unaccepted_port: int,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    healthy_url = server.route("/healthy", Page(HEALTHY))
    faulty_url = fault.setup(server, {"unaccepted_port": unaccepted_port, "prefix": ""})
    cfg = write_config(tmp_path, [source("healthy", healthy_url),
                                  source("faulty", faulty_url, **fault.source)],
                       **fault.settings)

    started = time.monotonic()
    code, report, stderr = run(cfg, db_url, capsys)
    elapsed = time.monotonic() - started

    assert "Traceback" not in stderr
    assert elapsed < fault.seconds, f"cycle took {elapsed:.1f} s"
    outcomes = by_source(report)
    repo = Repository(open_database(db_url))
    # The healthy source is stored correctly, whatever its neighbour did.
    assert outcomes["healthy"]["status"] == "first"
    (healthy,) = repo.history("healthy")
    assert "We will evaluate every frontier model before deployment." in (
        repo.version_text(healthy.id))

    faulty = outcomes["faulty"]
    (check,) = repo.checks("faulty")
    if fault.kind is None:
        assert code == 0, faulty
        assert faulty["status"] == "first", faulty
        (version,) = repo.history("faulty")
        text = repo.version_text(version.id)
        for phrase in fault.text:
            assert phrase in text, (phrase, text[:500])
        assert "\ufffd" not in text or fault.id.startswith(("latin1", "mixed"))
    else:
        assert code == 1
        assert faulty["status"] == "failed"
        assert faulty["error_kind"] == fault.kind, faulty
        assert check.error_kind == fault.kind and check.status == "error"
        assert check.error_message == faulty["message"]
        assert_readable(check.error_message or "", *fault.message)
        assert repo.history("faulty") == []
        if fault.keeps_snapshot is not None:
            # A document that cannot be read keeps its raw bytes, and says so.
            assert check.snapshot_sha256 is not None
            body, _ctype = repo.snapshot_bytes(check.snapshot_sha256)
            if not fault.keeps_snapshot.startswith(b"<"):
                assert body == fault.keeps_snapshot
            assert "snapshot" in (check.error_message or "")
        else:
            # Only answers that were read whole are worth a snapshot.
            assert check.snapshot_sha256 is None
    assert_integrity(db_url)


def test_fault_table_covers_every_fetch_error_kind_the_web_can_cause() -> None:
    """Each FetchError kind a remote server can trigger has a row in the table above."""
    from crawler.fetch_errors import KINDS

    covered = {f.kind for f in FAULTS}
    not_server_caused = {"tls", "invalid_url", "private_address"}  # see test_private_addresses
    assert set(KINDS) - not_server_caused <= covered, set(KINDS) - not_server_caused - covered


FAILING = [f for f in FAULTS if f.kind is not None and not f.settings and not f.source]


def test_all_failing_faults_at_once_lose_nothing_on_either_backend(
        server: FaultServer, tmp_path: Path, db_url: str, unaccepted_port: int,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Every failing fault in ONE concurrent cycle, on SQLite and PostgreSQL: each gets its own
    kind, the healthy sources are all stored, and the database is whole."""
    sources = []
    for n in range(3):
        sources.append(source(f"healthy-{n}", server.route(f"/healthy{n}", Page(
            HEALTHY.replace("every frontier model", f"frontier model {n}")))))
    for i, fault in enumerate(FAILING):
        ctx = {"unaccepted_port": unaccepted_port, "prefix": f"/f{i}"}
        sources.append(source(fault.id.replace("_", "-"), fault.setup(server, ctx)))
    cfg = write_config(tmp_path, sources)
    started = time.monotonic()
    code, report, stderr = run(cfg, db_url, capsys)
    assert time.monotonic() - started < 15
    assert code == 1 and "Traceback" not in stderr
    out = by_source(report)
    for n in range(3):
        assert out[f"healthy-{n}"]["status"] == "first"
    kinds = {f.id: out[f.id.replace("_", "-")]["error_kind"] for f in FAILING}
    assert kinds == {f.id: f.kind for f in FAILING}
    assert report["failures"] == len(FAILING) and report["new_versions"] == 3
    repo = Repository(open_database(db_url))
    assert "frontier model 2" in repo.version_text(repo.history("healthy-2")[0].id)
    assert_integrity(db_url)
