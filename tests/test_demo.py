"""`framewatch demo`: offline, no configuration, the whole pipeline on a bundled site."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

ROOT = Path(__file__).resolve().parent.parent


def test_demo_no_serve_finds_each_kind_of_edit_and_previews_the_alerts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FRAMEWATCH_DB", raising=False)
    monkeypatch.delenv("FRAMEWATCH_CONFIG", raising=False)
    assert main(["demo", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "within [-30-] days" in out and "within {+90+} days" in out   # a threshold number
    assert "We {+may share+} a capability report" in out                  # weakened
    assert "silent_reupload" in out and "every {+12+} months" in out      # the quiet PDF edit
    assert "new document published: Example-3 system card" in out        # the index
    assert "June 9, 2026" not in out                                      # ignored, not news
    assert "as a [notify.slack] channel would post it" in out and "Open this change" in out
    assert "Subject: [framewatch] HIGH" in out
    assert list(tmp_path.iterdir()) == []  # a throwaway database


def test_demo_with_db_keeps_the_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--no-serve", "--db", url]) == 0
    capsys.readouterr()
    repo = Repository(open_database(url))
    severities = sorted(c.severity for c in repo.changes())
    assert severities == ["high", "high", "medium"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_the_web_ui_until_interrupted(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRAMEWATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from framewatch.cli import main; "
                             "sys.exit(main(sys.argv[1:]))", "demo", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300  # two cycles on a loaded 2-core machine
        listing = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                listing = httpx.get(f"http://127.0.0.1:{port}/api/changes", timeout=10)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert listing is not None and listing.status_code == 200
        # The three documents are crawled concurrently, so change ids follow no fixed order.
        by_source = {c["source_id"]: c["id"] for c in listing.json()}
        assert set(by_source) == {"demo-frontier-safety-policy", "demo-preparedness-framework",
                                  "demo-system-cards"}
        page = httpx.get(f"http://127.0.0.1:{port}/changes/{by_source['demo-frontier-safety-policy']}",
                         timeout=10)
        assert page.status_code == 200 and "Frontier Safety Policy" in page.text
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) in (0, 130)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)
    assert list(tmp_path.iterdir()) == []
