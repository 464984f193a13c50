"""Benchmark: `framewatch run` over N synthetic policy pages served on 127.0.0.1.

Each page is 30–80 KB of realistic policy text with the noise real sites add — a nav bar, a
footer, a cookie banner and a per-request timestamp — and no per-source selectors. We time:

  cold   the first cycle (every page is new: fetch, snapshot, extract, first version)
  warm   the next cycle after ~6 % of pages changed one paragraph or one threshold sentence

in two modes: `validators` (the server sends ETag/Last-Modified and answers 304) and
`no-validators` (every page is re-sent with a fresh timestamp, so only extraction keeps the noise
out). It checks that every real change was found and that no unchanged page produced a change.

    python3 bench/bench_cycle.py --pages 1000 --repeat 3
    python3 bench/bench_cycle.py --pages 1000 --db postgresql://postgres@127.0.0.1:5432/test

With ``--db postgresql://…`` every repeat gets a fresh schema on that server (dropped after).
``--ledger`` also times the commitments ledger's catch-up after the two cycles
(`framewatch commitments --update`: every first version and pending change read behind the
alerts).

Peak RSS is the framewatch process's maximum resident set size (getrusage of the child).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WORDS = ("model capability threshold evaluation safeguard deployment security weights risk "
         "assessment governance board officer report publish external testing red-teaming "
         "elicitation uplift biological cyber autonomy research development frontier policy "
         "commitment process review update transparency incident response mitigation").split()


def paragraph(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    sentences, i = [], 0
    while i < len(words):
        k = rng.randint(12, 28)
        s = " ".join(words[i:i + k])
        sentences.append(s[:1].upper() + s[1:] + ".")
        i += k
    return " ".join(sentences)


@functools.lru_cache(maxsize=4096)
def make_page(index: int, revision: int) -> str:
    """Deterministic page body; `revision` > 0 changes one paragraph or threshold sentence."""
    rng = random.Random(index)
    target = rng.randint(30_000, 80_000)
    parts, size, sec = [], 0, 0
    while size < target:
        sec += 1
        parts.append(f"<h2>{sec}. Section {sec}: {rng.choice(WORDS).title()} commitments</h2>")
        for p in range(rng.randint(3, 6)):
            text = paragraph(rng, rng.randint(60, 140))
            if sec == 2 and p == 0:
                text = (f"We will run evaluations every {4 if revision == 0 else 6}x increase in "
                        "effective compute and publish the results. ") + text
            parts.append(f"<p>{text}</p>")
        parts.append("<ul>" + "".join(f"<li>{paragraph(rng, 15)}</li>" for _ in range(4)) + "</ul>")
        size = sum(len(x) for x in parts)
    return "\n".join(parts)


CHROME_TOP = """<!doctype html><html><head><meta charset="utf-8"><meta name="generated" content="{stamp}"><title>Policy {i}</title>
<style>body{{font-family:sans-serif}}</style><script>window.dataLayer=[];</script></head><body>
<header><nav><a href="/">Home</a> <a href="/research">Research</a> <a href="/news">News</a>
<a href="/careers">Careers ({jobs} open roles)</a></nav></header>
<div id="cookie-banner" class="cookie-consent">We use cookies. <button>Accept</button></div>
<main><article><h1>Frontier Safety Policy {i}</h1>"""
CHROME_BOTTOM = """</article></main>
<aside>Related: <a href="/a">Post {jobs}</a></aside>
<footer>© 2026 Example AI · Rendered at {stamp} · request {nonce}</footer></body></html>"""


class State:
    revisions: dict[int, int] = {}
    validators = True


def handler_factory(state_path: str):  # type: ignore[no-untyped-def]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # as real web servers do (TCP_NODELAY)

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            st = json.loads(Path(state_path).read_text()) if self.path == "/_reload" else None
            if st is not None:
                State.revisions = {int(k): v for k, v in st["revisions"].items()}
                State.validators = st["validators"]
                self._send(200, b"ok", {})
                return
            try:
                i = int(self.path.strip("/").split("/")[-1])
            except ValueError:
                self._send(404, b"not found", {})
                return
            rev = State.revisions.get(i, 0)
            etag = f'"p{i}-r{rev}"'
            if State.validators and self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
            stamp = formatdate(time.time(), usegmt=True)
            nonce = hashlib.sha1(os.urandom(8)).hexdigest()[:10]
            body = (CHROME_TOP.format(i=i, stamp=stamp, jobs=random.randint(10, 99))
                    + make_page(i, rev)
                    + CHROME_BOTTOM.format(stamp=stamp, nonce=nonce, jobs=random.randint(1, 9)))
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if State.validators:
                headers["ETag"] = etag
            self._send(200, body.encode(), headers)

        def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

    return Handler


class Server(ThreadingHTTPServer):
    # The stdlib default backlog (5) drops SYNs when 8 connections open at once, and each drop
    # costs the client a 1 s retransmit: a stall of the bench server, not of the tool measured.
    request_queue_size = 512


def serve(port_q: mp.Queue, state_path: str) -> None:  # type: ignore[type-arg]
    srv = Server(("127.0.0.1", 0), handler_factory(state_path))
    srv.daemon_threads = True
    port_q.put(srv.server_address[1])
    srv.serve_forever()


def write_state(path: Path, revisions: dict[int, int], validators: bool) -> None:
    path.write_text(json.dumps({"revisions": revisions, "validators": validators}))


def reload(port: int) -> None:
    import urllib.request

    urllib.request.urlopen(f"http://127.0.0.1:{port}/_reload").read()


def write_config(path: Path, port: int, n: int, concurrency: int = 8) -> None:
    # All N pages live on one local host, so per_host is raised to the global limit.
    lines = ["[settings]", "allow_private = true", "retries = 0",
             f"per_host = {concurrency}", f"concurrency = {concurrency}", ""]
    for i in range(n):
        lines += ["[[source]]", f'id = "p{i}"', 'company = "Example"', f'title = "Policy {i}"',
                  f'url = "http://127.0.0.1:{port}/p/{i}"', ""]
    path.write_text("\n".join(lines))


CPU_SECONDS: list[float] = []  # user + system CPU of each framewatch run and its workers


def run_cycle(cfg: Path, db: str, command: tuple[str, ...] = ("run", "--no-notify"),
              ) -> tuple[float, dict, int]:  # type: ignore[type-arg]
    cmd = [sys.executable, "-m", "framewatch", "-q", *command, "--config", str(cfg),
           "--db", db, "--format", "json"]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    elapsed = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = usage.ru_maxrss
    CPU_SECONDS.append(usage.ru_utime + usage.ru_stime - cpu_before)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"framewatch failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout), max(rss, before)


SCHEMAS: list[tuple[str, str]] = []  # (dsn, schema) to drop at the end


def database(url: str | None, sqlite_path: Path, schema: str) -> str:
    """The --db URL for one repeat: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if not url:
        return f"sqlite:///{sqlite_path}"
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    schema = schema.replace("-", "_")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    SCHEMAS.append((dsn, schema))
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schemas() -> None:
    if SCHEMAS:
        import psycopg

        for dsn, schema in SCHEMAS:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--changed", type=float, default=0.06)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--modes", default="validators,no-validators",
                    help="comma-separated subset of validators,no-validators")
    ap.add_argument("--db", default=None, metavar="URL",
                    help="a PostgreSQL URL (a fresh schema per repeat) instead of SQLite files")
    ap.add_argument("--cpu", action="store_true",
                    help="also print the median CPU seconds (user + system) of each cycle kind; "
                         "on a shared machine CPU time is steadier than wall time")
    ap.add_argument("--ledger", action="store_true",
                    help="also time the ledger's catch-up after the two cycles")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    state = tmp / "state.json"
    write_state(state, {}, True)
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    server = mp.Process(target=serve, args=(q, str(state)), daemon=True)
    server.start()
    port = q.get(timeout=10)
    cfg = tmp / "sources.toml"
    write_config(cfg, port, args.pages, args.concurrency)
    rng = random.Random(42)
    changed = sorted(rng.sample(range(args.pages), int(args.pages * args.changed)))
    results: dict[str, dict[str, list[float]]] = {}
    for mode in args.modes.split(","):
        validators = mode == "validators"
        cold_t, warm_t, rss_all, found_all, false_all = [], [], [], [], []
        cold_cpu: list[float] = []
        warm_cpu: list[float] = []
        ledger_t: list[float] = []
        ledger_cpu: list[float] = []
        for r in range(args.repeat):
            db = database(args.db, tmp / f"{mode}-{r}.db", f"fwbench_{os.getpid()}_{mode}_{r}")
            write_state(state, {}, validators)
            reload(port)
            t_cold, rep_cold, rss1 = run_cycle(cfg, db)
            cold_cpu.append(CPU_SECONDS[-1])
            assert rep_cold["failures"] == 0, rep_cold["sources"][:3]
            write_state(state, {i: 1 for i in changed}, validators)
            reload(port)
            t_warm, rep_warm, rss2 = run_cycle(cfg, db)
            warm_cpu.append(CPU_SECONDS[-1])
            if args.ledger:
                t_ledger, rep_ledger, _ = run_cycle(cfg, db, ("commitments", "--update"))
                assert not rep_ledger["failures"], rep_ledger["failures"][:3]
                ledger_t.append(t_ledger)
                ledger_cpu.append(CPU_SECONDS[-1])
            changed_ids = {f"p{i}" for i in changed}
            found = {s["source"] for s in rep_warm["sources"] if s["change_id"]}
            cold_t.append(t_cold)
            warm_t.append(t_warm)
            rss_all.append(max(rss1, rss2) / 1024)
            found_all.append(len(found & changed_ids))
            false_all.append(len(found - changed_ids))
        results[mode] = {"cold_s": cold_t, "warm_s": warm_t, "rss_mb": rss_all}
        print(f"{mode:>14}: cold {statistics.median(cold_t):.2f} s  warm "
              f"{statistics.median(warm_t):.2f} s  peak RSS {max(rss_all):.0f} MB  "
              f"changes found {min(found_all)}/{len(changed)}  false changes {max(false_all)}"
              f"  (median of {args.repeat}, N={args.pages})")
        if args.cpu:
            print(f"{'':>14}  CPU cold {statistics.median(cold_cpu):.2f} s  warm "
                  f"{statistics.median(warm_cpu):.2f} s  (user + system, framewatch and workers)")
        if ledger_t:
            print(f"{'':>14}  ledger catch-up {statistics.median(ledger_t):.2f} s  CPU "
                  f"{statistics.median(ledger_cpu):.2f} s")
    server.terminate()
    drop_schemas()


if __name__ == "__main__":
    main()
