"""Routing: which channels get an outbox row for a change.

The cycle calls the router inside the transaction that records the change, so the outbox rows
exist exactly when the change does. A channel gets a row when the change meets its
``min_severity`` and its ``companies`` / ``categories`` / ``sources`` filters. On a digest
channel (``digest = "daily"``) a change below ``digest_below`` also gets a row, but the outbox
holds it for that day's digest instead of alerting at once (:mod:`notifier.outbox`). The
``maintainer`` channel never gets change alerts: it only hears about source health.
"""

from __future__ import annotations

from notifier.channels import MAINTAINER, Channel, channels_from_config
from notifier.config import NotifyConfig
from storage.records import NewChange, Router, SourceInfo


def route(channels: dict[str, Channel], source: SourceInfo, change: NewChange) -> tuple[str, ...]:
    """Names of the channels that want ``change`` of ``source`` (immediately or in a digest)."""
    return tuple(
        name for name, ch in channels.items()
        if name != MAINTAINER
        and ch.routing.wants(source.company, source.id, change.severity, tuple(change.categories))
    )


def make_router(config: NotifyConfig) -> Router:
    """The cycle's router; validates every ``[notify.*]`` table first (ConfigError → exit 2)."""
    channels = channels_from_config(config)

    def router(source: SourceInfo, change: NewChange) -> tuple[str, ...]:
        return route(channels, source, change)

    return router
