"""Two real `framewatch run` processes on one database (SQLite and PostgreSQL): one cycle at a time."""

from __future__ import annotations

from pathlib import Path

from faultserver import FaultServer, Hang, Page
from sqlalchemy import func, select
from test_crash_support import policy_page, run, spawn, wait_for, write_config

from storage.db import open_database
from storage.lock import holder
from storage.models import Check


def _lease_owner(url: str) -> str | None:
    try:
        db = open_database(url, migrate=False)
    except Exception:  # noqa: BLE001 - not created yet
        return None
    try:
        lease = holder(db, "cycle")
        return lease.owner if lease else None
    except Exception:  # noqa: BLE001 - schema not there yet
        return None
    finally:
        db.dispose()


def test_a_second_run_exits_1_then_a_waiting_one_runs_after_the_first(db_url: str, tmp_path: Path) -> None:
    paths = [f"/p{i}" for i in range(4)]
    with FaultServer() as server:
        for i, path in enumerate(paths):  # ~2 s of slow pages, one at a time
            server.route(path, Hang(0.5, then=Page(policy_page(i, 0))))
        config = write_config(tmp_path, server.base_url, paths, concurrency=1, per_host=1)
        first = spawn("run", "--config", str(config), "--db", db_url, cwd=tmp_path)
        owner = wait_for(lambda: _lease_owner(db_url), timeout=30)
        assert f":{first.pid}:" in owner

        refused = run("run", "--config", str(config), "--db", db_url, cwd=tmp_path)
        assert refused.returncode == 1
        assert f"another framewatch cycle is running (owner {owner}, since " in refused.stderr

        waited = run("run", "--config", str(config), "--db", db_url, "--wait", "60",
                     "--format", "json", cwd=tmp_path)
        first_out, first_err = first.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert waited.returncode == 0, waited.stderr
    db = open_database(db_url, migrate=False)
    try:
        with db.session() as s:
            spans = s.execute(select(Check.run_id, func.min(Check.started_at), func.max(Check.started_at),
                                     func.count()).group_by(Check.run_id)).all()
        assert holder(db, "cycle") is None
    finally:
        db.dispose()
    assert len(spans) == 2  # the refused run never checked anything
    (a_start, a_end), (b_start, b_end) = sorted((r[1], r[2]) for r in spans)
    assert a_end < b_start  # the cycles did not overlap
    assert all(r[3] == len(paths) for r in spans)
