"""Storage's own exceptions, in a module of its own so that catching it costs no SQLAlchemy import
(every `framewatch` command catches it, most never open a database)."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be opened or upgraded; the message says which and why."""


class NoDatabase(DatabaseError):
    """A command that only reads was pointed at a database that does not exist (yet, or a typo
    in the path): it says so instead of creating an empty one."""
