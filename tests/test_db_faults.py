"""Disk and database faults: the run stops (or goes on) cleanly, and nothing is half-written.

* A read-only database: `framewatch run` says "database error: …" and exits 2, no traceback,
  and the stored history is untouched.
* A full disk: the source whose write does not fit fails with kind ``database`` and the
  driver's reason; its transaction rolls back whole, so the database still passes the integrity
  check once there is room again. Simulated two ways: a real, tiny tmpfs (root only) and
  SQLite's ``max_page_count`` (anywhere).
* PostgreSQL connections lost mid-run (``pg_terminate_backend`` of this test's sessions only,
  not a server restart, because other tests share the server): the engine reconnects
  (pool_pre_ping) and the cycle goes on; a source whose transaction was cut fails with kind
  ``database`` and everything else is stored.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultserver import FaultServer, Page, Reply
from sqlalchemy import Engine, event

from framewatch.cli import main
from storage.db import application_name, open_database
from storage.integrity import check_database
from storage.repo import Repository

FAST = {"allow_private": True, "retries": 0, "backoff": 0.01, "connect_timeout": 0.5,
        "read_timeout": 1, "total_timeout": 3, "workers": 1}
# The disk-full tests fetch megabytes of incompressible text and store them: on a loaded
# machine that took longer than FAST's 3 s deadline, and the fetch failed as a timeout before
# the disk could fill. Their subject is the full disk, so their deadlines never bind.
NO_DEADLINE = {"connect_timeout": 30, "read_timeout": 120, "total_timeout": 600}


def page(n: int, words: str = "") -> str:
    return (f"<html><body><main><h1>Policy {n}</h1><p>We will evaluate model {n} before "
            f"deployment. {words}</p></main></body></html>")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def write_config(path: Path, sources: list[tuple[str, str]], **settings: object) -> Path:
    base: dict[str, object] = dict(FAST)
    base.update(settings)
    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}" for k, v in base.items()]
    for sid, url in sources:
        lines += ["", "[[source]]", f'id = "{sid}"', 'company = "Example AI"',
                  f'title = "{sid}"', f'url = "{url}"']
    cfg = path / "sources.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any] | None, str]:
    code = main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json",
                 "--no-notify"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    report = json.loads(captured.out) if captured.out.strip() else None
    return code, report, captured.err


def outcomes(report: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    assert report is not None
    return {s["source"]: s for s in report["sources"]}


def assert_whole(db_url: str) -> Repository:
    db = open_database(db_url)
    report = check_database(db)
    assert report.ok, [str(p) for p in report.problems]
    return Repository(db)


def incompressible_page(size: int) -> str:
    """Text that zlib cannot shrink much, so its snapshot really needs ``size`` bytes on disk."""
    rnd = random.Random(8)
    return page(0, base64.b64encode(rnd.randbytes(size)).decode())


# ---- read-only database --------------------------------------------------------------------------

def _can_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["which", "mount"], capture_output=True).returncode == 0


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A directory on its own 2 MiB tmpfs (root only), unmounted afterwards."""
    if not _can_mount():
        pytest.skip("needs root to mount a tmpfs")
    mnt = tmp_path / "fs"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], capture_output=True)
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def make_read_only(directory: Path) -> None:
    """Really read-only: remount the tmpfs (root ignores file modes), else chmod."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
    else:  # pragma: no cover - CI runs as a normal user
        for f in directory.iterdir():
            f.chmod(0o444)
        directory.chmod(0o555)


def make_writable(directory: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,rw", str(directory)], check=True)
    else:  # pragma: no cover
        directory.chmod(0o755)
        for f in directory.iterdir():
            f.chmod(0o644)


def test_read_only_database_stops_the_run_with_a_database_error(
        server: FaultServer, tmp_path: Path, small_fs: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    db_url = f"sqlite:///{small_fs / 'framewatch.db'}"
    server.route("/a", Page(page(1)))
    cfg = write_config(tmp_path, [("a", server.url("/a"))])
    code, _, _ = run(cfg, db_url, capsys)
    assert code == 0
    server.route("/a", Page(page(2)))  # would be a change, if it could be written
    make_read_only(small_fs)
    try:
        code, report, err = run(cfg, db_url, capsys)
    finally:
        make_writable(small_fs)
    assert code == 2, (report, err)
    assert err.startswith("database error: ") and "framewatch.db" in err
    assert len(err.strip().splitlines()) == 1
    repo = assert_whole(db_url)
    assert len(repo.history("a")) == 1


@pytest.fixture
def query_only() -> Iterator[dict[str, bool]]:
    """New SQLite connections refuse writes (``PRAGMA query_only``), like a database file that
    opens fine but is read-only to this user (root ignores file modes, so chmod cannot)."""
    state = {"on": False}

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        if state["on"] and type(dbapi_conn).__module__.startswith("sqlite3"):
            dbapi_conn.execute("PRAGMA query_only = ON")

    event.listen(Engine, "connect", on_connect)
    try:
        yield state
    finally:
        event.remove(Engine, "connect", on_connect)


def test_database_that_opens_but_refuses_writes_stops_the_run_cleanly(
        server: FaultServer, tmp_path: Path, sqlite_url: str, query_only: dict[str, bool],
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(page(1)))
    cfg = write_config(tmp_path, [("a", server.url("/a"))])
    assert run(cfg, sqlite_url, capsys)[0] == 0
    server.route("/a", Page(page(2)))
    query_only["on"] = True
    code, report, err = run(cfg, sqlite_url, capsys)
    query_only["on"] = False
    assert code == 2, (report, err)
    assert err == "database error: attempt to write a readonly database\n"
    assert "INSERT" not in err and "UPDATE" not in err
    repo = assert_whole(sqlite_url)
    assert len(repo.history("a")) == 1


# ---- disk full -----------------------------------------------------------------------------------

def test_disk_full_on_a_real_tmpfs_fails_the_source_and_keeps_the_rest_whole(
        server: FaultServer, tmp_path: Path, small_fs: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    db_url = f"sqlite:///{small_fs / 'framewatch.db'}"
    server.route("/small", Page(page(1)))
    server.route("/huge", Page(incompressible_page(2_500_000)))
    cfg = write_config(tmp_path, [("small", server.url("/small")), ("huge", server.url("/huge"))],
                       max_bytes=5_000_000, concurrency=1, **NO_DEADLINE)
    code, report, err = run(cfg, db_url, capsys)
    assert code == 1, err
    out = outcomes(report)
    assert out["small"]["status"] == "first"
    assert out["huge"]["status"] == "failed" and out["huge"]["error_kind"] == "database"
    assert out["huge"]["message"] == "database error: database or disk is full"
    repo = assert_whole(db_url)
    assert repo.history("huge") == []


@pytest.fixture
def page_limit() -> Iterator[dict[str, int]]:
    """Every new SQLite connection gets ``PRAGMA max_page_count`` = current size + ``extra``:
    SQLite then fails writes with SQLITE_FULL ("database or disk is full"), as on a full disk."""
    limit = {"extra": 0}

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        if not limit["extra"] or not type(dbapi_conn).__module__.startswith("sqlite3"):
            return
        cur = dbapi_conn.cursor()
        (pages,) = cur.execute("PRAGMA page_count").fetchone()
        cur.execute(f"PRAGMA max_page_count = {pages + limit['extra']}")
        cur.close()

    event.listen(Engine, "connect", on_connect)
    try:
        yield limit
    finally:
        event.remove(Engine, "connect", on_connect)


def test_disk_full_fails_the_source_with_a_database_error_and_writes_nothing_half(
        server: FaultServer, tmp_path: Path, sqlite_url: str, page_limit: dict[str, int],
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/small", Page(page(1)))
    server.route("/huge", Page(incompressible_page(600_000)))
    cfg = write_config(tmp_path, [("small", server.url("/small")), ("huge", server.url("/huge"))],
                       max_bytes=2_000_000, **NO_DEADLINE)
    code, _, _ = run(cfg, sqlite_url, capsys)  # creates the schema, no limit yet
    assert code == 0
    server.route("/small", Page(page(2)))
    server.route("/huge", Page(incompressible_page(700_000)))
    page_limit["extra"] = 40  # ~160 KiB: room for the small change, not for the huge page
    code, report, _ = run(cfg, sqlite_url, capsys)
    page_limit["extra"] = 0
    assert code == 1
    out = outcomes(report)
    assert out["small"]["status"] == "changed"
    assert out["huge"]["status"] == "failed" and out["huge"]["error_kind"] == "database"
    assert out["huge"]["message"] == "database error: database or disk is full"
    repo = assert_whole(sqlite_url)
    assert len(repo.history("huge")) == 1 and len(repo.history("small")) == 2
    (failed, _first) = repo.checks("huge")
    assert failed.error_kind == "database" and failed.snapshot_sha256 is None


# ---- PostgreSQL connections lost mid-run ---------------------------------------------------------

@pytest.fixture
def pg_tagged(pg_url: str) -> tuple[str, str]:
    """pg_url with an application_name unique to this test, so only OUR sessions are killed."""
    tag = "fwfault_" + uuid.uuid4().hex[:10]
    return f"{pg_url}&application_name={tag}", tag


def terminate_sessions(tag: str) -> int:
    import psycopg
    from conftest import PG_URL

    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    # The run names its sessions after its process (storage.db.application_name); it runs in
    # this test's process, so its sessions carry this pid (or the URL's tag, before renaming).
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name IN (%s, %s) AND pid <> pg_backend_pid()",
                            (tag, application_name())).fetchall()
    return sum(1 for (ok,) in rows if ok)


class KillSessionsThenServe(Reply):
    """Terminates the test's database sessions while the request is being served."""

    def __init__(self, tag: str, body: str) -> None:
        self.tag, self.body, self.killed = tag, body, 0

    def respond(self, ex: Any) -> None:
        self.killed += terminate_sessions(self.tag)
        Page(self.body).respond(ex)


