"""The exceptions every `framewatch` command catches, in a module of its own so that catching
them costs no SQLAlchemy import (most commands never open a database).

:class:`ConfigError` is here, beside storage's own, because the crawler (sources.toml's sources
and settings) and the notifier (its ``[notify.*]`` tables) both raise it and neither may import
the other; the app shell prints either the same way and exits 2.
"""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem, named as ``file:line: field: message`` because the people who
    edit the file are not necessarily programmers."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field = path, line, field
        where = path or "config"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class DatabaseError(Exception):
    """The database cannot be opened or upgraded; the message says which and why."""


class NoDatabase(DatabaseError):
    """A command that only reads was pointed at a database that does not exist (yet, or a typo
    in the path): it says so instead of creating an empty one."""
