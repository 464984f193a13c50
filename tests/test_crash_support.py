"""Helpers shared by the lock, schedule and crash tests: real `framewatch` processes against
pages served on 127.0.0.1 (tests/faultserver.py). No tests here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def policy_page(n: int, generation: int) -> str:
    """A ~6 KB policy-like HTML page whose text depends on the generation (so it changes)."""
    paras = "\n".join(
        f"<p>Section {n}.{i}: we will evaluate frontier models for dangerous capabilities every "
        f"{3 + (i % 4)} months and publish a summary of the results to the public.</p>"
        for i in range(40))
    return (f"<html><head><title>Policy {n}</title></head><body><main>"
            f"<h1>Frontier Safety Policy {n}</h1>"
            f"<h2>Capability thresholds</h2>"
            f"<p>Revision {generation}: models reaching the threshold of {generation + 2}x "
            f"effective compute will not be deployed until safeguards are in place.</p>"
            f"{paras}</main></body></html>")


def write_config(directory: Path, base_url: str, paths: Iterable[str], **settings: Any) -> Path:
    """A sources.toml watching `paths` on the local server; loopback allowed, no retries."""
    values = {"allow_private": True, "retries": 0, "backoff": 0.01, "connect_timeout": 2.0,
              "read_timeout": 5.0, "total_timeout": 10.0, "workers": 1}
    values.update(settings)
    lines = ["[settings]"]
    for key, value in values.items():
        lines.append(f"{key} = {_toml(value)}")
    for path in paths:
        slug = path.strip("/").replace("/", "-")
        lines += ["", "[[source]]", f'id = "{slug}"', 'company = "Example AI"',
                  f'title = "Policy {slug}"', f'url = "{base_url}{path}"', 'kind = "page"']
    config = directory / "sources.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("FRAMEWATCH_DB", None)
    env.pop("FRAMEWATCH_CONFIG", None)
    env.update(extra)
    return env


def framewatch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "framewatch", *args]


def spawn(*args: str, cwd: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(framewatch_cmd(*args), cwd=cwd, env=subprocess_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(*args: str, cwd: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(framewatch_cmd(*args), cwd=cwd, env=subprocess_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


RUN_MARK = "FRAMEWATCH_TEST_RUN_MARK"  # set in a run's environment; its children inherit it


def processes_marked(mark: str) -> list[int]:
    """Live (non-zombie) processes whose environment carries ``RUN_MARK=mark``: a run and
    every process it started, whatever their command line (fork, forkserver, spawn)."""
    needle = f"{RUN_MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def pg_sessions_of(db_url: str, pid: int) -> list[tuple[Any, ...]]:
    """PostgreSQL sessions opened by the framewatch process ``pid`` (its application_name)."""
    import psycopg

    dsn = db_url.split("?", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT pid, state, application_name FROM pg_stat_activity "
            "WHERE application_name = %s", (f"framewatch:{pid}",)).fetchall()
