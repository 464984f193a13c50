"""The commitments ledger built behind the alerts: `framewatch run` leaves first versions (and
changes of them) pending, the catch-up fills them in exactly as the run would have, and nothing
that reads the ledger shows it half-built without saying so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from ledger_support import PAUSE_V2, build_history
from test_web import start_server, stop_server

from crawler.ledger import pending_versions
from framewatch.cli import main
from storage import ledger as L
from storage.db import open_database
from storage.repo import Repository


def ledger_of(url: str) -> dict[str, Any]:
    """Every version's commitments and traced pairs, by source and version position (ids and
    times differ between two databases; what the ledger says must not)."""
    db = open_database(url)
    out: dict[str, Any] = {}
    for sid in ("example-policy", "other-framework"):
        versions = [v.id for v in L.ledger_versions(db, sid)]
        position = {vid: n for n, vid in enumerate(versions)}
        out[sid] = [
            {"commitments": [c.data for c in L.commitments_of(db, vid)],
             "traces": [(t.position, t.outcome, t.material, t.disclosure,
                         position.get(t.old_version_id), t.data) for t in L.traces_of(db, vid)]}
            for vid in versions]
    return out


def change_diffs(url: str) -> list[dict[str, Any] | None]:
    repo = Repository(open_database(url))
    full = [repo.get_change(c.id) for c in sorted(repo.changes(), key=lambda c: c.id)]
    return [c.diff for c in full if c is not None]


@pytest.fixture(scope="module")
def pending(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Three plain `framewatch run` cycles: nothing read into the ledger yet."""
    tmp = tmp_path_factory.mktemp("pending")
    url = f"sqlite:///{tmp / 'framewatch.db'}"
    build_history(tmp, url, ledger=False)
    return url


@pytest.fixture(scope="module")
def in_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same history with `run --ledger`: every change traced in the run's workers."""
    tmp = tmp_path_factory.mktemp("in-run")
    url = f"sqlite:///{tmp / 'framewatch.db'}"
    build_history(tmp, url)
    return url


def test_a_plain_run_leaves_every_version_pending_and_its_changes_untraced(pending: str) -> None:
    db = open_database(pending)
    assert pending_versions(db) == 4  # three of the policy, one of the other framework
    versions = [v for v in L.ledger_versions(db, "example-policy")]
    assert [v.count for v in versions] == [None, None, None]
    assert all(L.traces_of(db, v.id) == [] for v in versions)
    assert all("commitments" not in (d or {}) for d in change_diffs(pending))


def test_the_web_pages_say_the_ledger_is_pending(pending: str) -> None:
    proc, site = start_server(pending)
    try:
        for path in ("/matrix", "/companies/example-ai"):
            page = httpx.get(site + path, timeout=20).text
            wanted = "4 versions" if path == "/matrix" else "3 versions"
            assert f"{wanted} not yet read into the ledger" in page, path
            assert "framewatch commitments --update" in page
    finally:
        stop_server(proc)


def test_while_a_cycle_holds_the_lease_the_matrix_says_what_it_leaves_out(
        pending: str, capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.lock import CycleLease

    lease = CycleLease(open_database(pending))
    lease.acquire()
    try:
        capsys.readouterr()
        assert main(["matrix", "--db", pending, "--format", "json"]) == 0
        err = capsys.readouterr().err
    finally:
        lease.release()
    assert "4 version(s) not yet read into the commitments ledger" in err
    assert "framewatch commitments --update" in err
    assert pending_versions(open_database(pending)) == 4  # nothing written under another's lease


def test_the_catch_up_gives_the_ledger_the_run_would_have_traced(
        pending: str, in_run: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diffs_before = change_diffs(pending)
    capsys.readouterr()
    assert main(["commitments", "--update", "--db", pending, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["versions"] == 4 and report["failures"] == [] and not report["interrupted"]
    assert pending_versions(open_database(pending)) == 0
    assert ledger_of(pending) == ledger_of(in_run)
    # The changes (and so their alerts) stay as recorded.
    assert change_diffs(pending) == diffs_before
    # The disclosure judgement is there too: the weakened pause is announced.
    v2 = [v.id for v in L.ledger_versions(open_database(pending), "example-policy")][1]
    pause = {t.text: t for t in L.traces_of(open_database(pending), v2)}[PAUSE_V2]
    assert pause.disclosure == "ANN"


def test_a_second_catch_up_finds_nothing_to_do(in_run: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["commitments", "--update", "--db", in_run, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["versions"] == 0


def test_the_matrix_catches_the_ledger_up_before_it_counts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'framewatch.db'}"
    build_history(tmp_path, url, ledger=False)
    capsys.readouterr()
    assert main(["matrix", "--db", url, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["companies"]
    assert pending_versions(open_database(url)) == 0
    assert any(cell["count"] for r in rows for cell in r["cells"].values())


def test_an_interrupted_catch_up_keeps_what_it_wrote_and_the_next_resumes(
        tmp_path: Path) -> None:
    from crawler.ledger import catch_up

    url = f"sqlite:///{tmp_path / 'framewatch.db'}"
    build_history(tmp_path, url, ledger=False)
    db = open_database(url)
    asked = {"n": 0}

    def stop_after_two() -> bool:
        asked["n"] += 1
        return asked["n"] > 2

    first = catch_up(db, should_stop=stop_after_two)
    assert first.interrupted and first.versions == 2
    assert pending_versions(db) == 2
    second = catch_up(db)
    assert second.versions == 2 and not second.interrupted
    assert pending_versions(db) == 0
