"""What the notifier reads of the configuration, declared here as protocols so that the notifier
depends on no other package's config types: any object with these attributes will do (the
application shell passes the parsed sources.toml), and a bad ``[notify.*]`` table is a
:class:`storage.errors.ConfigError` naming ``file:line: notify.NAME.key``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


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
