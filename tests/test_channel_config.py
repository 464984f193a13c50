"""`sources check` and `run` reject the same bad `[notify.*]` tables, naming file, line and key.

Each case is a real sources.toml; both commands run as subprocesses. A key that is missing is
reported at its table's header line; any other at the key's own line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faultserver import FaultServer, Page
from sqlalchemy import select
from test_crash_support import run, write_config

from storage.db import open_database
from storage.models import Delivery

SLACK_ENV = {"FRAMEWATCH_SLACK_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
EMAIL = ('[notify.email]\nsmtp_host = "127.0.0.1"\nsmtp_port = 2525\nsecurity = "none"\n'
         'from = "fw@example.org"\nto = ["team@example.org"]\n')
SLACK = '[notify.slack]\nwebhook_url_env = "FRAMEWATCH_SLACK_WEBHOOK_URL"\n'

CASES = {
    "severity": (SLACK + 'min_severity = "huge"\n', "min_severity", "min_severity",
                 "'huge' is not one of"),
    "unknown key": (SLACK + 'colour = "red"\n', "colour", "colour", "unknown key"),
    "secret in file": ('[notify.slack]\nwebhook_url = "https://hooks.slack.com/services/T/B/x"\n',
                       "webhook_url", "webhook_url", "webhook_url_env"),
    "no from": (EMAIL.replace('from = "fw@example.org"\n', ""), "from", "[notify.email]",
                "is required"),
    "security": (EMAIL.replace('"none"', '"tls"'), "security", "security", "'tls' is not one of"),
    "no attempts": (SLACK + "max_attempts = 0\n", "max_attempts", "max_attempts",
                    "at least 1"),
    "infinite backoff": (SLACK + "retry_backoff = inf\n", "retry_backoff", "retry_backoff",
                         "finite"),
    "nan timeout": (SLACK + "timeout = nan\n", "timeout", "timeout", "finite"),
}


def _config(tmp_path: Path, table: str) -> Path:
    config = write_config(tmp_path, "http://127.0.0.1:9", ["/p"])
    with config.open("a", encoding="utf-8") as fh:
        fh.write("\n" + table)
    return config


def _line(config: Path, startswith: str) -> int:
    return next(i for i, text in enumerate(config.read_text().splitlines(), 1)
                if text.startswith(startswith))


@pytest.mark.parametrize("case", sorted(CASES))
def test_sources_check_and_run_reject_a_bad_channel_naming_file_line_and_key(
        case: str, tmp_path: Path) -> None:
    table, key, line_start, words = CASES[case]
    config = _config(tmp_path, table)
    channel = table.split("]", 1)[0].strip("[")
    expected = f"{config}:{_line(config, line_start)}: {channel}.{key}: "
    checked = run("sources", "check", "--config", str(config), cwd=tmp_path, **SLACK_ENV)
    assert checked.returncode == 2, checked.stdout
    assert expected in checked.stderr and words in checked.stderr, checked.stderr
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    ran = run("run", "--config", str(config), "--db", db, cwd=tmp_path, **SLACK_ENV)
    assert ran.returncode == 2
    assert expected in ran.stderr and words in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_secret_written_into_the_file_is_told_to_move_to_the_environment(
        tmp_path: Path) -> None:
    config = _config(tmp_path, CASES["secret in file"][0])
    checked = run("sources", "check", "--config", str(config), cwd=tmp_path)
    assert "environment variable" in checked.stderr
    assert "hooks.slack.com" not in checked.stderr  # the secret itself is not repeated


def test_internal_send_errors_count_against_max_attempts(tmp_path: Path) -> None:
    """A webhook URL httpx cannot even build a request for ("[::1" read as a bad port) is not a
    SendError (an unexpected exception, handled as an internal error):
    with max_attempts = 1 the row fails after one attempt instead of retrying for ever."""
    with FaultServer() as server:
        server.route("/p", Page("<main><p>We will evaluate every model.</p></main>"))
        config = write_config(tmp_path, server.base_url, ["/p"])
        with config.open("a", encoding="utf-8") as fh:
            fh.write('\n[notify.slack]\nwebhook_url_env = "FW_TEST_HOOK"\nmin_severity = "none"\n'
                     "max_attempts = 1\nretry_backoff = 0\n")
        db = f"sqlite:///{tmp_path / 'fw.db'}"
        env = {"FW_TEST_HOOK": "http://[::1/hook"}
        assert run("run", "--config", str(config), "--db", db, cwd=tmp_path, **env).returncode == 0
        server.route("/p", Page("<main><p>We may evaluate some models.</p></main>"))
        for _ in range(3):
            run("run", "--config", str(config), "--db", db, cwd=tmp_path, **env)
    database = open_database(db, migrate=False)
    try:
        with database.session() as s:
            rows = s.execute(select(Delivery.status, Delivery.attempts, Delivery.last_error)).all()
    finally:
        database.dispose()
    assert len(rows) == 1
    status, attempts, error = rows[0]
    assert (status, attempts) == ("failed", 1)
    assert "internal error" in error and "gave up after 1 attempt" in error


def test_readme_channel_table_lists_exactly_the_declared_keys() -> None:
    """The README's `[notify.*]` key table and the channel schemas name the same keys."""
    import re

    from notifier.channels import CHANNEL_KINDS, COMMON_SCHEMA

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| key | channels | default | meaning |"):]
    table = table[:table.index("\n\n")]
    documented = {name for row in table.splitlines()[2:]
                  for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])}
    declared = {k.name for k in COMMON_SCHEMA} | {
        k.name for cls in CHANNEL_KINDS.values() for k in cls.schema}
    assert documented == declared
