"""The migrations and the ORM models describe one schema: a database upgraded to head has
exactly the tables, columns and indexes the models declare (the full-text search objects, made
by raw SQL outside the models, aside)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import create_db_engine, open_database, upgrade
from storage.models import Base

# What the search migrations make by raw SQL, outside the models: the FTS5 table and its shadow
# tables on SQLite, the table of text vectors and its index on PostgreSQL.
SEARCH_OBJECTS = ("versions_fts", "versions_tsv", "ix_versions_tsv")


def _modelled(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (reflected and compare_to is None and (name or "").startswith(SEARCH_OBJECTS))


def test_a_database_upgraded_to_head_matches_the_models(db_url: str) -> None:
    upgrade(create_db_engine(db_url))
    db = open_database(db_url)
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _modelled})
        assert compare_metadata(ctx, Base.metadata) == []


def test_commitments_are_indexed_by_source_only_through_the_source_key_index(db_url: str) -> None:
    db = open_database(db_url)
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("commitments")}
    assert indexes["ix_commitments_source_key"] == ["source_id", "key"]
    assert [name for name, cols in indexes.items() if cols == ["source_id"]] == []
