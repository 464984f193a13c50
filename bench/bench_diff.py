"""Time ``compare()`` on the hardest real pair: Anthropic RSP v1.0 → v2.0 (70 KB, rewritten).

Target: median ≤ 2 s on one core. Run: ``python bench/bench_diff.py [-n RUNS]``.

``--serve-pages N`` times instead the daily cycle's case: the pages of the synthetic policy
site (../shared/bench/serve.py, N pages) that change between generations 0 and 1, each a long
page with one edit and a new "Last updated" date, extracted as the cycle extracts them. Each
pair is compared once, the first time in the process (as the cycle does); the median over the
pairs is printed, with how many pairs fell back to the whole-text path.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import differ.compare  # noqa: E402
from crawler.extract import ExtractRules, extract  # noqa: E402
from differ.compare import compare  # noqa: E402
from differ.segment import strip_header  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SERVE = Path(__file__).resolve().parents[2] / "shared" / "bench" / "serve.py"
OLD = "anthropic-rsp__2023-09__v1.0.txt"
NEW = "anthropic-rsp__2024-10__v2.0.txt"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=7)
    ap.add_argument("--serve-pages", type=int, metavar="N",
                    help="time the changed pages of an N-page synthetic site instead")
    args = ap.parse_args(argv)
    if args.serve_pages:
        return serve_pages(args.serve_pages)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    old = strip_header((CORPUS / OLD).read_text(encoding="utf-8"))
    new = strip_header((CORPUS / NEW).read_text(encoding="utf-8"))
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = compare(old, new)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    compare(old, old)
    same = time.perf_counter() - t0
    print(f"compare {OLD} -> {NEW}: {len(old)} / {len(new)} chars, {len(result.hunks)} hunks, "
          f"severity {result.severity}")
    print(f"runs={args.runs} median={statistics.median(times):.3f}s min={min(times):.3f}s "
          f"max={max(times):.3f}s  (identical texts: {same * 1e6:.1f} µs)")
    return 0


def changed_page_texts(pages: int) -> list[tuple[str, str]]:
    """(old, new) extracted text of each page of the synthetic site changed from 0 to 1."""
    spec = importlib.util.spec_from_file_location("serve", SERVE)
    assert spec is not None and spec.loader is not None
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    site = serve.Site(pages, noise="none")

    def text(page: int, generation: int) -> str:
        site.generation = generation
        segs, _, _ = site.page(page)
        return extract(site.body(segs), "text/html; charset=utf-8", ExtractRules()).text

    return [(text(i, 0), text(i, 1)) for i in site.truth(0, 1)["changed"]]


def serve_pages(pages: int) -> int:
    if not SERVE.is_file():
        print(f"serve.py not found at {SERVE}", file=sys.stderr)
        return 2
    pairs = changed_page_texts(pages)
    full = differ.compare._compare_full
    fell_back = 0

    def counted(old: str, new: str) -> differ.compare.DiffResult:
        nonlocal fell_back
        fell_back += 1
        return full(old, new)

    differ.compare._compare_full = counted  # compare looks it up at call time
    times, cpu = [], []
    for old, new in pairs:
        t0, c0 = time.perf_counter(), time.process_time()
        compare(old, new)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    differ.compare._compare_full = full
    print(f"{len(pairs)} changed pages of {pages}: median={statistics.median(times) * 1e3:.2f}ms "
          f"min={min(times) * 1e3:.2f}ms max={max(times) * 1e3:.2f}ms "
          f"cpu-median={statistics.median(cpu) * 1e3:.2f}ms  "
          f"whole-text path: {fell_back}/{len(pairs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
