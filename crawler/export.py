"""`framewatch export DIR [--git]`: the history as an open dataset.

Layout: ``DIR/<Company>/<Document>/<fetch time>.md`` — one Markdown file per version, a JSON-quoted
front matter (source, version, kind, time, URLs, hashes) then the extracted text — plus
``DIR/manifest.csv`` (one row per version), and ``<Company>/<Document>/latest.md``, a copy of the
newest version. With ``--git``, DIR is a git repository and every
version is its own commit whose author and committer dates are the fetch time, so
``git log -p Company/Document`` reads as the document's history (``latest.md`` gives the
word-level diffs; archived captures exported later are committed at their capture date but do
not move ``latest.md`` back).

Incremental and deterministic: a file is written only when missing or different, the manifest is
sorted, so a second export of the same history changes no byte and makes no commit; versions
added since (new cycles, a backfill) become new files and new commits.

Safety: names come from titles that an index page can set, so every path component is reduced to
a safe file name (no separators, no leading dots, no reserved device names, bounded length) and
the final path is checked to lie inside DIR. Nothing from the configuration but company and title
is exported (no settings, no channels, no secrets), and credentials embedded in URLs
(``user:pass@host``) are stripped. Spreadsheet formula prefixes in text cells are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from storage.db import Database
from storage.records import SourceInfo, VersionInfo, iso
from storage.repo import Repository

MANIFEST = "manifest.csv"
_OWN_NAMES = {MANIFEST, ".git"}  # top-level names the export itself writes or uses
LATEST = "latest.md"  # the newest version again, so `git log -p` on it reads as diffs
MANIFEST_FIELDS = ("source", "company", "document", "version_time", "url", "final_url",
                   "sha256_raw", "sha256_text", "kind", "version_id", "path")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "framewatch", "GIT_AUTHOR_EMAIL": "framewatch@localhost",
                "GIT_COMMITTER_NAME": "framewatch", "GIT_COMMITTER_EMAIL": "framewatch@localhost"}


class ExportError(Exception):
    """The export cannot be done (git missing or failing, DIR not writable)."""


@dataclass(frozen=True)
class ExportRow:
    source: str
    company: str
    document: str
    version_time: str
    url: str
    final_url: str
    sha256_raw: str
    sha256_text: str
    kind: str
    version_id: int
    path: str  # relative to DIR, with '/'
    fetched_at: datetime

    def csv_row(self) -> list[str]:
        return [self.source, _cell(self.company), _cell(self.document), self.version_time,
                self.url, self.final_url, self.sha256_raw, self.sha256_text, self.kind,
                str(self.version_id), self.path]


@dataclass
class ExportReport:
    written: int = 0
    unchanged: int = 0
    commits: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "unchanged": self.unchanged, "commits": self.commits}


def safe_name(value: str, fallback: str = "untitled") -> str:
    """One path component that is safe on every OS, whatever a hostile title contains."""
    name = unicodedata.normalize("NFKC", value)
    name = re.sub(r"[^\w .()-]+", "-", name, flags=re.UNICODE)  # '/', '\\', ':', controls …
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"-{2,}", "-", name).strip(" .-_")
    name = name[:80].rstrip(" .")
    if not name or name.split(".")[0].lower() in _RESERVED:
        name = f"{fallback}-{name}" if name else fallback
    return name


def company_dir(company: str) -> str:
    """A company's top-level directory: never one of the export's own top-level names
    (``company = "manifest.csv"`` would otherwise be a directory where the manifest goes),
    compared without case, as macOS and Windows file systems do."""
    name = safe_name(company, "company")
    if name.lower() in _OWN_NAMES:
        name = f"company-{name}"
    return name


def file_time(dt: datetime) -> str:
    """ISO 8601 UTC, with '-' for ':' so the name is valid on every file system."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H-%M-%S") + (f".{dt.microsecond:06d}" if dt.microsecond else "") + "Z"


def strip_credentials(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value




def plan(repo: Repository) -> list[tuple[ExportRow, VersionInfo, SourceInfo]]:
    """Every version of every source, with its file path, oldest first."""
    sources = repo.list_sources()
    doc_dirs: dict[str, str] = {}
    taken: dict[tuple[str, str], list[str]] = {}
    for s in sorted(sources, key=lambda s: s.id):
        key = (company_dir(s.company), safe_name(s.title, "document").lower())
        taken.setdefault(key, []).append(s.id)
    for s in sources:
        company = company_dir(s.company)
        doc = safe_name(s.title, "document")
        if len(taken[(company, doc.lower())]) > 1:  # two sources, one title: keep them apart
            doc = safe_name(f"{doc} ({s.id})", "document")
        doc_dirs[s.id] = f"{company}/{doc}"
    out = []
    for s in sources:
        finals = repo.final_urls(s.id)
        used: set[str] = set()
        for v in reversed(repo.history(s.id)):
            name = file_time(v.fetched_at)
            if name in used:
                name = f"{name}-v{v.id}"
            used.add(name)
            row = ExportRow(
                source=s.id, company=s.company, document=s.title, version_time=iso(v.fetched_at),
                url=strip_credentials(v.document_url), final_url=strip_credentials(finals.get(v.id)),
                sha256_raw=v.snapshot_sha256 or "", sha256_text=v.text_sha256, kind=v.kind,
                version_id=v.id, path=f"{doc_dirs[s.id]}/{name}.md", fetched_at=v.fetched_at)
            out.append((row, v, s))
    out.sort(key=lambda t: (t[0].fetched_at, t[0].version_id))
    return out


def render_version(row: ExportRow, text: str) -> str:
    meta = {"source": row.source, "company": row.company, "document": row.document,
            "version": row.version_id, "kind": row.kind, "fetched_at": row.version_time,
            "url": row.url, "final_url": row.final_url, "sha256_raw": row.sha256_raw,
            "sha256_text": row.sha256_text}
    # JSON strings are valid YAML scalars: a hostile title cannot break out of its line.
    head = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items())
    return f"---\n{head}\n---\n\n{text.rstrip()}\n"


