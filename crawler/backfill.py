"""`framewatch backfill SOURCE`: import a document's earlier states from the Internet Archive.

A watch that starts today knows nothing of last year's wording; the Wayback Machine often does.
The CDX API lists captures (``collapse=digest`` drops consecutive identical ones); each capture's
raw body comes from ``{archive_url}/web/{timestamp}id_/{original}`` (``id_`` = the bytes as
archived, without the Wayback toolbar). Each capture whose text differs from the version before it
in time becomes a version of kind ``archived``, with the capture time as ``fetched_at``, and a
Change against that predecessor that is never alerted (no Delivery rows: it is history, not news).

Policy, so that the live watch stays the authority on the present:

* captures **older than the latest live version** are imported where they fall in time (before
  the first live version, or between live versions); a live version that had no change (the
  "first") gets one against the newest archived text before it;
* captures **newer than the latest live version** are skipped (reported as ``skipped_newer``):
  importing them would make an un-alerted archive copy the baseline of the next live diff and
  swallow a real change. The next ``framewatch run`` fetches the present document itself. A source
  with no live version yet has no such bound: everything is imported, and its first live run
  diffs against the newest capture;
* idempotent: captures whose raw bytes (the CDX digest, SHA-1 base32) or capture time are already
  in the history are not fetched again; running twice adds nothing;
* polite: one request at a time, ``--delay`` seconds apart (default 1 s), with the fetcher's
  timeouts, retries, back-off and Retry-After handling from ``[settings]``.

Supported kinds: ``page`` and ``pdf`` (the document is at the source URL). ``follow`` and
``index`` sources would need the archived link target resolved per capture; not done yet.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from crawler.config import Config
from crawler.fetch import Fetcher
from crawler.fetch_errors import FetchError
from crawler.work import ExtractJob, extract_and_diff, text_hash
from differ.policy import decide
from storage.db import Database
from storage.records import NewChange, NewSnapshot, NewVersion, SourceInfo, VersionInfo
from storage.repo import Repository

log = logging.getLogger("framewatch.backfill")

BACKFILL_KINDS = ("page", "pdf")


class BackfillError(Exception):
    """The backfill cannot start (unknown source, unsupported kind): a usage error."""


@dataclass(frozen=True)
class Capture:
    """One row of a CDX answer."""

    timestamp: str  # YYYYMMDDhhmmss, UTC
    original: str
    mimetype: str
    statuscode: str
    digest: str

    @property
    def captured_at(self) -> datetime:
        ts = (self.timestamp + "00000000000000")[:14]
        return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass
class BackfillReport:
    source_id: str
    captures: int = 0
    imported: list[int] = field(default_factory=list)  # version ids, in time order
    skipped_known: int = 0
    skipped_same_text: int = 0
    skipped_newer: int = 0
    skipped_status: int = 0
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"source": self.source_id, "captures": self.captures,
                "imported": len(self.imported), "version_ids": self.imported,
                "skipped_known": self.skipped_known, "skipped_same_text": self.skipped_same_text,
                "skipped_newer": self.skipped_newer, "skipped_status": self.skipped_status,
                "failures": self.failures}


def cdx_query_url(archive_url: str, url: str, since: datetime | None,
                  until: datetime | None) -> str:
    params = [("url", url), ("output", "json"), ("collapse", "digest"),
              ("filter", "statuscode:200")]
    if since is not None:
        params.append(("from", since.astimezone(UTC).strftime("%Y%m%d")))
    if until is not None:
        params.append(("to", until.astimezone(UTC).strftime("%Y%m%d")))
    return f"{archive_url.rstrip('/')}/cdx/search/cdx?{urlencode(params)}"


def raw_capture_url(archive_url: str, capture: Capture) -> str:
    return f"{archive_url.rstrip('/')}/web/{capture.timestamp}id_/{capture.original}"


def parse_cdx(body: bytes) -> list[Capture]:
    """The CDX JSON answer: a list of rows, the first naming the fields (empty when none)."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return []
    rows = json.loads(text)
    if not isinstance(rows, list) or not rows:
        return []
    header = [str(h) for h in rows[0]]
    missing = {"timestamp", "original", "statuscode", "digest"} - set(header)
    if missing:
        raise ValueError(f"CDX answer lacks field(s) {sorted(missing)}; first row was {header}")
    out = []
    for row in rows[1:]:
        if not isinstance(row, list) or len(row) != len(header):
            continue
        rec = dict(zip(header, (str(x) for x in row), strict=True))
        if not rec["timestamp"].isdigit() or len(rec["timestamp"]) < 8:
            continue
        out.append(Capture(rec["timestamp"], rec["original"], rec.get("mimetype", ""),
                           rec["statuscode"], rec["digest"]))
    return out


