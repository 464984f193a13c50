"""SIGKILL at random points of real `framewatch run` processes, then integrity checks.

Pages on a local server change between cycles; each cycle is a subprocess killed after a seeded
random fraction of the time a clean cycle takes on this machine (during start-up, fetching, the
writes, or the alert deliveries — or not at all, when it finishes first). After every kill the database must be consistent
(`framewatch db check`'s checks), and a final clean run must complete the work: every source at
its newest text, versions in order without duplicates, one change per new version, and one
outbox row per change, sent once (again only, with the same idempotency key, after a kill mid-send). Cycles use the worker pool (8 sources, 2 workers), and
no process of a killed run may outlive it: no worker left behind, and on PostgreSQL no session
of a killed run still open once the next run has started.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path

from faultserver import Dynamic, FaultServer, Page
from sqlalchemy import select
from test_crash_support import (
    RUN_MARK,
    pg_sessions_of,
    policy_page,
    processes_marked,
    run,
    spawn,
    write_config,
)

from storage.db import open_database
from storage.integrity import check_database
from storage.lock import holder
from storage.models import Change, Delivery, Version

SEED = 20261127
KILLS = 8
PAGES = 8  # ≥ 8 sources: the cycle starts its worker pool


def test_sigkill_at_random_points_leaves_a_consistent_database_that_the_next_run_completes(
        db_url: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    generation = {f"/p{i}": 0 for i in range(PAGES)}
    with FaultServer() as server:
        for i, path in enumerate(generation):
            server.route(path, Dynamic(lambda _req, i=i, path=path: Page(policy_page(i, generation[path]))))
        server.route("/hook", Page(b"{}", content_type="application/json"))
        config = write_config(tmp_path, server.base_url, list(generation), workers=2)
        with config.open("a", encoding="utf-8") as fh:
            fh.write(f'\n[notify.webhook]\nurl = "{server.base_url}/hook"\nmin_severity = "none"\n')

        started = time.monotonic()  # a clean first cycle measures how long one takes here
        first = run("run", "--config", str(config), "--db", db_url, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        duration = time.monotonic() - started

        killed = 0
        killed_pids: list[int] = []
        outlived: list[tuple[int, list[int]]] = []
        for cycle in range(KILLS):
            for path in rng.sample(sorted(generation), k=PAGES // 2):
                generation[path] += 1
            mark = f"crash-{SEED}-{cycle}"
            proc = spawn("run", "--config", str(config), "--db", db_url, cwd=tmp_path,
                         **{RUN_MARK: mark})
            time.sleep(rng.uniform(0.2, 1.05) * duration)  # start-up is most of it: imports
            if db_url.startswith("postgresql"):  # this run has started: none of the killed
                for pid in killed_pids:          # runs' sessions may still be open
                    assert pg_sessions_of(db_url, pid) == [], (cycle, pid)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
                killed_pids.append(proc.pid)
            proc.wait(timeout=30)  # not communicate(): an orphan would hold the pipes open
            for pipe in (proc.stdout, proc.stderr):
                assert pipe is not None
                pipe.close()
            left = _survivors(mark)
            if left:
                outlived.append((cycle, left))
            db = open_database(db_url, migrate=False)
            try:
                report = check_database(db)
            finally:
                db.dispose()
            assert report.ok, (cycle, report.problems)

        final = run("run", "--config", str(config), "--db", db_url, cwd=tmp_path)
        assert final.returncode == 0, final.stderr
        again = run("run", "--config", str(config), "--db", db_url, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        received = [r.headers.get("idempotency-key") for r in server.requests_to("/hook")]

    assert outlived == []  # no process of a killed run outlived it
    assert killed >= KILLS // 2  # the seed really kills most cycles mid-way
    db = open_database(db_url, migrate=False)
    try:
        report = check_database(db)
        assert report.ok, report.problems
        assert holder(db, "cycle") is None
        with db.session() as s:
            versions = s.execute(select(Version.id, Version.source_id, Version.text)
                                 .order_by(Version.id)).all()
            changes = s.execute(select(Change.id, Change.new_version_id)).all()
            deliveries = s.execute(select(Delivery.change_id, Delivery.channel, Delivery.status,
                                          Delivery.idempotency_key, Delivery.attempts)).all()
    finally:
        db.dispose()

    revisions: dict[str, list[int]] = {}
    for _vid, source_id, text in versions:
        m = re.search(r"Revision (\d+)", text)
        assert m, text[:200]
        revisions.setdefault(source_id, []).append(int(m.group(1)))
    for path, gen in generation.items():
        seen = revisions[path.strip("/")]
        assert seen[-1] == gen  # the final run caught up with the newest text
        assert seen == sorted(set(seen))  # strictly increasing: no duplicate, no stale version
    assert len(changes) == len(versions) - PAGES  # one change per version after the first
    assert sorted(d[0] for d in deliveries) == sorted(c[0] for c in changes)  # no alert lost
    assert {d[1] for d in deliveries} == {"webhook"}
    assert {d[2] for d in deliveries} <= {"sent", "sending"}  # pending ones went out at the end
    sent_keys = {d[3] for d in deliveries if d[2] == "sent"}
    assert sent_keys <= set(received)
    # Sent twice only when a run was killed mid-send: the next run resends with the same
    # idempotency key (the receiver drops the duplicate), never a new one.
    resent = {d[3] for d in deliveries if d[4] >= 2}
    assert {k for k in received if received.count(k) > 1} <= resent


def _survivors(mark: str, grace: float = 5.0) -> list[int]:
    """Processes of a finished or killed run still alive after `grace` seconds; killed here so
    that they cannot disturb the next cycle or outlive the test."""
    deadline = time.monotonic() + grace
    while processes_marked(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_marked(mark)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left
