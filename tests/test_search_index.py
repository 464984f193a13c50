"""The search index is caught up in one batch before a search, never by the cycle's writes:
SQLite's FTS5 table and PostgreSQL's table of text vectors alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from test_web import record_version

from storage.db import create_db_engine, open_database, upgrade
from storage.read import search
from storage.records import SourceInfo
from storage.repo import Repository
from storage.search_index import catch_up, pending

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def _repo(db_path: Path | str) -> Repository:
    repo = Repository(open_database(db_path if isinstance(db_path, str) else f"sqlite:///{db_path}"))
    repo.sync_sources([SourceInfo(id="rsp", company="Acme", title="RSP", url="https://a.example/",
                                  kind="page", enabled=True, origin="config")])
    return repo


def _indexed_rows(repo: Repository) -> int:
    with repo.db.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM versions_fts WHERE versions_fts MATCH 'commitment'").scalar()


def test_versions_written_by_a_cycle_wait_for_the_next_search_to_be_indexed(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "fw.db")
    first, _ = record_version(repo, "rsp", "Our commitment: we will pause.", T0, kind="first")
    assert pending(repo.db) == 1 and _indexed_rows(repo) == 0
    assert [h.version_id for h in search(repo.db, "pause commitment")] == [first]
    assert pending(repo.db) == 0


def test_catching_up_twice_indexes_each_version_once(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "fw.db")
    ids = [record_version(repo, "rsp", f"Commitment number {n}.", T0 + timedelta(days=n),
                          kind="first" if n == 0 else "change")[0] for n in range(3)]
    assert catch_up(repo.db) == 3
    assert catch_up(repo.db) == 0
    assert _indexed_rows(repo) == 3
    assert [h.version_id for h in search(repo.db, "commitment")] == ids[::-1]


def test_upgrading_an_indexed_database_keeps_its_versions_searchable_without_reindexing(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    upgrade(engine, "0002_search")  # the schema whose trigger indexed every insert
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, company, title, url, kind, settings, enabled, "
                          "origin, created_at, consecutive_failures, health) VALUES ('rsp', 'A', "
                          "'R', 'https://a.example/', 'page', '{}', 1, 'config', "
                          "'2026-05-01 00:00:00', 0, 'ok')"))
        conn.execute(text("INSERT INTO versions (source_id, document_url, text, text_sha256, "
                          "extractor_version, fetched_at, kind) VALUES ('rsp', 'https://a.example/',"
                          " 'An old commitment.', 'x', 'e', '2026-05-01 00:00:00', 'first')"))
    engine.dispose()
    repo = Repository(open_database(url))  # upgrades to head
    assert pending(repo.db) == 0 and _indexed_rows(repo) == 1
    assert len(search(repo.db, "old commitment")) == 1


def test_deleting_the_newest_version_by_hand_lets_a_reused_id_be_indexed(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "fw.db")
    first, _ = record_version(repo, "rsp", "First commitment.", T0, kind="first")
    second, _ = record_version(repo, "rsp", "Second commitment, withdrawn.", T0 + timedelta(1),
                               kind="change")
    catch_up(repo.db)
    with repo.db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM versions WHERE id = ?", (second,))
    assert [h.version_id for h in search(repo.db, "commitment")] == [first]
    again, _ = record_version(repo, "rsp", "Replacement commitment.", T0 + timedelta(2),
                              kind="change")
    assert again == second  # SQLite reuses the highest rowid once it is gone
    assert [h.version_id for h in search(repo.db, "replacement")] == [again]


def _pg_vectors(repo: Repository) -> dict[int, str]:
    with repo.db.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT version_id, tsv::text FROM versions_tsv").all())


def test_postgresql_versions_written_by_a_cycle_wait_for_the_next_search(pg_url: str) -> None:
    repo = _repo(pg_url)
    first, _ = record_version(repo, "rsp", "Our commitment: we will pause.", T0, kind="first")
    assert pending(repo.db) == 1 and _pg_vectors(repo) == {}
    assert [h.version_id for h in search(repo.db, "pause commitment")] == [first]
    assert pending(repo.db) == 0 and list(_pg_vectors(repo)) == [first]


def test_postgresql_catching_up_twice_indexes_each_version_once(pg_url: str) -> None:
    repo = _repo(pg_url)
    ids = [record_version(repo, "rsp", f"Commitment number {n}.", T0 + timedelta(days=n),
                          kind="first" if n == 0 else "change")[0] for n in range(3)]
    assert catch_up(repo.db) == 3
    assert catch_up(repo.db) == 0
    assert sorted(_pg_vectors(repo)) == sorted(ids)
    assert [h.version_id for h in search(repo.db, "commitments")] == ids[::-1]  # stemmed


def test_postgresql_indexes_a_version_below_the_highest_indexed_id(pg_url: str) -> None:
    """Sequence values can commit out of order: a lower id may arrive after a higher one."""
    repo = _repo(pg_url)
    low, _ = record_version(repo, "rsp", "An early commitment.", T0, kind="first")
    high, _ = record_version(repo, "rsp", "A later commitment.", T0 + timedelta(1), kind="change")
    with repo.db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO versions_tsv (version_id, tsv) "
                             f"SELECT id, to_tsvector('english', text) FROM versions WHERE id = {high}")
    assert pending(repo.db) == 1
    assert [h.version_id for h in search(repo.db, "early")] == [low]


def test_postgresql_a_deleted_version_leaves_the_index(pg_url: str) -> None:
    repo = _repo(pg_url)
    first, _ = record_version(repo, "rsp", "First commitment.", T0, kind="first")
    second, _ = record_version(repo, "rsp", "Second commitment, withdrawn.", T0 + timedelta(1),
                               kind="change")
    catch_up(repo.db)
    with repo.db.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM versions WHERE id = {second}")
    assert list(_pg_vectors(repo)) == [first]
    assert [h.version_id for h in search(repo.db, "commitment")] == [first]


def test_postgresql_a_text_updated_in_place_is_searched_by_its_new_words(pg_url: str) -> None:
    repo = _repo(pg_url)
    vid, _ = record_version(repo, "rsp", "We will pause training.", T0, kind="first")
    catch_up(repo.db)
    with repo.db.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE versions SET text = 'We will halt deployment.' WHERE id = {vid}")
    assert search(repo.db, "pause") == []
    assert [h.version_id for h in search(repo.db, "halt deployment")] == [vid]


def test_postgresql_upgrade_indexes_the_versions_that_already_exist(pg_url: str) -> None:
    engine = create_db_engine(pg_url)
    upgrade(engine, "0009_commitments_source_index")  # the expression-index schema
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, company, title, url, kind, settings, enabled, "
                          "origin, created_at, consecutive_failures, health) VALUES ('rsp', 'A', "
                          "'R', 'https://a.example/', 'page', '{}', true, 'config', "
                          "'2026-05-01 00:00:00+00', 0, 'ok')"))
        conn.execute(text("INSERT INTO versions (source_id, document_url, text, text_sha256, "
                          "extractor_version, fetched_at, kind) VALUES ('rsp', 'https://a.example/',"
                          " 'An old commitment.', 'x', 'e', '2026-05-01 00:00:00+00', 'first')"))
    engine.dispose()
    repo = Repository(open_database(pg_url))  # upgrades to head
    assert pending(repo.db) == 0 and len(_pg_vectors(repo)) == 1
    assert len(search(repo.db, "old commitment")) == 1


def test_a_search_on_a_read_only_postgresql_session_answers_from_what_is_indexed(
        pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    repo = _repo(pg_url)
    old, _ = record_version(repo, "rsp", "An indexed commitment.", T0, kind="first")
    catch_up(repo.db)
    record_version(repo, "rsp", "A newer commitment.", T0 + timedelta(1), kind="change")
    reader = open_database(pg_url + "%20-cdefault_transaction_read_only%3Don")
    assert [h.version_id for h in search(reader, "commitment")] == [old]
    assert "search index not brought up to date" in caplog.text


def test_run_with_the_ledger_leaves_no_version_waiting_for_the_search_index(
        tmp_path: Path, db_url: str) -> None:
    import contextlib
    import io

    from cycle_support import source, write_config
    from faultserver import FaultServer, Page

    from framewatch.cli import main

    with FaultServer() as server:
        server.route("/policy", Page("<html><body><main><p>We will publish every evaluation."
                                     "</p></main></body></html>"))
        cfg = write_config(tmp_path, server, [source("policy", "/policy")])
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["-q", "run", "--config", str(cfg), "--db", db_url, "--no-notify",
                         "--ledger"]) == 0
    db = open_database(db_url)
    assert pending(db) == 0
    assert len(search(db, "evaluation")) == 1
