"""Benchmark: how big does the database get after a year of daily cycles, and how fast?

Simulates DAYS daily cycles over DOCS documents through the real write path
(storage.Repository.record_check, one transaction per fetch, exactly as the cycle writes) and the
real differ (differ.compare on every change):

* documents are ~50 KB of real safety-framework text (../shared/corpus, paragraphs rotated per
  document), served as ~60 KB HTML with a nav bar and a per-day timestamp, so the raw bytes change
  every day while the text does not (that costs a Check row, not a Snapshot: snapshots are only
  stored with a new version);
* each day a fraction CHANGE_RATE of the documents changes 1–3 sentences (a number, a modal
  verb, a removed sentence) — a new snapshot, version, change (diff JSON) and outbox row.

It reports the SQLite file size (and where the bytes are, from the dbstat table), the time of
the writes and of the diffs, and then times `db check`, `db backup` and `db vacuum` on the result.

    python3 bench/bench_scale.py                       # 365 days x 200 docs, 2 % change/day
    python3 bench/bench_scale.py --days 30 --docs 50   # a quick look
    python3 bench/bench_scale.py --db postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from differ.compare import compare  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.records import NewChange, NewCheck, NewSnapshot, NewVersion, SourceInfo  # noqa: E402
from storage.repo import Repository  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
HEADERS = {"content-type": "text/html; charset=utf-8", "server": "cloudflare",
           "cache-control": "public, max-age=0, must-revalidate", "vary": "Accept-Encoding",
           "x-frame-options": "DENY", "strict-transport-security": "max-age=63072000",
           "content-security-policy": "default-src 'self'; img-src * data:; " * 3,
           "cf-ray": "8c1f2e3d4b5a6978-LHR", "age": "0", "x-cache": "MISS"}
NAV = "".join(f'<li><a href="/section-{i}">Section {i}</a></li>' for i in range(60))


def corpus_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        text = text.split("-----\n", 1)[1] if "-----\n" in text else text
        paras += [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) > 40]
    if not paras:
        raise SystemExit(f"no corpus at {CORPUS}: this benchmark needs real policy text")
    return paras


def make_document(paras: list[str], doc: int, size: int) -> list[str]:
    start = (doc * 37) % len(paras)
    out, total, i = [f"# Frontier Safety Document {doc}"], 0, start
    while total < size:
        out.append(paras[i % len(paras)])
        total += len(out[-1]) + 2
        i += 1
    return out


def edit(doc: list[str], rng: random.Random) -> list[str]:
    """1–3 small substantive edits: a number, a modal verb, or a dropped sentence."""
    doc = list(doc)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(doc))
        p = doc[i]
        roll = rng.random()
        if roll < 0.4 and re.search(r"\d+", p):
            doc[i] = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), p, count=1)
        elif roll < 0.7 and re.search(r"\bwill\b", p):
            doc[i] = re.sub(r"\bwill\b", "may", p, count=1)
        else:
            sentences = re.split(r"(?<=[.!?])\s+", p)
            if len(sentences) > 1:
                sentences.pop(rng.randrange(len(sentences)))
                doc[i] = " ".join(sentences)
            else:
                doc[i] = p + " We will review this commitment annually."
    return doc


def html(doc: list[str], day: int) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in doc[1:])
    return (f"<html><head><title>{doc[0]}</title></head><body><nav><ul>{NAV}</ul></nav>"
            f"<main><h1>{doc[0][2:]}</h1>{body}</main><footer>Generated {day}</footer>"
            f"</body></html>").encode()


def sqlite_breakdown(path: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name "
                            "ORDER BY 2 DESC LIMIT 12").fetchall()
    except sqlite3.OperationalError:
        rows = []
    finally:
        conn.close()
    return [(r[0], r[1]) for r in rows]


def timed_cli(*args: str) -> tuple[float, str]:
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "framewatch", *args], cwd=ROOT,
                         capture_output=True, text=True)
    return time.monotonic() - started, (out.stdout + out.stderr).strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--size", type=int, default=50_000, help="text bytes per document")
    ap.add_argument("--change-rate", type=float, default=0.02,
                    help="fraction of documents whose text changes each day")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in a temp dir)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="fw-scale-"))
    url = args.db or f"sqlite:///{tmp / 'framewatch.db'}"
    db = open_database(url)
    repo = Repository(db)
    paras = corpus_paragraphs()
    docs = [make_document(paras, d, args.size) for d in range(args.docs)]
    repo.sync_sources(SourceInfo(id=f"doc-{d}", company=f"Company {d % 12}", title=f"Doc {d}",
                                 url=f"https://example.org/doc-{d}", kind="page", enabled=True,
                                 origin="config") for d in range(args.docs))
    latest: dict[int, int] = {}
    texts = {d: "\n\n".join(doc) for d, doc in enumerate(docs)}
    t0 = datetime(2026, 1, 1, 6, tzinfo=UTC)
    write_s = diff_s = 0.0
    n_changes = 0
    started = time.monotonic()
    for day in range(args.days):
        changing = set(rng.sample(range(args.docs), k=max(0, round(args.docs * args.change_rate))))
        if day == 0:
            changing = set(range(args.docs))
        for d in range(args.docs):
            when = t0 + timedelta(days=day, seconds=d)
            url_d = f"https://example.org/doc-{d}"
            check = NewCheck(source_id=f"doc-{d}", url=url_d, final_url=url_d, started_at=when,
                             status="unchanged", http_status=200, elapsed_ms=rng.randint(80, 900),
                             headers=HEADERS, etag=None, run_id=f"run-{day}")
            if d not in changing:
                t = time.monotonic()
                repo.record_check(check)
                write_s += time.monotonic() - t
                continue
            old_text = texts[d] if d in latest else None
            if d in latest:
                docs[d] = edit(docs[d], rng)
            texts[d] = "\n\n".join(docs[d])
            body = html(docs[d], day)
            change = None
            if old_text is not None:
                t = time.monotonic()
                diff = compare(old_text, texts[d])
                diff_s += time.monotonic() - t
                change = NewChange(severity=diff.severity, categories=tuple(diff.categories),
                                   signals=tuple(diff.signals), summary=diff.summary,
                                   diff=diff.to_json(), detected_at=when, channels=("email",))
                n_changes += 1
            version = NewVersion(document_url=url_d, text=texts[d],
                                 text_sha256=hashlib.sha256(texts[d].encode()).hexdigest(),
                                 extractor_version="bench", kind="first" if old_text is None else "change",
                                 fetched_at=when, title=docs[d][0])
            t = time.monotonic()
            _, vid, _ = repo.record_check(
                NewCheck(**{**check.__dict__, "status": "ok"}),
                snapshot=NewSnapshot(hashlib.sha256(body).hexdigest(), "text/html", body),
                version=version, change=change, previous_version_id=latest.get(d))
            write_s += time.monotonic() - t
            latest[d] = vid or 0
        if (day + 1) % 30 == 0:
            print(f"  day {day + 1}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    counts = repo.counts()
    db.dispose()
    total_s = time.monotonic() - started

    print(f"{args.days} days x {args.docs} docs of ~{args.size // 1000} KB text, "
          f"{args.change_rate:.0%} of docs change per day (seed {args.seed})")
    print(f"rows: {counts}")
    print(f"simulation {total_s:.0f} s: writes {write_s:.0f} s "
          f"({write_s / max(1, counts['checks']) * 1000:.2f} ms per check), "
          f"diffs {diff_s:.0f} s ({diff_s / max(1, n_changes) * 1000:.0f} ms per change)")
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        print(f"SQLite file: {path.stat().st_size / 1e6:.1f} MB")
        for name, size in sqlite_breakdown(path):
            print(f"  {name:<40} {size / 1e6:8.1f} MB")
        for label, cli in (("db check", ("db", "check", "--db", url)),
                           ("db backup", ("db", "backup", "--db", url, str(tmp / "backup.db"))),
                           ("db vacuum", ("db", "vacuum", "--db", url))):
            seconds, last = timed_cli(*cli)
            print(f"{label}: {seconds:.1f} s — {last}")
    print(f"(files in {tmp})")


if __name__ == "__main__":
    main()
