"""`framewatch run` works through SQLAlchemy Core only: a whole daily cycle (a first version, a
change alerted through the outbox, the ledger's catch-up, unchanged pages) never imports the
ORM nor builds the mapped classes of storage.models, whose import is a sixth of a small run, and
loads no mail client when no channel sends email."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from faultserver import FaultServer, Page
from test_crash_support import ROOT, policy_page, subprocess_env, write_config

#: Runs the CLI in-process, then reports which of the watched modules the run imported.
_PROBE = """
import json, sys
from framewatch.cli import main
try:
    code = main(sys.argv[1:])
finally:
    loaded = sorted(m for m in sys.modules
                    if m.split(".")[:2] == ["sqlalchemy", "orm"] or m == "storage.models"
                    or m in ("sqlalchemy", "smtplib"))
    print("loaded-modules:" + json.dumps(loaded), file=sys.stderr)
sys.exit(code)
"""


def _run(config: Path, db_url: str, cwd: Path, *extra: str) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "-q", "run", "--config", str(config), "--db", db_url,
         "--format", "json", *extra],
        cwd=cwd, env=subprocess_env(PYTHONPATH=str(ROOT)), capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    marker = [line for line in done.stderr.splitlines() if line.startswith("loaded-modules:")]
    return json.loads(done.stdout), json.loads(marker[-1].split(":", 1)[1])


def test_a_run_that_stores_alerts_and_derives_never_imports_the_orm(
        db_url: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        server.route("/a", Page(policy_page(1, 0)))
        server.route("/b", Page(policy_page(2, 0)))
        server.route("/hook", Page("ok"))
        config = write_config(tmp_path, server.base_url, ["/a", "/b"])
        with config.open("a", encoding="utf-8") as f:
            f.write(f'\n[notify.hook]\nkind = "webhook"\nurl = "{server.url("/hook")}"\n'
                    'min_severity = "none"\n')

        first, first_modules = _run(config, db_url, tmp_path)
        server.route("/a", Page(policy_page(1, 1)))  # the next cycle finds a revision
        second, second_modules = _run(config, db_url, tmp_path, "--ledger")
        hooks = server.requests_to("/hook")

    assert (first["new_versions"], second["new_versions"], second["changes"]) == (2, 1, 1)
    assert len(hooks) == 1  # the change went out through the outbox
    # The database was used (Core is loaded); the ORM, the mapped classes and smtplib never were.
    assert first_modules == ["sqlalchemy"]
    assert second_modules == ["sqlalchemy"]
