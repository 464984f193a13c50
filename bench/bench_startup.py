"""Benchmark: fixed start-up cost of the CLI, which dominates small watch lists.

Times, as the median of N fresh processes each, `framewatch --help`, `framewatch sources check`
on a 10-source config, and a no-change `framewatch run` of those 10 sources against pages served
on 127.0.0.1 that answer 304 (the database is created and filled by one untimed cold run first).

    python3 bench/bench_startup.py --runs 10
    python3 bench/bench_startup.py --db postgresql://127.0.0.1/test

Run it without PYTHONDONTWRITEBYTECODE set: without cached bytecode every start recompiles.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cycle import database, drop_schemas, serve, write_config, write_state  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], runs: int) -> tuple[float, float, float]:
    """Median, min and max wall seconds of `runs` fresh `python -m framewatch ARGS` processes."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "framewatch", *args], cwd=ROOT,
                              capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return statistics.median(times), min(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--sources", type=int, default=10)
    ap.add_argument("--db", default=None, metavar="URL",
                    help="a postgresql:// URL (a fresh schema is made and dropped); SQLite if unset")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        state = work / "state.json"
        write_state(state, {}, True)
        q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        server = mp.Process(target=serve, args=(q, str(state)), daemon=True)
        server.start()
        try:
            port = q.get(timeout=10)
            cfg = work / "sources.toml"
            write_config(cfg, port, opts.sources)
            db = database(opts.db, work / "fw.db", f"fw_startup_{int(time.time())}")
            run = ["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"]
            timed(run, 1)  # cold cycle: creates the schema and the first versions, untimed
            rows = [("--help", ["--help"]),
                    ("sources check", ["sources", "check", "--config", str(cfg)]),
                    (f"run, {opts.sources} sources, no change", run)]
            print(f"{'command':<32} {'median s':>9} {'min s':>7} {'max s':>7}   ({opts.runs} runs)")
            for name, args in rows:
                med, lo, hi = timed(args, opts.runs)
                print(f"{name:<32} {med:9.3f} {lo:7.3f} {hi:7.3f}")
        finally:
            server.terminate()
            drop_schemas()


if __name__ == "__main__":
    main()
