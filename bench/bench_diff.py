"""Time ``compare()`` on the hardest real pair: Anthropic RSP v1.0 → v2.0 (70 KB, rewritten).

Target: median ≤ 2 s on one core. Run: ``python bench/bench_diff.py [-n RUNS]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from differ.compare import compare  # noqa: E402
from differ.segment import strip_header  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OLD = "anthropic-rsp__2023-09__v1.0.txt"
NEW = "anthropic-rsp__2024-10__v2.0.txt"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=7)
    args = ap.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
