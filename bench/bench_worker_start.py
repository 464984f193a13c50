"""Benchmark: what a worker process costs before its first job, in CPU.

A run forks its extraction workers at start; each one imports the extractor and the differ and
compares a built-in revision (``differ.warmup``) while the run fetches. On two cores that work
competes with the run's own, so it counts in every cycle. This times both parts, as CPU seconds
of fresh processes that have already imported what a run's process holds when it forks them
(the CLI, the cycle, the database layer), and reports the median and minimum of N processes.

    python3 bench/bench_worker_start.py --runs 9

Run it without PYTHONDONTWRITEBYTECODE set: without cached bytecode every start recompiles.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import time
import framewatch.cli, crawler.cycle, storage.db
from crawler.workers import PRELOAD
import importlib
t = time.process_time()
for name in PRELOAD:
    importlib.import_module(name)
a = time.process_time()
from differ.warmup import warm_up
warm_up()
b = time.process_time()
print(a - t, b - a)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    opts = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    imports, warm = [], []
    for _ in range(opts.runs):
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                             env=env, cwd=ROOT, check=True).stdout.split()
        imports.append(float(out[0]))
        warm.append(float(out[1]))
    total = [a + b for a, b in zip(imports, warm, strict=True)]
    for name, values in (("imports", imports), ("warm-up", warm), ("total", total)):
        print(f"{name:8s} median {statistics.median(values) * 1000:6.1f} ms   "
              f"min {min(values) * 1000:6.1f} ms   ({opts.runs} processes)")


if __name__ == "__main__":
    main()
