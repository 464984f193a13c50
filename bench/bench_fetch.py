"""Benchmark: the fetcher alone, N pages from one host on 127.0.0.1 (bench_cycle's server).

Times, as the median of R rounds through one `Fetcher`, N conditional GETs that all answer
304 (a warm cycle's fetches) and N full GETs of the 30–80 KB pages (a cold cycle's), with the
wall and CPU seconds of this process: the run's own process does every fetch, so its CPU per
request bounds a cycle of many sources.

    python3 bench/bench_fetch.py --pages 1000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cycle import reload, serve, write_state  # noqa: E402

from crawler.fetch import Fetcher, FetchOptions  # noqa: E402


async def rounds(port: int, pages: int, count: int, per_host: int) -> dict[str, list[float]]:
    urls = [f"http://127.0.0.1:{port}/p/{i}" for i in range(pages)]
    timings: dict[str, list[float]] = {"304": [], "304 cpu": [], "200": [], "200 cpu": []}
    async with Fetcher(FetchOptions(allow_private=True, retries=0, per_host=per_host)) as f:
        first = await asyncio.gather(*[f.fetch(u) for u in urls])
        etags = [r.etag for r in first]
        for _ in range(count):
            for label, tags in (("304", etags), ("200", [None] * pages)):
                wall, cpu = time.perf_counter(), time.process_time()
                results = await asyncio.gather(*[f.fetch(u, etag=t) for u, t in zip(urls, tags,
                                                                                    strict=True)])
                timings[label].append(time.perf_counter() - wall)
                timings[f"{label} cpu"].append(time.process_time() - cpu)
                if label == "304":
                    assert all(r.not_modified for r in results), "the server did not answer 304"
    return timings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-host", type=int, default=4, help="the fetcher's per_host (default 4)")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        write_state(state, {}, validators=True)
        port_q: mp.Queue[int] = mp.Queue()
        server = mp.Process(target=serve, args=(port_q, str(state)), daemon=True)
        server.start()
        try:
            port = port_q.get(timeout=10)
            reload(port)
            timings = asyncio.run(rounds(port, opts.pages, opts.rounds, opts.per_host))
        finally:
            server.terminate()
    print(f"{opts.pages} pages, per_host {opts.per_host}, median of {opts.rounds} rounds")
    for label in ("304", "200"):
        wall = statistics.median(timings[label])
        cpu = statistics.median(timings[f"{label} cpu"])
        print(f"  HTTP {label}: {wall:6.3f} s wall  {cpu:6.3f} s CPU  "
              f"{cpu / opts.pages * 1000:5.3f} ms CPU a request")


if __name__ == "__main__":
    main()
