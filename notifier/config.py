"""What the notifier reads of the configuration, declared here as protocols so that the notifier
depends on no other package's config types: any object with these attributes will do (the
application shell passes the parsed sources.toml), and a bad ``[notify.*]`` table is a
:class:`ChannelConfigError` naming ``file:line: notify.NAME.key``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class ChannelConfigError(ValueError):
    """A bad ``[notify.*]`` table; the CLI prints it as a configuration error and exits 2."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field = path, line, field
        where = path or "config"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class ChannelTable(Protocol):
    """One ``[notify.NAME]`` table as written, with the line of each key."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def options(self) -> Mapping[str, Any]: ...
    def line_of(self, key: str) -> int | None: ...


class NotifySettings(Protocol):
    """The ``[settings]`` the notifier uses."""

    @property
    def timezone(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def health_failures(self) -> int: ...


class NotifyConfig(Protocol):
    """The configuration as the notifier sees it: its channels, its settings, the file's path."""

    @property
    def settings(self) -> NotifySettings: ...
    @property
    def channels(self) -> Sequence[ChannelTable]: ...
    @property
    def path(self) -> str | None: ...
