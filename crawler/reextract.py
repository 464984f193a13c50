"""`framewatch reextract [SOURCE]`: bring stored text up to the current extractor and selectors.

When a source's `select` / `remove` / `ignore` rules or the extractor change, the stored text no
longer matches what a fresh extraction of the same bytes gives, and the next real change would be
diffed against stale text (a flood of differences nobody made). Re-extraction reads the raw
snapshot of each source's latest version (by fetch time), extracts it again with the rules now in
sources.toml, and — if the text differs — records a version of kind ``technical``: same snapshot,
same document URL, fetched now. Its Change has severity ``none`` and the signal ``technical``, and
no Delivery rows, so it never alerts; the history shows it. Sources whose latest version is a
removal have no bytes to re-read and are skipped. Idempotent: a second run finds nothing to do.

Only the latest version is rebuilt: older versions stay as they were recorded (they are evidence of
what was seen then); future diffs start from the re-extracted text. The commitments ledger, being
derived from the texts, is brought up to date for every version that lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.config import Config
from crawler.work import ExtractJob, extract_and_diff
from differ.policy import Facts, decide
from storage.db import Database
from storage.records import NewChange, NewVersion, SourceInfo
from storage.repo import Repository

REEXTRACTED = "the current extractor and selectors"
"""Why a re-extraction's technical change exists, as its summary says."""


@dataclass
class ReextractReport:
    checked: int = 0
    unchanged: int = 0
    technical: list[int] = field(default_factory=list)  # new version ids
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    ledger: int = 0  # versions whose commitments were (re)derived

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "unchanged": self.unchanged,
                "technical_versions": self.technical, "skipped": self.skipped,
                "failures": self.failures, "ledger_versions": self.ledger}


def reextract(config: Config, db: Database, only: str | None = None) -> ReextractReport:
    from crawler.specs import source_info

    repo = Repository(db)
    repo.sync_sources(source_info(s) for s in config.sources)  # the rules now in sources.toml
    report = ReextractReport()
    for source in repo.list_sources():
        if only is not None and source.id != only:
            continue
        if only is None and not source.enabled:
            continue
        report.checked += 1
        reextract_source(config, repo, source, report)
    from crawler.ledger import rebuild

    # The commitments ledger is derived from the texts: bring it up to them (new technical
    # versions, versions recorded before the ledger or by an older commitment model).
    report.ledger = rebuild(db, only, missing_only=True).versions
    return report


def reextract_source(config: Config, repo: Repository, source: SourceInfo,
                     report: ReextractReport) -> None:
    from crawler.specs import extract_rules, source_spec

    rules = extract_rules(source_spec(source))
    history = repo.history(source.id, limit=1)  # newest by fetch time, whatever its id
    if not history or history[0].kind == "removed" or not history[0].snapshot_sha256:
        report.skipped.append(source.id)
        return
    latest = history[0]
    body, content_type = repo.snapshot_bytes(latest.snapshot_sha256)  # type: ignore[arg-type]
    old_text = repo.version_text(latest.id)
    settings = config.settings
    outcome = extract_and_diff(ExtractJob(
        body=body, content_type=content_type, rules=rules,
        url=latest.document_url, previous_text=old_text, max_pdf_pages=settings.max_pdf_pages,
        pdf_timeout=settings.pdf_timeout))
    if outcome.error_kind is not None or outcome.text is None or outcome.text_sha256 is None:
        report.failures.append(f"{source.id}: {outcome.error_kind}: {outcome.error_message}")
        return
    if outcome.text_sha256 == latest.text_sha256:
        report.unchanged += 1
        return
    from crawler.fingerprint import rules_fingerprint
    from crawler.ledger import ledger_after

    now = datetime.now(UTC)
    version = NewVersion(document_url=latest.document_url, text=outcome.text,
                         text_sha256=outcome.text_sha256,
                         extractor_version=outcome.extractor_version, kind="technical",
                         fetched_at=now, title=outcome.title or latest.title,
                         rules_fingerprint=rules_fingerprint(rules,
                                                             outcome.extractor_version),
                         ledger=ledger_after(repo.db, source, outcome.text, latest.id,
                                             old_text))
    vid, _ = repo.insert_history_version(
        source.id, version, snapshot_sha256=latest.snapshot_sha256,
        change=NewChange.decided(decide(outcome.diff or {}, Facts(technical=REEXTRACTED)), now),
        previous_version_id=latest.id)
    report.technical.append(vid)