def test_postgres_sessions_killed_mid_run_reconnect_and_the_cycle_goes_on(
        server: FaultServer, tmp_path: Path, pg_tagged: tuple[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    db_url, tag = pg_tagged
    for n in range(1, 5):
        server.route(f"/s{n}", Page(page(n)))
    killer = KillSessionsThenServe(tag, page(0))
    server.route("/killer", killer)
    # One fetch at a time, so sources after the killer need fresh connections.
    cfg = write_config(tmp_path, [("s1", server.url("/s1")), ("s2", server.url("/s2")),
                                  ("killer", server.url("/killer")),
                                  ("s3", server.url("/s3")), ("s4", server.url("/s4"))],
                       concurrency=1)
    code, report, err = run(cfg, db_url, capsys)
    assert killer.killed >= 1, "no session of this test was terminated"
    assert code == 0, (report, err)
    assert {o["status"] for o in outcomes(report).values()} == {"first"}
    repo = assert_whole(db_url)
    assert all(len(repo.history(s)) == 1 for s in ("s1", "s2", "killer", "s3", "s4"))


def test_postgres_connection_lost_inside_a_transaction_fails_only_that_source(
        server: FaultServer, tmp_path: Path, pg_tagged: tuple[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    db_url, tag = pg_tagged
    for sid in ("before", "victim", "after"):
        server.route(f"/{sid}", Page(page(len(sid), sid)))
    fired = threading.Event()

    def kill_mid_transaction(conn: Any, _cursor: Any, statement: str, params: Any,
                             _context: Any, _many: bool) -> None:
        """When the victim's version row is about to be written, its connection dies."""
        if fired.is_set() or not statement.lstrip().upper().startswith("INSERT INTO VERSIONS"):
            return
        values = params if isinstance(params, dict) else {}
        if values.get("source_id") != "victim":
            return
        fired.set()
        import psycopg
        from conftest import PG_URL

        pid = conn.connection.dbapi_connection.info.backend_pid
        dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    event.listen(Engine, "before_cursor_execute", kill_mid_transaction)
    try:
        cfg = write_config(tmp_path, [("before", server.url("/before")),
                                      ("victim", server.url("/victim")),
                                      ("after", server.url("/after"))], concurrency=1)
        code, report, err = run(cfg, db_url, capsys)
    finally:
        event.remove(Engine, "before_cursor_execute", kill_mid_transaction)
    assert fired.is_set()
    assert code == 1, err
    out = outcomes(report)
    assert out["before"]["status"] == "first" and out["after"]["status"] == "first"
    assert out["victim"]["status"] == "failed" and out["victim"]["error_kind"] == "database"
    assert out["victim"]["message"].startswith("database error: ")
    assert "INSERT" not in out["victim"]["message"]
    repo = assert_whole(db_url)
    assert repo.history("victim") == []  # the transaction rolled back whole
    (check,) = repo.checks("victim")  # ... and the failure itself was recorded after reconnect
    assert check.error_kind == "database" and check.snapshot_sha256 is None
