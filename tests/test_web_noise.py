""""Mark as noise" on the web change page: a token-bound two-step form that writes the ignore
rule into sources.toml and re-extracts; absent when the server has no sources.toml to write."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import run_json, write_config
from faultserver import FaultServer, Page
from starlette.testclient import TestClient

from crawler.config import load_config
from framewatch.web_noise import SourcesFileNoise
from storage.db import open_database
from storage.repo import Repository
from web.app import create_app

PATTERN = r"Page generated build \d+"


def page(stamp: str) -> str:
    return (f"<html><body><main><h1>Policy</h1><p>We will pause training within 30 days.</p>"
            f"<p>Page generated {stamp}.</p></main></body></html>")


@pytest.fixture
def noisy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[Path, str, int]]:
    with FaultServer() as server:
        db = f"sqlite:///{tmp_path / 'fw.db'}"
        cfg = write_config(tmp_path, server, [{"id": "p", "company": "C", "title": "T", "path": "/p"}])
        server.route("/p", Page(page("build 1")))
        run_json(cfg, db, capsys)
        server.route("/p", Page(page("build 2")))
        run_json(cfg, db, capsys)
        (change,) = Repository(open_database(db)).changes(source_id="p")
        yield cfg, db, change.id


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert m, "no noise form on the page"
    return m.group(1)


def test_change_page_offers_the_form_and_the_two_steps_write_the_rule(
        noisy: tuple[Path, str, int]) -> None:
    cfg, db, cid = noisy
    with TestClient(create_app(db, noise=SourcesFileNoise(cfg))) as client:
        token = csrf_of(client.get(f"/changes/{cid}").text)
        preview = client.post(f"/changes/{cid}/noise", data={"csrf": token, "pattern": PATTERN})
        assert preview.status_code == 200 and "Write this rule" in preview.text
        assert "Page generated build 2" in preview.text
        assert load_config(cfg).source("p").ignore == ()  # type: ignore[union-attr]
        done = client.post(f"/changes/{cid}/noise",
                           data={"csrf": token, "pattern": PATTERN, "confirm": "1"})
    assert done.status_code == 200 and "technical version" in done.text
    assert load_config(cfg).source("p").ignore == (PATTERN,)  # type: ignore[union-attr]
    assert Repository(open_database(db)).history("p")[0].kind == "technical"


def test_a_post_without_the_page_token_is_refused(noisy: tuple[Path, str, int]) -> None:
    cfg, db, cid = noisy
    before = cfg.read_text()
    with TestClient(create_app(db, noise=SourcesFileNoise(cfg))) as client:
        r = client.post(f"/changes/{cid}/noise",
                        data={"csrf": "0" * 64, "pattern": PATTERN, "confirm": "1"})
    assert r.status_code == 403 and cfg.read_text() == before


def test_a_pattern_that_matches_nothing_writes_nothing(noisy: tuple[Path, str, int]) -> None:
    cfg, db, cid = noisy
    before = cfg.read_text()
    with TestClient(create_app(db, noise=SourcesFileNoise(cfg))) as client:
        token = csrf_of(client.get(f"/changes/{cid}").text)
        r = client.post(f"/changes/{cid}/noise",
                        data={"csrf": token, "pattern": "<script>nope", "confirm": "1"})
    assert r.status_code == 400 and "matches nothing" in r.text
    assert "<script>nope" not in r.text  # escaped
    assert cfg.read_text() == before


def test_without_a_config_there_is_no_form_and_no_endpoint(noisy: tuple[Path, str, int]) -> None:
    _, db, cid = noisy
    with TestClient(create_app(db)) as client:
        assert 'name="csrf"' not in client.get(f"/changes/{cid}").text
        assert client.post(f"/changes/{cid}/noise", data={"pattern": "x"}).status_code == 404
