"""A small two-company history for the commitments-ledger tests, recorded by real cycles.

Example AI's policy is fetched three times from a local server: v1, then v2 (a pause commitment
weakened and announced in the document's own changelog, a publication commitment weakened
silently, a third-party access commitment removed silently, a board notification added), then v3
(unchanged commitments, one reworded). Other Lab's framework has one version and a hostile
sentence, to show that crawled text stays text.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from cycle_support import source, write_config
from faultserver import FaultServer, Page

from framewatch.cli import main

PAUSE_V1 = ("If a model reaches the Critical Capability Level for autonomy, we will pause "
            "training within 30 days.")
PAUSE_V2 = ("If a model reaches the Critical Capability Level for autonomy, we may pause "
            "training within 90 days.")
PUBLISH_V1 = "We will publish a capability report for every frontier model."
PUBLISH_V2 = "We may share a capability report for some frontier models."
AISI = ("We will give the AI Safety Institute access to our models for pre-deployment "
        "testing of cyber capabilities.")
BOARD = "We will notify the board of directors of every threshold crossing within 7 days."
EVALS = ("We will evaluate every frontier model for biological and chemical weapons uplift "
         "before deployment.")
RSO = "The Responsible Scaling Officer will review every deployment decision."
ANNOUNCE = ("We replaced the 30-day pause commitment with a 90-day window, and pausing is now "
            "at our discretion.")
HOSTILE = ("We will publish &lt;script&gt;alert(1)&lt;/script&gt; a red-team report "
           "&lt;img src=x onerror=alert(2)&gt; for every model.")
"""Markup as *text*: the extracted sentence holds a literal <script> that pages must escape."""


def policy(*paragraphs: str, changelog: tuple[str, ...] = ()) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    log = ""
    if changelog:
        log = ("<h2>Changelog</h2><h3>June 1, 2026 (version 2)</h3>"
               + "".join(f"<p>{p}</p>" for p in changelog))
    return (f"<html><head><title>Frontier Safety Policy</title></head><body><main>"
            f"<h1>Frontier Safety Policy</h1><h2>1. Capability thresholds</h2>{body}"
            f"{log}</main></body></html>")


V1 = policy(PAUSE_V1, EVALS, PUBLISH_V1, AISI, RSO)
V2 = policy(PAUSE_V2, EVALS, PUBLISH_V2, RSO, BOARD,
            changelog=(ANNOUNCE, "Clarified language throughout."))
V3 = policy(PAUSE_V2, EVALS.replace("every frontier model", "each frontier model"),
            PUBLISH_V2, RSO, BOARD, changelog=(ANNOUNCE, "Clarified language throughout."))
OTHER = policy(HOSTILE, "We aim to evaluate models for autonomous replication every 6 months.")


def build_history(tmp_path: Path, db_url: str, *, ledger: bool = True) -> Path:
    """Three `framewatch run --ledger` cycles over a local server (each catches the ledger up
    after its alerts, so each change is traced in the run) — plain `framewatch run` cycles,
    which leave the ledger pending, with ``ledger=False``; returns the sources.toml used."""
    with FaultServer() as server:
        server.route("/policy", Page(V1))
        server.route("/other", Page(OTHER))
        cfg = write_config(tmp_path, server, [
            source("example-policy", "/policy", title="Frontier Safety Policy"),
            {**source("other-framework", "/other", title="Frontier Framework"),
             "company": "Other Lab"},
        ])
        for body in (V1, V2, V3):
            server.route("/policy", Page(body))
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(["-q", "run", "--config", str(cfg), "--db", db_url,
                             "--format", "json", "--no-notify",
                             *(["--ledger"] if ledger else [])])
            assert code == 0, out.getvalue()
            assert json.loads(out.getvalue())["failures"] == 0
    return cfg
