"""Hostile input: whatever is in sources.toml, `framewatch sources check` answers like a tool.

Property (hypothesis): for any value put into any field of an otherwise valid sources.toml, the
command exits 0 (the value was fine) or 2 with ``configuration error: <file>:<line>: <field>: …``
on stderr — the field named, and never a traceback. Values known to be wrong (wrong types, bad
URLs, bad selectors, bad regexes, unknown keys, duplicate ids, out-of-range settings) must give 2.
Random damage to the file's text (invalid TOML) must give 0 or 2, never a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.config import _SETTING_TYPES, _SOURCE_KEYS
from framewatch.cli import main

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

VALID_SETTINGS: dict[str, Any] = {"allow_private": False, "retries": 1, "read_timeout": 5.0,
                                  "schedule": "0 6 * * *", "timezone": "UTC"}
VALID_SOURCES: list[dict[str, Any]] = [
    {"id": "alpha", "company": "Example AI", "title": "Alpha policy",
     "url": "https://example.org/alpha", "select": ["main"], "ignore": [r"Updated \d+"]},
    {"id": "beta", "company": "Example AI", "title": "Beta index", "kind": "index",
     "url": "https://example.org/beta", "follow": "a.doc", "link_pattern": r"\.pdf$"},
]


# ---- a tiny TOML writer (tomli_w is not a dependency) ------------------------------------------

def toml_str(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(v: Any) -> str:
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_str(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


class Raw:
    """A TOML value written verbatim (for shapes the writer does not produce)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text!r})"


def render(settings_: dict[str, Any], sources: list[dict[str, Any]],
           extra_top: str = "") -> str:
    lines = [extra_top, "[settings]"] if extra_top else ["[settings]"]
    lines += [f"{toml_str(k)} = {toml_value(v)}" for k, v in settings_.items()]
    for src in sources:
        lines += ["", "[[source]]"] + [f"{toml_str(k)} = {toml_value(v)}" for k, v in src.items()]
    return "\n".join(lines) + "\n"


