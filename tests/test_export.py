"""`framewatch export DIR [--git]`: one Markdown file per version plus manifest.csv; with --git,
one commit per version dated at its fetch time; incremental; safe names; no secrets."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faultserver import FaultServer, Page

from crawler.export import safe_name
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository


def page(days: int) -> str:
    return (f"<html><body><main><h1>Policy</h1><p>We will pause training within {days} days."
            f"</p></main></body></html>")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def write_config(tmp: Path, server: FaultServer, title: str = "Responsible Scaling Policy",
                 company: str = "Example AI") -> Path:
    cfg = tmp / "sources.toml"
    cfg.write_text(
        "[settings]\nallow_private = true\nretries = 0\n\n"
        '[notify.hook]\nkind = "webhook"\nurl_env = "FW_TEST_SECRET_HOOK"\n\n'
        f'[[source]]\nid = "rsp"\ncompany = {json.dumps(company)}\ntitle = {json.dumps(title)}\n'
        f'url = "{server.url("/rsp")}"\n')
    return cfg


def history(server: FaultServer, cfg: Path, db: str, capsys: pytest.CaptureFixture[str],
            *days: int) -> None:
    for d in days:
        server.route("/rsp", Page(page(d)))
        main(["-q", "run", "--config", str(cfg), "--db", db, "--no-notify"])
    capsys.readouterr()


def export(db: str, out: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["-q", "export", str(out), "--db", db, "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def snapshot_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def test_export_writes_one_markdown_file_per_version_and_a_manifest(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server)
    history(server, cfg, db_url, capsys, 30, 90)
    out = tmp_path / "dataset"
    assert export(db_url, out, capsys)["written"] == 2
    repo = Repository(open_database(db_url))
    versions = list(reversed(repo.history("rsp")))
    doc = out / "Example AI" / "Responsible Scaling Policy"
    files = sorted(doc.glob("2*.md"))
    assert len(files) == 2
    assert (doc / "latest.md").read_text() == files[1].read_text()
    assert "within 30 days" in files[0].read_text() and "within 90 days" in files[1].read_text()
    rows = list(csv.DictReader((out / "manifest.csv").open()))
    assert [r["kind"] for r in rows] == ["first", "change"]
    first = rows[0]
    assert first["source"] == "rsp" and first["company"] == "Example AI"
    assert first["document"] == "Responsible Scaling Policy"
    assert first["url"] == server.url("/rsp") and first["final_url"] == server.url("/rsp")
    raw, _ = repo.snapshot_bytes(versions[0].snapshot_sha256)  # type: ignore[arg-type]
    assert first["sha256_raw"] == hashlib.sha256(raw).hexdigest()
    assert first["sha256_text"] == hashlib.sha256(
        repo.version_text(versions[0].id).encode()).hexdigest()
    assert datetime.fromisoformat(first["version_time"]) == versions[0].fetched_at
    assert (out / first["path"]).is_file()


def test_exporting_twice_changes_nothing(server: FaultServer, tmp_path: Path, db_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server)
    history(server, cfg, db_url, capsys, 30, 90)
    out = tmp_path / "dataset"
    export(db_url, out, capsys)
    before = snapshot_tree(out)
    again = export(db_url, out, capsys)
    assert again["written"] == 0 and again["unchanged"] == 2
    assert snapshot_tree(out) == before


def test_git_export_commits_each_version_at_its_fetch_time_and_is_incremental(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server)
    history(server, cfg, db_url, capsys, 30, 90)
    out = tmp_path / "dataset"
    assert export(db_url, out, capsys, "--git")["commits"] == 2
    times = [v.fetched_at for v in reversed(Repository(open_database(db_url)).history("rsp"))]
    log = git(out, "log", "--reverse", "--format=%at %ct %s").splitlines()
    assert len(log) == 2
    for line, when in zip(log, times, strict=True):
        author, committer, _ = line.split(" ", 2)
        assert int(author) == int(committer) == int(when.timestamp())
    patch = git(out, "log", "-p", "--", "Example AI/Responsible Scaling Policy/latest.md")
    assert "-We will pause training within 30 days." in patch
    assert "+We will pause training within 90 days." in patch

    assert export(db_url, out, capsys, "--git")["commits"] == 0
    assert len(git(out, "log", "--format=%H").splitlines()) == 2
    assert git(out, "status", "--porcelain") == ""

    history(server, cfg, db_url, capsys, 120)
    assert export(db_url, out, capsys, "--git")["commits"] == 1
    assert len(git(out, "log", "--format=%H").splitlines()) == 3
    assert git(out, "status", "--porcelain") == ""


def test_archived_versions_exported_later_get_their_capture_date(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from storage.records import NewVersion

    cfg = write_config(tmp_path, server)
    history(server, cfg, db_url, capsys, 30)
    out = tmp_path / "dataset"
    export(db_url, out, capsys, "--git")
    old = datetime(2023, 3, 1, 12, tzinfo=UTC)
    Repository(open_database(db_url)).insert_history_version(
        "rsp", NewVersion(document_url=server.url("/rsp"), text="Policy\n\nOld words.\n",
                          text_sha256=hashlib.sha256(b"Policy\n\nOld words.\n").hexdigest(),
                          extractor_version="extract-1", kind="archived", fetched_at=old))
    export(db_url, out, capsys, "--git")
    dated = git(out, "log", "-1", "--format=%at")
    assert int(dated) == int(old.timestamp())
    rows = list(csv.DictReader((out / "manifest.csv").open()))
    assert [r["kind"] for r in rows] == ["archived", "first"]


def test_hostile_titles_cannot_escape_the_export_directory(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server, title="../../../escaped/..\\evil:card",
                       company="=HYPERLINK(\"http://x\")/..")
    history(server, cfg, db_url, capsys, 30)
    out = tmp_path / "deep" / "dataset"
    export(db_url, out, capsys)
    written = [p for p in tmp_path.rglob("*.md")]
    assert written and all(out in p.parents for p in written)
    assert not (tmp_path / "escaped").exists()
    rows = list(csv.DictReader((out / "manifest.csv").open()))
    assert rows[0]["company"].startswith("'=")  # not a spreadsheet formula


def test_secrets_never_reach_the_export(server: FaultServer, tmp_path: Path, db_url: str,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "https://hooks.example.test/T000/B000/supersecret-token-123"
    monkeypatch.setenv("FW_TEST_SECRET_HOOK", secret)
    cfg = write_config(tmp_path, server)
    history(server, cfg, db_url, capsys, 30)
    repo = Repository(open_database(db_url))
    with repo.db.session() as s:  # a URL that carries credentials
        from storage.models import Version

        for v in s.query(Version):
            v.document_url = v.document_url.replace("http://", "http://alice:hunter2@")
    out = tmp_path / "dataset"
    export(db_url, out, capsys, "--git")
    blob = b"".join(snapshot_tree(out).values()) + git(out, "log", "-p").encode()
    for needle in (b"supersecret", b"hunter2", b"alice", b"FW_TEST_SECRET_HOOK"):
        assert needle not in blob


@pytest.mark.parametrize(("title", "expected"), [
    ("Frontier Safety Framework v2.0", "Frontier Safety Framework v2.0"),
    ("../../etc/passwd", "etc-passwd"),
    (".hidden", "hidden"),
    ("CON", "document-CON"),
    ("", "document"),
    ("a/b\\c:d\x00e", "a-b-c-d-e"),
])
def test_safe_name(title: str, expected: str) -> None:
    assert safe_name(title, "document") == expected


@pytest.mark.parametrize("company", ["manifest.csv", "MANIFEST.CSV", ".git"])
def test_a_company_named_like_the_exports_own_files_gets_its_own_directory(
        company: str, server: FaultServer, tmp_path: Path, sqlite_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server, company=company)
    history(server, cfg, sqlite_url, capsys, 30)
    out = tmp_path / "dataset"
    report = export(sqlite_url, out, capsys)
    assert report["written"] >= 1
    assert (out / "manifest.csv").is_file()
    rows = list(csv.DictReader((out / "manifest.csv").open()))
    assert rows[0]["company"] == company  # the name as published, in the manifest
    written = [p for p in out.rglob("*.md")]
    assert written and all(p.parts[len(out.parts)].lower() not in ("manifest.csv", ".git")
                           for p in written)
