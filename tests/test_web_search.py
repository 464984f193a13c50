"""Full-text search across every version's text, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from test_web import Seeded, assert_inert, seed

from storage.db import open_database
from storage.read import MARK_END, MARK_START, search
from web.app import create_app


@pytest.fixture
def seeded_any(db_url: str) -> Iterator[Seeded]:
    db = open_database(db_url)
    yield seed(db)
    db.dispose()


def test_search_finds_words_across_versions_newest_first(seeded_any: Seeded) -> None:
    hits = search(seeded_any.db, "capability report")
    assert [h.version_id for h in hits] == seeded_any.versions["acme-rsp"][::-1]
    assert all(MARK_START in h.snippet and MARK_END in h.snippet for h in hits)
    assert hits[0].company == "Acme AI" and hits[0].fetched_at.tzinfo is not None


def test_search_stems_english_words(seeded_any: Seeded) -> None:
    # "evaluations" matches "evaluate" only through stemming (porter / english config).
    assert {h.source_id for h in search(seeded_any.db, "evaluations")} == {"acme-rsp"}


def test_search_requires_every_word(seeded_any: Seeded) -> None:
    assert [h.version_id for h in search(seeded_any.db, "detailed capability")] == [
        seeded_any.versions["acme-rsp"][2]]
    assert search(seeded_any.db, "detailed zebra") == []


def test_search_operators_and_quotes_are_plain_words(seeded_any: Seeded) -> None:
    for query in ('"unbalanced', "NEAR(a b)", "policy OR -x*", "a:b", "');DROP TABLE versions;--"):
        search(seeded_any.db, query)  # never a syntax error
    assert search(seeded_any.db, "!!! ???") == []


def test_search_can_be_limited_to_one_source(seeded_any: Seeded) -> None:
    hits = search(seeded_any.db, "policy", source_id="evil-page")
    assert hits and {h.source_id for h in hits} == {"evil-page"}


def test_search_page_shows_snippets_with_marked_matches(seeded_any: Seeded) -> None:
    client = TestClient(create_app(seeded_any.db))
    r = client.get("/search?q=compute")
    assert r.status_code == 200
    assert re.search(r"<mark>compute</mark>", r.text, re.I)
    for vid in seeded_any.versions["acme-rsp"]:
        assert f'href="/versions/{vid}"' in r.text


def test_search_page_escapes_hostile_snippets(seeded_any: Seeded) -> None:
    client = TestClient(create_app(seeded_any.db))
    r = client.get("/search?q=annex")
    assert f'href="/versions/{seeded_any.versions["evil-page"][1]}"' in r.text
    assert "&lt;" in r.text
    assert_inert(r.text)


def test_search_page_says_when_nothing_matches(seeded_any: Seeded) -> None:
    r = TestClient(create_app(seeded_any.db)).get("/search?q=zebra")
    assert "No version contains all of: <strong>zebra</strong>" in r.text
