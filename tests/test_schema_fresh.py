"""An empty database is built from the models and stamped at head, without Alembic: the result
is the very schema the migrations build, Alembic recognises it as its own, and two runs racing
to create it do not both build it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect

from storage.db import (
    MIGRATIONS,
    _switch_to_wal,
    alembic_config,
    create_db_engine,
    current_revision,
    open_database,
    upgrade,
)
from storage.schema import HEAD_REVISION, create_fresh

ROOT = Path(__file__).resolve().parents[1]


def _schema(engine: Engine) -> dict[str, Any]:
    """Everything a schema is made of, in a form two databases can be compared by."""
    insp = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(insp.get_table_names()):
        tables[name] = {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                              for c in insp.get_columns(name)),
            "pk": insp.get_pk_constraint(name),
            "indexes": sorted((ix["name"] or "", tuple(str(c) for c in ix["column_names"]),
                               bool(ix["unique"]), str(ix.get("expressions")))
                              for ix in insp.get_indexes(name)),
            "unique": sorted((u["name"] or "", tuple(u["column_names"]))
                             for u in insp.get_unique_constraints(name)),
            "foreign_keys": sorted((fk["name"] or "", tuple(fk["constrained_columns"]),
                                    fk["referred_table"], tuple(fk["referred_columns"]))
                                   for fk in insp.get_foreign_keys(name)),
        }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            extras = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE type IN ('trigger', 'view') OR sql LIKE 'CREATE VIRTUAL%' "
                "ORDER BY name").all()
            rows = conn.exec_driver_sql("SELECT * FROM versions_fts_state").all()
        else:
            extras = conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT trigger_name, action_statement FROM information_schema.triggers "
                "WHERE trigger_schema = current_schema() ORDER BY 1").all()
            rows = []
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
            extras = [(name, sql.replace(f"{schema}.", "")) for name, sql in extras]
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return {"tables": tables, "extras": [tuple(r) for r in extras],
            "rows": [tuple(r) for r in rows], "alembic_version": [tuple(r) for r in version]}


def _second_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.db'}"
    return request.getfixturevalue("pg_url_factory")()


@pytest.fixture
def pg_url_factory(pg_available: str) -> Any:
    import uuid

    import psycopg

    dsn = pg_available.replace("postgresql+psycopg://", "postgresql://")
    made: list[str] = []

    def make() -> str:
        schema = "fw_" + uuid.uuid4().hex[:12]
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        made.append(schema)
        sep = "&" if "?" in pg_available else "?"
        return f"{pg_available}{sep}options=-csearch_path%3D{schema}"

    yield make
    with psycopg.connect(dsn, autocommit=True) as conn:
        for schema in made:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_stamped_revision_is_the_migrations_head() -> None:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(create_db_engine("sqlite://"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION
    assert MIGRATIONS.is_dir()


def test_a_fresh_database_has_exactly_the_schema_the_migrations_build(
        db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    migrated = create_db_engine(db_url)
    upgrade(migrated)
    fresh = create_db_engine(_second_url(db_url, tmp_path, request))
    assert create_fresh(fresh)
    assert _schema(fresh) == _schema(migrated)


def test_opening_an_empty_database_builds_it_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code = ("import sys; from storage.db import open_database; "
            f"open_database({url!r}); "
            "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_database_with_tables_is_left_to_alembic(db_url: str) -> None:
    engine = create_db_engine(db_url)
    upgrade(engine, "0008_ledger_version_strengths")
    assert not create_fresh(engine)
    open_database(db_url).dispose()
    assert current_revision(engine) == HEAD_REVISION


def test_a_fresh_database_downgrades_and_upgrades_through_alembic(db_url: str) -> None:
    engine = create_db_engine(db_url)
    assert create_fresh(engine)
    built = _schema(engine)
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_drop_index_links")
    assert current_revision(engine) == "0006_drop_index_links"
    upgrade(engine)
    assert _schema(engine) == built


def test_two_runs_opening_one_new_database_at_once_build_it_once(db_url: str) -> None:
    engines = [create_db_engine(db_url) for _ in range(2)]
    built: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(engine: Engine) -> None:
        start.wait()
        try:
            built.append(create_fresh(engine))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(built) == [False, True]
    assert current_revision(engines[0]) == HEAD_REVISION


class _LockedTwice:
    """A cursor whose first two journal-mode switches meet another connection's lock."""

    def __init__(self) -> None:
        self.attempts = 0

    def execute(self, sql: str) -> None:
        self.attempts += 1
        if self.attempts <= 2:
            raise sqlite3.OperationalError("database is locked")


def test_switching_a_new_file_to_wal_waits_out_another_connections_lock() -> None:
    cur = _LockedTwice()
    _switch_to_wal(cur)
    assert cur.attempts == 3


def test_a_wal_switch_failing_for_another_reason_is_not_retried() -> None:
    class Broken:
        attempts = 0

        def execute(self, sql: str) -> None:
            Broken.attempts += 1
            raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _switch_to_wal(Broken())
    assert Broken.attempts == 1
