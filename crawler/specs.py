"""A configured source as storage keeps it, and the extraction rules read back from it."""

from __future__ import annotations

from crawler.config import SourceConfig
from crawler.extract import ExtractRules
from storage.records import SourceInfo


def source_info(s: SourceConfig) -> SourceInfo:
    settings = s.stored_settings()
    if s.allow_private is not None:
        settings["allow_private"] = s.allow_private
    if s.user_agent:
        settings["user_agent"] = s.user_agent
    return SourceInfo(id=s.id, company=s.company, title=s.title, url=s.url, kind=s.kind,
                      enabled=s.enabled, origin="config", settings=settings)


def extract_rules(source: SourceInfo) -> ExtractRules:
    st = source.settings
    return ExtractRules(select=tuple(st.get("select") or ()), remove=tuple(st.get("remove") or ()),
                        ignore=tuple(st.get("ignore") or ()))
