"""Storage: the only place that knows about SQLAlchemy.

Everything above this package talks to :class:`storage.repo.Repository` and receives plain
dataclasses or model rows read inside a session it controls.
"""

from storage.db import Database, open_database

__all__ = ["open_database", "Database"]
