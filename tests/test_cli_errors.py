"""The command line answers every mistake with one clear line and a distinct exit code:
0 ok, 1 some sources failed, 2 usage / configuration / database, 3 not found."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import write_config
from faultserver import FaultServer, Page

from crawler.config import parse_config
from framewatch import __version__
from framewatch.cli import build_parser, main
from framewatch.common import subparsers_of


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def fw(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --version, --help, usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fw(capsys, "--version")
    assert code == 0 and out.strip() == f"framewatch {__version__}"


def test_every_option_of_every_command_has_help_text() -> None:
    parser = build_parser()
    missing = []
    for name, sub in {"": parser, **subparsers_of(parser)}.items():
        for action in sub._actions:
            if action.help in (None, "") and not isinstance(action, argparse._SubParsersAction):
                missing.append(f"{name or 'framewatch'} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


@pytest.mark.parametrize("flags", [["-q"], ["-v"], ["--quiet"]])
def test_global_flags_are_accepted_after_the_subcommand(flags: list[str]) -> None:
    args = build_parser().parse_args(["run", *flags, "--config", "x.toml"])
    assert args.command == "run" and args.config == "x.toml"
    assert args.quiet if "-v" not in flags else args.verbose == 1


def test_db_given_before_the_subcommand_is_not_overwritten_by_its_default() -> None:
    args = build_parser().parse_args(["--db", "sqlite:///a.db", "history"])
    assert args.db == "sqlite:///a.db"


@pytest.mark.parametrize("command", [["history"], ["changes"], ["show", "c1"], ["sources", "list"],
                                     ["deliveries"], ["db", "check"], ["db", "current"]])
def test_read_commands_never_create_a_database(command: list[str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo.db.typo"
    code, _, err = fw(capsys, *command, "--db", f"sqlite:///{target}")
    assert code == 2
    assert f"no database at {target}; run `framewatch run` first" in err
    assert not target.exists()


def test_unknown_change_version_and_source_exit_3(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    assert fw(capsys, "db", "upgrade", "--db", db)[0] == 0
    for args, words in ((["show", "c99"], "no change 99"), (["show", "12"], "no version 12"),
                        (["history", "nosuch"], "unknown source 'nosuch'")):
        code, _, err = fw(capsys, *args, "--db", db)
        assert code == 3 and words in err, args


def test_a_config_that_does_not_exist_says_so(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fw(capsys, "run", "--config", str(tmp_path / "nope.toml"))
    assert code == 2 and "nope.toml: the file does not exist" in err


def test_relative_sqlite_path_in_a_config_means_beside_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "project" / "sources.toml"
    config = parse_config('[settings]\ndatabase = "sqlite:///data/fw.db"\n', str(cfg))
    assert config.settings.database == f"sqlite:///{tmp_path / 'project' / 'data' / 'fw.db'}"
    absolute = parse_config('[settings]\ndatabase = "sqlite:////srv/fw.db"\n', str(cfg))
    assert absolute.settings.database == "sqlite:////srv/fw.db"


SECRET_CONFIG = """\
[[source]]
id = "a"
company = "A"
title = "A"
url = "https://example.org/"

