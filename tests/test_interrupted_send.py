"""A delivery left in `sending` by a killed run is resent by the next run, not 15 minutes later.

Every delivery runs under the cycle lease, so the next run, holding it, knows the process that
claimed the row is gone. The resend carries the same idempotency key.
"""

from __future__ import annotations

import signal
from pathlib import Path

from faultserver import FaultServer, Hang, Page
from sqlalchemy import select
from test_crash_support import run, spawn, wait_for, write_config

from storage.db import open_database
from storage.models import Delivery


def test_the_next_run_resends_a_delivery_whose_sender_was_killed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    with FaultServer() as server:
        server.route("/p", Page("<main><p>We will evaluate every model.</p></main>"))
        server.route("/hook", Hang(60))  # accepts the alert, never answers
        config = write_config(tmp_path, server.base_url, ["/p"])
        with config.open("a", encoding="utf-8") as fh:
            fh.write(f'\n[notify.webhook]\nurl = "{server.base_url}/hook"\n'
                     'min_severity = "none"\ntimeout = 60\n')
        assert run("run", "--config", str(config), "--db", db, cwd=tmp_path).returncode == 0
        server.route("/p", Page("<main><p>We may evaluate some models.</p></main>"))
        proc = spawn("run", "--config", str(config), "--db", db, cwd=tmp_path)
        wait_for(lambda: server.requests_to("/hook") or proc.poll() is not None, 60)
        proc.send_signal(signal.SIGKILL)  # mid-send: the row stays "sending"
        proc.wait(30)
        database = open_database(db, migrate=False)
        try:
            with database.session() as s:
                assert s.scalars(select(Delivery.status)).all() == ["sending"]
        finally:
            database.dispose()
        server.route("/hook", Page(b"{}", content_type="application/json"))
        again = run("run", "--config", str(config), "--db", db, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        keys = [r.headers.get("idempotency-key") for r in server.requests_to("/hook")]
    database = open_database(db, migrate=False)
    try:
        with database.session() as s:
            (status, attempts, key), = s.execute(
                select(Delivery.status, Delivery.attempts, Delivery.idempotency_key)).all()
    finally:
        database.dispose()
    assert (status, attempts) == ("sent", 2)
    assert keys == [key, key]  # the same key both times: the receiver can drop the duplicate
