"""`framewatch backfill`: earlier captures from an Internet-Archive-shaped server on 127.0.0.1.

The fake archive answers the CDX API in the real JSON format (first row = field names) and serves
raw capture bodies at /web/{timestamp}id_/{original}, like web.archive.org does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from faultserver import Dynamic, FaultServer, Page, RecordedRequest, Reply, Sequence, Status

from crawler.backfill import parse_cdx, wayback_digest
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def policy(sentence: str) -> str:
    return (f"<html><body><main><h1>Scaling Policy</h1><h2>4. Thresholds</h2><p>{sentence}</p>"
            f"<h2>7. Transparency</h2><p>We will publish a summary of each report.</p>"
            f"</main></body></html>")


V2022 = policy("We will pause training within 30 days.")
V2023 = policy("We will pause training within 60 days.")
V2024 = policy("We may pause training within 90 days.")
LIVE = policy("We may pause training within 120 days.")


class FakeArchive:
    """CDX + raw captures on a FaultServer. `captures`: (timestamp, body, statuscode) rows;
    a body of None means the raw fetch answers 404 although the CDX row exists."""

    def __init__(self, server: FaultServer, original: str) -> None:
        self.server, self.original = server, original
        self.rows: list[list[str]] = []
        server.route("/cdx/search/cdx", Dynamic(self._cdx))

    def add(self, timestamp: str, body: str | None, status: str = "200",
            reply: Reply | None = None) -> None:
        raw = (body or "").encode()
        self.rows.append(["com,example)/rsp", timestamp, self.original, "text/html", status,
                          wayback_digest(raw), str(len(raw))])
        path = f"/web/{timestamp}id_/{self.original}"
        self.server.route(path, reply or (Page(body) if body is not None else Status(404)))

    def _cdx(self, request: RecordedRequest) -> Reply:
        q = parse_qs(urlsplit(request.path).query)
        assert q["output"] == ["json"] and q["collapse"] == ["digest"]
        assert q["filter"] == ["statuscode:200"] and q["url"] == [self.original]
        rows = [r for r in self.rows
                if ("from" not in q or r[1][:8] >= q["from"][0])
                and ("to" not in q or r[1][:8] <= q["to"][0])]
        return Page(json.dumps([HEADER, *rows]) if rows else "[]",
                    content_type="application/json")

    def raw_requests(self) -> list[RecordedRequest]:
        return [r for r in self.server.requests if r.path.startswith("/web/")]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def write_config(tmp: Path, server: FaultServer, kind: str = "page", **settings: object) -> Path:
    base = {"allow_private": True, "retries": 0, "backoff": 0.01, "connect_timeout": 2,
            "read_timeout": 2, "total_timeout": 5, "archive_url": server.url("/").rstrip("/")}
    base.update(settings)
    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}" for k, v in base.items()]
    lines += ["", "[[source]]", 'id = "rsp"', 'company = "Example AI"', 'title = "RSP"',
              f'url = "{server.url("/rsp")}"', f'kind = "{kind}"']
    if kind in ("follow", "index"):
        lines.append('follow = "a"')
    lines += ["", "[notify.hook]", 'kind = "webhook"', f'url = "{server.url("/hook")}"',
              'min_severity = "none"']
    cfg = tmp / "sources.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def backfill(cfg: Path, db: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["-q", "backfill", "rsp", "--config", str(cfg), "--db", db, "--format", "json",
                 "--delay", "0", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def live_run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    return json.loads(capsys.readouterr().out)["sources"][0]


def archive_with_history(server: FaultServer) -> FakeArchive:
    archive = FakeArchive(server, server.url("/rsp"))
    archive.add("20220115083000", V2022)
    archive.add("20220301000000", V2022)            # same bytes again (non-adjacent duplicate)
    archive.add("20230610120000", V2023)
    archive.add("20230701000000", "gone", status="404")  # a 404 capture row
    archive.add("20230801000000", None)             # listed, but the raw body answers 404
    archive.add("20240220101500", V2024)
    return archive


def test_captures_become_archived_versions_in_time_order_with_capture_times(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive_with_history(server)
    cfg = write_config(tmp_path, server)
    code, report = backfill(cfg, db_url, capsys)
    assert code == 1  # the capture whose body 404s is reported
    assert report["imported"] == 3 and report["skipped_status"] == 1
    assert report["skipped_known"] == 1  # the duplicate digest is not even fetched
    assert any("20230801000000" in f for f in report["failures"])
    repo = Repository(open_database(db_url))
    history = list(reversed(repo.history("rsp")))
    assert [v.kind for v in history] == ["archived"] * 3
    assert [v.fetched_at for v in history] == [
        datetime(2022, 1, 15, 8, 30, tzinfo=UTC), datetime(2023, 6, 10, 12, tzinfo=UTC),
        datetime(2024, 2, 20, 10, 15, tzinfo=UTC)]
    assert "30 days" in repo.version_text(history[0].id)


def test_changes_between_archived_versions_exist_but_are_never_alerted(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive_with_history(server)
    cfg = write_config(tmp_path, server)
    backfill(cfg, db_url, capsys)
    repo = Repository(open_database(db_url))
    changes = sorted(repo.changes(source_id="rsp"), key=lambda c: c.detected_at)
    assert len(changes) == 2
    assert changes[1].detected_at == datetime(2024, 2, 20, 10, 15, tzinfo=UTC)
    assert changes[1].severity == "high"  # "will" → "may": classified like any change
    assert repo.counts()["deliveries"] == 0
    assert server.requests_to("/hook") == []


def test_running_backfill_twice_adds_nothing_and_refetches_nothing(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive = archive_with_history(server)
    cfg = write_config(tmp_path, server)
    backfill(cfg, db_url, capsys)
    fetched = len(archive.raw_requests())
    counts = Repository(open_database(db_url)).counts()
    _, again = backfill(cfg, db_url, capsys)
    assert again["imported"] == 0
    assert Repository(open_database(db_url)).counts() == counts
    assert len(archive.raw_requests()) == fetched + 1  # only the capture that 404s is retried


def test_from_and_to_are_passed_to_the_cdx_query(server: FaultServer, tmp_path: Path,
                                                 db_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    archive = archive_with_history(server)
    cfg = write_config(tmp_path, server)
    _, report = backfill(cfg, db_url, capsys, "--from", "2023-01-01", "--to", "2023-12-31")
    query = parse_qs(urlsplit(server.requests_to("/cdx/search/cdx")[0].path).query)
    assert query["from"] == ["20230101"] and query["to"] == ["20231231"]
    assert report["imported"] == 1
    assert len([r for r in archive.raw_requests() if "2023" in r.path]) >= 1


def test_older_captures_interleave_before_live_versions_and_newer_ones_are_skipped(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(LIVE))
    cfg = write_config(tmp_path, server)
    live = live_run(cfg, db_url, capsys)
    archive = archive_with_history(server)
    archive.add("29990101000000", policy("From the future."))  # newer than the live version
    _, report = backfill(cfg, db_url, capsys)
    assert report["imported"] == 3 and report["skipped_newer"] == 1
    repo = Repository(open_database(db_url))
    assert [v.kind for v in repo.history("rsp")] == ["first", "archived", "archived", "archived"]
    # The live first version is now linked to the newest archived text before it, unalerted.
    linked = repo.change_for_version(live["version_id"])
    assert linked is not None and linked.old_version_id == report["version_ids"][-1]
    assert repo.counts()["deliveries"] == 0


def test_live_run_after_backfilling_older_captures_compares_with_the_live_version(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(LIVE))
    cfg = write_config(tmp_path, server)
    live_run(cfg, db_url, capsys)
    archive_with_history(server)
    backfill(cfg, db_url, capsys)
    assert live_run(cfg, db_url, capsys)["status"] == "unchanged"


def test_live_run_after_backfill_of_a_new_source_diffs_against_the_newest_capture(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive_with_history(server)
    cfg = write_config(tmp_path, server)
    backfill(cfg, db_url, capsys)
    server.route("/rsp", Page(LIVE))
    outcome = live_run(cfg, db_url, capsys)
    assert outcome["status"] == "changed"
    change = Repository(open_database(db_url)).get_change(outcome["change_id"])
    assert change is not None and any("120" in h["new"] for h in change.diff["hunks"])


def test_archive_requests_are_spaced_by_the_delay_and_retried(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive = FakeArchive(server, server.url("/rsp"))
    archive.add("20220101000000", V2022)
    archive.add("20230101000000", V2023, reply=Sequence(Status(503), Page(V2023)))
    archive.add("20240101000000", V2024)
    cfg = write_config(tmp_path, server, retries=1)
    code = main(["-q", "backfill", "rsp", "--config", str(cfg), "--db", db_url,
                 "--delay", "0.2"])
    capsys.readouterr()
    assert code == 0
    raw = archive.raw_requests()
    assert len(raw) == 4  # one retry after the 503
    firsts = [raw[0], raw[1], raw[3]]
    gaps = [(b.received_at - a.received_at).total_seconds() for a, b in zip(firsts, firsts[1:], strict=False)]
    assert all(g >= 0.19 for g in gaps)
    assert len(Repository(open_database(db_url)).history("rsp")) == 3


def test_backfill_of_an_index_source_is_a_usage_error(server: FaultServer, tmp_path: Path,
                                                     db_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server, kind="index")
    assert main(["backfill", "rsp", "--config", str(cfg), "--db", db_url]) == 2
    assert "backfill supports page, pdf" in capsys.readouterr().err


def test_empty_cdx_answer_imports_nothing(server: FaultServer, tmp_path: Path, db_url: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    FakeArchive(server, server.url("/rsp"))
    cfg = write_config(tmp_path, server)
    code, report = backfill(cfg, db_url, capsys)
    assert code == 0 and report["captures"] == 0 and report["imported"] == 0


def test_parse_cdx_reads_the_field_names_from_the_first_row() -> None:
    body = json.dumps([["timestamp", "original", "statuscode", "digest", "mimetype"],
                       ["20240101000000", "https://x.test/a", "200", "ABC", "text/html"]])
    (cap,) = parse_cdx(body.encode())
    assert cap.original == "https://x.test/a" and cap.digest == "ABC"
    assert cap.captured_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_cdx(b"[]") == [] and parse_cdx(b"") == []


def test_backfill_refuses_to_send_a_private_sources_url_to_a_public_archive(
        server: FaultServer, tmp_path: Path, sqlite_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The source lives on 127.0.0.1 (an intranet stand-in); the archive is a public name. The
    refusal comes before any request, so nothing leaves this machine."""
    cfg = write_config(tmp_path, server, archive_url="https://web.archive.org")
    code = main(["backfill", "rsp", "--config", str(cfg), "--db", sqlite_url, "--delay", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert "rsp" in err and "web.archive.org" in err and "--allow-private-backfill" in err
    assert server.requests == []


def test_private_url_leak_allows_an_archive_on_a_private_address(
        server: FaultServer, tmp_path: Path) -> None:
    import asyncio

    from crawler.backfill import private_url_leak
    from crawler.config import load_config
    from crawler.cycle import source_info

    config = load_config(write_config(tmp_path, server))
    assert asyncio.run(private_url_leak(config, source_info(config.sources[0]))) is None