def sources_check(text: str) -> tuple[int, str]:
    """Run `framewatch sources check` on ``text``; (exit code, stderr). Exceptions propagate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sources.toml"
        path.write_text(text, encoding="utf-8")
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(["-q", "sources", "check", "--config", str(path)])
        return code, err.getvalue()


def assert_config_error(code: int, stderr: str, field: str) -> None:
    assert code == 2, (code, stderr)
    assert stderr.startswith("configuration error: "), stderr
    assert "Traceback" not in stderr
    assert field in stderr, (field, stderr)
    assert len(stderr) < 4000


def assert_ok_or_config_error(code: int, stderr: str, field: str) -> None:
    assert code in (0, 2), (code, stderr)
    if code == 2:
        assert_config_error(code, stderr, field)


# ---- strategies ----------------------------------------------------------------------------------

scalars = st.one_of(
    st.text(max_size=40), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.replace(microsecond=0)),
    st.dates(),
)
any_value = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def wrong_type_for(expected: type | tuple[type, ...]) -> st.SearchStrategy[Any]:
    def wrong(v: Any) -> bool:
        if expected is bool:
            return not isinstance(v, bool)
        if isinstance(v, bool):
            return True
        return not isinstance(v, expected)

    return any_value.filter(wrong)


def test_valid_base_config_passes() -> None:
    code, err = sources_check(render(VALID_SETTINGS, VALID_SOURCES))
    assert code == 0, err


# ---- settings ------------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_setting_of_the_wrong_type_names_the_setting(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(_SETTING_TYPES)))
    value = data.draw(wrong_type_for(_SETTING_TYPES[key]))
    code, err = sources_check(render({**VALID_SETTINGS, key: value}, VALID_SOURCES))
    assert_config_error(code, err, f"settings.{key}")


BAD_SETTING_VALUES = st.one_of(
    st.tuples(st.sampled_from(["concurrency", "per_host", "max_bytes", "max_pdf_pages",
                               "health_failures", "revert_window"]),
              st.integers(max_value=0)),
    st.tuples(st.sampled_from(["connect_timeout", "read_timeout", "total_timeout",
                               "pdf_timeout"]),
              st.one_of(st.floats(max_value=0), st.integers(max_value=0),
                        st.just(float("nan")))),
    st.tuples(st.sampled_from(["retries", "workers"]), st.integers(max_value=-1)),
    st.tuples(st.just("backoff"), st.one_of(st.floats(max_value=-1e-9), st.just(float("nan")),
                                            st.just(float("inf")))),
    st.tuples(st.sampled_from(["connect_timeout", "read_timeout", "total_timeout",
                               "pdf_timeout"]), st.just(float("inf"))),
    st.tuples(st.just("schedule"), st.sampled_from(["", "every day", "61 * * * *", "* * *",
                                                     "0 6 * * * * *", "0 25 * * *", "\x00"])),
    st.tuples(st.just("timezone"), st.sampled_from(["Mars/Olympus", "", "../../etc/passwd",
                                                     "UTC\x00", "/abs", "Europe/"])),
    st.tuples(st.sampled_from(["base_url", "archive_url"]),
              st.sampled_from(["", "ftp://x.org", "localhost:8000", "http://", "http://[::1",
                               "http://[zz]/", "javascript:alert(1)", " "])),
    st.tuples(st.sampled_from(["database"]), st.sampled_from(["", " "])),
)


@FUZZ
@given(bad=BAD_SETTING_VALUES)
@example(bad=("total_timeout", float("nan")))
@example(bad=("base_url", "http://[::1"))
def test_setting_out_of_range_names_the_setting(bad: tuple[str, Any]) -> None:
    key, value = bad
    code, err = sources_check(render({**VALID_SETTINGS, key: value}, VALID_SOURCES))
    assert_config_error(code, err, f"settings.{key}")


@FUZZ
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: k not in _SETTING_TYPES),
       value=any_value)
def test_unknown_setting_names_the_key(key: str, value: Any) -> None:
    code, err = sources_check(render({**VALID_SETTINGS, key: value}, VALID_SOURCES))
    assert_config_error(code, err, "settings.")


@FUZZ
@given(data=st.data())
def test_any_value_in_any_setting_is_accepted_or_named(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(_SETTING_TYPES)))
    value = data.draw(any_value)
    code, err = sources_check(render({**VALID_SETTINGS, key: value}, VALID_SOURCES))
    assert_ok_or_config_error(code, err, f"settings.{key}")


# ---- sources -------------------------------------------------------------------------------------

SOURCE_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str, "company": str, "title": str, "url": str, "kind": str, "select": (str, list),
    "remove": (str, list), "ignore": (str, list), "follow": str, "link_pattern": str,
    "track_new": bool, "enabled": bool, "allow_private": bool, "fetcher": str, "wait_for": str,
    "user_agent": str, "notes": str, "changelog": str,
}


def test_source_type_table_matches_the_known_keys() -> None:
    assert set(SOURCE_TYPES) == _SOURCE_KEYS


def _field(sid_ok: bool, key: str) -> str:
    return f"source 'alpha'.{key}" if sid_ok else f"source[0].{key}"


@FUZZ
@given(data=st.data())
def test_source_field_of_the_wrong_type_names_the_field(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(SOURCE_TYPES)))
    value = data.draw(wrong_type_for(SOURCE_TYPES[key]))
    src = {**VALID_SOURCES[0], key: value}
    code, err = sources_check(render(VALID_SETTINGS, [src, VALID_SOURCES[1]]))
    assert_config_error(code, err, _field(key != "id", key))


@FUZZ
@given(data=st.data())
def test_any_value_in_any_source_field_is_accepted_or_named(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(SOURCE_TYPES)))
    value = data.draw(st.one_of(any_value, st.lists(st.text(max_size=30), max_size=3)))
    src = {**VALID_SOURCES[1], key: value}
    code, err = sources_check(render(VALID_SETTINGS, [VALID_SOURCES[0], src]))
    assert code in (0, 2), (code, err)
    if code == 2:
        assert "Traceback" not in err and err.startswith("configuration error: ")
        assert "source" in err and (key in err or "follow" in err), err


BAD_URLS = st.one_of(
    st.sampled_from(["", " ", "example.org/policy", "ftp://example.org/x", "file:///etc/passwd",
                     "http://", "https:///path", "http://[::1", "http://[zz]/x",
                     "javascript:alert(1)", "mailto:a@b.c", "//example.org/x", "http:example",
                     "http://exa mple.org/"]),
    st.text(max_size=30).filter(lambda s: not s.lower().startswith(("http://", "https://"))),
)


@FUZZ
@given(url=BAD_URLS)
@example(url="http://[::1")
def test_bad_source_url_names_the_url_field(url: str) -> None:
    src = {**VALID_SOURCES[0], "url": url}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert_config_error(code, err, "source 'alpha'.url")


BAD_SELECTORS = st.sampled_from([
    "", "   ", "div[", "a >> b", "::before", "p:nth-child(x)", "#", ".", "a[href=", "div)",
    "p:unknown-pseudo", "a,", ",a", "[", "<main>", "main {color: red}", "a:has(", "\\",
])


@FUZZ
@given(sel=BAD_SELECTORS, key=st.sampled_from(["select", "remove"]),
       as_list=st.booleans())
def test_bad_css_selector_names_the_field(sel: str, key: str, as_list: bool) -> None:
    src = {**VALID_SOURCES[0], key: [sel] if as_list else sel}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert_config_error(code, err, f"source 'alpha'.{key}")


@FUZZ
@given(sel=BAD_SELECTORS.filter(lambda s: s.strip() != ""))
def test_bad_follow_selector_names_the_field(sel: str) -> None:
    src = {**VALID_SOURCES[1], "follow": sel}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert_config_error(code, err, "source 'beta'.follow")


@FUZZ
@given(text=st.text(max_size=30))
def test_any_selector_text_is_accepted_or_named(text: str) -> None:
    src = {**VALID_SOURCES[0], "select": [text]}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert_ok_or_config_error(code, err, "source 'alpha'.select")


# Invalid for the engine that runs them (the `regex` module, which, unlike `re`, accepts
# duplicate group names and variable-width lookbehind).
BAD_REGEXES = st.sampled_from([
    "(", ")", "[a-", "*x", "a{2,1}", "(?P<>x)", "\\", "(?P=nope)", "x**", "[z-a]",
    "a{99999999999}", "(?P<1>x)", "\\k<nope>", "(?", "+",
])


@FUZZ
@given(pattern=BAD_REGEXES, key=st.sampled_from(["ignore", "link_pattern"]))
def test_bad_regex_names_the_field(pattern: str, key: str) -> None:
    base = VALID_SOURCES[1] if key == "link_pattern" else VALID_SOURCES[0]
    value: Any = pattern if key == "link_pattern" else [pattern]
    code, err = sources_check(render(VALID_SETTINGS, [{**base, key: value}]))
    assert_config_error(code, err, f"source {base['id']!r}.{key}")


@FUZZ
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: k not in _SOURCE_KEYS),
       value=any_value)
def test_unknown_source_key_names_the_key(key: str, value: Any) -> None:
    src = {**VALID_SOURCES[0], key: value}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert_config_error(code, err, "source 'alpha'.")


@FUZZ
@given(sid=st.sampled_from(["alpha", "beta"]), copies=st.integers(min_value=2, max_value=4))
def test_duplicate_source_ids_name_the_id(sid: str, copies: int) -> None:
    base = next(s for s in VALID_SOURCES if s["id"] == sid)
    code, err = sources_check(render(VALID_SETTINGS, [*VALID_SOURCES] + [base] * (copies - 1)))
    assert_config_error(code, err, f"source {sid!r}.id")
    assert "duplicate" in err


@FUZZ
@given(sid=st.text(max_size=30).filter(lambda s: not s or not s[0].isalnum()
                                       or any(c.isupper() or c in " /#?" for c in s)))
def test_non_slug_source_id_names_the_id(sid: str) -> None:
    src = {**VALID_SOURCES[0], "id": sid}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert code == 2 and "Traceback" not in err and ".id" in err, err


@FUZZ
@given(kind=st.text(max_size=12).filter(lambda k: k not in ("page", "pdf", "follow", "index")),
       fetcher=st.sampled_from(["http", "browser", "auto"]))
def test_unknown_kind_names_the_kind(kind: str, fetcher: str) -> None:
    src = {**VALID_SOURCES[0], "kind": kind, "fetcher": fetcher}
    code, err = sources_check(render(VALID_SETTINGS, [src]))
    assert_config_error(code, err, "source 'alpha'.kind")


@FUZZ
@given(shape=st.sampled_from([
    ("source = 5", "source"), ("source = [1, 2]", "source[0]"),
    ("settings = 3", "settings"), ("notify = 7", "notify"),
    ("[notify.slack]\nkind = 5", "notify.slack.kind"),
    ("[notify.slack]\nwebhook_url_env = 12", "notify.slack.webhook_url_env"),
    ("[notify]\nslack = 1", "notify.slack"),
    ("[wat]\nx = 1", "wat"), ("top = 1", "top"),
]))
def test_misshapen_tables_name_the_table(shape: tuple[str, str]) -> None:
    snippet, field = shape
    text = snippet + "\n"
    if not snippet.startswith(("source", "settings")):
        text = snippet + "\n\n" + render({}, VALID_SOURCES) if snippet.startswith(
            ("[", "notify")) else snippet + "\n" + render({}, VALID_SOURCES)
    code, err = sources_check(text)
    assert_config_error(code, err, field)


# ---- the file itself -----------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_damaged_toml_gives_a_configuration_error_not_a_traceback(data: st.DataObject) -> None:
    text = render(VALID_SETTINGS, VALID_SOURCES)
    pos = data.draw(st.integers(min_value=0, max_value=len(text)))
    cut = data.draw(st.integers(min_value=0, max_value=10))
    junk = data.draw(st.text(alphabet=st.sampled_from(list("[]{}=\"'\n#,.\\ x1\x00\u00e9")),
                             max_size=6))
    damaged = text[:pos] + junk + text[pos + cut:]
    code, err = sources_check(damaged)
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.startswith("configuration error: ") and "Traceback" not in err


def test_invalid_toml_names_the_line() -> None:
    code, err = sources_check('[settings]\nretries = 1\n\n[[source]]\nid = "a\n')
    assert code == 2 and ":5" in err and "not valid TOML" in err


def test_file_that_is_not_utf8_is_a_configuration_error() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sources.toml"
        path.write_bytes(b'[settings]\nuser_agent = "caf\xe9"\n')
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["-q", "sources", "check", "--config", str(path)])
    assert code == 2 and "configuration error" in err.getvalue()


def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["-q", "sources", "check", "--config", str(tmp_path / "nope.toml")])
    assert code == 2 and "nope.toml: the file does not exist" in err.getvalue()
