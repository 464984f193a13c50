"""`framewatch schedule`: cycles on a trigger, one at a time, stopped cleanly by SIGTERM."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faultserver import FaultServer, Hang, Page, Sequence
from sqlalchemy import func, select
from test_crash_support import policy_page, spawn, wait_for, write_config

from crawler.config import Config, Settings
from framewatch.schedule import cron_fields, make_trigger
from storage.db import open_database
from storage.integrity import check_database
from storage.lock import holder
from storage.models import Check


def test_crontab_day_of_week_numbers_mean_what_they_mean_in_crontab() -> None:
    assert cron_fields("0 6 * * 1-5")["day_of_week"] == "mon-fri"
    assert cron_fields("0 6 * * 0")["day_of_week"] == "sun"
    assert cron_fields("0 6 * * 7")["day_of_week"] == "sun"


def test_the_cron_trigger_fires_at_the_configured_local_time() -> None:
    config = Config(settings=Settings(schedule="30 6 * * 1-5", timezone="Europe/London"))
    trigger = make_trigger(config, None, jitter=0)
    friday_evening = datetime(2026, 7, 3, 18, 0, tzinfo=UTC)  # a Friday, BST (UTC+1)
    fire = trigger.get_next_fire_time(None, friday_evening)
    assert fire.isoformat() == "2026-07-06T06:30:00+01:00"  # Monday 06:30 London time


def test_jitter_delays_a_fire_time_by_at_most_the_jitter() -> None:
    config = Config(settings=Settings(schedule="0 6 * * *", timezone="UTC"))
    trigger = make_trigger(config, None, jitter=120)
    now = datetime(2026, 7, 3, 5, 0, tzinfo=UTC)
    fires = {trigger.get_next_fire_time(None, now) for _ in range(20)}
    assert all(0 <= (f - datetime(2026, 7, 3, 6, 0, tzinfo=UTC)).total_seconds() <= 120 for f in fires)
    assert len(fires) > 1


def _run_ids(url: str) -> list[str]:
    db = open_database(url, migrate=False)
    try:
        with db.session() as s:
            return list(s.scalars(select(Check.run_id).distinct()))
    finally:
        db.dispose()


def test_scheduler_runs_two_cycles_on_a_seconds_trigger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fw.db'}"
    with FaultServer() as server:
        server.route("/rsp", Sequence(Page(policy_page(1, 0)), Page(policy_page(1, 1))))
        config = write_config(tmp_path, server.base_url, ["/rsp"])
        proc = spawn("schedule", "--config", str(config), "--db", url, "--every", "1",
                     "--run-now", "--cycles", "2", cwd=tmp_path)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "next cycle at" in out
    assert out.count("1 checked") == 2
    assert "1 change(s)" in out  # the page changed between the two cycles
    assert len(_run_ids(url)) == 2
    assert "stopped after 2 cycle(s)" in out


def test_sigterm_mid_cycle_stops_after_the_current_transaction(db_url: str, tmp_path: Path) -> None:
    paths = [f"/p{i}" for i in range(12)]
    with FaultServer() as server:
        for i, path in enumerate(paths):  # slow pages: the cycle takes ~3 s
            server.route(path, Hang(0.5, then=Page(policy_page(i, 0))))
        config = write_config(tmp_path, server.base_url, paths, concurrency=2, per_host=2)
        proc = spawn("schedule", "--config", str(config), "--db", db_url, "--every", "3600",
                     "--run-now", cwd=tmp_path)

        def checks() -> int:
            db = open_database(db_url, migrate=False)
            try:
                with db.session() as s:
                    return s.scalar(select(func.count()).select_from(Check)) or 0
            except Exception:  # noqa: BLE001 - the schema may not exist yet
                return 0
            finally:
                db.dispose()

        wait_for(lambda: checks() >= 2, timeout=30)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode in (0, 143), err
    assert "cycle stopped: interrupted by SIGTERM" in out
    db = open_database(db_url, migrate=False)
    try:
        report = check_database(db)
        assert report.ok, report.problems
        assert 2 <= report.counts["checks"] < len(paths)  # stopped before the end…
        assert report.counts["versions"] == report.counts["checks"]  # …and nothing half-written
        assert holder(db, "cycle") is None  # the lease was released
    finally:
        db.dispose()


def test_a_scheduled_cycle_is_skipped_while_another_holds_the_lease(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fw.db'}"
    db = open_database(url)
    from storage.lock import try_acquire

    assert try_acquire(db, "cycle", "elsewhere.example:1:x", ttl=600)
    db.dispose()
    with FaultServer() as server:
        server.route("/rsp", Page(policy_page(1, 0)))
        config = write_config(tmp_path, server.base_url, ["/rsp"])
        proc = spawn("schedule", "--config", str(config), "--db", url, "--every", "3600",
                     "--run-now", "--cycles", "1", cwd=tmp_path)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "cycle skipped: another framewatch cycle is running (owner elsewhere.example:1:x" in err
    assert _run_ids(url) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM])
def test_sigterm_stops_framewatch_run_with_143_and_releases_the_lease(tmp_path: Path, sig: int) -> None:
    url = f"sqlite:///{tmp_path / 'fw.db'}"
    paths = [f"/p{i}" for i in range(8)]
    with FaultServer() as server:
        for i, path in enumerate(paths):
            server.route(path, Hang(0.5, then=Page(policy_page(i, 0))))
        config = write_config(tmp_path, server.base_url, paths, concurrency=1, per_host=1)
        proc = spawn("run", "--config", str(config), "--db", url, cwd=tmp_path)

        def leased() -> bool:
            try:
                db = open_database(url, migrate=False)
            except Exception:  # noqa: BLE001
                return False
            try:
                return holder(db, "cycle") is not None
            except Exception:  # noqa: BLE001 - schema not there yet
                return False
            finally:
                db.dispose()

        wait_for(leased, timeout=30)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert "interrupted by SIGTERM" in err
    db = open_database(url, migrate=False)
    try:
        assert holder(db, "cycle") is None
        assert check_database(db).ok
    finally:
        db.dispose()
