"""The commitments ledger end to end: recorded by real cycles, traced, marked disclosed or
silent, rebuilt from the texts, and read back through `framewatch commitments` and `matrix`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ledger_support import (
    AISI,
    ANNOUNCE,
    BOARD,
    PAUSE_V2,
    PUBLISH_V2,
    V1,
    V2,
    build_history,
)

from crawler.ledger import extract_json, ledger_for_version, rebuild
from framewatch.cli import main
from storage import ledger as L
from storage.db import open_database
from storage.records import NewVersion, SourceInfo
from storage.repo import Repository, sha256_hex


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("ledger")
    url = f"sqlite:///{tmp / 'framewatch.db'}"
    build_history(tmp, url)
    return url


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith(("{", "[")) else out


def policy_versions(url: str) -> list[int]:
    return [v.id for v in L.ledger_versions(open_database(url), "example-policy")]


def traces_by_text(url: str, version_id: int) -> dict[str, L.StoredTrace]:
    return {t.text: t for t in L.traces_of(open_database(url), version_id)}


# ---- storage: written with the version, rebuildable -----------------------------------------

def test_every_recorded_version_stores_its_commitments(history: str) -> None:
    db = open_database(history)
    repo = Repository(db)
    for vid in policy_versions(history):
        stored = [c.data for c in L.commitments_of(db, vid)]
        assert L.has_ledger(db, vid)
        assert stored == list(extract_json(repo.version_text(vid)))
    assert len(L.commitments_of(db, policy_versions(history)[0])) == 5


def test_weakening_announced_in_the_documents_changelog_is_ann_with_its_words(history: str) -> None:
    v2 = policy_versions(history)[1]
    pause = traces_by_text(history, v2)[PAUSE_V2]
    assert pause.outcome == "W" and pause.material
    assert pause.disclosure == "ANN"
    assert pause.data["announced_by"] == ANNOUNCE


def test_changes_the_changelog_does_not_identify_are_silent(history: str) -> None:
    traces = traces_by_text(history, policy_versions(history)[1])
    assert (traces[PUBLISH_V2].outcome, traces[PUBLISH_V2].disclosure) == ("W", "SIL")
    assert (traces[AISI].outcome, traces[AISI].disclosure) == ("X", "SIL")
    assert (traces[BOARD].outcome, traces[BOARD].disclosure) == ("A", "SIL")
    assert all(t.data["announced_by"] is None for t in traces.values()
               if t.disclosure == "SIL")


def test_a_rewording_with_the_same_force_is_retained_not_material(history: str) -> None:
    v3 = policy_versions(history)[2]
    traces = L.traces_of(open_database(history), v3)
    assert traces and all(t.outcome == "R" and not t.material for t in traces)


def test_the_change_carries_its_commitments_and_silent_revision_rate(history: str) -> None:
    repo = Repository(open_database(history))
    change = repo.change_for_version(policy_versions(history)[1])
    assert change is not None and change.diff is not None
    outcomes = sorted(c["outcome"] for c in change.diff["commitments"])
    assert outcomes == ["A", "W", "W", "X"]
    assert change.diff["silent_revision_rate"] == {"strict": 0.75, "lenient": 0.75,
                                                   "material": 4, "silent": 3}


def test_rebuild_recomputes_the_same_ledger_from_the_texts(history: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(history)
    before = {v: ([c.data for c in L.commitments_of(db, v)],
                  [t.data for t in L.traces_of(db, v)]) for v in policy_versions(history)}
    L.clear_ledger(db, "example-policy")
    assert not L.commitments_of(db, policy_versions(history)[0])
    code, report = cli_json(capsys, "commitments", "--rebuild", "example-policy", "--db",
                            history, "--format", "json")
    assert code == 0 and report["versions"] == 3 and report["failures"] == []
    after = {v: ([c.data for c in L.commitments_of(db, v)],
                 [t.data for t in L.traces_of(db, v)]) for v in policy_versions(history)}
    assert after == before


def test_reextract_derives_the_ledger_of_versions_recorded_without_one(
        history: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(history)
    L.clear_ledger(db, "other-framework")
    assert L.versions_missing_ledger(db, "other-framework")
    cfg = Path(history.removeprefix("sqlite:///")).parent / "sources.toml"
    code = main(["-q", "reextract", "--config", str(cfg), "--db", history])
    assert code == 0
    assert L.versions_missing_ledger(db, "other-framework") == []


def test_a_named_changelog_source_is_the_providers_account(tmp_path: Path, db_url: str) -> None:
    """`changelog = "<source id>"`: the named page's text announces the framework's changes."""
    from datetime import UTC, datetime, timedelta

    db = open_database(db_url)
    repo = Repository(db)
    repo.sync_sources([
        SourceInfo(id="fw", company="Example AI", title="Framework", url="https://e.test/fw",
                   kind="page", enabled=True, origin="config",
                   settings={"changelog": "fw-history"}),
        SourceInfo(id="fw-history", company="Example AI", title="Version history",
                   url="https://e.test/history", kind="page", enabled=True, origin="config"),
    ])
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    from crawler.extract import ExtractRules, extract

    old, new = (extract(v.encode(), "text/html", ExtractRules(), url="x").text for v in (V1, V2))
    new = new.split("## Changelog")[0]  # no in-document changelog: only the named page
    history_text = ("Version 2: We may now share capability reports for some frontier models "
                    "instead of publishing one for every frontier model.")
    repo.insert_history_version("fw-history", NewVersion(
        document_url="https://e.test/history", text=history_text,
        text_sha256=sha256_hex(history_text.encode()), extractor_version="t", kind="first",
        fetched_at=t0))
    source = repo.get_source("fw")
    assert source is not None
    v1, _ = repo.insert_history_version("fw", NewVersion(
        document_url="https://e.test/fw", text=old, text_sha256=sha256_hex(old.encode()),
        extractor_version="t", kind="first", fetched_at=t0,
        ledger=ledger_for_version(db, source, old, None, None, None)))
    ledger = ledger_for_version(db, source, new, None, v1, old)
    assert ledger is not None
    by_text = {(t.get("new") or t.get("old"))["text"]: t for t in ledger.traces}
    assert by_text[PUBLISH_V2]["disclosure"] == "ANN"
    assert "share capability reports" in by_text[PUBLISH_V2]["announced_by"]
    assert by_text[AISI]["disclosure"] == "SIL"
    v2, _ = repo.insert_history_version("fw", NewVersion(
        document_url="https://e.test/fw", text=new, text_sha256=sha256_hex(new.encode()),
        extractor_version="t", kind="change", fetched_at=t0 + timedelta(days=1), ledger=ledger))
    assert {t.disclosure for t in L.traces_of(db, v2) if t.material} == {"ANN", "SIL"}
    assert rebuild(db, "fw").versions == 2  # both backends: the rebuild path too
    db.dispose()


# ---- CLI --------------------------------------------------------------------------------------

KEYS = {"id", "text", "section", "category", "codebook", "seoul", "strength", "quantities"}


def test_commitments_of_a_file_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "policy.html"
    page.write_text(V1)
    code, data = cli_json(capsys, "commitments", str(page), "--format", "json")
    assert code == 0
    assert data["count"] == len(data["commitments"]) == 5
    assert all(set(c) == KEYS for c in data["commitments"])
    pause = data["commitments"][0]
    assert pause["strength"] == 4 and "30 days" in pause["quantities"]
    assert pause["section"].endswith("1. Capability thresholds")


def test_commitments_of_a_source_and_of_a_version_are_the_stored_ones(
        history: str, capsys: pytest.CaptureFixture[str]) -> None:
    latest = policy_versions(history)[-1]
    _, by_source = cli_json(capsys, "commitments", "example-policy", "--db", history,
                            "--format", "json")
    _, by_version = cli_json(capsys, "commitments", f"v{latest}", "--db", history,
                             "--format", "json")
    assert by_source == by_version
    assert [c["text"] for c in by_source["commitments"]] == [
        c.text for c in L.commitments_of(open_database(history), latest)]


def test_commitments_text_fits_80_columns(history: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli_json(capsys, "commitments", "example-policy", "--db", history)
    assert code == 0 and "5 commitments in version" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_commitments_of_something_that_does_not_exist_exits_3(
        history: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["commitments", "no-such-source", "--db", history]) == 3
    assert "no-such-source" in capsys.readouterr().err
    assert main(["commitments", "v99999", "--db", history]) == 3


def test_diff_json_keeps_its_keys_and_adds_traced_commitments(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text(V1)
    new.write_text(V2.split("<h2>Changelog</h2>")[0] + "</main></body></html>")
    account = tmp_path / "account.md"
    account.write_text(ANNOUNCE + "\n")
    code, data = cli_json(capsys, "diff", str(old), str(new), "--account", str(account),
                          "--format", "json")
    assert code == 0
    assert {"severity", "categories", "seoul", "signals", "summary", "hunks"} <= set(data)
    moved = {(c["new"] or c["old"])["text"]: c for c in data["commitments"]
             if c["outcome"] != "R"}
    assert {c["outcome"] for c in moved.values()} == {"W", "X", "A"}
    assert moved[PAUSE_V2]["disclosure"] == "ANN"
    assert moved[PAUSE_V2]["announced_by"] == ANNOUNCE
    assert moved[PAUSE_V2]["dims"] and set(moved[PAUSE_V2]) >= {
        "outcome", "dims", "old", "new", "disclosure", "announced_by"}
    assert data["silent_revision_rate"] == {"strict": 0.75, "lenient": 0.75, "material": 4,
                                            "silent": 3}


def test_diff_without_any_account_is_no_changelog(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text(V1)
    new.write_text(V2.split("<h2>Changelog</h2>")[0] + "</main></body></html>")
    _, data = cli_json(capsys, "diff", str(old), str(new), "--format", "json")
    assert {c["disclosure"] for c in data["commitments"] if c["outcome"] != "R"} == {"NCL"}
    assert data["silent_revision_rate"]["strict"] is None


def test_matrix_json_rows_are_companies_and_columns_seoul_and_codebook(
        history: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = cli_json(capsys, "matrix", "--db", history, "--format", "json")
    assert code == 0
    assert data["columns"][:8] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert {"EC1", "EC6", "G", "S", "M"} <= set(data["columns"])
    rows = {r["company"]: r for r in data["companies"]}
    assert set(rows) == {"Example AI", "Other Lab"}
    cells = rows["Example AI"]["cells"]
    total = sum(c["count"] for col, c in cells.items() if col in ("EC1", "EC2", "EC3", "EC4",
                                                                  "EC5", "EC6", "G", "S", "M"))
    assert total == 5  # each commitment has exactly one codebook code
    weakened = [c for c in cells.values() if c["weakenings_12m"]]
    assert weakened and all(c["last_change"]["outcome"] in "WXLSA" for c in weakened)


def test_matrix_html_is_one_self_contained_page(history: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli_json(capsys, "matrix", "--db", history, "--format", "html")
    assert code == 0
    assert out.startswith("<!doctype html>") and "<style>" in out
    assert "Example AI" in out and "<script" not in out


def test_alerts_say_how_many_changes_the_changelog_does_not_mention(history: str) -> None:
    from notifier.alert import build_alert
    from notifier.render import email_html, email_text, slack_message

    repo = Repository(open_database(history))
    v2 = policy_versions(history)[1]
    change, source = repo.change_for_version(v2), repo.get_source("example-policy")
    assert change is not None and source is not None
    alert = build_alert(change, source, repo.get_version(v2, with_text=False),
                        "https://fw.example")
    line = "3 of 4 material commitment changes not mentioned in the provider's changelog"
    assert f"Disclosure: {line}" in email_text(alert)
    assert line.replace("'", "&#x27;") in email_html(alert)
    assert "not mentioned in the provider's changelog" in json.dumps(slack_message(alert))


def test_a_changelog_posted_after_the_document_updates_the_verdict(tmp_path: Path) -> None:
    """`changelog = "<id>"` in sources.toml; the provider's history page gains the entry one
    cycle after the framework changed: the silent verdict becomes announced."""
    import contextlib
    import io

    from cycle_support import source, write_config
    from faultserver import FaultServer, Page

    url = f"sqlite:///{tmp_path / 'framewatch.db'}"
    without_log = V2.split("<h2>Changelog</h2>")[0] + "</main></body></html>"
    log_before = "<html><body><main><h1>Version history</h1><p>Version 1: first release of the policy.</p></main></body></html>"
    log_after = log_before.replace("</main>", f"<h2>June 2026</h2><p>{ANNOUNCE}</p></main>")

    def run(cfg: Path) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["-q", "run", "--config", str(cfg), "--db", url, "--no-notify",
                         "--ledger"]) == 0

    with FaultServer() as server:
        server.route("/policy", Page(V1))
        server.route("/log", Page(log_before))
        cfg = write_config(tmp_path, server, [
            {**source("policy", "/policy"), "changelog": "policy-log"},
            source("policy-log", "/log")])
        run(cfg)
        server.route("/policy", Page(without_log))
        run(cfg)
        db = open_database(url)
        v2 = [v.id for v in L.ledger_versions(db, "policy")][1]
        assert traces_by_text(url, v2)[PAUSE_V2].disclosure == "SIL"
        server.route("/log", Page(log_after))
        run(cfg)
    pause = traces_by_text(url, v2)[PAUSE_V2]
    assert pause.disclosure == "ANN" and pause.data["announced_by"] == ANNOUNCE
    assert traces_by_text(url, v2)[AISI].disclosure == "SIL"
    # The history page is the account, not a promise: the matrix does not count it.
    assert [s.id for s in L.ledger_sources(Repository(db).list_sources())] == ["policy"]


def test_commitments_of_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    from faultserver import FaultServer, Page

    with FaultServer() as server:
        server.route("/policy", Page(V1))
        code, data = cli_json(capsys, "commitments", server.url("/policy"), "--allow-private",
                              "--format", "json")
    assert code == 0 and data["count"] == 5


def test_a_text_too_large_for_the_model_is_recorded_without_a_ledger(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import crawler.ledger

    monkeypatch.setattr(crawler.ledger, "MAX_TEXT", 100)
    db = open_database(f"sqlite:///{tmp_path / 'fw.db'}")
    source = SourceInfo(id="big", company="Big AI", title="Dump", url="https://b.test/",
                        kind="page", enabled=True, origin="config")
    Repository(db).sync_sources([source])
    assert ledger_for_version(db, source, "We will test. " * 20, None, None, None) is None
    text = "We will test every model. " * 20
    Repository(db).insert_history_version("big", NewVersion(
        document_url="https://b.test/", text=text, text_sha256=sha256_hex(text.encode()),
        extractor_version="t", kind="first", fetched_at=datetime.now(UTC)))
    report = rebuild(db)
    assert report.skipped and report.failures == [] and report.versions == 0