def render_manifest(rows: list[ExportRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(MANIFEST_FIELDS)
    for r in sorted(rows, key=lambda r: (r.company, r.document, r.source, r.version_time,
                                         r.version_id)):
        w.writerow(r.csv_row())
    return buf.getvalue()


def export(db: Database, out_dir: str | os.PathLike[str], *, git: bool = False) -> ExportReport:
    root = Path(out_dir).resolve()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {out_dir}: {exc.strerror}") from None
    if git:
        _git_init(root)
    repo = Repository(db)
    report = ExportReport()
    rows = plan(repo)
    # Pass 1: what is already exported (so each commit's manifest lists everything present).
    done: list[ExportRow] = []
    pending: list[ExportRow] = []
    for row, version, _source in rows:
        content = render_version(row, repo.version_text(version.id))
        target = _inside(root, row.path)
        if target.exists() and target.read_text(encoding="utf-8") == content:
            report.unchanged += 1
            done.append(row)
        else:
            pending.append(row)
    # Pass 2: write (and commit) what is new, oldest first. latest.md follows the newest version
    # written so far, so an archived capture exported late never moves it back in time.
    latest_so_far: dict[str, ExportRow] = {}
    for row in done:
        d = row.path.rsplit("/", 1)[0]
        if d not in latest_so_far or _order(row) > _order(latest_so_far[d]):
            latest_so_far[d] = row
    for row in pending:
        content = render_version(row, repo.version_text(row.version_id))
        target = _inside(root, row.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        report.written += 1
        done.append(row)
        doc_dir = row.path.rsplit("/", 1)[0]
        paths = [row.path, MANIFEST]
        if doc_dir not in latest_so_far or _order(row) > _order(latest_so_far[doc_dir]):
            latest_so_far[doc_dir] = row
            _write_if_changed(_inside(root, f"{doc_dir}/{LATEST}"), content)
            paths.append(f"{doc_dir}/{LATEST}")
        if git:
            _write_if_changed(root / MANIFEST, render_manifest(done))
            message = (f"{row.company} / {row.document}: {row.kind} ({row.version_time})\n\n"
                       f"source {row.source}, version {row.version_id}\nurl {row.url}\n"
                       f"sha256 {row.sha256_raw}\n")
            if _git_commit(root, paths, message, row.fetched_at):
                report.commits += 1
    _write_if_changed(root / MANIFEST, render_manifest(done))
    for doc_dir, row in latest_so_far.items():  # e.g. a latest.md deleted by hand
        latest = _inside(root, f"{doc_dir}/{LATEST}")
        _write_if_changed(latest, render_version(row, repo.version_text(row.version_id)))
    if git and _git_commit(root, ["."], "framewatch export: sync", datetime.now(UTC)):
        report.commits += 1  # only when DIR held uncommitted files (an earlier plain export)
    return report


def _order(row: ExportRow) -> tuple[datetime, int]:
    return (row.fetched_at, row.version_id)


def _inside(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise ExportError(f"refusing to write outside {root}: {relative!r}")
    return target


def _write_if_changed(path: Path, content: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.write_text(content, encoding="utf-8")
    return True


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root,
                              capture_output=True, text=True, check=True,
                              env={**os.environ, **GIT_IDENTITY, **(env or {})})
    except subprocess.CalledProcessError as exc:
        raise ExportError(f"git {args[0]} failed: {exc.stderr.strip()[:500]}") from None
    return done.stdout


def _git_init(root: Path) -> None:
    if shutil.which("git") is None:
        raise ExportError("--git needs the git command (apt-get install git)")
    if not (root / ".git").exists():
        _git(root, "init", "-q")


def _git_commit(root: Path, paths: list[str], message: str, when: datetime) -> bool:
    """Commit `paths` if they changed; the fetch time is both author and committer date."""
    _git(root, "add", "--", *paths)
    if not _git(root, "status", "--porcelain", "--", *paths).strip():
        return False
    stamp = f"@{int(when.timestamp())} +0000"
    _git(root, "commit", "-q", "-m", message, "--", *paths,
         env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    return True
