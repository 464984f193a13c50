"""`framewatch noise CHANGE --pattern REGEX`: a noisy change becomes an ignore rule in
sources.toml (comments kept), then a technical re-extraction; never a silent no-op."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import run_json, write_config
from faultserver import FaultServer, Page

from crawler.config import load_config
from crawler.toml_edit import with_ignore
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository


def page(stamp: str) -> str:
    return (f"<html><body><main><h1>Policy</h1><p>We will pause training within 30 days.</p>"
            f"<p>Page generated {stamp} by the CMS.</p></main></body></html>")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def noisy(server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str, int]:
    """A source whose second fetch differs only by a build stamp: change 1 is noise."""
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    cfg = write_config(tmp_path, server, [{"id": "p", "company": "C", "title": "T", "path": "/p"}])
    cfg.write_text("# my list: keep this comment\n" + cfg.read_text())
    server.route("/p", Page(page("build 4711")))
    run_json(cfg, db, capsys)
    server.route("/p", Page(page("build 4712")))
    run_json(cfg, db, capsys)
    (change,) = Repository(open_database(db)).changes(source_id="p")
    return cfg, db, change.id


def test_noise_writes_the_rule_and_records_a_technical_version(
        noisy: tuple[Path, str, int], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, db, change_id = noisy
    code = main(["noise", f"c{change_id}", "--pattern", r"Page generated build \d+ by the CMS\.",
                 "--yes", "--config", str(cfg), "--db", db])
    out = capsys.readouterr().out
    assert code == 0
    assert "ignore = ['Page generated build \\d+ by the CMS\\.']" in out
    assert "technical version" in out
    assert cfg.read_text().startswith("# my list: keep this comment\n")
    assert load_config(cfg).source("p").ignore == (r"Page generated build \d+ by the CMS\.",)  # type: ignore[union-attr]
    repo = Repository(open_database(db))
    latest = repo.history("p")[0]
    assert latest.kind == "technical" and "Page generated" not in repo.version_text(latest.id)


def test_noise_with_a_pattern_that_matches_nothing_writes_nothing(
        noisy: tuple[Path, str, int], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, db, change_id = noisy
    before = cfg.read_text()
    code = main(["noise", str(change_id), "--pattern", "no such words", "--yes",
                 "--config", str(cfg), "--db", db])
    assert code == 2 and "matches nothing" in capsys.readouterr().err
    assert cfg.read_text() == before


def test_noise_without_yes_off_a_terminal_asks_for_it(
        noisy: tuple[Path, str, int], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, db, change_id = noisy
    before = cfg.read_text()
    code = main(["noise", str(change_id), "--pattern", r"build \d+", "--config", str(cfg),
                 "--db", db])
    captured = capsys.readouterr()
    assert code == 2 and "pass --yes" in captured.err and "ignore = " in captured.out
    assert cfg.read_text() == before


def test_noise_for_an_unknown_change_is_not_found(
        noisy: tuple[Path, str, int], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, db, _ = noisy
    assert main(["noise", "c999", "--pattern", "x", "--config", str(cfg), "--db", db]) == 3


def test_with_ignore_extends_an_existing_multiline_list_in_place() -> None:
    text = ('[[source]]\nid = "a"\nignore = [\n  "x",  # dates\n]\nnotes = "n"\n\n'
            '[[source]]\nid = "b"\n')
    edited = with_ignore(text, 0, ["x", "y"])
    assert edited == ('[[source]]\nid = "a"\nignore = [\'x\', \'y\']\nnotes = "n"\n\n'
                      '[[source]]\nid = "b"\n')
    assert with_ignore(text, 1, ["z"]).endswith('id = "b"\nignore = [\'z\']\n')
