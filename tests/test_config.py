"""sources.toml: typed values out, and every mistake named by line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
[settings]
allow_private = true

[[source]]
id = "a"
company = "Acme"
title = "Policy"
url = "https://example.org/policy"
"""


def test_minimal_config_gives_typed_source_with_defaults() -> None:
    cfg = parse_config(MINIMAL)
    (src,) = cfg.sources
    assert (src.id, src.kind, src.select, src.enabled) == ("a", "page", (), True)
    assert cfg.settings.allow_private is True


def test_shipped_sources_toml_is_valid_and_covers_the_publishing_companies() -> None:
    cfg = load_config(ROOT / "sources.toml")
    companies = {s.company for s in cfg.sources}
    for company in ("Anthropic", "OpenAI", "Google DeepMind", "Meta", "Microsoft", "Amazon",
                    "xAI", "Cohere", "G42", "NVIDIA", "Magic", "Naver"):
        assert company in companies
    assert {s.kind for s in cfg.sources} >= {"page", "pdf", "follow", "index"}


def test_unknown_source_key_names_line_and_field() -> None:
    text = MINIMAL + 'colour = "red"\n'
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "s.toml")
    assert exc.value.line == 10
    assert "colour" in str(exc.value) and "s.toml:10" in str(exc.value)


def test_duplicate_id_is_an_error_naming_both_places() -> None:
    text = MINIMAL + MINIMAL.split("[[source]]")[1].join(["\n[[source]]", ""])
    with pytest.raises(ConfigError, match="duplicate source id 'a'") as exc:
        parse_config(text)
    assert exc.value.field == "source 'a'.id"
    assert "line 6" in str(exc.value)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "not a url", "https://"])
def test_bad_url_is_an_error_naming_the_url_field(url: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(MINIMAL.replace("https://example.org/policy", url))
    assert exc.value.field == "source 'a'.url"
    assert exc.value.line == 9


def test_bad_css_selector_is_an_error() -> None:
    with pytest.raises(ConfigError, match="bad CSS selector"):
        parse_config(MINIMAL + 'select = ["main >>> p["]\n')


def test_bad_ignore_regex_is_an_error() -> None:
    with pytest.raises(ConfigError, match="bad regular expression"):
        parse_config(MINIMAL + "ignore = ['([unclosed']\n")


def test_follow_kind_requires_a_follow_selector() -> None:
    with pytest.raises(ConfigError, match="needs a `follow`"):
        parse_config(MINIMAL + 'kind = "follow"\n')


def test_unknown_setting_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown setting") as exc:
        parse_config(MINIMAL.replace("allow_private = true", "alow_private = true"))
    assert exc.value.line == 3


def test_wrong_setting_type_is_an_error() -> None:
    with pytest.raises(ConfigError, match="must be a integer|must be an integer|integer"):
        parse_config(MINIMAL.replace("allow_private = true", 'concurrency = "many"'))


def test_bad_cron_schedule_is_an_error() -> None:
    with pytest.raises(ConfigError, match="cron"):
        parse_config(MINIMAL.replace("allow_private = true", 'schedule = "every day"'))


def test_invalid_toml_reports_its_line() -> None:
    with pytest.raises(ConfigError, match="not valid TOML") as exc:
        parse_config('[settings]\nallow_private = \n', "s.toml")
    assert exc.value.line == 2


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.toml")
