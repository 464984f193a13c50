"""The outbox: retries with backoff, giving up, and exactly-once delivery across crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faultserver import (
    Dynamic,
    FaultServer,
    Hang,
    Page,
    RecordedRequest,
    Reply,
    Status,
    unused_port,
)
from test_notify_support import RSP_V1, RSP_V2, diff_of, make_config, open_db, record_change

from crawler.config import load_config
from notifier.outbox import DeliveryReport, deliver_pending
from storage import outbox as store

ROOT = Path(__file__).resolve().parents[1]
SLACK_ENV = "FW_TEST_SLACK_URL"


def webhook_config(url: str, **options: Any) -> Any:
    return make_config({"webhook": {"url": url, "retry_backoff": 60, **options}})


def only_row(db: Any) -> store.OutboxRow:
    (row,) = store.listing(db)
    return row


def test_a_channel_down_stays_pending_and_is_delivered_next_run_exactly_once(
        db_url: str) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        server.route("/hook", Status(500, "upstream down"))
        config = webhook_config(server.url("/hook"))
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        t0 = datetime.now(UTC)
        down = deliver_pending(config, db, now=t0)
        row = only_row(db)
        assert (row.status, row.attempts) == ("pending", 1)
        assert "HTTP 500" in (row.last_error or "")
        assert row.next_attempt_at == t0 + timedelta(seconds=60)
        too_early = deliver_pending(config, db, now=t0 + timedelta(seconds=30))
        server.route("/hook", Page("", status=204, content_type=None))
        back = deliver_pending(config, db, now=t0 + timedelta(hours=1))
        after = deliver_pending(config, db, now=t0 + timedelta(hours=2))
        requests = server.requests_to("/hook")
    assert (down.sent, down.pending, too_early.sent, back.sent, after.sent) == (0, 1, 0, 1, 0)
    assert len(requests) == 2, "one failed attempt, one success, nothing after"
    assert requests[0].headers["idempotency-key"] == requests[1].headers["idempotency-key"]
    row = only_row(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    db.dispose()


def test_429_with_retry_after_waits_as_long_as_the_server_asks(db_url: str) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        server.route("/hook", Status(429, retry_after=900))
        config = webhook_config(server.url("/hook"))
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        t0 = datetime.now(UTC)
        deliver_pending(config, db, now=t0)
    row = only_row(db)
    assert row.status == "pending" and "HTTP 429" in (row.last_error or "")
    assert row.next_attempt_at == t0 + timedelta(seconds=900)
    db.dispose()


def test_a_hanging_endpoint_times_out_and_stays_pending(db_url: str) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        server.route("/hook", Hang())
        config = webhook_config(server.url("/hook"), timeout=0.5)
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        report = deliver_pending(config, db)
    row = only_row(db)
    assert row.status == "pending" and "timed out" in (row.last_error or "")
    assert "timed out" in str(report)
    db.dispose()


def test_connection_refused_stays_pending(db_url: str) -> None:
    db = open_db(db_url)
    config = webhook_config(f"http://127.0.0.1:{unused_port()}/hook")
    record_change(db, config, diff_of(RSP_V1, RSP_V2))
    deliver_pending(config, db)
    row = only_row(db)
    assert row.status == "pending" and "ConnectError" in (row.last_error or "")
    db.dispose()


def test_gives_up_after_max_attempts(db_url: str) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        server.route("/hook", Status(503))
        config = webhook_config(server.url("/hook"), max_attempts=2)
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        t0 = datetime.now(UTC)
        deliver_pending(config, db, now=t0)
        second = deliver_pending(config, db, now=t0 + timedelta(hours=1))
        deliver_pending(config, db, now=t0 + timedelta(days=1))
        attempts = len(server.requests_to("/hook"))
    row = only_row(db)
    assert (row.status, row.attempts, attempts, second.failed) == ("failed", 2, 2, 1)
    assert "gave up after 2 attempts" in (row.last_error or "")
    db.dispose()


def test_a_permanent_rejection_fails_at_once(db_url: str) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        server.route("/hook", Status(404, "no_service"))
        config = webhook_config(server.url("/hook"))
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        deliver_pending(config, db)
    row = only_row(db)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "HTTP 404" in (row.last_error or "")
    db.dispose()


def test_report_reads_well_in_the_run_summary() -> None:
    report = DeliveryReport(sent=3, pending=1, failed=0,
                            problems=("slack: HTTP 500, retry at 2026-05-01T06:10:00Z",))
    assert str(report) == ("alerts: 3 sent, 1 pending "
                           "(slack: HTTP 500, retry at 2026-05-01T06:10:00Z)")


# ---- crash right after sending ------------------------------------------------------------------

DELIVER = textwrap.dedent("""
    import sys
    from crawler.config import load_config
    from notifier.outbox import deliver_pending
    from storage.db import open_database
    deliver_pending(load_config(sys.argv[1]), open_database(sys.argv[2]))
    print("finished")
