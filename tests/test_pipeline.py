"""`framewatch run` end to end: a real HTTP server on 127.0.0.1 serves fixture pages and PDFs
that change between cycles; the CLI runs cycles against a real database."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import by_source, run_json, source, write_config
from faultserver import FaultServer, Hang, Page, Sequence, Status, Stream

from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

POLICY = """<!doctype html><html><head><title>Scaling Policy</title></head><body>
<header><nav><a href="/">Home</a> <a href="/jobs">Careers ({jobs} roles)</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. <button>OK</button></div>
<main>
<h1>Responsible Scaling Policy</h1>
<p>Last updated {updated}</p>
<h2>4. Capability Thresholds</h2>
<h3>4.2 Autonomy</h3>
<p>We will evaluate every model before deployment. {sentence}</p>
<h2>7. Transparency</h2>
<p>We will publish a summary of each capability report.</p>
</main>
<footer>© 2026 Example AI · rendered {stamp}</footer>
</body></html>"""

SENTENCE_V1 = "If a model crosses the threshold, we will pause training within 30 days."
SENTENCE_V2 = "If a model crosses the threshold, we may pause training within 90 days."


def policy(sentence: str = SENTENCE_V1, *, jobs: int = 12, updated: str = "May 1, 2026",
           stamp: str = "10:00:00") -> str:
    return POLICY.format(sentence=sentence, jobs=jobs, updated=updated, stamp=stamp)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv




def run(cfg: Path, db: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    return run_json(cfg, db, capsys, *args)



def test_first_run_stores_one_version_per_source(server: FaultServer, tmp_path: Path, db_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    server.route("/b", Page(policy(jobs=3)))
    cfg = write_config(tmp_path, server, [source("a", "/a"), source("b", "/b")])
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 0
    assert report["new_versions"] == 2 and report["changes"] == 0
    repo = Repository(open_database(db_url))
    assert [v.kind for v in repo.history("a")] == ["first"]
    text = repo.version_text(repo.history("a")[0].id)
    assert "We will publish a summary" in text
    assert "cookies" not in text and "Careers" not in text and "rendered" not in text


def test_unchanged_page_adds_no_version(server: FaultServer, tmp_path: Path, db_url: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    cfg = write_config(tmp_path, server, [source("a", "/a")])
    run(cfg, db_url, capsys=capsys)
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 0 and by_source(report)["a"]["status"] == "unchanged"
    assert len(Repository(open_database(db_url)).history("a")) == 1


def test_304_sends_validators_and_adds_no_version(server: FaultServer, tmp_path: Path,
                                                  db_url: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy(), etag='"v1"', last_modified=1_700_000_000))
    cfg = write_config(tmp_path, server, [source("a", "/a")])
    run(cfg, db_url, capsys=capsys)
    _, report = run(cfg, db_url, capsys=capsys)
    assert by_source(report)["a"]["status"] == "not_modified"
    assert server.requests_to("/a")[-1].headers["if-none-match"] == '"v1"'
    assert len(Repository(open_database(db_url)).history("a")) == 1


def test_boilerplate_and_ignored_timestamp_changes_add_no_version(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    cfg = write_config(tmp_path, server,
                       [source("a", "/a", ignore=[r"Last updated [A-Za-z]+ \d+, \d{4}"])])
    run(cfg, db_url, capsys=capsys)
    server.route("/a", Page(policy(jobs=99, updated="June 9, 2026", stamp="23:59:59")))
    _, report = run(cfg, db_url, capsys=capsys)
    assert by_source(report)["a"]["status"] == "unchanged"
    assert len(Repository(open_database(db_url)).history("a")) == 1


def test_changed_sentence_gives_one_change_with_exact_words_and_section(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    cfg = write_config(tmp_path, server, [source("a", "/a")])
    run(cfg, db_url, capsys=capsys)
    server.route("/a", Page(policy(SENTENCE_V2)))
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 0 and report["changes"] == 1
    change = Repository(open_database(db_url)).get_change(by_source(report)["a"]["change_id"])
    assert change is not None
    (hunk,) = change.diff["hunks"]
    assert "will pause training within 30 days" in hunk["old"]
    assert "may pause training within 90 days" in hunk["new"]
    assert "4.2 Autonomy" in hunk["section"] and "Capability Thresholds" in hunk["section"]
    assert {"will", "30"} <= set(" ".join(hunk["removed"]).split())
    assert {"may", "90"} <= set(" ".join(hunk["added"]).split())


def _pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in text.splitlines():
        c.drawString(60, y, line)
        y -= 16
    c.save()
    return buf.getvalue()


def test_changed_pdf_is_a_change_flagged_as_reupload(server: FaultServer, tmp_path: Path,
                                                     db_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    v1 = "Frontier Safety Framework\n\nWe will notify the government before deployment.\n"
    server.route("/fw.pdf", Page(_pdf(v1), content_type="application/pdf"))
    cfg = write_config(tmp_path, server, [source("fw", "/fw.pdf", kind="pdf")])
    run(cfg, db_url, capsys=capsys)
    server.route("/fw.pdf", Page(_pdf(v1.replace("will notify", "may notify")),
                                 content_type="application/pdf"))
    _, report = run(cfg, db_url, capsys=capsys)
    change = Repository(open_database(db_url)).get_change(by_source(report)["fw"]["change_id"])
    assert change is not None
    assert "silent_reupload" in change.signals
    assert any("may notify" in h["new"] for h in change.diff["hunks"])


def test_page_gone_404_is_recorded_once_as_a_removal(server: FaultServer, tmp_path: Path,
                                                     db_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    cfg = write_config(tmp_path, server, [source("a", "/a")])
    run(cfg, db_url, capsys=capsys)
    server.route("/a", Status(404, "<h1>Not found</h1>"))
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 0 and by_source(report)["a"]["status"] == "removed"
    _, again = run(cfg, db_url, capsys=capsys)
    assert by_source(again)["a"]["status"] == "unchanged"
    repo = Repository(open_database(db_url))
    assert [v.kind for v in repo.history("a")] == ["removed", "first"]
    (change,) = repo.changes(source_id="a")
    assert "removed" in change.signals and change.severity == "high"


def test_timeout_and_500_fail_their_sources_while_others_are_stored(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/ok", Page(policy()))
    server.route("/slow", Hang(30))
    server.route("/broken", Status(500))
    cfg = write_config(tmp_path, server, [source("ok", "/ok"), source("slow", "/slow"),
                                          source("broken", "/broken")], read_timeout=0.5)
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 1
    outcomes = by_source(report)
    assert outcomes["ok"]["status"] == "first"
    assert outcomes["slow"]["status"] == "failed" and outcomes["slow"]["error_kind"] in (
        "timeout", "deadline")
    assert outcomes["broken"]["status"] == "failed"
    assert outcomes["broken"]["error_kind"] == "server_error"
    assert "/broken" in outcomes["broken"]["message"]
    repo = Repository(open_database(db_url))
    assert len(repo.history("ok")) == 1 and repo.history("broken") == []
    assert repo.checks("broken")[0].error_kind == "server_error"


def test_retry_then_success_stores_the_page(server: FaultServer, tmp_path: Path, db_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Sequence(Status(503), Page(policy())))
    cfg = write_config(tmp_path, server, [source("a", "/a")], retries=2)
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 0 and by_source(report)["a"]["status"] == "first"
    assert len(server.requests_to("/a")) == 2
    assert Repository(open_database(db_url)).checks("a")[0].attempts == 2


def test_malformed_html_is_still_extracted(server: FaultServer, tmp_path: Path, db_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page("<html><body><main><h2>Safeguards<p>We will <b>secure weights"
                            "<div><p>Second &amp; last<table><tr><td>cell</main></span>"))
    cfg = write_config(tmp_path, server, [source("a", "/a")])
    code, _ = run(cfg, db_url, capsys=capsys)
    assert code == 0
    repo = Repository(open_database(db_url))
    text = repo.version_text(repo.history("a")[0].id)
    assert "We will secure weights" in text and "Second & last" in text


def test_body_over_the_cap_fails_with_too_large(server: FaultServer, tmp_path: Path,
                                                db_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/big", Stream(5_000_000))
    server.route("/ok", Page(policy()))
    cfg = write_config(tmp_path, server, [source("big", "/big"), source("ok", "/ok")],
                       max_bytes=1_000_000)
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 1
    assert by_source(report)["big"]["error_kind"] == "too_large"
    assert by_source(report)["ok"]["status"] == "first"


def test_config_error_exits_2_naming_the_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[source]]\nid = "a"\ncompany = "X"\ntitle = "T"\nurl = "gopher://x"\n')
    code = main(["run", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "sources.toml:5" in err and "url" in err


def test_select_matching_nothing_fails_without_a_false_version(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    cfg = write_config(tmp_path, server, [source("a", "/a", select=["main"])])
    run(cfg, db_url, capsys=capsys)
    server.route("/a", Page(policy().replace("<main>", "<div>").replace("</main>", "</div>")))
    code, report = run(cfg, db_url, capsys=capsys)
    assert code == 1 and by_source(report)["a"]["error_kind"] == "select_empty"
    assert len(Repository(open_database(db_url)).history("a")) == 1


def test_history_and_show_print_what_was_stored(server: FaultServer, tmp_path: Path,
                                                db_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/a", Page(policy()))
    cfg = write_config(tmp_path, server, [source("a", "/a")])
    run(cfg, db_url, capsys=capsys)
    server.route("/a", Page(policy(SENTENCE_V2)))
    _, report = run(cfg, db_url, capsys=capsys)
    assert main(["history", "a", "--db", db_url, "--format", "json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [h["kind"] for h in history] == ["change", "first"]
    assert history[0]["change_id"] == by_source(report)["a"]["change_id"]
    assert main(["show", f"c{history[0]['change_id']}", "--db", db_url]) == 0
    shown = capsys.readouterr().out
    assert "pause training" in shown and "90" in shown and "30" in shown


def test_real_corpus_versions_in_order_give_one_version_each_and_changes(
        corpus: Path, server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import corpus_text

    files = sorted(corpus.glob("anthropic-rsp__*.txt"))
    assert len(files) >= 3
    cfg = write_config(tmp_path, server, [source("rsp", "/rsp.txt")])
    change_ids = []
    for f in files:
        server.route("/rsp.txt", Page(corpus_text(f), content_type="text/plain; charset=utf-8"))
        code, report = run(cfg, db_url, capsys=capsys)
        assert code == 0
        change_ids.append(by_source(report)["rsp"]["change_id"])
    repo = Repository(open_database(db_url))
    assert len(repo.history("rsp")) == len(files)
    assert change_ids[0] is None and all(change_ids[1:])
    for cid in change_ids[1:]:
        change = repo.get_change(cid)
        assert change is not None and change.diff["hunks"]
