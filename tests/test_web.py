"""The web UI over HTTP: every page and API route, escaping of hostile text, the security headers,
the token gate, `framewatch serve`'s refusal to expose itself, and a real uvicorn server.

The database is filled through storage.repo.Repository.record_check only, the way the cycle
writes it, never through the fetch pipeline.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from storage.db import Database, open_database
from storage.records import NewChange, NewCheck, NewSnapshot, NewVersion, SourceInfo
from storage.repo import Repository
from web.app import CSP, create_app

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

HOSTILE = (
    "# Policy <script>alert('xss-head')</script>\n"
    "We <b onmouseover=\"alert('on-attr')\">commit</b> to <img src=x onerror=alert('img')>.\n"
    "Read <a href=\"javascript:alert('js-link')\">the annex</a>.\n"
    "</textarea><script>alert('textarea-breakout')</script></pre><script>alert('pre')</script>\n"
    "\"><svg onload=alert('svg')>\n"
)
HOSTILE_SNAPSHOT = b"<html><body><script>alert('raw')</script>" + HOSTILE.encode() + b"</body></html>"

RSP_V1 = ("# 1 Scope\nThis policy covers frontier models.\n"
          "# 4 Capability thresholds\nWe will evaluate models every 4x increase in compute.\n"
          "We will publish a capability report for each model.\n")
RSP_V2 = ("# 1 Scope\nThis policy covers frontier models.\n"
          "# 4 Capability thresholds\nWe may evaluate models every 6x increase in compute.\n"
          "We will publish a capability report for each model.\n")
RSP_V3 = RSP_V2.replace("publish a capability report", "publish a detailed capability report")


def sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def hunk(section: str, old: str, new: str, *, categories: tuple[str, ...] = (),
         signals: tuple[str, ...] = (), severity: str = "low",
         because: tuple[str, ...] = ()) -> dict[str, object]:
    return {"section": section, "old": old, "new": new, "removed": [], "added": [],
            "categories": list(categories), "signals": list(signals), "severity": severity,
            "because": list(because), "summary": f"{severity} change in {section}"}


def diff_json(severity: str, categories: tuple[str, ...], signals: tuple[str, ...],
              summary: str, hunks: list[dict[str, object]]) -> dict[str, object]:
    seoul = {"thresholds": ["II"], "evaluations": ["I"], "publication": ["VII", "VIII"]}
    return {"severity": severity, "categories": list(categories),
            "seoul": sorted({p for c in categories for p in seoul.get(c, [])}),
            "signals": list(signals), "summary": summary, "hunks": hunks}


@dataclass
class Seeded:
    db: Database
    versions: dict[str, list[int]]
    changes: dict[str, list[int]]


def record_version(repo: Repository, source_id: str, text: str, when: datetime, *,
                   kind: str, previous: int | None = None, change: NewChange | None = None,
                   document_url: str = "https://example.org/policy",
                   raw: bytes | None = None, content_type: str = "text/html; charset=utf-8",
                   ) -> tuple[int, int | None]:
    body = raw if raw is not None else f"<html><body><pre>{text}</pre></body></html>".encode()
    _, vid, cid = repo.record_check(
        NewCheck(source_id=source_id, url=document_url, started_at=when, status="ok",
                 final_url=document_url, http_status=200, elapsed_ms=120,
                 headers={"content-type": content_type, "etag": '"abc"'}),
        snapshot=NewSnapshot(sha256=sha(body), content_type=content_type, body=body),
        version=NewVersion(document_url=document_url, text=text, text_sha256=sha(text),
                           extractor_version="test-1", kind=kind, fetched_at=when),
        change=change, previous_version_id=previous)
    assert vid is not None
    return vid, cid


def seed(db: Database) -> Seeded:
    """Four sources: a normal history, a hostile page, a failing source, a never-checked one."""
    repo = Repository(db)
    repo.sync_sources([
        SourceInfo(id="acme-rsp", company="Acme AI", title="Responsible Scaling Policy",
                   url="https://acme.example/rsp", kind="page", enabled=True, origin="config"),
        SourceInfo(id="evil-page", company="Evil <Corp>", title="Policy <script>x</script>",
                   url="https://evil.example/p", kind="page", enabled=True, origin="config"),
        SourceInfo(id="broken", company="Broken Labs", title="Frontier Framework",
                   url="https://broken.example/f.pdf", kind="pdf", enabled=True, origin="config"),
        SourceInfo(id="never", company="Quiet Inc", title="Model Card", url="https://q.example/",
                   kind="page", enabled=True, origin="config"),
    ])
    v1, _ = record_version(repo, "acme-rsp", RSP_V1, T0, kind="first")
    v2, c1 = record_version(repo, "acme-rsp", RSP_V2, T0 + timedelta(days=10), kind="change",
                            previous=v1, change=NewChange(
        severity="high", categories=("evaluations", "thresholds"),
        signals=("numeric", "weakened"), summary="evaluation cadence loosened: 4x → 6x",
        detected_at=T0 + timedelta(days=10), diff=diff_json(
            "high", ("evaluations", "thresholds"), ("numeric", "weakened"),
            "evaluation cadence loosened: 4x → 6x",
            [hunk("4 Capability thresholds",
                  "We will evaluate models every 4x increase in compute.",
                  "We may evaluate models every 6x increase in compute.",
                  categories=("evaluations", "thresholds"), signals=("numeric", "weakened"),
                  severity="high", because=("modal: will → may", "numeric: 4x → 6x"))])))
    v3, c2 = record_version(repo, "acme-rsp", RSP_V3, T0 + timedelta(days=20), kind="change",
                            previous=v2, change=NewChange(
        severity="medium", categories=("publication",), signals=("added",),
        summary="capability report now 'detailed'", detected_at=T0 + timedelta(days=20),
        diff=diff_json("medium", ("publication",), ("added",), "capability report now 'detailed'",
                       [hunk("4 Capability thresholds",
                             "We will publish a capability report for each model.",
                             "We will publish a detailed capability report for each model.",
                             categories=("publication",), signals=("added",),
                             severity="medium", because=("publication: publish",))])))
    e1, _ = record_version(repo, "evil-page", "# Policy\nWe commit to safety.\n", T0,
                           kind="first", document_url="javascript:alert('doc-url')")
    e2, c3 = record_version(
        repo, "evil-page", HOSTILE, T0 + timedelta(days=1), kind="change", previous=e1,
        document_url="javascript:alert('doc-url')", raw=HOSTILE_SNAPSHOT,
        change=NewChange(severity="high", categories=("thresholds",), signals=("removed",),
                         summary="<script>alert('summary')</script>",
                         detected_at=T0 + timedelta(days=1),
                         diff=diff_json("high", ("thresholds",), ("removed",),
                                        "<script>alert('summary')</script>",
                                        [hunk("Policy <script>alert('section')</script>",
                                              "We commit to safety.", HOSTILE,
                                              categories=("thresholds",), signals=("removed",),
                                              severity="high",
                                              because=("<img src=x onerror=alert('because')>",))])))
    for i in range(3):
        repo.record_check(NewCheck(source_id="broken", url="https://broken.example/f.pdf",
                                   started_at=T0 + timedelta(days=i), status="error",
                                   error_kind="timeout",
                                   error_message="timed out after 30 s <b>bold?</b>"),
                          failed=True)
    return Seeded(db, {"acme-rsp": [v1, v2, v3], "evil-page": [e1, e2]},
                  {"acme-rsp": [c1 or 0, c2 or 0], "evil-page": [c3 or 0]})


@pytest.fixture
def seeded(db_url: str) -> Seeded:
    db = open_database(db_url)
    yield seed(db)
    db.dispose()


@pytest.fixture
def client(seeded: Seeded) -> TestClient:
    return TestClient(create_app(seeded.db))


def assert_inert(html: str) -> None:
    """The only script is our own static file; no crawled markup survives as markup."""
    scripts = re.findall(r"<script\b[^>]*>", html, re.I)
    assert scripts == ['<script src="/static/app.js" defer>'], scripts
    assert not re.search(r"<(img|svg|b)\b[^>]*\bon\w+\s*=", html, re.I)
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.I)
    assert "</textarea><script>" not in html


# ---- pages ----------------------------------------------------------------------------------------

def test_dashboard_lists_every_source_with_last_change_and_severity(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    for title in ("Responsible Scaling Policy", "Frontier Framework", "Model Card"):
        assert title in r.text
    assert "capability report now &#39;detailed&#39;" in r.text
    assert 'class="sev sev-medium"' in r.text
    assert "never checked" in r.text


def test_dashboard_shows_failing_sources_prominently(client: TestClient) -> None:
    r = client.get("/")
    assert 'role="alert"' in r.text
    assert "1 source failing" in r.text
    assert "error: timeout" in r.text
    assert "3 failures in a row" in r.text


def test_dashboard_filters_by_company_severity_and_category(client: TestClient) -> None:
    def rows(query: str) -> set[str]:
        html = client.get("/" + query).text
        return set(re.findall(r'class="source-link" href="/sources/([^"]+)"', html))

    assert rows("") == {"acme-rsp", "evil-page", "broken", "never"}
    assert rows("?company=Acme+AI") == {"acme-rsp"}
    assert rows("?severity=high") == {"evil-page"}  # acme's last change is medium
    assert rows("?severity=medium") == {"evil-page", "acme-rsp"}
    assert rows("?category=publication") == {"acme-rsp"}
    assert rows("?status=failing") == {"broken"}


def test_empty_database_says_what_to_do(db_url: str) -> None:
    db = open_database(db_url)
    r = TestClient(create_app(db)).get("/")
    assert "framewatch run" in r.text and "No sources yet" in r.text
    Repository(db).sync_sources([SourceInfo(id="a", company="A", title="T", url="https://a/",
                                            kind="page", enabled=True, origin="config")])
    r = TestClient(create_app(db)).get("/")
    assert "No sources checked yet" in r.text and "framewatch run" in r.text


def test_source_page_shows_timeline_and_fetch_history(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/sources/acme-rsp")
    assert r.status_code == 200
    for vid in seeded.versions["acme-rsp"]:
        assert f'href="/versions/{vid}"' in r.text
    for cid in seeded.changes["acme-rsp"]:
        assert f'href="/changes/{cid}"' in r.text
    assert "2026-03-11 06:00 UTC" in r.text and 'datetime="2026-03-11T06:00:00Z"' in r.text
    assert "ago)" in r.text


def test_source_page_shows_fetch_errors(client: TestClient) -> None:
    r = client.get("/sources/broken")
    assert "This source is failing" in r.text
    assert "timed out after 30 s &lt;b&gt;bold?&lt;/b&gt;" in r.text
    assert "No version stored yet" in r.text


def test_unknown_ids_are_404_pages(client: TestClient) -> None:
    assert client.get("/sources/nope").status_code == 404
    assert client.get("/changes/999").status_code == 404
    r = client.get("/versions/999")
    assert r.status_code == 404 and "no version 999" in r.text
    assert client.get("/api/changes/999").json()["status"] == 404


def test_change_page_highlights_changed_words_and_flags(client: TestClient, seeded: Seeded) -> None:
    r = client.get(f"/changes/{seeded.changes['acme-rsp'][0]}")
    assert r.status_code == 200
    assert "<del>will</del>" in r.text and "<ins>may</ins>" in r.text
    assert "<del>4x</del>" in r.text and "<ins>6x</ins>" in r.text
    assert "hunk flagged" in r.text
    assert "§ 4 Capability thresholds" in r.text
    for word in ("thresholds", "evaluations", "numeric", "weakened", "Seoul I, II",
                 "modal: will → may"):
        assert word in r.text
    v1, v2 = seeded.versions["acme-rsp"][:2]
    assert f'href="/versions/{v1}"' in r.text and f'href="/versions/{v2}"' in r.text


def test_change_page_side_by_side_view(client: TestClient, seeded: Seeded) -> None:
    r = client.get(f"/changes/{seeded.changes['acme-rsp'][0]}?view=side")
    assert 'class="side-by-side"' in r.text
    old_col = r.text.split('class="old"')[1].split('class="new"')[0]
    assert "<del>will</del>" in old_col and "<ins>" not in old_col


def test_version_page_shows_text_and_snapshot_evidence(client: TestClient, seeded: Seeded) -> None:
    vid = seeded.versions["acme-rsp"][0]
    r = client.get(f"/versions/{vid}")
    assert "We will evaluate models every 4x increase in compute." in r.text
    assert sha(RSP_V1) in r.text
    assert f'href="/versions/{vid}/raw"' in r.text
    assert "text/html; charset=utf-8" in r.text


def test_raw_snapshot_is_an_attachment_with_its_type_and_sha(client: TestClient,
                                                             seeded: Seeded) -> None:
    vid = seeded.versions["evil-page"][1]
    r = client.get(f"/versions/{vid}/raw")
    assert r.status_code == 200
    assert r.content == HOSTILE_SNAPSHOT
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"] == f'attachment; filename="evil-page-v{vid}.html"'
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-snapshot-sha256"] == sha(HOSTILE_SNAPSHOT)
    assert "sandbox" in r.headers["content-security-policy"]


def test_text_download_is_plain_text_attachment(client: TestClient, seeded: Seeded) -> None:
    vid = seeded.versions["acme-rsp"][0]
    r = client.get(f"/versions/{vid}/text")
    assert r.text == RSP_V1 and "attachment" in r.headers["content-disposition"]


def test_compare_any_two_versions(client: TestClient, seeded: Seeded) -> None:
    v1, _, v3 = seeded.versions["acme-rsp"]
    r = client.get(f"/sources/acme-rsp/compare?a={v1}&b={v3}")
    assert r.status_code == 200
    assert "<ins>6x</ins>" in r.text
    assert re.search(r"<ins>\s*detailed\s*</ins>", r.text)
    assert client.get("/sources/acme-rsp/compare").status_code == 200


def test_compare_refuses_versions_of_another_source(client: TestClient, seeded: Seeded) -> None:
    v1 = seeded.versions["acme-rsp"][0]
    e1 = seeded.versions["evil-page"][0]
    assert client.get(f"/sources/acme-rsp/compare?a={v1}&b={e1}").status_code == 404


# ---- hostile content --------------------------------------------------------------------------

def test_hostile_text_is_inert_on_every_page(client: TestClient, seeded: Seeded) -> None:
    e1, e2 = seeded.versions["evil-page"]
    pages = ["/", "/sources/evil-page", f"/versions/{e2}", f"/changes/{seeded.changes['evil-page'][0]}",
             f"/changes/{seeded.changes['evil-page'][0]}?view=side",
             f"/sources/evil-page/compare?a={e1}&b={e2}", "/search?q=alert"]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        assert_inert(r.text)
    version_page = client.get(f"/versions/{e2}").text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#39;textarea-breakout&#39;)" in version_page
    assert "<code class=\"unsafe-url\">javascript:alert(&#39;doc-url&#39;)</code>" in version_page


def test_hostile_text_in_feed_and_api_stays_text(client: TestClient, seeded: Seeded) -> None:
    feed = client.get("/feed.atom")
    root = ET.fromstring(feed.content)  # still well-formed XML
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>alert('summary')</script>" in (t or "") for t in titles)
    assert "<script>" not in feed.text
    api = client.get(f"/api/versions/{seeded.versions['evil-page'][1]}")
    assert api.headers["content-type"] == "application/json"
    assert api.json()["text"] == HOSTILE


def test_every_response_carries_the_strict_csp(client: TestClient, seeded: Seeded) -> None:
    for path in ("/", "/search", "/feed.atom", "/api/sources", "/static/style.css", "/nope"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP or path == "/nope" and \
            r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


# ---- feed and API ---------------------------------------------------------------------------------

def test_atom_feed_lists_changes_with_permalinks(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/feed.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.findtext("a:id", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(ids) == 3
    assert ids[0] == f"http://testserver/changes/{seeded.changes['acme-rsp'][1]}"
    assert root.find("a:entry/a:updated", ns).text == "2026-03-21T06:00:00Z"


def test_atom_feed_filters_by_company_and_minimum_severity(client: TestClient) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    high = ET.fromstring(client.get("/feed.atom?severity=high").content)
    assert len(high.findall("a:entry", ns)) == 2
    acme_high = ET.fromstring(client.get("/feed.atom?company=Acme+AI&severity=high").content)
    entries = acme_high.findall("a:entry", ns)
    assert len(entries) == 1 and "4x → 6x" in entries[0].findtext("a:title", namespaces=ns)
    assert client.get("/feed.atom?severity=bogus").status_code == 400


def test_feed_uses_configured_base_url(seeded: Seeded) -> None:
    client = TestClient(create_app(seeded.db, base_url="https://watch.example.org/"))
    assert "<id>https://watch.example.org/changes/" in client.get("/feed.atom").text


def test_api_sources(client: TestClient) -> None:
    data = {s["id"]: s for s in client.get("/api/sources").json()}
    assert set(data) == {"acme-rsp", "evil-page", "broken", "never"}
    assert data["acme-rsp"]["versions"] == 3
    assert data["acme-rsp"]["last_change"]["severity"] == "medium"
    assert data["broken"]["last_check"]["error_kind"] == "timeout"
    assert data["never"]["last_check"] is None
    assert data["acme-rsp"]["url"] == "http://testserver/sources/acme-rsp"


def test_api_source_and_versions(client: TestClient, seeded: Seeded) -> None:
    one = client.get("/api/sources/acme-rsp").json()
    assert [v["id"] for v in one["versions"]] == seeded.versions["acme-rsp"][::-1]
    versions = client.get("/api/sources/acme-rsp/versions").json()
    assert versions[-1]["fetched_at"] == "2026-03-01T06:00:00Z"
    assert "text" not in versions[0]
    v = client.get(f"/api/versions/{seeded.versions['acme-rsp'][0]}").json()
    assert v["text"] == RSP_V1 and v["snapshot"]["content_type"] == "text/html; charset=utf-8"


def test_api_changes_with_design_diff_json(client: TestClient, seeded: Seeded) -> None:
    listed = client.get("/api/changes?source=acme-rsp").json()
    assert [c["id"] for c in listed] == seeded.changes["acme-rsp"][::-1]
    assert client.get("/api/changes?severity=high&company=Acme+AI").json()[0]["severity"] == "high"
    assert [c["source_id"] for c in client.get("/api/changes?category=publication").json()] == [
        "acme-rsp"]
    one = client.get(f"/api/changes/{seeded.changes['acme-rsp'][0]}").json()
    assert set(one["diff"]) >= {"severity", "categories", "seoul", "signals", "hunks"}
    assert one["diff"]["hunks"][0]["section"] == "4 Capability thresholds"
    assert one["seoul"] == ["I", "II"]


# ---- token gate and serve -------------------------------------------------------------------------

def test_token_is_required_when_configured(seeded: Seeded) -> None:
    client = TestClient(create_app(seeded.db, token="s3cret-token"))
    r = client.get("/")
    assert r.status_code == 401 and "token" in r.text
    assert r.headers["content-security-policy"] == CSP
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_token_in_query_sets_httponly_cookie_and_is_dropped_from_url(seeded: Seeded) -> None:
    client = TestClient(create_app(seeded.db, token="s3cret-token"))
    r = client.get("/search?q=policy&token=s3cret-token", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/search?q=policy"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "s3cret-token" not in cookie
    assert client.get("/search?q=policy").status_code == 200  # the cookie now suffices


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "FRAMEWATCH_WEB_TOKEN"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "framewatch", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def test_serve_refuses_a_public_host_without_token(db_url: str) -> None:
    r = run_cli("serve", "--host", "0.0.0.0", "--db", db_url)
    assert r.returncode == 2
    assert "refusing to listen on 0.0.0.0" in r.stderr and "FRAMEWATCH_WEB_TOKEN" in r.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db_url: str, env: dict[str, str] | None = None,
                 host: str = "127.0.0.1") -> tuple[subprocess.Popen[str], str]:
    """`framewatch serve` as a user starts it, on a free loopback port; waits until it answers."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k != "FRAMEWATCH_WEB_TOKEN"}
    full_env.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "framewatch", "serve", "--host", host, "--port", str(port),
         "--db", db_url], cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            httpx.get(url + "/static/app.js", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise AssertionError("server did not start in 20 s")


def stop_server(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def test_real_uvicorn_server_serves_pages_over_http(seeded: Seeded) -> None:
    proc, url = start_server(seeded.db.url)
    try:
        r = httpx.get(url + "/sources/acme-rsp", timeout=10)
        assert r.status_code == 200 and "Responsible Scaling Policy" in r.text
        assert r.headers["content-security-policy"] == CSP
        assert "server" not in r.headers
        api = httpx.get(url + "/api/sources", timeout=10).json()
        assert any(s["url"] == f"{url}/sources/acme-rsp" for s in api)
    finally:
        stop_server(proc)


def test_real_server_with_token_in_env_requires_it(seeded: Seeded) -> None:
    # Loopback only: tests never listen on a public address; the refusal test covers 0.0.0.0.
    proc, url = start_server(seeded.db.url, env={"FRAMEWATCH_WEB_TOKEN": "tok-123456"})
    try:
        assert httpx.get(url + "/", timeout=10).status_code == 401
        ok = httpx.get(url + "/", headers={"Authorization": "Bearer tok-123456"}, timeout=10)
        assert ok.status_code == 200
    finally:
        stop_server(proc)
