"""Commitments per page: the ledger's cost on every new version (run by hand).

    python bench/bench_commitment_pages.py [--pages 40] [--runs 3]

Reads the synthetic policy pages of the side-by-side benchmark's server (serve.py beside the
corpus, ``../shared/bench``), extracts their text as a cycle does, then times
``extract_commitments`` per page with an empty sentence cache (a cold cycle sees every sentence
for the first time), and the corpus documents the same way. Prints median ms per page and
commitments per page. Target: well under the ~50 ms a page cost before keyword gates.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import ExtractRules, extract  # noqa: E402
from differ.commitments import _judge_sentence, extract_commitments  # noqa: E402
from differ.segment import strip_header  # noqa: E402

SHARED = ROOT.parent / "shared"


def _time(texts: list[str], runs: int) -> tuple[float, float]:
    per_run = []
    count = 0
    for _ in range(runs):
        _judge_sentence.cache_clear()
        t0 = time.process_time()
        count = sum(len(extract_commitments(t)) for t in texts)
        per_run.append((time.process_time() - t0) / len(texts) * 1000)
    return statistics.median(per_run), count / len(texts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    extract_commitments("# Warm-up\n\nWe will compile every pattern once.\n")
    if (SHARED / "bench" / "serve.py").is_file():
        sys.path.insert(0, str(SHARED / "bench"))
        from serve import Site  # type: ignore[import-not-found]

        site = Site(max(args.pages, 1))
        texts = [extract(site.body(site.page(i)[0]), "text/html", ExtractRules(),
                         url=f"http://127.0.0.1/p/{i}").text for i in range(args.pages)]
        ms, n = _time(texts, args.runs)
        print(f"synthetic pages ({args.pages}): {ms:.1f} ms CPU per page, {n:.0f} commitments")
    else:
        print("serve.py not found beside the checkout: synthetic pages skipped")
    corpus = SHARED / "corpus"
    if corpus.is_dir():
        docs = [strip_header(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
        ms, n = _time(docs, args.runs)
        print(f"corpus documents ({len(docs)}): {ms:.1f} ms CPU per document, {n:.0f} commitments")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
