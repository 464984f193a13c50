"""Helpers for tests that drive whole cycles through the CLI against a local FaultServer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from faultserver import FaultServer

from framewatch.cli import main

FAST_SETTINGS: dict[str, object] = {"allow_private": True, "retries": 0, "backoff": 0.01,
                                    "connect_timeout": 2, "read_timeout": 2, "total_timeout": 5}


def write_config(path: Path, server: FaultServer, sources: list[dict[str, object]],
                 **settings: object) -> Path:
    """A sources.toml in `path` whose sources' `path` keys become URLs on `server`."""
    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}"
                              for k, v in {**FAST_SETTINGS, **settings}.items()]
    for src in sources:
        lines += ["", "[[source]]"]
        for k, v in src.items():
            if k == "path":
                k, v = "url", server.url(str(v))
            lines.append(f"{k} = {json.dumps(v)}")
    cfg = path / "sources.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def source(sid: str, path: str, **extra: object) -> dict[str, object]:
    return {"id": sid, "company": "Example AI", "title": sid.title(), "path": path, **extra}


def run_json(cfg: Path, db: str, capsys: pytest.CaptureFixture[str],
             *args: str) -> tuple[int, dict[str, Any]]:
    """`framewatch run --format json --no-notify`: exit code and the parsed report."""
    code = main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify",
                 *args])
    return code, json.loads(capsys.readouterr().out)


def by_source(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["source"]: s for s in report["sources"]}
