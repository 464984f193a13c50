"""Commitments-ledger pages on a large history (run by hand; not part of the test suite).

    python3 bench/bench_ledger.py                        # 200 sources x 100 versions = 20,000
    python3 bench/bench_ledger.py --sources 20 --versions 10    # a quick look
    python3 bench/bench_ledger.py --corpus     # tracing on the shared corpus vs the coders

Builds a SQLite database with the ledger's own write path (storage.ledger.write_version_ledger,
the rows the cycle writes next to each version): every version gets --commitments commitments and
a traced row for each (most retained, a few strengthened, weakened, removed or added, each
announced, partially announced or silent), then times the pages in-process through Starlette's
TestClient and reports medians. The commitment model itself is not timed here (see
bench/bench_commitments.py where it exists); this measures storage + queries + templates.
Target: the matrix page <= 150 ms median at 20,000 versions, the first request after a change
included: "(after a change)" rows write a new version and its ledger through a second
connection (as the cycle does) before each timed request. The database is kept (--db) so
reruns skip generation (each run adds a few versions).
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
from storage.ledger import VersionLedger, write_version_ledger  # noqa: E402
from storage.models import Version  # noqa: E402
from storage.records import SourceInfo  # noqa: E402
from storage.repo import Repository  # noqa: E402

COMPANIES = ("Anthropic", "OpenAI", "Google DeepMind", "Meta", "xAI", "Microsoft", "Amazon",
             "Mistral", "Cohere", "NVIDIA", "G42", "Magic", "Naver")
CATEGORIES = {"thresholds": ("EC2", ("II",)), "evaluations": ("EC3", ("I",)),
              "publication": ("EC5", ("VII", "VIII")), "mitigations": ("M", ("III",)),
              "response": ("EC6", ("IV",)), "governance": ("G", ("V", "VI")),
              "scope": ("EC1", ("I",)), "alignment": ("EC1", ())}
WORDS = ("model capability threshold evaluation safeguard deployment security weights risk "
         "assessment red-teaming uplift biological cyber autonomy report publish board").split()


def commitment(rng: random.Random, sid: str, n: int) -> dict[str, object]:
    category = rng.choice(tuple(CATEGORIES))
    code, seoul = CATEGORIES[category]
    text = "We will " + " ".join(rng.choices(WORDS, k=rng.randint(12, 30))) + "."
    return {"id": hashlib.sha1(f"{sid}-{n}".encode()).hexdigest()[:11], "text": text,
            "section": f"{rng.randint(1, 9)}. Section", "category": category,
            "categories": [category], "codebook": code, "seoul": list(seoul),
            "strength": rng.choice((4, 4, 4, 3, 2, 1)), "strength_word": "will",
            "quantities": [f"{rng.randint(2, 12)}x"] if rng.random() < 0.3 else []}


def generate(url: str, n_sources: int, n_versions: int, per_version: int) -> None:
    db = open_database(url)
    repo = Repository(db)
    rng = random.Random(11)
    repo.sync_sources([SourceInfo(id=f"src-{i:03d}", company=COMPANIES[i % len(COMPANIES)],
                                  title=f"Frontier Safety Framework {i}",
                                  url=f"https://example.org/{i}", kind="page", enabled=True,
                                  origin="config") for i in range(n_sources)])
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    start = time.perf_counter()
    table = Version.__table__
    for i in range(n_sources):
        sid = f"src-{i:03d}"
        items = [commitment(rng, sid, n) for n in range(per_version)]
        serial = per_version
        previous = None
        with db.transaction() as conn:
            for k in range(n_versions):
                at = t0 + timedelta(days=k * 7 + i % 7)
                text = f"version {k} of {sid}"
                vid = conn.execute(table.insert(), {
                    "source_id": sid, "document_url": f"https://example.org/{i}", "text": text,
                    "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "extractor_version": "bench", "fetched_at": at,
                    "kind": "first" if k == 0 else "change"}).inserted_primary_key[0]
                traces = []
                if previous is not None:
                    new_items = list(items)
                    for _ in range(rng.randint(0, 6)):
                        j = rng.randrange(len(new_items))
                        outcome = rng.choice("SWWXA")
                        old = new_items[j]
                        if outcome == "X":
                            new_items.pop(j)
                            traces.append({"outcome": "X", "dims": [1], "old": old, "new": None})
                            continue
                        serial += 1
                        fresh = commitment(rng, sid, serial)
                        if outcome == "A":
                            new_items.append(fresh)
                            traces.append({"outcome": "A", "dims": [1], "old": None,
                                           "new": fresh})
                        else:
                            new_items[j] = fresh
                            traces.append({"outcome": outcome, "dims": [4], "old": old,
                                           "new": fresh})
                    moved = {id(t.get("new")) for t in traces}
                    traces += [{"outcome": "R", "dims": [], "old": c, "new": c}
                               for c in new_items if id(c) not in moved]
                    for t in traces:
                        t["material"] = t["outcome"] != "R"
                        t["disclosure"] = (rng.choice(("ANN", "ANN-P", "SIL", "SIL"))
                                           if t["material"] else None)
                        t["announced_by"] = None
                    items = new_items
                write_version_ledger(conn, vid, sid, at, VersionLedger(
                    "bench", tuple(items), tuple(traces), previous))
                previous = vid
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{n_sources} sources, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
    db.dispose()


def add_version(db: object, rng: random.Random, per_version: int) -> None:
    """One new version of a random source with its ledger, written the way the cycle writes it:
    in the version's own transaction, through another connection than the web app's."""
    from sqlalchemy import select

    table = Version.__table__
    sid = f"src-{rng.randrange(len(COMPANIES)):03d}"
    with db.transaction() as conn:  # type: ignore[attr-defined]
        prev = conn.execute(select(table.c.id, table.c.fetched_at)
                            .where(table.c.source_id == sid)
                            .order_by(table.c.fetched_at.desc()).limit(1)).first()
        at = (prev[1] if prev else datetime(2024, 1, 1)).replace(tzinfo=UTC) + timedelta(days=1)
        text = f"bench change {rng.random()}"
        vid = conn.execute(table.insert(), {
            "source_id": sid, "document_url": "https://example.org/", "text": text,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "extractor_version": "bench", "fetched_at": at,
            "kind": "change"}).inserted_primary_key[0]
        items = [commitment(rng, sid, 10_000 + n) for n in range(per_version)]
        traces = [{"outcome": "W", "dims": [4], "old": items[0], "new": items[0],
                   "material": True, "disclosure": "SIL", "announced_by": None}]
        traces += [{"outcome": "R", "dims": [], "old": c, "new": c, "material": False,
                    "disclosure": None, "announced_by": None} for c in items[1:]]
        write_version_ledger(conn, vid, sid, at, VersionLedger(
            "bench", tuple(items), tuple(traces), prev[0] if prev else None), new_version=True)


def time_page(client: object, path: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path)  # type: ignore[attr-defined]
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return out


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_PAIRS = (
    # (old, new, the coders' commitments in old, material changes, silent ones) where published
    ("anthropic-rsp__2023-09__v1.0", "anthropic-rsp__2024-10__v2.0", 73, 75, 42),
    ("openai-preparedness__2023-12__beta", "openai-preparedness__2025-04__v2", 41, 41, 25),
    ("gdm-fsf__2025-02__v2.0", "gdm-fsf__2025-09__v3.0", 33, 30, 22),
    ("gdm-fsf__2024-05__v1.0", "gdm-fsf__2025-02__v2.0", None, None, None),
    ("anthropic-rsp__2024-10__v2.0", "anthropic-rsp__2025-03__v2.1", None, None, None),
    ("anthropic-rsp__2025-03__v2.1", "anthropic-rsp__2025-05__v2.2", None, None, None),
    ("anthropic-rsp__2025-05__v2.2", "anthropic-rsp__2026-02__v3.0", None, None, None),
    ("xai-faif__2025-12__v1", "xai-faif__2026-06__v2", None, None, None),
)


def corpus_report() -> int:
    """Commitment counts, material changes and silent revision rates per corpus pair, beside
    the coders' published figures (the account: the new file's changelog plus its
    ``.revision-account.md``, when there is one)."""
    from collections import Counter

    from differ import disclosure as D
    from differ.commitments import extract_commitments
    from differ.segment import strip_header
    from differ.trace import trace_commitments

    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    for old, new, n_c, n_m, n_s in CORPUS_PAIRS:
        o, n = (strip_header((CORPUS / f"{f}.txt").read_text(encoding="utf-8"))
                for f in (old, new))
        account = CORPUS / f"{new}.revision-account.md"
        external = [account.read_text(encoding="utf-8")] if account.exists() else []
        oc, nc = extract_commitments(o), extract_commitments(n)
        traced = trace_commitments(oc, nc, old_text=o, new_text=n)
        rate = D.silent_rate(traced, D.classify(traced, D.account_for_pair(o, n, external),
                                                D.universe_of(o, n)))
        moved = Counter(t.outcome for t in traced if t.material)
        coders = (f"   coders: {n_c} commitments, {n_m} material, SRR {n_s / n_m:.2f}"
                  if n_m else "")
        srr = "n/a (no account)" if rate.strict is None else (
            f"{rate.strict:.2f} strict / {rate.lenient:.2f} lenient")
        print(f"{old.split('__')[0]} {old.split('__')[-1]} -> {new.split('__')[-1]}: "
              f"{len(oc)}/{len(nc)} commitments, {rate.material} material "
              f"{dict(sorted(moved.items()))}, SRR {srr}{coders}")
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--versions", type=int, default=100)
    ap.add_argument("--commitments", type=int, default=60)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--db", default="/tmp/framewatch-bench-ledger.db")
    ap.add_argument("--url", help="a database URL instead of --db (e.g. an empty PostgreSQL "
                                  "database: generated on first use)")
    ap.add_argument("--corpus", action="store_true",
                    help="report tracing on the shared corpus instead of timing pages")
    args = ap.parse_args()
    if args.corpus:
        raise SystemExit(corpus_report())
    url = args.url or f"sqlite:///{args.db}"
    if (not Path(args.db).exists()) if not args.url else not Repository(
            open_database(url)).counts()["versions"]:
        print(f"generating {args.sources} x {args.versions} versions, {args.commitments} "
              "commitments each ...", file=sys.stderr)
        generate(url, args.sources, args.versions, args.commitments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from web.app import create_app

    db = open_database(url)
    counts = Repository(db).counts()
    client = TestClient(create_app(db))
    client.get("/matrix")  # warm: templates compiled, caches filled
    print(f"{counts['versions']:,} versions, {counts['sources']} sources")
    writer = open_database(url)  # the cycle's own connection, as in production
    rng = random.Random()
    for path in ("/matrix", "/companies/anthropic"):
        cold = []
        for _ in range(args.runs):
            add_version(writer, rng, args.commitments)  # a cycle recorded a change
            cold += time_page(client, path, 1)
        label = f"{path} (after a change)"
        print(f"{label:<36} median {statistics.median(cold):7.1f} ms   "
              f"min {min(cold):7.1f}   max {max(cold):7.1f}")
    writer.dispose()
    for path in ("/matrix", "/matrix/anthropic/EC2", "/companies/anthropic", "/api/matrix"):
        ms = time_page(client, path, args.runs)
        print(f"{path:<36} median {statistics.median(ms):7.1f} ms   "
              f"min {min(ms):7.1f}   max {max(ms):7.1f}")


if __name__ == "__main__":
    main()