[notify.slack]
min_severity = "low"
webhook_url_env = "FRAMEWATCH_TEST_UNSET_SLACK_URL"
"""


@pytest.mark.parametrize("command", [["sources", "check"], ["run"]])
def test_a_missing_secret_variable_is_a_configuration_error(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("FRAMEWATCH_TEST_UNSET_SLACK_URL", raising=False)
    cfg = tmp_path / "sources.toml"
    cfg.write_text(SECRET_CONFIG)
    code, _, err = fw(capsys, *command, "--config", str(cfg), "--db",
                      f"sqlite:///{tmp_path / 'fw.db'}")
    assert code == 2
    assert (f"{cfg}:9: notify.slack.webhook_url_env: the environment variable "
            "FRAMEWATCH_TEST_UNSET_SLACK_URL is not set") in err


def test_sources_check_counts_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(SECRET_CONFIG.split("[notify")[0])
    code, out, _ = fw(capsys, "sources", "check", "--config", str(cfg))
    assert code == 0 and "1 source (1 page) from 1 company; 0 notification channels" in out


def test_offline_is_said_once_not_per_source(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text("".join(
        f'[[source]]\nid = "s{i}"\ncompany = "C"\ntitle = "T"\n'
        f'url = "http://framewatch-offline-{i}.invalid/"\n\n' for i in range(3)))
    code, out, err = fw(capsys, "-q", "run", "--config", str(cfg), "--db",
                        f"sqlite:///{tmp_path / 'fw.db'}", "--no-notify")
    assert code == 1
    assert out.count("OFFLINE") == 1 and "3 sources not checked" in out
    assert "does not resolve" not in out + err


def test_each_failure_is_printed_once(server: FaultServer, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str],
                                      caplog: pytest.LogCaptureFixture) -> None:
    server.route("/ok", Page("<html><body><main><p>We will publish.</p></main></body></html>"))
    cfg = write_config(tmp_path, server, [
        {"id": "ok", "company": "C", "title": "T", "path": "/ok"},
        {"id": "gone", "company": "C", "title": "T", "url": "http://framewatch-gone.invalid/"}])
    cfg.write_text(cfg.read_text().replace('path = "/ok"', f'url = "{server.url("/ok")}"'))
    with caplog.at_level(logging.INFO):
        code, out, err = fw(capsys, "run", "--config", str(cfg), "--no-notify",
                            "--db", f"sqlite:///{tmp_path / 'fw.db'}")
    everything = out + err + caplog.text
    assert code == 1
    assert everything.count("framewatch-gone.invalid") == 1
    assert "FAILED gone: dns:" in out


def test_progress_counter_grows_with_sources_an_index_discovers(
        server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    cards = "".join(f'<li><a class="card" href="/cards/{i}">Card {i}</a></li>' for i in range(3))
    server.route("/cards", Page(f"<html><body><main><ul>{cards}</ul></main></body></html>"))
    for i in range(3):
        server.route(f"/cards/{i}", Page(f"<html><body><main><p>Card {i}.</p></main></body></html>"))
    cfg = write_config(tmp_path, server, [
        {"id": "cards", "company": "C", "title": "Cards", "path": "/cards", "kind": "index",
         "follow": "a.card", "track_new": True}])
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    with caplog.at_level(logging.INFO, logger="framewatch"):
        fw(capsys, "run", "--config", str(cfg), "--db", db, "--no-notify")
        fw(capsys, "run", "--config", str(cfg), "--db", db, "--no-notify")
    counters = [tuple(map(int, m)) for m in re.findall(r"\[(\d+)/(\d+)\]", caplog.text)]
    assert counters and all(n <= total for n, total in counters)


@pytest.mark.parametrize("argv", [
    ["run"], ["run", "-q", "--format", "json"], ["--config", "x.toml", "run", "--only", "a", "b"],
    ["--db", "sqlite:///a.db", "-v", "run", "--no-notify", "--wait", "3"], ["run", "--ledger"],
    ["--config=x.toml", "run"], ["-vv", "run", "--db", "sqlite:///b.db"],
])
def test_the_run_only_parser_reads_a_run_exactly_as_the_whole_parser(argv: list[str]) -> None:
    assert vars(build_parser("run").parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(("argv", "command"), [
    (["run"], "run"), (["--config", "run", "history"], "history"), (["--db", "x", "run"], "run"),
    (["-q", "run", "--help"], "run"), (["--help", "run"], None), (["--version"], None),
    (["--conf", "x.toml", "run"], "x.toml"), ([], None),
])
def test_the_command_is_told_from_the_words_before_it(argv: list[str], command: str | None) -> None:
    from framewatch.cli import _command_named

    assert _command_named(argv) == command


def test_help_before_run_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fw(capsys, "--help", "run")
    assert code == 0 and "history" in out and "commitments" in out


def test_help_of_run_is_the_same_from_either_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    whole = capsys.readouterr().out
    code, out, _ = fw(capsys, "run", "--help")
    assert code == 0 and out == whole and "--ledger" in out


def test_a_mistyped_option_of_run_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fw(capsys, "run", "--ledgr-typo")
    assert code == 2 and "unrecognized arguments: --ledgr-typo" in err
