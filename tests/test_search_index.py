"""The SQLite search index is caught up in one batch before a search, never by the cycle's writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from test_web import record_version

from storage.db import create_db_engine, open_database, upgrade
from storage.read import search
from storage.records import SourceInfo
from storage.repo import Repository
from storage.search_index import catch_up, pending

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def _repo(db_path: Path) -> Repository:
    repo = Repository(open_database(f"sqlite:///{db_path}"))
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
