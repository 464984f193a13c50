"""Each `[settings]` and `[[source]]` key is declared once; validation and README follow it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from crawler.config import SETTINGS_SCHEMA, SOURCE_SCHEMA, ConfigError, Key, parse_config

ROOT = Path(__file__).resolve().parents[1]

SOURCE = """
[[source]]
id = "a"
company = "Acme"
title = "Policy"
url = "https://example.org/policy"
"""


def readme_rows(header: str) -> dict[str, list[str]]:
    """The rows of README's table that starts with ``header``: each key of the first cell
    mapped to the row's other cells."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index(header):]
    table = table[:table.index("\n\n")]
    rows: dict[str, list[str]] = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        for name in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[name] = cells[1:]
    return rows


def test_readme_settings_table_lists_each_declared_setting_with_its_range() -> None:
    rows = readme_rows("| key | default | range | meaning |")
    assert set(rows) == {k.name for k in SETTINGS_SCHEMA}
    assert {name: cells[1] for name, cells in rows.items()} == {
        k.name: k.bounds for k in SETTINGS_SCHEMA}


def test_readme_source_table_lists_each_declared_key_with_what_it_applies_to() -> None:
    rows = readme_rows("| key | for | meaning |")
    assert set(rows) == {k.name for k in SOURCE_SCHEMA}
    assert {name: cells[0] for name, cells in rows.items()} == {
        k.name: k.applies_to for k in SOURCE_SCHEMA}


NUMBERS = [k for k in SETTINGS_SCHEMA if k.type in ("integer", "number")]


def out_of_bounds(key: Key) -> list[float]:
    """Values just outside each declared bound, and the non-finite ones."""
    step = 1 if key.type == "integer" else 0.5
    values: list[float] = []
    if key.positive:
        values.append(0)
    if key.minimum is not None:
        values.append(key.minimum - step)
    if key.maximum is not None:
        values.append(key.maximum + step)
    if key.type == "number":
        values += [math.nan, math.inf, -math.inf]
    return values


def toml(value: float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


@pytest.mark.parametrize(("key", "value"), [(k, v) for k in NUMBERS for v in out_of_bounds(k)],
                         ids=lambda x: x.name if isinstance(x, Key) else str(x))
def test_a_setting_outside_its_declared_bounds_is_named_by_file_line_and_key(
        key: Key, value: float) -> None:
    text = f"[settings]\n{key.name} = {toml(value)}\n" + SOURCE
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "s.toml")
    assert str(exc.value).startswith(f"s.toml:2: settings.{key.name}: must ")


@pytest.mark.parametrize("key", NUMBERS, ids=lambda k: k.name)
def test_a_setting_at_its_declared_bounds_is_accepted(key: Key) -> None:
    edges = [b for b in (key.minimum, key.maximum) if b is not None and not (key.positive
                                                                              and b == 0)]
    for edge in edges or [1]:
        value = int(edge) if key.type == "integer" else float(edge)
        cfg = parse_config(f"[settings]\n{key.name} = {value!r}\n" + SOURCE)
        assert getattr(cfg.settings, key.name) == value


def test_every_number_setting_declares_a_lower_bound() -> None:
    assert [k.name for k in NUMBERS if k.minimum is None and not k.positive] == []


def test_a_number_setting_written_as_an_integer_is_read_as_a_float() -> None:
    cfg = parse_config("[settings]\nread_timeout = 5\n" + SOURCE)
    assert isinstance(cfg.settings.read_timeout, float) and cfg.settings.read_timeout == 5.0


def test_a_key_for_other_kinds_is_a_warning_naming_line_and_key() -> None:
    cfg = parse_config(SOURCE + 'follow = "a.doc"\n', "s.toml")
    assert cfg.sources[0].follow == "a.doc"
    assert cfg.warnings == (
        "s.toml:7: source 'a'.follow: only applies to kind follow or index; a 'page' source "
        "ignores it",)


def test_wait_for_with_the_http_fetcher_is_a_warning() -> None:
    cfg = parse_config(SOURCE + 'wait_for = "main"\n', "s.toml")
    assert len(cfg.warnings) == 1 and "source 'a'.wait_for" in cfg.warnings[0]
    assert "fetcher browser or auto" in cfg.warnings[0]


