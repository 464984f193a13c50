"""A SIGKILLed run takes its extraction workers and its PostgreSQL sessions with it.

Workers that outlive their run (re-parented to PID 1) keep the inherited database socket open, so
PostgreSQL never sees the disconnect and the killed transaction holds its locks forever; the next
run would then wait on them. These tests kill a real `framewatch run` while its worker pool exists.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path

from faultserver import FaultServer, Hang, Page
from test_crash_support import (
    RUN_MARK,
    pg_sessions_of,
    policy_page,
    processes_marked,
    run,
    spawn,
    wait_for,
    write_config,
)

# ≥ 8 sources: the cycle starts its worker pool
FAST, SLOW = 12, 2


def _pool_config(tmp_path: Path, base_url: str) -> Path:
    paths = [f"/fast{i}" for i in range(FAST)] + [f"/slow{i}" for i in range(SLOW)]
    return write_config(tmp_path, base_url, paths, workers=2, read_timeout=60.0,
                        total_timeout=120.0)


def _serve(server: FaultServer) -> None:
    for i in range(FAST):
        server.route(f"/fast{i}", Page(policy_page(i, 0)))
    for i in range(SLOW):  # keeps the run busy (pool alive) until it is killed
        server.route(f"/slow{i}", Hang(60, then=Page(policy_page(100 + i, 0))))


def _kill_with_pool_running(config: Path, db_url: str, cwd: Path) -> tuple[int, str]:
    mark = uuid.uuid4().hex
    proc = spawn("run", "--config", str(config), "--db", db_url, cwd=cwd, **{RUN_MARK: mark})
    # the run itself plus at least one worker process
    wait_for(lambda: len(processes_marked(mark)) >= 2 or proc.poll() is not None, timeout=60)
    assert proc.poll() is None, proc.communicate()
    time.sleep(0.3)  # let the workers take jobs
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)  # not communicate(): an orphan would hold its pipes open
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    return proc.pid, mark


def _outlivers(mark: str, grace: float = 5.0) -> list[int]:
    """Processes of the killed run still alive after `grace` seconds (then killed, so that
    a failing test leaves nothing behind)."""
    deadline = time.monotonic() + grace
    while processes_marked(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = processes_marked(mark)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def test_killed_run_leaves_no_worker_process_behind(sqlite_url: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        _serve(server)
        config = _pool_config(tmp_path, server.base_url)
        _pid, mark = _kill_with_pool_running(config, sqlite_url, tmp_path)
        assert _outlivers(mark) == []


def test_killed_run_leaves_no_postgres_session_open_for_the_next_run(
        pg_url: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        _serve(server)
        config = _pool_config(tmp_path, server.base_url)
        killed_pid, mark = _kill_with_pool_running(config, pg_url, tmp_path)
        for i in range(SLOW):
            server.route(f"/slow{i}", Page(policy_page(100 + i, 0)))
        try:
            nxt = run("run", "--config", str(config), "--db", pg_url, cwd=tmp_path, timeout=120)
            assert nxt.returncode == 0, nxt.stderr
            assert pg_sessions_of(pg_url, killed_pid) == []
        finally:
            assert _outlivers(mark, grace=0) == []


def test_a_lock_left_by_a_stuck_session_fails_the_source_instead_of_hanging_the_run(
        pg_url: str, tmp_path: Path) -> None:
    """The killed run's transaction, as PostgreSQL would keep it if its socket stayed open: an
    uncommitted row with the snapshot key the next run is about to insert."""
    import hashlib

    import psycopg

    from storage.db import open_database

    open_database(pg_url).dispose()  # the schema
    body = policy_page(0, 0).encode("utf-8")
    sha = hashlib.sha256(body).hexdigest()
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with FaultServer() as server, psycopg.connect(dsn) as stuck:
        server.route("/p0", Page(body))
        config = write_config(tmp_path, server.base_url, ["/p0"])
        stuck.execute("INSERT INTO snapshots (sha256, content_type, size, compression, data, "
                      "created_at) VALUES (%s, 'text/html', 1, 'zlib', '\\x00', now())", (sha,))
        started = time.monotonic()
        result = run("run", "--config", str(config), "--db", pg_url, "--format", "json",
                     cwd=tmp_path, timeout=60, FRAMEWATCH_PG_LOCK_TIMEOUT="2")
        elapsed = time.monotonic() - started
        stuck.rollback()
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    (source,) = report["sources"]
    assert source["status"] == "failed"
    assert source["error_kind"] == "database"
    assert "lock timeout" in source["message"]
    assert elapsed < 30
