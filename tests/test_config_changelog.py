"""`changelog = "<source id>"`: a source names the provider's account of its revisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, parse_config
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

TWO_SOURCES = """
[[source]]
id = "fw"
company = "Acme"
title = "Framework"
url = "https://example.org/framework.pdf"
kind = "pdf"
changelog = "{changelog}"

[[source]]
id = "fw-history"
company = "Acme"
title = "Version history"
url = "https://example.org/history"
"""


def test_changelog_names_another_source_and_is_exposed_on_the_spec() -> None:
    cfg = parse_config(TWO_SOURCES.format(changelog="fw-history"))
    assert cfg.source("fw").changelog == "fw-history"  # type: ignore[union-attr]
    assert cfg.source("fw-history").changelog is None  # type: ignore[union-attr]


def test_changelog_may_name_a_source_defined_later_in_the_file() -> None:
    # "fw" comes first and points forward: the check runs once every id is known.
    cfg = parse_config(TWO_SOURCES.format(changelog="fw-history"))
    assert [s.id for s in cfg.sources] == ["fw", "fw-history"]


def test_changelog_naming_an_unknown_source_is_an_error_with_file_line_and_key() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(TWO_SOURCES.format(changelog="fw-histroy"), "s.toml")
    assert str(exc.value) == ("s.toml:8: source 'fw'.changelog: 'fw-histroy' is not the id of a "
                              "source in this file")


def test_changelog_naming_the_source_itself_is_an_error() -> None:
    with pytest.raises(ConfigError, match="not the source itself") as exc:
        parse_config(TWO_SOURCES.format(changelog="fw"), "s.toml")
    assert (exc.value.line, exc.value.field) == (8, "source 'fw'.changelog")


@pytest.mark.parametrize("value", ['""', "3", '["fw-history"]'])
def test_changelog_that_is_not_a_source_id_string_is_an_error(value: str) -> None:
    text = TWO_SOURCES.replace('changelog = "{changelog}"', f"changelog = {value}")
    with pytest.raises(ConfigError, match="must be the id of another source") as exc:
        parse_config(text, "s.toml")
    assert exc.value.line == 8


def test_changelog_is_stored_with_the_source(tmp_path: Path, db_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(TWO_SOURCES.format(changelog="fw-history"))
    assert main(["-q", "db", "upgrade", "--db", db_url]) == 0
    assert main(["-q", "sources", "list", "--config", str(cfg), "--db", db_url,
                 "--format", "json"]) == 0
    capsys.readouterr()
    repo = Repository(open_database(db_url))
    assert repo.get_source("fw").changelog == "fw-history"  # type: ignore[union-attr]
    assert repo.get_source("fw-history").changelog is None  # type: ignore[union-attr]


def test_removing_changelog_from_the_config_clears_it_in_storage(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(TWO_SOURCES.format(changelog="fw-history"))
    main(["-q", "db", "upgrade", "--db", db_url])
    main(["-q", "sources", "list", "--config", str(cfg), "--db", db_url, "--format", "json"])
    cfg.write_text(TWO_SOURCES.replace('changelog = "{changelog}"\n', ""))
    main(["-q", "sources", "list", "--config", str(cfg), "--db", db_url, "--format", "json"])
    capsys.readouterr()
    assert Repository(open_database(db_url)).get_source("fw").changelog is None  # type: ignore[union-attr]
