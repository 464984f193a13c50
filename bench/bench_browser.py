"""Benchmark the browser fetcher: time per page and peak memory of one cycle.

Runs one full cycle (crawler.cycle.Cycle, SQLite) over N local JavaScript-rendered pages served
on 127.0.0.1, every source with ``fetcher = "browser"`` (concurrency 2), and reports:

* the median / p90 time per page as the fetcher measured it (navigation + waiting for network
  idle + reading the DOM), and the cycle's wall time per page;
* the peak memory of the process tree (this Python process + the Playwright driver + every
  Chromium process), sampled every 50 ms from /proc: summed RSS (over-counts pages shared
  between Chromium processes) and summed PSS (shared pages divided among sharers: the honest
  figure), when /proc/PID/smaps_rollup is readable.

    python bench/bench_browser.py [--pages 50] [--wait-for "#app p"]

Targets: <= 1 s per page, <= 600 MB peak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from faultserver import FaultServer, Page  # noqa: E402

PAGE = """<!doctype html><html><head><title>Policy {i}</title></head><body>
<header><nav><a href="/">Home</a></nav></header><main><h1>Frontier Safety Policy {i}</h1>
<div id="app"></div></main><img src="/hero-{i}.png">
<script>
  var parts = [];
  for (var k = 0; k < 40; k++) {{
    parts.push("<h2>Section " + k + "</h2><p>We will evaluate models for capability " + k +
               " before deployment and publish the results within 30 days.</p>");
  }}
  document.getElementById("app").innerHTML = parts.join("");
</script></body></html>"""


def tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [root], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB (PSS 0 when smaps_rollup is unreadable)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def label(pid: int) -> str:
    """A short name for a process: its program, plus Chromium's --type= if any."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    args = [a for arg in args for a in arg.split(b" ")]  # Chromium rewrites its argv
    name = os.path.basename(args[0].decode(errors="replace")) or "?"
    kind = next((a.decode()[7:] for a in args if a.startswith(b"--type=")), "")
    return f"{name}:{kind}" if kind else name


class Sampler(threading.Thread):
    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.breakdown: list[tuple[int, str]] = []

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            pids = tree_pids(me)
            totals = [memory_kb(p) for p in pids]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in totals))
            pss = sum(p for _, p in totals)
            if pss > self.peak_pss:
                self.peak_pss = pss
                self.breakdown = sorted(((p, label(pid)) for pid, (_, p) in zip(pids, totals, strict=True)),
                                        reverse=True)
            self.peak_procs = max(self.peak_procs, len(pids))
            self.stop.wait(self.interval)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--wait-for", default=None, help="a wait_for selector for every source")
    args = ap.parse_args()

    from crawler.config import parse_config
    from crawler.cycle import Cycle
    from storage.db import open_database

    with FaultServer() as server, tempfile.TemporaryDirectory() as tmp:
        lines = ["[settings]", "allow_private = true", "total_timeout = 30", "workers = 1"]
        for i in range(args.pages):
            server.route(f"/p{i}", Page(PAGE.format(i=i)))
            lines += ["[[source]]", f'id = "p{i}"', 'company = "Bench"', f'title = "P{i}"',
                      f'url = "{server.url(f"/p{i}")}"', 'fetcher = "browser"']
            if args.wait_for:
                lines.append(f"wait_for = {json.dumps(args.wait_for)}")
        config = parse_config("\n".join(lines) + "\n", "bench.toml")
        db = open_database(f"sqlite:///{tmp}/bench.db")
        per_page: list[float] = []

        def done(outcome: object) -> None:
            per_page.append(outcome.elapsed_ms / 1000)  # type: ignore[attr-defined]

        sampler = Sampler()
        sampler.start()
        started = time.monotonic()
        report = asyncio.run(Cycle(config, db, on_done=done).run())
        wall = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        ok = report.count("first")
        failed = [(o.source_id, o.error_kind) for o in report.failures]
        image_requests = sum(1 for r in server.requests if r.path.endswith(".png"))

    per_page.sort()
    print(f"pages: {args.pages}  ok: {ok}  failed: {len(failed)} {failed[:3]}")
    print(f"image requests (should be 0): {image_requests}")
    print(f"time per page (fetcher elapsed): median {statistics.median(per_page):.3f} s, "
          f"p90 {per_page[int(len(per_page) * 0.9) - 1]:.3f} s, max {per_page[-1]:.3f} s")
    print(f"cycle wall time: {wall:.2f} s = {wall / args.pages:.3f} s per page "
          "(concurrency 2, includes browser start)")
    print(f"peak memory of the process tree: RSS {sampler.peak_rss / 1024:.0f} MB, "
          f"PSS {sampler.peak_pss / 1024:.0f} MB ({sampler.peak_procs} processes at most)")
    print("at the PSS peak: " + ", ".join(f"{name} {kb / 1024:.0f}"
                                         for kb, name in sampler.breakdown if kb > 5 * 1024))


if __name__ == "__main__":
    main()
