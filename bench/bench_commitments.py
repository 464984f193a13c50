"""Time commitments + tracing on a 70 KB framework pair: Anthropic RSP v1.0 → v2.0.

Target: median ≤ 1 s in-process for extracting both versions' commitments and tracing them.
Every run starts with an empty sentence cache; the first (pattern compilation) is reported apart. Run:
``python bench/bench_commitments.py [-n RUNS]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from differ.commitments import _judge_sentence, extract_commitments  # noqa: E402
from differ.segment import strip_header  # noqa: E402
from differ.trace import trace_commitments  # noqa: E402

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
    first = 0.0
    for n in range(args.runs + 1):
        _judge_sentence.cache_clear()  # cold: no sentence judged before
        t0 = time.perf_counter()
        traced = trace_commitments(extract_commitments(old), extract_commitments(new))
        dt = time.perf_counter() - t0
        if n == 0:
            first = dt
        else:
            times.append(dt)
    outcomes = Counter(t.outcome for t in traced)
    print(f"commitments + trace {OLD} -> {NEW}: {len(old)} / {len(new)} chars, "
          f"{len(traced)} traced {dict(sorted(outcomes.items()))}")
    print(f"runs={args.runs} median={statistics.median(times):.3f}s min={min(times):.3f}s "
          f"max={max(times):.3f}s  (first run {first:.3f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
