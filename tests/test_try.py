"""Trying rules before committing them: `framewatch try`, `diff` on URLs, `sources add`, `init`."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import write_config
from faultserver import FaultServer, Page

from crawler.config import load_config
from framewatch.cli import main

POLICY = ("<html><head><title>Policy</title></head><body><nav><a href='/'>Home</a></nav>"
          "<main><h1>Frontier Safety Policy</h1><p>We will publish a report within 30 days.</p>"
          "<p class='stamp'>Last updated March 3, 2026</p>"
          "<a class='doc' href='/policy-v2.html'>Current policy</a></main>"
          "<div class='promo'>Try our app!</div></body></html>")
DOC = "<html><body><main><p>Version two of the policy.</p></main></body></html>"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        srv.route("/policy", Page(POLICY))
        srv.route("/policy-v2.html", Page(DOC))
        yield srv


def fw(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_try_prints_the_extracted_text_and_what_each_rule_matched(
        server: FaultServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = fw(capsys, "try", server.url("/policy"), "--allow-private",
                      "--select", "main", "--remove", ".stamp", "--ignore", r"within \d+ days")
    assert code == 0
    assert "select 'main': 1 element" in out and "remove '.stamp': 1 element" in out
    assert "ignore 'within \\\\d+ days': 1 match" in out
    assert "We will publish a report ." in out or "We will publish a report." in out
    assert "Try our app" not in out and "Last updated" not in out
    assert list(tmp_path.iterdir()) == []  # nothing stored


def test_try_a_select_that_matches_nothing_is_an_error(
        server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fw(capsys, "try", server.url("/policy"), "--allow-private",
                        "--select", "article")
    assert code == 2
    assert "select 'article': 0 elements" in out and "matched nothing" in err
    assert "layout probably changed" not in err  # a brand-new rule, not a redesign
    assert "Frontier Safety Policy" not in out


@pytest.mark.parametrize("option, value, words", [
    ("--select", "main[", "--select 'main[' is not a usable CSS selector"),
    ("--ignore", "(", "--ignore '(' is not a valid regular expression"),
])
def test_try_a_bad_rule_is_one_line_and_exit_2(
        server: FaultServer, capsys: pytest.CaptureFixture[str],
        option: str, value: str, words: str) -> None:
    code, _, err = fw(capsys, "try", server.url("/policy"), "--allow-private", option, value)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_try_follow_shows_the_followed_link(server: FaultServer,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fw(capsys, "try", server.url("/policy"), "--allow-private",
                      "--kind", "follow", "--follow", "a.doc", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["document_url"] == server.url("/policy-v2.html")
    assert "Version two of the policy." in report["text"]


def test_try_index_lists_the_links(server: FaultServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fw(capsys, "try", server.url("/policy"), "--allow-private",
                      "--kind", "index", "--follow", "main a")
    assert code == 0 and "links found" in out
    assert f"- Current policy <{server.url('/policy-v2.html')}>" in out


def test_diff_accepts_a_url_and_a_file(server: FaultServer, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    newer = tmp_path / "new.html"
    newer.write_text(POLICY.replace("30 days", "90 days"))
    code, out, _ = fw(capsys, "diff", server.url("/policy"), str(newer), "--allow-private",
                      "--select", "main", "--format", "json")
    result = json.loads(out)
    assert code == 0 and "numeric" in result["signals"]


def test_diff_a_select_that_matches_nothing_is_an_error_not_the_whole_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "a.html", tmp_path / "b.html"
    old.write_text(POLICY)
    new.write_text(POLICY.replace("30", "90"))
    code, out, err = fw(capsys, "diff", str(old), str(new), "--select", "article")
    assert code == 2 and "--select 'article' matched nothing" in err and out == ""


def test_diff_a_bad_selector_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "a.html"
    old.write_text(POLICY)
    code, _, err = fw(capsys, "diff", str(old), str(old), "--select", "main[")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_run_on_a_new_source_whose_select_matches_nothing_blames_the_selector(
        server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server, [{"id": "p", "company": "C", "title": "T",
                                           "path": "/policy", "select": ["article"]}])
    main(["-q", "run", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'fw.db'}",
          "--format", "json", "--no-notify"])
    message = json.loads(capsys.readouterr().out)["sources"][0]["message"]
    assert "matched nothing" in message and "framewatch try" in message
    assert "layout probably changed" not in message


# ---- sources add / init ---------------------------------------------------------------------

def test_sources_add_appends_a_valid_entry_and_keeps_comments(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    original = "# my watch list\n[settings]\ntimezone = \"UTC\"  # keep me\n"
    cfg.write_text(original)
    code, out, _ = fw(capsys, "sources", "add", "https://example.org/policy", "--config", str(cfg),
                      "--company", "Example AI", "--title", "Frontier Policy",
                      "--select", "main", "--ignore", r"Updated \d+")
    assert code == 0 and "added source 'example-ai-frontier-policy'" in out
    text = cfg.read_text()
    assert text.startswith(original)
    source = load_config(cfg).source("example-ai-frontier-policy")
    assert source is not None and source.select == ("main",) and source.ignore == (r"Updated \d+",)
    assert tomllib.loads(text)["source"][0]["url"] == "https://example.org/policy"


def test_sources_add_refuses_a_duplicate_id_or_url(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text("")
    args = ["sources", "add", "https://example.org/p", "--config", str(cfg),
            "--company", "A", "--title", "P"]
    assert fw(capsys, *args)[0] == 0
    before = cfg.read_text()
    code, _, err = fw(capsys, *args)
    assert code == 2 and "already has a source with id 'a-p'" in err
    code, _, err = fw(capsys, *args[:-1], "Other")
    assert code == 2 and "already watches https://example.org/p" in err
    assert cfg.read_text() == before


def test_sources_add_refuses_a_bad_selector_without_writing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text("# empty\n")
    code, _, err = fw(capsys, "sources", "add", "https://example.org/p", "--config", str(cfg),
                      "--company", "A", "--title", "P", "--select", "div[")
    assert code == 2 and "not a usable CSS selector" in err
    assert cfg.read_text() == "# empty\n"


def test_init_writes_the_curated_list_and_refuses_to_overwrite(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sources.toml"
    code, out, _ = fw(capsys, "init", str(target))
    shipped = Path(__file__).resolve().parent.parent / "sources.toml"
    assert code == 0 and target.read_text() == shipped.read_text()
    assert f"{len(load_config(target).sources)} sources" in out
    target.write_text("# mine\n")
    code, _, err = fw(capsys, "init", str(target))
    assert code == 2 and "already exists; pass --force" in err and target.read_text() == "# mine\n"
    assert fw(capsys, "init", str(target), "--force")[0] == 0
    assert target.read_text() == shipped.read_text()
