"""Storage: the only place that knows about SQLAlchemy.

Everything above this package talks to :class:`storage.repo.Repository` and receives plain
dataclasses. The schema is Core tables (:mod:`storage.tables`), and what `framewatch run` calls
uses Core only; the ORM classes of :mod:`storage.models` serve the history-browsing reads.

``Database`` and ``open_database`` are loaded on first use: ``storage.records`` (plain
dataclasses) is imported by commands that never open a database, and must not cost them
SQLAlchemy's import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import Database, open_database

__all__ = ["open_database", "Database"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from storage import db

        return getattr(db, name)
    raise AttributeError(f"module 'storage' has no attribute {name!r}")
