"""The optional headless-Chromium fetcher, against real pages on 127.0.0.1.

Full cycles run through the CLI the way users run them. Tests that need Chromium skip with a
reason when none is installed, except under FRAMEWATCH_REQUIRE_BROWSER=1 (CI), where a missing
browser is a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import source
from cycle_support import write_config as _write_config
from faultserver import Dynamic, FaultServer, Page, Redirect, Reply, Status

from crawler import netguard
from crawler.browser import BrowserFetcher, BrowserOptions, find_browser
from crawler.fetch_errors import FetchError
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

SENTENCE = "We will pause training if a model crosses the ASL-4 threshold."

JS_PAGE = f"""<!doctype html><html><head><title>Frontier Safety Policy</title></head><body>
<main><h1>Frontier Safety Policy</h1><div id="app"></div></main>
<script>
  setTimeout(function () {{
    document.getElementById("app").innerHTML = "<h2>Thresholds</h2><p>{SENTENCE}</p>";
  }}, 50);
</script>
<img src="/hero.png"><link rel="preload" as="font" href="/font.woff2">
</body></html>"""

STATIC_PAGE = """<!doctype html><html><head><title>Policy</title></head><body>
<main><h1>Transparency</h1><p>We will publish a summary of each capability report.</p></main>
</body></html>"""

CLOUDFLARE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><div class="main-wrapper"><h1>example.com</h1>
<p>Enable JavaScript and cookies to continue</p></div>
<script>window._cf_chl_opt = {cvId: '3'};</script></body></html>"""


def _chromium() -> str | None:
    try:
        return find_browser(None)
    except FetchError:
        return None


CHROMIUM = _chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("FRAMEWATCH_REQUIRE_BROWSER") != "1",
    reason="no Chromium on PATH (apt-get install chromium); "
           "set FRAMEWATCH_REQUIRE_BROWSER=1 to make this a failure",
)


def is_browser(request_headers: dict[str, str]) -> bool:
    """Chromium sends client hints; httpx does not."""
    return "sec-ch-ua" in request_headers


def browser_only(page: Reply, other: Reply) -> Dynamic:
    return Dynamic(lambda request: page if is_browser(request.headers) else other)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv




def write_config(path: Path, server: FaultServer, sources: list[dict[str, object]],
                 **settings: object) -> Path:
    """Browser pages need a longer total deadline than plain fetches."""
    return _write_config(path, server, sources, **{"total_timeout": 8, **settings})


def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:  # type: ignore[type-arg]
    code = main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    report = json.loads(capsys.readouterr().out)
    return code, {s["source"]: s for s in report["sources"]}


def repo_for(db: str) -> Repository:
    return Repository(open_database(db))


# ---- full cycles ------------------------------------------------------------------------------

