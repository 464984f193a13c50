"""User regexes cannot hang a run, and a cycle that lost its lease stops writing.

`ignore = ["(a|aa)+$"]` on a line of 40 "a" and a "b" backtracks for hours with Python's `re`,
holding the GIL, so the lease heartbeat stopped and a second cycle took over while the first still
ran. Driven through `framewatch run` / `sources check` against a local server.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faultserver import FaultServer, Hang, Page
from sqlalchemy import func, select, update
from test_crash_support import policy_page, run, spawn, wait_for, write_config

from storage.db import open_database
from storage.lock import holder
from storage.models import Lock, Version

BACKTRACKING = "a" * 40 + "b"


def _config(tmp_path: Path, base_url: str, ignore: str) -> Path:
    config = write_config(tmp_path, base_url, ["/calm"])
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[[source]]\nid = "hostile"\ncompany = "Example AI"\ntitle = "Hostile"\n'
                 f'url = "{base_url}/hostile"\nkind = "page"\nignore = [\'{ignore}\']\n')
    return config


def _serve(server: FaultServer) -> None:
    server.route("/calm", Page(policy_page(0, 0)))
    server.route("/hostile", Page(f"Policy text.\n{BACKTRACKING}\n",
                                  content_type="text/plain; charset=utf-8"))


def test_a_catastrophic_ignore_pattern_fails_its_source_with_pattern_timeout(
        sqlite_url: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        _serve(server)
        config = _config(tmp_path, server.base_url, "(a|aa)+$")
        started = time.monotonic()
        result = run("run", "--config", str(config), "--db", sqlite_url, "--format", "json",
                     cwd=tmp_path, timeout=60)
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    outcomes = {o["source"]: o for o in json.loads(result.stdout)["sources"]}
    assert outcomes["calm"]["status"] == "first"  # the rest of the run goes on
    assert outcomes["hostile"]["status"] == "failed"
    assert outcomes["hostile"]["error_kind"] == "pattern_timeout"
    assert "'(a|aa)+$'" in outcomes["hostile"]["message"]
    assert elapsed < 30


def test_the_nested_quantifier_from_the_report_finishes(sqlite_url: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        _serve(server)
        config = _config(tmp_path, server.base_url, "(a+)+$")
        result = run("run", "--config", str(config), "--db", sqlite_url, "--format", "json",
                     cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    db = open_database(sqlite_url, migrate=False)
    try:
        with db.session() as s:
            text = s.scalar(select(Version.text).where(Version.source_id == "hostile"))
    finally:
        db.dispose()
    assert text is not None and BACKTRACKING in text  # no match: nothing removed, no hang


def test_sources_check_warns_about_a_pattern_that_may_backtrack(tmp_path: Path) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9", "(a|aa)+$")
    result = run("sources", "check", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(i for i, text in enumerate(config.read_text().splitlines(), 1)
                if text.startswith("ignore"))
    assert f"warning: {config}:{line}: source 'hostile'.ignore: '(a|aa)+$'" in result.stderr
    assert "pattern_timeout" in result.stderr


def test_sources_check_and_run_compile_patterns_with_the_same_engine(
        sqlite_url: str, tmp_path: Path) -> None:
    r"""`\p{Lu}` is valid for the engine that runs patterns: accepted by both, and applied."""
    with FaultServer() as server:
        server.route("/calm", Page(policy_page(0, 0)))
        server.route("/hostile", Page("Policy text.\nCODE ABCDEFG here\n",
                                      content_type="text/plain; charset=utf-8"))
        config = _config(tmp_path, server.base_url, r"\p{Lu}{5,} ")
        checked = run("sources", "check", "--config", str(config), cwd=tmp_path)
        assert checked.returncode == 0, checked.stderr
        result = run("run", "--config", str(config), "--db", sqlite_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = open_database(sqlite_url, migrate=False)
    try:
        with db.session() as s:
            text = s.scalar(select(Version.text).where(Version.source_id == "hostile"))
    finally:
        db.dispose()
    assert text is not None and "ABCDEFG" not in text and "CODE here" in text


def test_sources_check_rejects_a_pattern_that_does_not_compile(tmp_path: Path) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9", "(unclosed")
    result = run("sources", "check", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    line = next(i for i, text in enumerate(config.read_text().splitlines(), 1)
                if text.startswith("ignore"))
    assert f"{config}:{line}: source 'hostile'.ignore:" in result.stderr


def test_a_cycle_whose_lease_was_taken_stops_writing(db_url: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        server.route("/slow", Hang(3, then=Page(policy_page(1, 0))))
        config = write_config(tmp_path, server.base_url, ["/slow"])
        db = open_database(db_url)
        try:
            proc = spawn("run", "--config", str(config), "--db", db_url, "--format", "json",
                         cwd=tmp_path)
            wait_for(lambda: holder(db, "cycle") is not None or proc.poll() is not None, 30)
            # as if this run had stalled past its TTL and another cycle took the lease
            with db.engine.begin() as conn:
                conn.execute(update(Lock).where(Lock.name == "cycle").values(
                    owner="elsewhere:1:abc", expires_at=datetime.now(UTC) + timedelta(hours=1)))
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 1, err
            (outcome,) = json.loads(out)["sources"]
            assert outcome["status"] == "failed"
            assert outcome["error_kind"] == "lease_lost"
            with db.session() as s:
                assert s.scalar(select(func.count()).select_from(Version)) == 0
            lease = holder(db, "cycle")
            assert lease is not None and lease.owner == "elsewhere:1:abc"  # not released by us
        finally:
            db.dispose()
