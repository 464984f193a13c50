"""The validators a cycle sends (ETag, Last-Modified) come from one row per URL, kept with every
check: always the newest successful fetch's, as the whole check history would say, without
reading that history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from storage.db import create_db_engine, open_database, upgrade
from storage.records import NewCheck, SourceInfo
from storage.repo import Repository

T0 = datetime(2026, 5, 1, tzinfo=UTC)
URLS = ("https://a.example/policy", "https://a.example/log")


def _repo(url: str) -> Repository:
    repo = Repository(open_database(url))
    repo.sync_sources([SourceInfo(id=sid, company="Acme", title=sid, url=URLS[0], kind="page",
                                  enabled=True, origin="config") for sid in ("a", "b")])
    return repo


def _check(source: str, url: str, status: str, n: int, etag: str | None,
           last_modified: str | None = None) -> NewCheck:
    return NewCheck(source_id=source, url=url, started_at=T0 + timedelta(minutes=n),
                    status=status, etag=etag, last_modified=last_modified)


def _from_history(repo: Repository) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """What the check history says: the newest check with a successful status, per URL."""
    with repo.db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT source_id, url, etag, last_modified FROM checks WHERE id IN ("
            "SELECT max(id) FROM checks WHERE status IN ('ok', 'unchanged', 'not_modified') "
            "GROUP BY source_id, url)")).all()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def test_the_validators_are_those_of_each_urls_newest_successful_fetch(db_url: str) -> None:
    repo = _repo(db_url)
    rng = random.Random(7)
    for n in range(120):
        status = rng.choice(("ok", "unchanged", "not_modified", "error"))
        check = _check(rng.choice("ab"), rng.choice(URLS), status, n,
                       rng.choice((None, '"e1"', '"e2"', f'"e{n}"')),
                       rng.choice((None, "Wed, 01 May 2026 00:00:00 GMT")))
        if rng.random() < 0.5:
            repo.record_check(check, failed=status == "error")
        else:
            batch = [check, _check(check.source_id, check.url, "not_modified", n, check.etag)]
            repo.record_checks(batch if status != "error" else [batch[1]])
        assert repo.cycle_state()[1] == _from_history(repo)
    for (source, url), pair in _from_history(repo).items():
        assert repo.last_validators(source, url) == pair


def test_a_failed_fetch_keeps_the_validators_of_the_last_good_one(db_url: str) -> None:
    repo = _repo(db_url)
    repo.record_check(_check("a", URLS[0], "ok", 0, '"v1"'))
    repo.record_check(_check("a", URLS[0], "error", 1, None), failed=True)
    assert repo.last_validators("a", URLS[0]) == ('"v1"', None)
    assert repo.last_validators("a", URLS[1]) == (None, None)


def test_a_successful_fetch_without_validators_clears_them(db_url: str) -> None:
    repo = _repo(db_url)
    repo.record_check(_check("a", URLS[0], "ok", 0, '"v1"', "Wed, 01 May 2026 00:00:00 GMT"))
    repo.record_checks([_check("a", URLS[0], "unchanged", 1, None)])
    assert repo.last_validators("a", URLS[0]) == (None, None)


def test_the_upgrade_fills_the_validators_from_the_stored_checks(db_url: str) -> None:
    engine = create_db_engine(db_url)
    upgrade(engine, "0010_pg_search_catch_up")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, company, title, url, kind, settings, enabled, "
                          "origin, created_at, consecutive_failures, health) VALUES ('a', 'A', "
                          "'A', :u, 'page', '{}', true, 'config', :t, 0, 'ok')"),
                     {"u": URLS[0], "t": T0})
        for n, (status, etag) in enumerate((("ok", '"v1"'), ("not_modified", '"v2"'),
                                             ("error", None))):
            conn.execute(text("INSERT INTO checks (source_id, url, started_at, status, fetcher, "
                              "attempts, etag) VALUES ('a', :u, :t, :s, 'http', 1, :e)"),
                         {"u": URLS[0], "t": T0 + timedelta(minutes=n), "s": status, "e": etag})
    engine.dispose()
    repo = Repository(open_database(db_url))  # upgrades to head
    assert repo.cycle_state()[1] == {("a", URLS[0]): ('"v2"', None)}


def test_a_day_of_unchanged_validators_rewrites_no_row(pg_url: str) -> None:
    repo = _repo(pg_url)
    repo.record_check(_check("a", URLS[0], "ok", 0, '"v1"'))

    def row_version() -> str:
        with repo.db.engine.connect() as conn:
            return conn.execute(text("SELECT xmin::text FROM check_validators")).scalar_one()

    before = row_version()
    repo.record_checks([_check("a", URLS[0], "not_modified", 1, '"v1"')])
    assert row_version() == before
    repo.record_checks([_check("a", URLS[0], "not_modified", 2, '"v2"')])
    assert row_version() != before and repo.last_validators("a", URLS[0]) == ('"v2"', None)