def wayback_digest(body: bytes) -> str:
    """The CDX `digest` of a body: SHA-1, base32."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")  # noqa: S324 - CDX's format


async def private_url_leak(config: Config, source: SourceInfo) -> str | None:
    """Why sending this source's URL to the archive would disclose a private address, or None.

    Asking a public archive about ``http://wiki.corp.internal/policy`` tells a third party the
    name and path of an intranet page. A private source is one allowed to fetch private
    addresses whose URL is (or resolves to) one; an archive on a private address (a
    self-hosted or test archive) learns nothing new."""
    from crawler import netguard

    archive_host = urlsplit(config.settings.archive_url).hostname or ""
    if not _public_host(archive_host):
        return None
    from crawler.specs import source_spec

    if not source_spec(source).allows_private(config.settings):
        return None  # it can only fetch public addresses: its URL is public
    try:
        await netguard.check_url_allowed(source.url, False)
    except FetchError as err:
        if err.kind in ("private_address", "dns"):
            return (f"source {source.id!r} watches {source.url}, which is "
                    f"{'a private address' if err.kind == 'private_address' else 'not a public name'}"
                    f"; backfilling would send that URL to {archive_host}. Pass "
                    "--allow-private-backfill if the archive may know it")
        raise
    return None


def _public_host(host: str) -> bool:
    import ipaddress

    name = host.strip("[]").lower()
    if name in ("localhost", "localhost.localdomain", "ip6-localhost") or name.endswith(
            (".localhost", ".local", ".internal", ".lan", ".home.arpa")):
        return False
    try:
        return ipaddress.ip_address(name).is_global
    except ValueError:
        return True  # a name: assume it is reachable from outside


async def backfill(config: Config, db: Database, source_id: str, *,
                   since: datetime | None = None, until: datetime | None = None,
                   delay: float = 1.0, allow_private_backfill: bool = False) -> BackfillReport:
    from crawler.cycle import fetch_options
    from crawler.specs import source_info

    repo = Repository(db)
    repo.sync_sources(source_info(s) for s in config.sources)
    source = repo.get_source(source_id)
    if source is None:
        raise BackfillError(f"unknown source {source_id!r} (see `framewatch sources list`)")
    if source.kind not in BACKFILL_KINDS:
        raise BackfillError(f"source {source_id!r} is kind {source.kind!r}; backfill supports "
                            f"{', '.join(BACKFILL_KINDS)} sources")
    if not allow_private_backfill:
        leak = await private_url_leak(config, source)
        if leak:
            raise BackfillError(leak)
    report = BackfillReport(source_id)
    settings = config.settings
    async with Fetcher(fetch_options(config)) as fetcher:
        query = cdx_query_url(settings.archive_url, source.url, since, until)
        try:
            answer = await fetcher.fetch(query, allow_private=settings.allow_private)
        except FetchError as err:
            report.failures.append(f"CDX query failed: {err.kind}: {err.message}")
            return report
        if answer.gone:
            return report  # the archive knows nothing of this URL
        try:
            captures = sorted(parse_cdx(answer.body), key=lambda c: c.timestamp)
        except ValueError as exc:
            report.failures.append(f"CDX answer unreadable: {exc}")
            return report
        report.captures = len(captures)
        await _import_captures(config, repo, source, captures, fetcher, report, delay)
    _link_unlinked_versions(repo, source.id)
    return report


async def _import_captures(config: Config, repo: Repository, source: SourceInfo,
                           captures: list[Capture], fetcher: Fetcher, report: BackfillReport,
                           delay: float) -> None:
    from crawler.specs import extract_rules, source_spec

    settings = config.settings
    history = _in_time_order(repo, source.id)
    live = [v for v in history if v.kind != "archived"]
    bound = max((v.fetched_at for v in live), default=None)
    known_times = {v.fetched_at for v in history}
    known_digests = {wayback_digest(repo.snapshot_bytes(sha)[0])
                     for sha in {v.snapshot_sha256 for v in history if v.snapshot_sha256}}
    first_request = True
    for cap in captures:
        if cap.statuscode != "200":
            report.skipped_status += 1
            continue
        when = cap.captured_at
        if bound is not None and when >= bound:
            report.skipped_newer += 1
            continue
        if when in known_times or cap.digest in known_digests:
            report.skipped_known += 1
            continue
        if not first_request and delay > 0:
            await asyncio.sleep(delay)
        first_request = False
        url = raw_capture_url(settings.archive_url, cap)
        try:
            result = await fetcher.fetch(url, allow_private=settings.allow_private)
        except FetchError as err:
            report.failures.append(f"{cap.timestamp}: {err.kind}: {err.message}")
            continue
        if result.gone or not result.body:
            report.failures.append(f"{cap.timestamp}: {url} answered HTTP {result.status_code}")
            continue
        known_digests.add(cap.digest)
        known_digests.add(wayback_digest(result.body))
        prev = next((v for v in reversed(history)
                     if v.fetched_at < when and v.kind != "removed"), None)
        prev_text = repo.version_text(prev.id) if prev is not None else None
        job = ExtractJob(body=result.body, content_type=result.content_type or cap.mimetype or None,
                         rules=extract_rules(source_spec(source)), url=cap.original, previous_text=prev_text,
                         max_pdf_pages=settings.max_pdf_pages, pdf_timeout=settings.pdf_timeout)
        outcome = await asyncio.to_thread(extract_and_diff, job)
        if outcome.error_kind is not None or outcome.text is None or outcome.text_sha256 is None:
            report.failures.append(f"{cap.timestamp}: {outcome.error_kind}: {outcome.error_message}")
            continue
        if prev is not None and prev.text_sha256 == outcome.text_sha256:
            report.skipped_same_text += 1
            continue
        sha = hashlib.sha256(result.body).hexdigest()
        change = None
        if prev is not None and outcome.diff is not None:
            change = NewChange.decided(decide(outcome.diff), when)
        version = NewVersion(document_url=cap.original, text=outcome.text,
                             text_sha256=outcome.text_sha256,
                             extractor_version=outcome.extractor_version, kind="archived",
                             fetched_at=when, title=outcome.title or None)
        vid, _ = repo.insert_history_version(
            source.id, version, snapshot=NewSnapshot(sha, result.content_type, result.body),
            change=change, previous_version_id=prev.id if prev else None)
        report.imported.append(vid)
        known_times.add(when)
        history = _in_time_order(repo, source.id)
        log.info("backfill %s: imported capture %s as version %d", source.id, cap.timestamp, vid)


def _in_time_order(repo: Repository, source_id: str) -> list[VersionInfo]:
    return list(reversed(repo.history(source_id)))


def _link_unlinked_versions(repo: Repository, source_id: str) -> None:
    """Every version with an older, different-text predecessor gets a change (never alerted):
    the live "first" version after archived captures, or an archived version that a later,
    earlier-reaching backfill put something before."""
    from crawler.work import diff_texts

    prev: VersionInfo | None = None
    for v in _in_time_order(repo, source_id):
        if v.kind == "removed":
            continue
        if prev is not None and prev.text_sha256 != v.text_sha256 \
                and repo.change_for_version(v.id) is None:
            old, new = repo.version_text(prev.id), repo.version_text(v.id)
            if text_hash(old) != text_hash(new):
                repo.add_change_if_missing(source_id, prev.id, v.id,
                                           NewChange.decided(decide(diff_texts(old, new)),
                                                             v.fetched_at))
        prev = v