def test_a_key_for_its_own_kind_and_fetcher_gives_no_warning() -> None:
    cfg = parse_config(SOURCE + 'kind = "index"\nfollow = "a"\ntrack_new = true\n'
                       'fetcher = "auto"\nwait_for = "main"\n')
    assert cfg.warnings == ()


def test_a_source_choice_outside_its_declared_choices_lists_them() -> None:
    with pytest.raises(ConfigError, match="'rss' is not one of page, pdf, follow, index") as exc:
        parse_config(SOURCE + 'kind = "rss"\n', "s.toml")
    assert exc.value.line == 7 and exc.value.field == "source 'a'.kind"


def test_an_unknown_source_key_lists_every_declared_key() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(SOURCE + "colour = 1\n")
    assert all(k.name in str(exc.value) for k in SOURCE_SCHEMA)


def test_a_wrong_type_message_shows_a_long_value_cut_short() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config("[settings]\nconcurrency = \"" + "x" * 5000 + "\"\n" + SOURCE)
    assert "must be an integer" in str(exc.value) and len(str(exc.value)) < 200


def test_every_declared_default_is_itself_a_valid_value() -> None:
    """A default outside its own bounds or choices would be rejected if written out."""
    for key in SETTINGS_SCHEMA + SOURCE_SCHEMA:
        if key.choices:
            assert key.default in key.choices, key.name
        if key.type in ("integer", "number"):
            assert not key.positive or key.default > 0, key.name
            assert key.minimum is None or key.default >= key.minimum, key.name
            assert key.maximum is None or key.default <= key.maximum, key.name


def test_keys_for_some_kinds_or_fetchers_name_real_ones() -> None:
    kinds = next(k for k in SOURCE_SCHEMA if k.name == "kind").choices
    fetchers = next(k for k in SOURCE_SCHEMA if k.name == "fetcher").choices
    for key in SOURCE_SCHEMA:
        assert set(key.kinds) <= set(kinds) and set(key.fetchers) <= set(fetchers), key.name


FULL_SOURCE = SOURCE + """kind = "index"
select = ["main"]
remove = "nav"
ignore = ['Updated \\d+']
follow = "a.doc"
link_pattern = '\\.pdf$'
track_new = true
allow_private = false
fetcher = "auto"
wait_for = "main"
user_agent = "Custom/1.0"
changelog = "b"

[[source]]
id = "b"
company = "Acme"
title = "Changelog"
url = "https://example.org/changes"
"""


def test_the_database_keeps_the_declared_stored_keys() -> None:
    spec = parse_config(FULL_SOURCE).sources[0]
    assert spec.stored_settings() == {
        "select": ["main"], "remove": ["nav"], "ignore": [r"Updated \d+"], "follow": "a.doc",
        "link_pattern": r"\.pdf$", "track_new": True, "allow_private": False,
        "fetcher": "auto", "wait_for": "main", "user_agent": "Custom/1.0", "changelog": "b"}


def test_unset_overrides_are_not_stored() -> None:
    stored = parse_config(SOURCE).sources[0].stored_settings()
    assert "allow_private" not in stored and "user_agent" not in stored
    assert stored["fetcher"] == "http" and stored["follow"] is None


@pytest.mark.parametrize("text", [SOURCE, FULL_SOURCE], ids=["defaults", "every-key"])
def test_a_spec_read_back_from_the_database_is_the_spec_that_was_stored(text: str) -> None:
    from crawler.config import SourceConfig

    spec = parse_config(text).sources[0]
    back = SourceConfig.from_stored(id=spec.id, company=spec.company, title=spec.title,
                                    url=spec.url, kind=spec.kind, enabled=spec.enabled,
                                    settings=spec.stored_settings())
    assert back == spec


def test_a_source_stored_without_settings_reads_back_with_the_declared_defaults() -> None:
    from crawler.config import SourceConfig

    back = SourceConfig.from_stored(id="a", company="A", title="T", url="https://x.org/",
                                    kind="page", enabled=True, settings=None)
    assert back == parse_config(SOURCE.replace("Acme", "A").replace("Policy", "T").replace(
        "https://example.org/policy", "https://x.org/")).sources[0]
