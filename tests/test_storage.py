"""Storage: content-addressed snapshots, one transaction per source, both backends."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.db import current_revision, head_revision, open_database, redact_url
from storage.models import Snapshot
from storage.records import NewChange, NewCheck, NewSnapshot, NewVersion, SourceInfo
from storage.repo import Repository


def _source(sid: str = "s1") -> SourceInfo:
    return SourceInfo(id=sid, company="Acme", title="Policy", url="https://example.org/p",
                      kind="page", enabled=True, origin="config")


def _check(sid: str = "s1") -> NewCheck:
    return NewCheck(source_id=sid, url="https://example.org/p", started_at=datetime.now(UTC),
                    status="ok", http_status=200)


def _version(text: str) -> NewVersion:
    return NewVersion(document_url="https://example.org/p", text=text,
                      text_sha256=hashlib.sha256(text.encode()).hexdigest(), extractor_version="t",
                      kind="first", fetched_at=datetime.now(UTC))


def test_schema_is_created_at_head_on_first_open(db_url: str) -> None:
    db = open_database(db_url)
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_same_bytes_are_stored_once_whichever_url_served_them(db_url: str) -> None:
    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([_source("s1"), _source("s2")])
    body = b"%PDF-1.4 same bytes"
    snap = NewSnapshot(hashlib.sha256(body).hexdigest(), "application/pdf", body)
    repo.record_check(_check("s1"), snapshot=snap, version=_version("x"))
    repo.record_check(_check("s2"), snapshot=snap, version=_version("x"))
    with db.session() as s:
        assert len(s.scalars(select(Snapshot)).all()) == 1
    assert repo.snapshot_bytes(snap.sha256) == (body, "application/pdf")
    db.dispose()


def test_snapshot_is_compressed_at_rest(db_url: str) -> None:
    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([_source()])
    body = b"<p>" + b"commitment " * 5000 + b"</p>"
    repo.record_check(_check(), snapshot=NewSnapshot(hashlib.sha256(body).hexdigest(), None, body))
    with db.session() as s:
        snap = s.scalars(select(Snapshot)).one()
        assert len(snap.data) < len(body) / 10
        assert snap.size == len(body)
    db.dispose()


def test_change_and_its_outbox_rows_are_written_with_the_version(db_url: str) -> None:
    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([_source()])
    _, v1, _ = repo.record_check(_check(), version=_version("old"))
    change = NewChange(severity="high", categories=("thresholds",), signals=("weakened",),
                       summary="s", diff={"hunks": []}, detected_at=datetime.now(UTC),
                       channels=("slack", "email"))
    _, v2, cid = repo.record_check(_check(), version=_version("new"), change=change,
                                   previous_version_id=v1)
    stored = repo.get_change(cid)
    assert stored is not None and stored.old_version_id == v1 and stored.new_version_id == v2
    assert repo.counts()["deliveries"] == 2
    db.dispose()


def test_a_failed_write_leaves_nothing_behind(db_url: str) -> None:
    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([_source()])
    bad = NewChange(severity="high", categories=(), signals=(), summary="",
                    diff={"x": object()},  # not JSON-serialisable: the write fails mid-way
                    detected_at=datetime.now(UTC))
    with pytest.raises(Exception):  # noqa: B017 - any driver error
        repo.record_check(_check(), version=_version("t"), change=bad, previous_version_id=None)
    counts = repo.counts()
    assert (counts["checks"], counts["versions"], counts["changes"]) == (0, 0, 0)
    db.dispose()


def test_failures_are_counted_and_reset_by_success(db_url: str) -> None:
    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([_source()])
    for _ in range(3):
        repo.record_check(_check(), failed=True)
    assert repo.get_source("s1").consecutive_failures == 3  # type: ignore[union-attr]
    repo.record_check(_check())
    assert repo.get_source("s1").consecutive_failures == 0  # type: ignore[union-attr]
    db.dispose()


def test_sources_dropped_from_config_are_disabled_not_deleted(db_url: str) -> None:
    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([_source("s1"), _source("s2")])
    repo.sync_sources([_source("s1")])
    by_id = {s.id: s for s in repo.list_sources()}
    assert by_id["s2"].enabled is False and by_id["s1"].enabled is True
    db.dispose()


def test_database_url_password_is_never_printed() -> None:
    assert "hunter2" not in redact_url("postgresql+psycopg://u:hunter2@db.example/x")
