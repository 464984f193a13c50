"""A huge change cannot make one web request expensive or one page enormous.

A 1.2 MB single-line text (past the per-request compare bound) and a change with a 1.2 MB hunk
and 120 hunks: `compare` answers quickly with a bounded page, and change pages show their hunks
50 at a time, each side cut at a bound.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from storage.db import open_database
from storage.records import NewChange, NewCheck, NewSnapshot, NewVersion, SourceInfo
from storage.repo import Repository
from web.app import create_app

BIG = 1_200_000


def _seed(url: str) -> Repository:
    repo = Repository(open_database(url))
    repo.sync_sources([SourceInfo(id="big", company="Example AI", title="Big", kind="page",
                                  url="https://example.org/big", enabled=True, origin="config")])
    texts = ["a " * (BIG // 2), "a " * (BIG // 2 - 10) + "b " * 10]
    hunks = [{"section": "S", "old": texts[0], "new": texts[1], "categories": [],
              "signals": [], "severity": "low", "because": []}]
    hunks += [{"section": f"S{i}", "old": f"oldword{i} passage", "new": f"newword{i} passage",
               "categories": [], "signals": [], "severity": "low", "because": []}
              for i in range(119)]
    previous = None
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for day, text in enumerate(texts):
        body = text.encode()
        change = None if previous is None else NewChange(
            severity="low", categories=(), signals=(), summary="big", detected_at=t0,
            diff={"severity": "low", "categories": [], "seoul": [], "signals": [],
                  "summary": "big", "hunks": hunks})
        _, previous, _ = repo.record_check(
            NewCheck(source_id="big", url="https://example.org/big",
                     started_at=t0 + timedelta(days=day), status="ok"),
            snapshot=NewSnapshot(hashlib.sha256(body).hexdigest(), "text/plain", body),
            version=NewVersion(document_url="https://example.org/big", text=text,
                               text_sha256=hashlib.sha256(body).hexdigest(),
                               extractor_version="test", kind="first" if previous is None
                               else "change", fetched_at=t0 + timedelta(days=day)),
            change=change, previous_version_id=previous)
    return repo


def test_compare_of_huge_texts_is_bounded_in_time_and_size(sqlite_url: str) -> None:
    repo = _seed(sqlite_url)
    versions = [v.id for v in repo.history("big")]
    with TestClient(create_app(repo.db)) as client:
        started = time.monotonic()
        r = client.get(f"/sources/big/compare?a={min(versions)}&b={max(versions)}")
        elapsed = time.monotonic() - started
    repo.db.dispose()
    assert r.status_code == 200
    assert elapsed < 10
    assert len(r.content) < 300_000
    assert "more characters not shown" in r.text


def test_change_pages_show_fifty_hunks_at_a_time_each_cut_at_a_bound(sqlite_url: str) -> None:
    repo = _seed(sqlite_url)
    change_id = repo.changes()[0].id
    with TestClient(create_app(repo.db)) as client:
        first = client.get(f"/changes/{change_id}")
        second = client.get(f"/changes/{change_id}?from=50")
        last = client.get(f"/changes/{change_id}?from=100")
    repo.db.dispose()
    assert first.status_code == 200 and len(first.content) < 400_000
    assert "passages 1–50 shown" in first.text and "from=50" in first.text
    assert "oldword48" in first.text and "oldword49" not in first.text
    assert "passages 51–100 shown" in second.text and "from=0" in second.text
    assert "oldword118" in last.text and "later passages" not in last.text