""")


class KillClient(Reply):
    """Receives the whole request, then SIGKILLs the sending process before answering:
    the message arrived, the sender never learns it."""

    def __init__(self, then: Reply) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.killed = False
        self.then = then

    def respond(self, ex: Any) -> None:
        if not self.killed and self.proc is not None:
            self.killed = True
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.then.respond(ex)


def _run_killed(config_path: Path, db_url: str, killer: KillClient, env: dict[str, str]) -> None:
    proc = subprocess.Popen([sys.executable, "-c", DELIVER, str(config_path), db_url],
                            cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killer.proc = proc
    out, _ = proc.communicate(timeout=60)
    assert killer.killed and proc.returncode == -signal.SIGKILL and b"finished" not in out


def _toml(first: str, server: FaultServer) -> str:
    tables = {
        "webhook": f'[notify.webhook]\nurl = "{server.url("/hook")}"\n',
        "slack": f'[notify.slack]\nwebhook_url_env = "{SLACK_ENV}"\n',
    }
    order = [first] + [t for t in tables if t != first]
    return '[settings]\nbase_url = "http://fw.example.test"\n\n' + "\n".join(
        tables[t] for t in order)


def test_a_webhook_killed_after_sending_is_resent_with_the_same_idempotency_key(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        killer = KillClient(Page("", status=204, content_type=None))
        server.route("/hook", Dynamic(lambda _r: killer))
        server.route("/slack", Page("ok", content_type="text/plain"))
        cfg = tmp_path / "sources.toml"
        cfg.write_text(_toml("webhook", server), encoding="utf-8")
        config = load_config(cfg)
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        env = {SLACK_ENV: server.url("/slack")}
        _run_killed(cfg, db_url, killer, env)
        stuck = {r.channel: r.status for r in store.listing(db)}
        monkeypatch.setenv(SLACK_ENV, server.url("/slack"))
        soon = deliver_pending(config, db)  # within the lease: the sender might be alive
        later = deliver_pending(config, db, now=datetime.now(UTC) + timedelta(hours=1))
        again = deliver_pending(config, db, now=datetime.now(UTC) + timedelta(hours=2))
        hooks: list[RecordedRequest] = server.requests_to("/hook")
        slacks = server.requests_to("/slack")
    assert stuck == {"webhook": "sending", "slack": "pending"}
    assert soon.sent == 1, "slack goes out; the interrupted webhook waits for its lease"
    assert later.sent == 1 and again.sent == 0
    assert len(hooks) == 2 and len(slacks) == 1
    assert hooks[0].headers["idempotency-key"] == hooks[1].headers["idempotency-key"]
    assert hooks[0].body == hooks[1].body
    assert {r.channel: r.status for r in store.listing(db)} == {"webhook": "sent", "slack": "sent"}
    db.dispose()


def test_slack_killed_after_sending_is_reported_not_repeated(db_url: str,
                                                             tmp_path: Path) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        killer = KillClient(Page("ok", content_type="text/plain"))
        server.route("/slack", Dynamic(lambda _r: killer))
        server.route("/hook", Page("", status=204, content_type=None))
        cfg = tmp_path / "sources.toml"
        cfg.write_text(_toml("slack", server), encoding="utf-8")
        config = load_config(cfg)
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        _run_killed(cfg, db_url, killer, {SLACK_ENV: server.url("/slack")})
        report = deliver_pending(config, db, now=datetime.now(UTC) + timedelta(hours=1))
        slacks = server.requests_to("/slack")
    rows = {r.channel: r for r in store.listing(db)}
    assert len(slacks) == 1, "never posted twice"
    assert rows["slack"].status == "failed"
    assert "interrupted while sending" in (rows["slack"].last_error or "")
    assert rows["webhook"].status == "sent" and report.sent == 1 and report.failed == 1
    db.dispose()


def test_two_processes_cannot_claim_the_same_delivery(db_url: str) -> None:
    db = open_db(db_url)
    config = webhook_config("http://127.0.0.1:9/hook")
    record_change(db, config, diff_of(RSP_V1, RSP_V2))
    row = only_row(db)
    now = datetime.now(UTC)
    assert store.claim(db, row, now) is True
    assert store.claim(db, row, now) is False, "the second claim sees a changed row"
    db.dispose()
