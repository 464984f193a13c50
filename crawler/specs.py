"""A source as storage keeps it, and the typed spec read back from it.

Storage keeps a source's settings as JSON (a discovered source exists only there). They are read
back once, here, into a :class:`crawler.config.SourceConfig`; the cycle, the kinds and the fetchers
work on its typed fields.
"""

from __future__ import annotations

from crawler.config import SourceConfig
from crawler.extract import ExtractRules
from storage.records import SourceInfo


def source_info(s: SourceConfig) -> SourceInfo:
    return SourceInfo(id=s.id, company=s.company, title=s.title, url=s.url, kind=s.kind,
                      enabled=s.enabled, origin="config", settings=s.stored_settings())


def source_spec(info: SourceInfo) -> SourceConfig:
    """The typed spec of a stored source."""
    return SourceConfig.from_stored(id=info.id, company=info.company, title=info.title,
                                    url=info.url, kind=info.kind, enabled=info.enabled,
                                    settings=info.settings)


def extract_rules(spec: SourceConfig) -> ExtractRules:
    return ExtractRules(select=spec.select, remove=spec.remove, ignore=spec.ignore)
