"""Web UI latency on a large history (run by hand; not part of the test suite).

    python3 bench/bench_web.py                       # 200 sources x 100 versions x ~50 KB
    python3 bench/bench_web.py --sources 20 --versions 20 --kb 10   # a quick look

Builds a SQLite database through Repository.record_check (the cycle's own write path, so the FTS5
triggers index every text as they would in production), then times each page in-process through
Starlette's TestClient (ASGI + routing + queries + templates; no network) and reports medians.
Texts are cheap but realistic: each source gets ~50 KB of policy-like sentences under numbered
headings, and each version rewrites a few sentences and numbers of the previous one. The database
is kept (--db) so reruns skip generation. Targets: dashboard, timeline, change <= 150 ms median;
search <= 300 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import open_database  # noqa: E402
from storage.records import NewChange, NewCheck, NewSnapshot, NewVersion, SourceInfo  # noqa: E402
from storage.repo import Repository  # noqa: E402

WORDS = ("model capability threshold evaluation safeguard deployment security weights risk "
         "assessment red-teaming uplift biological cyber autonomy report publish board "
         "oversight governance mitigation response pause halt escalate commitment frontier "
         "training compute evaluation cadence third-party government testing alignment "
         "sabotage deception monitoring incident disclosure audit policy update version").split()
MODALS = ("will", "must", "may", "should", "aim to", "commit to")
COMPANIES = ("Anthropic", "OpenAI", "Google DeepMind", "Meta", "xAI", "Microsoft", "Amazon",
             "Mistral", "Cohere", "NVIDIA")
SEVERITIES = ("none", "low", "medium", "high")
CATS = ("thresholds", "evaluations", "publication", "mitigations", "response", "governance")


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(10, 22))
    return (f"We {rng.choice(MODALS)} " + " ".join(words) + f" every {rng.randint(2, 12)}x "
            f"within {rng.randint(1, 24)} months.")


def base_document(rng: random.Random, kb: int) -> list[str]:
    lines: list[str] = []
    size = 0
    section = 0
    while size < kb * 1024:
        if section == 0 or rng.random() < 0.06:
            section += 1
            lines.append(f"# {section} {rng.choice(WORDS).title()} {rng.choice(WORDS)}")
        s = sentence(rng)
        lines.append(s)
        size += len(s) + 1
    return lines


def sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def generate(url: str, n_sources: int, n_versions: int, kb: int) -> None:
    db = open_database(url)
    repo = Repository(db)
    rng = random.Random(7)
    repo.sync_sources([SourceInfo(id=f"src-{i:03d}", company=COMPANIES[i % len(COMPANIES)],
                                  title=f"Frontier Safety Framework {i}",
                                  url=f"https://example.org/{i}", kind="page", enabled=True,
                                  origin="config") for i in range(n_sources)])
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    start = time.perf_counter()
    for i in range(n_sources):
        sid = f"src-{i:03d}"
        lines = base_document(rng, kb)
        prev: int | None = None
        for v in range(n_versions):
            when = t0 + timedelta(days=v * 3, minutes=i)
            hunks = []
            if v:
                for _ in range(rng.randint(1, 4)):
                    k = rng.randrange(len(lines))
                    if lines[k].startswith("#"):
                        continue
                    old, lines[k] = lines[k], sentence(rng)
                    cats = rng.sample(CATS, k=rng.randint(0, 2))
                    sev = rng.choice(SEVERITIES[1:]) if cats else "low"
                    hunks.append({"section": f"{k // 40} Section", "old": old, "new": lines[k],
                                  "categories": cats, "signals": ["reworded"], "severity": sev,
                                  "because": ["bench"], "removed": [], "added": []})
            text = "\n".join(lines)
            body = text.encode()
            if rng.random() < 0.03:  # an occasional failed fetch
                repo.record_check(NewCheck(source_id=sid, url=f"https://example.org/{i}",
                                           started_at=when - timedelta(hours=1), status="error",
                                           error_kind="timeout", error_message="timed out"),
                                  failed=True)
            change = None
            if v and hunks:
                sev = max((h["severity"] for h in hunks), key=SEVERITIES.index)
                cats = sorted({c for h in hunks for c in h["categories"]})
                change = NewChange(severity=sev, categories=tuple(cats), signals=("reworded",),
                                   summary=f"{len(hunks)} passages reworded", detected_at=when,
                                   diff={"severity": sev, "categories": cats, "seoul": [],
                                         "signals": ["reworded"], "summary": "bench",
                                         "hunks": hunks})
            _, vid, _ = repo.record_check(
                NewCheck(source_id=sid, url=f"https://example.org/{i}", started_at=when,
                         status="ok", http_status=200, elapsed_ms=100),
                snapshot=NewSnapshot(sha256=sha(body), content_type="text/plain", body=body),
                version=NewVersion(document_url=f"https://example.org/{i}", text=text,
                                   text_sha256=sha(text), extractor_version="bench",
                                   kind="first" if v == 0 else "change", fetched_at=when),
                change=change, previous_version_id=prev)
            prev = vid
        if (i + 1) % 10 == 0:
            print(f"  {i + 1}/{n_sources} sources, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
    db.dispose()


def timed(client: object, path: str, reps: int) -> tuple[float, float]:
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        r = client.get(path)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return statistics.median(samples), max(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="/tmp/framewatch-bench/web.db")
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--versions", type=int, default=100)
    ap.add_argument("--kb", type=int, default=50)
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    path = Path(args.db)
    url = f"sqlite:///{path}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.sources} x {args.versions} versions of ~{args.kb} KB in {path}",
              file=sys.stderr)
        t = time.perf_counter()
        generate(url, args.sources, args.versions, args.kb)
        print(f"generated in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

    from web.app import create_app

    db = open_database(url)
    counts = Repository(db).counts()
    client = TestClient(create_app(db))
    mid_change = counts["changes"] // 2 or 1
    pages = [
        ("dashboard /", "/", 150),
        ("source timeline /sources/src-100", f"/sources/src-{min(100, args.sources - 1):03d}", 150),
        (f"change /changes/{mid_change}", f"/changes/{mid_change}", 150),
        (f"version /versions/{counts['versions'] // 2}", f"/versions/{counts['versions'] // 2}", None),
        ("feed /feed.atom", "/feed.atom", None),
        ("api /api/sources", "/api/sources", None),
        ("search 'safeguard' (every version)", "/search?q=safeguard", 300),
        ("search 'sabotage deception audit'", "/search?q=sabotage+deception+audit", 300),
        ("search 'zzzabsent' (no match)", "/search?q=zzzabsent", 300),
        ("search one source 'halt'", "/search?q=halt&source=src-007", 300),
    ]
    size = path.stat().st_size / 1e9
    print(f"\n{counts['sources']} sources, {counts['versions']} versions, {counts['changes']} "
          f"changes, {counts['checks']} checks; database {size:.2f} GB; {args.reps} reps each\n")
    print(f"{'page':45} {'median ms':>10} {'max ms':>8}  target")
    for name, p, target in pages:
        client.get(p)  # warm: first-touch page cache and template compilation
        med, worst = timed(client, p, args.reps)
        verdict = "" if target is None else ("ok" if med <= target else f"OVER {target}")
        print(f"{name:45} {med:10.1f} {worst:8.1f}  {verdict}")


if __name__ == "__main__":
    main()
