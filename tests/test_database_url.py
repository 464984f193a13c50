"""Telling, from its URL alone, that a database holds no versions yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewatch.common import holds_no_versions


def test_a_sqlite_file_that_does_not_exist_holds_no_versions(tmp_path: Path) -> None:
    assert holds_no_versions(f"sqlite:///{tmp_path / 'new.db'}")


def test_an_existing_sqlite_file_may_hold_versions(tmp_path: Path) -> None:
    (tmp_path / "old.db").write_bytes(b"")
    assert not holds_no_versions(f"sqlite:///{tmp_path / 'old.db'}")


def test_a_relative_sqlite_path_is_looked_up_from_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert holds_no_versions("sqlite:///framewatch.db")
    (tmp_path / "framewatch.db").write_bytes(b"")
    assert not holds_no_versions("sqlite:///framewatch.db")
    assert not holds_no_versions("sqlite+pysqlite:///framewatch.db?timeout=5")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_holds_no_versions(url: str) -> None:
    assert holds_no_versions(url)


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://u:secret@db.example/framewatch",
    "sqlite:///file:shared?mode=memory&cache=shared&uri=true",
    "not a url",
])
def test_any_other_database_may_hold_versions(url: str) -> None:
    assert not holds_no_versions(url)
