"""`framewatch db upgrade|current|check|vacuum|backup`, driven through the CLI as users do."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from framewatch.cli import main
from storage.db import head_revision, open_database
from storage.models import Delivery, Snapshot, Version
from storage.records import NewChange, NewCheck, NewSnapshot, NewVersion, SourceInfo
from storage.repo import Repository


def fw(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def record_history(url: str, *, channels: tuple[str, ...] = ("webhook",)) -> Repository:
    """Source `rsp` with a first version and a changed one (its change and its outbox row)."""
    db = open_database(url)
    repo = Repository(db)
    repo.sync_sources([SourceInfo(id="rsp", company="Example AI", title="RSP",
                                  url="https://example.org/rsp", kind="page", enabled=True,
                                  origin="config")])
    t0 = datetime(2026, 1, 1, 6, tzinfo=UTC)
    previous = None
    for day, words in enumerate(("We will evaluate every 3 months.", "We may evaluate every 6 months.")):
        body = f"<p>{words}</p>".encode()
        snap = NewSnapshot(hashlib.sha256(body).hexdigest(), "text/html", body)
        started = t0 + timedelta(days=day)
        version = NewVersion(document_url="https://example.org/rsp", text=words,
                             text_sha256=hashlib.sha256(words.encode()).hexdigest(),
                             extractor_version="test", kind="first" if previous is None else "change",
                             fetched_at=started)
        change = None if previous is None else NewChange(
            severity="high", categories=("evaluations",), signals=("weakened",), summary="weakened",
            diff={}, detected_at=started, channels=channels)
        _, previous, _ = repo.record_check(
            NewCheck(source_id="rsp", url="https://example.org/rsp", started_at=started, status="ok"),
            snapshot=snap, version=version, change=change, previous_version_id=previous)
    return repo


def test_upgrade_of_an_empty_database_reaches_head(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fw(capsys, "db", "current", "--db", db_url)
    if db_url.startswith("sqlite"):  # a missing file is reported, never created by `current`
        assert code == 2 and "no database at" in err
    else:
        assert code == 1 and "(empty database)" in out
    code, out, _ = fw(capsys, "db", "upgrade", "--db", db_url)
    assert code == 0 and f"→ {head_revision()} (head)" in out
    code, out, _ = fw(capsys, "db", "current", "--db", db_url)
    assert code == 0 and out.splitlines()[0] == f"{head_revision()} (head)"


def test_upgrade_twice_is_a_no_op(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fw(capsys, "db", "upgrade", "--db", db_url)[0] == 0
    code, out, _ = fw(capsys, "db", "upgrade", "--db", db_url)
    assert code == 0 and "already at" in out


def test_current_says_not_head_for_an_older_schema(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fw(capsys, "db", "upgrade", "--db", db_url, "--revision", "0001")[0] == 0
    code, out, _ = fw(capsys, "db", "current", "--db", db_url, "--format", "json")
    assert code == 1
    assert '"current": "0001"' in out and '"is_head": false' in out


def test_check_passes_on_a_consistent_history(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    record_history(db_url).db.dispose()
    code, out, _ = fw(capsys, "db", "check", "--db", db_url)
    assert code == 0
    assert out.startswith("OK: 2 snapshots, 2 checks, 2 versions, 1 changes, 1 deliveries")


def test_check_finds_a_snapshot_whose_bytes_do_not_match_its_sha256(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = record_history(db_url)
    with repo.db.session() as s:
        sha = s.scalars(Snapshot.__table__.select().with_only_columns(Snapshot.sha256)).first()
        s.execute(update(Snapshot).where(Snapshot.sha256 == sha)
                  .values(data=zlib.compress(b"<p>tampered</p>")))
    repo.db.dispose()
    code, out, _ = fw(capsys, "db", "check", "--db", db_url)
    assert code == 1
    assert f"snapshot_hash: snapshot {sha[:16]}" in out


def test_check_finds_a_version_whose_text_was_altered(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = record_history(db_url)
    with repo.db.session() as s:
        s.execute(update(Version).where(Version.kind == "first").values(text="We will never."))
    repo.db.dispose()
    code, out, _ = fw(capsys, "db", "check", "--db", db_url)
    assert code == 1 and "version_text_hash: version 1" in out


def test_check_finds_a_changed_version_without_its_change(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = record_history(db_url, channels=())
    with repo.db.session() as s:
        s.execute(text("DELETE FROM changes"))
    repo.db.dispose()
    code, out, _ = fw(capsys, "db", "check", "--db", db_url)
    assert code == 1 and "version_without_change: version 2" in out


def test_check_finds_a_change_delivery_without_its_change(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = record_history(db_url)
    with repo.db.session() as s:
        s.execute(update(Delivery).values(change_id=None))
    repo.db.dispose()
    code, out, _ = fw(capsys, "db", "check", "--db", db_url)
    assert code == 1 and "delivery_without_change: delivery 1" in out


def test_check_finds_a_duplicated_version(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = record_history(db_url)
    latest = repo.latest_version("rsp", with_text=True)
    assert latest is not None and latest.text is not None
    repo.record_check(
        NewCheck(source_id="rsp", url="https://example.org/rsp", started_at=datetime.now(UTC), status="ok"),
        snapshot=NewSnapshot(latest.snapshot_sha256 or "", None, b""),
        version=NewVersion(document_url=latest.document_url, text=latest.text,
                           text_sha256=latest.text_sha256, extractor_version="test", kind="first",
                           fetched_at=datetime.now(UTC)))
    repo.db.dispose()
    code, out, _ = fw(capsys, "db", "check", "--db", db_url, "--quick")
    assert code == 1 and "duplicate_version: version 3" in out


def test_check_refuses_a_schema_behind_head(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fw(capsys, "db", "upgrade", "--db", db_url, "--revision", "0001")[0] == 0
    code, _, err = fw(capsys, "db", "check", "--db", db_url)
    assert code == 1 and "run `framewatch db upgrade` first" in err


def test_vacuum_runs_on_both_backends(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    record_history(db_url).db.dispose()
    code, out, _ = fw(capsys, "db", "vacuum", "--db", db_url)
    assert code == 0 and ("MB →" in out or "VACUUM ANALYZE done" in out)
    assert fw(capsys, "db", "check", "--db", db_url)[0] == 0


def test_backup_writes_a_checked_copy_of_a_live_sqlite_database(
        sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = record_history(sqlite_url)  # still open: the backup runs against a live database
    dest = tmp_path / "backups" / "framewatch-2026-01-02.db"
    dest.parent.mkdir()
    code, out, _ = fw(capsys, "db", "backup", "--db", sqlite_url, str(dest))
    repo.db.dispose()
    assert code == 0 and "backed up" in out
    copy = open_database(f"sqlite:///{dest}", migrate=False)
    assert Repository(copy).counts() == Repository(open_database(sqlite_url)).counts()
    copy.dispose()
    assert fw(capsys, "db", "check", "--db", f"sqlite:///{dest}")[0] == 0
    assert not [p for p in dest.parent.iterdir() if p.name.endswith(".tmp")]


def test_backup_of_postgresql_points_to_pg_dump(pg_url: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fw(capsys, "db", "backup", "--db", pg_url, str(tmp_path / "x.db"))
    assert code == 2 and "pg_dump" in err
    assert not (tmp_path / "x.db").exists()


def test_check_accepts_deliveries_batched_into_a_daily_digest(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from storage import outbox as store

    repo = record_history(db_url)
    with repo.db.session() as s:
        item = s.scalars(select(Delivery.id)).one()
    digest = store.create_digest(repo.db, store.NewDelivery(
        channel="webhook", kind="digest", idempotency_key="digest:webhook:2026-01-02",
        payload={"item_delivery_ids": [item]}), (item,))
    assert digest is not None
    repo.db.dispose()
    code, out, err = fw(capsys, "db", "check", "--db", db_url)
    assert code == 0, out + err
    assert "unknown status" not in out + err