def test_plain_fetcher_does_not_see_javascript_rendered_text(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/fsp", Page(JS_PAGE))
    cfg = write_config(tmp_path, server, [source("fsp", "/fsp", select=["#app"])])
    code, out = run(cfg, db_url, capsys)
    assert (code, out["fsp"]["status"]) == (1, "failed"), out
    assert repo_for(db_url).latest_version("fsp") is None


@pytest.mark.browser
@needs_chromium
def test_browser_fetcher_sees_javascript_rendered_text(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/fsp", Page(JS_PAGE))
    cfg = write_config(tmp_path, server, [source("fsp", "/fsp", fetcher="browser",
                                                 select=["#app"])])
    code, out = run(cfg, db_url, capsys)
    assert (code, out["fsp"]["status"]) == (0, "first"), out
    repo = repo_for(db_url)
    version = repo.latest_version("fsp")
    assert version is not None and SENTENCE in repo.version_text(version.id)
    check = repo.checks("fsp")[0]
    assert check.fetcher == "browser"
    body, content_type = repo.snapshot_bytes(version.snapshot_sha256)  # type: ignore[arg-type]
    assert content_type == "text/html; charset=utf-8"
    assert f"<p>{SENTENCE}</p>" in body.decode("utf-8")  # the rendered DOM, not the raw HTML


@pytest.mark.browser
@needs_chromium
def test_browser_versions_compare_with_plain_versions_of_the_same_page(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/p", Page(STATIC_PAGE))
    cfg = write_config(tmp_path, server, [source("p", "/p")])
    assert run(cfg, db_url, capsys)[1]["p"]["status"] == "first"
    cfg = write_config(tmp_path, server, [source("p", "/p", fetcher="browser")])
    _, out = run(cfg, db_url, capsys)
    assert out["p"]["status"] == "unchanged"  # same extracted text from the rendered DOM
    assert repo_for(db_url).checks("p")[0].fetcher == "browser"


@pytest.mark.browser
@needs_chromium
def test_auto_recovers_from_403_to_non_browser_clients(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", browser_only(Page(JS_PAGE), Status(403, "Forbidden")))
    cfg = write_config(tmp_path, server, [source("rsp", "/rsp", fetcher="auto")])
    code, out = run(cfg, db_url, capsys)
    assert (code, out["rsp"]["status"]) == (0, "first"), out
    repo = repo_for(db_url)
    assert repo.checks("rsp")[0].fetcher == "browser"
    assert SENTENCE in repo.version_text(repo.latest_version("rsp").id)  # type: ignore[union-attr]


@pytest.mark.browser
@needs_chromium
def test_auto_renders_a_challenge_page_served_to_plain_clients(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/card", browser_only(Page(STATIC_PAGE), Page(CLOUDFLARE)))
    cfg = write_config(tmp_path, server, [source("card", "/card", fetcher="auto")])
    _, out = run(cfg, db_url, capsys)
    assert out["card"]["status"] == "first", out
    assert repo_for(db_url).checks("card")[0].fetcher == "browser"


def test_auto_keeps_plain_http_when_the_plain_page_has_text(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/p", Page(STATIC_PAGE))
    cfg = write_config(tmp_path, server, [source("p", "/p", fetcher="auto")])
    _, out = run(cfg, db_url, capsys)
    assert out["p"]["status"] == "first"
    assert repo_for(db_url).checks("p")[0].fetcher == "http"
    assert not any(is_browser(r.headers) for r in server.requests)


@pytest.mark.browser
@needs_chromium
def test_wait_for_a_selector_that_never_appears_times_out_and_others_succeed(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/never", Page(JS_PAGE))
    server.route("/fsp", Page(JS_PAGE))
    server.route("/p", Page(STATIC_PAGE))
    cfg = write_config(tmp_path, server, [
        source("never", "/never", fetcher="browser", wait_for="#does-not-exist"),
        source("fsp", "/fsp", fetcher="browser", wait_for="#app p"),
        source("p", "/p"),
    ], total_timeout=3)
    started = time.monotonic()
    code, out = run(cfg, db_url, capsys)
    assert time.monotonic() - started < 15
    assert code == 1
    assert out["never"]["error_kind"] == "timeout"
    assert "#does-not-exist" in out["never"]["message"]
    assert out["fsp"]["status"] == "first" and out["p"]["status"] == "first"


def test_missing_browser_is_a_clear_error_and_other_sources_go_on(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/fsp", Page(JS_PAGE))
    server.route("/p", Page(STATIC_PAGE))
    cfg = write_config(tmp_path, server, [source("fsp", "/fsp", fetcher="browser"),
                                          source("p", "/p")],
                       browser_path=str(tmp_path / "no-such-chromium"))
    code, out = run(cfg, db_url, capsys)
    assert code == 1
    assert out["fsp"]["error_kind"] == "browser_missing"
    assert "apt-get install chromium" in out["fsp"]["message"]
    assert "framewatch[browser]" in out["fsp"]["message"]
    assert "browser_path" in out["fsp"]["message"]
    assert out["p"]["status"] == "first"


@pytest.mark.browser
@needs_chromium
def test_page_still_forbidden_in_the_browser_fails_as_blocked(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/x", Status(403))
    cfg = write_config(tmp_path, server, [source("x", "/x", fetcher="auto")])
    _, out = run(cfg, db_url, capsys)
    assert out["x"]["error_kind"] == "blocked"
    assert "browser was tried" in out["x"]["message"]


# ---- the fetcher itself -----------------------------------------------------------------------

def fetch(url: str, **kwargs: object) -> object:
    async def go() -> object:
        async with BrowserFetcher(BrowserOptions(timeout=5, allow_private=True)) as browser:
            return await browser.fetch(url, **kwargs)  # type: ignore[arg-type]
    return asyncio.run(go())


@pytest.mark.browser
@needs_chromium
def test_default_user_agent_names_framewatch_and_override_replaces_it(
        server: FaultServer) -> None:
    server.route("/p", Page(STATIC_PAGE))
    fetch(server.url("/p"))
    fetch(server.url("/p"), user_agent="Mozilla/5.0 (compatible; Example)")
    default_ua, override_ua = (r.headers["user-agent"] for r in server.requests_to("/p"))
    assert "Chrome/" in default_ua and default_ua.endswith(
        "framewatch/0.1 (+https://github.com/framewatch/framewatch)")
    assert override_ua == "Mozilla/5.0 (compatible; Example)"


@pytest.mark.browser
@needs_chromium
def test_images_fonts_and_media_are_never_requested(server: FaultServer) -> None:
    server.route("/fsp", Page(JS_PAGE))
    result = fetch(server.url("/fsp"))
    assert SENTENCE.encode() in result.body  # type: ignore[attr-defined]
    assert result.content_type == "text/html; charset=utf-8"  # type: ignore[attr-defined]
    assert [r.path for r in server.requests] == ["/fsp"]


@pytest.mark.browser
@needs_chromium
def test_result_records_final_url_and_main_document_headers(server: FaultServer) -> None:
    server.route("/old", Redirect("/new"))
    server.route("/new", Page(STATIC_PAGE, etag='"v7"', headers={"X-Policy": "1"}))
    result = fetch(server.url("/old"))
    assert result.final_url == server.url("/new")  # type: ignore[attr-defined]
    assert result.etag == '"v7"' and result.headers["x-policy"] == "1"  # type: ignore[attr-defined]
    assert result.fetcher == "browser"  # type: ignore[attr-defined]


@pytest.mark.browser
@needs_chromium
def test_a_pdf_is_stored_as_the_bytes_the_server_sent(server: FaultServer) -> None:
    pdf = b"%PDF-1.4\n% a tiny document\n"
    server.route("/doc.pdf", Page(pdf, content_type="application/pdf"))
    assert fetch(server.url("/doc.pdf")).body == pdf  # type: ignore[attr-defined]


@pytest.fixture
def narrow_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 as public and every other address (127.0.0.2) as private."""
    real = netguard.address_problem
    monkeypatch.setattr(netguard, "address_problem",
                        lambda ip: None if str(ip) == "127.0.0.1" else real(ip) or "private")


@pytest.mark.browser
@needs_chromium
@pytest.mark.usefixtures("narrow_guard")
def test_guard_blocks_redirects_and_subrequests_to_private_addresses(server: FaultServer) -> None:
    with FaultServer(host="127.0.0.2") as inner:
        inner.route("/metadata", Page("<p>secret</p>"))
        server.route("/hop", Redirect(inner.url("/metadata")))
        server.route("/page", Page(f"""<html><body><p id="x">public text</p><script>
            fetch("{inner.url('/metadata')}").then(r => r.text())
              .then(t => document.getElementById("x").textContent = t);</script></body></html>"""))

        async def go() -> tuple[object, FetchError]:
            async with BrowserFetcher(BrowserOptions(timeout=5)) as browser:
                page = await browser.fetch(server.url("/page"))
                with pytest.raises(FetchError) as info:
                    await browser.fetch(server.url("/hop"))
                return page, info.value

        page, error = asyncio.run(go())
        assert inner.requests == []
        assert b"public text" in page.body  # type: ignore[attr-defined]
        assert error.kind == "private_address" and "127.0.0.2" in error.message


def test_guard_refuses_a_private_url_before_starting_a_browser(server: FaultServer) -> None:
    async def go() -> BrowserFetcher:
        async with BrowserFetcher(BrowserOptions(timeout=5, browser_path="/nonexistent")) as b:
            with pytest.raises(FetchError) as info:
                await b.fetch(server.url("/p"))
            assert info.value.kind == "private_address"
            return b

    assert not asyncio.run(go()).launched


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _browser_main_pid() -> int:
    for pid in _descendants(os.getpid()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"chrom" in cmdline[0] and not any(a.startswith(b"--type=") for a in cmdline):
            return pid
    raise AssertionError("no Chromium process found")


@pytest.mark.browser
@needs_chromium
def test_browser_crash_fails_that_page_and_the_next_page_gets_a_new_browser(
        server: FaultServer) -> None:
    server.route("/p", Page(STATIC_PAGE))
    server.route("/slow", Page(JS_PAGE))

    async def go() -> tuple[FetchError, bytes]:
        async with BrowserFetcher(BrowserOptions(timeout=5, allow_private=True)) as browser:
            await browser.fetch(server.url("/p"))
            pending = asyncio.create_task(browser.fetch(server.url("/slow"),
                                                        wait_for="#never"))
            await asyncio.sleep(0.5)
            os.kill(_browser_main_pid(), signal.SIGKILL)
            with pytest.raises(FetchError) as info:
                await pending
            again = await browser.fetch(server.url("/p"))
            return info.value, again.body

    error, body = asyncio.run(go())
    assert error.kind == "browser_crashed"
    assert b"Transparency" in body
