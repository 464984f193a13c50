"""Trying a source before watching it: one real fetch and extraction, nothing kept.

`framewatch try URL --select …` must show exactly what `framewatch run` would record, for every
kind (a followed link, an index's links, a browser-rendered page), so it runs the real cycle on
a one-source configuration against a throwaway database that is deleted afterwards. What the
rules matched (elements per selector, matches per ignore pattern) is counted on the fetched
bytes, so a selector that matches nothing, or the wrong thing, is visible before it is saved.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crawler.config import Config, Settings, SourceConfig
from storage.records import CheckInfo


@dataclass(frozen=True)
class RuleMatch:
    """How often one rule matched: elements for a CSS selector, matches for a regex."""

    rule: str  # "select", "remove", "ignore", "follow"
    pattern: str
    count: int


@dataclass(frozen=True)
class Trial:
    source: SourceConfig
    status: str  # the cycle's outcome: first, failed, …
    message: str
    error_kind: str | None
    checks: tuple[CheckInfo, ...]
    text: str | None
    document_url: str | None
    title: str | None
    matches: tuple[RuleMatch, ...]

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def try_source(source: SourceConfig, settings: Settings) -> Trial:
    """Fetch and extract `source` once, as a cycle would; keep nothing."""
    from crawler.cycle import Cycle
    from storage.db import open_database
    from storage.repo import Repository

    quiet = [logging.getLogger(name) for name in ("storage.db", "framewatch.cycle")]
    levels = [q.level for q in quiet]
    for q in quiet:  # "upgrading database schema at /tmp/…" is no news for a throwaway database
        q.setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="framewatch-try-") as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'try.db'}")
        try:
            config = Config(settings=settings, sources=(source,))
            report = asyncio.run(Cycle(config, db).run([source.id]))
            outcome = next(o for o in report.outcomes if o.source_id == source.id)
            repo = Repository(db)
            checks = tuple(reversed(repo.checks(source.id)))
            versions = repo.history(source.id, limit=1)
            version = repo.get_version(versions[0].id) if versions else None
            # The rules apply to the document that is versioned: the followed one for `follow`.
            want = version.document_url if version and source.kind == "follow" else source.url
            body = next((repo.snapshot_bytes(c.snapshot_sha256)[0] for c in checks
                         if c.snapshot_sha256 and want in (c.url, c.final_url)), None)
            matches = count_matches(source, body, page=source.kind != "follow") \
                if body is not None else ()
        finally:
            db.dispose()
            for q, level in zip(quiet, levels, strict=True):
                q.setLevel(level)
    return Trial(source=source, status=outcome.status, message=outcome.message,
                 error_kind=outcome.error_kind, checks=checks,
                 text=version.text if version else None,
                 document_url=version.document_url if version else None,
                 title=version.title if version else None, matches=matches)


def count_matches(source: SourceConfig, body: bytes, *, page: bool = True) -> tuple[RuleMatch, ...]:
    """Elements each selector matches in `body`, and matches of each ignore pattern in the
    text extracted without them; the `follow` selector only when `body` is the linking page."""
    from crawler.extract import ExtractError, ExtractRules, detect_format, extract

    out: list[RuleMatch] = []
    try:
        fmt = detect_format(body, None)
    except ExtractError:
        return ()
    selectors = [("select", s) for s in source.select] + [("remove", s) for s in source.remove]
    if source.follow and page:
        selectors.append(("follow", source.follow))
    if fmt == "html" and selectors:
        import lxml.html

        from crawler.extract_html import compile_selector

        try:
            tree = lxml.html.document_fromstring(body)
        except (ValueError, lxml.etree.ParserError):
            tree = None
        for rule, sel in selectors:
            count = len(compile_selector(sel)(tree)) if tree is not None else 0
            out.append(RuleMatch(rule, sel, count))
    if source.ignore:
        try:
            text = extract(body, None, ExtractRules(select=source.select, remove=source.remove)).text
        except ExtractError:
            text = ""
        for pat in source.ignore:
            out.append(RuleMatch("ignore", pat, len(re.findall(pat, text, re.MULTILINE))))
    return tuple(out)
