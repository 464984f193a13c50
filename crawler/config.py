"""sources.toml, parsed once at the edge into typed values.

Nothing below this module reads TOML. Every problem is a :class:`ConfigError` naming the file,
the line and the field, because the people who edit this file are not necessarily programmers.

Every key is declared once, as a field of :class:`Settings` or :class:`SourceConfig` carrying
its :class:`Key` (type, default, bounds, help, and for a source key the kinds or fetchers it
applies to). :data:`SETTINGS_SCHEMA` and :data:`SOURCE_SCHEMA` are read from those fields;
validation (:func:`_read`, shared by `sources check` and `run`) reads them, and README's key
tables are tested against them.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.patterns import backtracking_risk, compile_pattern
from storage.errors import ConfigError
from storage.records import DEFAULT_DATABASE_URL

SOURCE_KINDS = ("page", "pdf", "follow", "index")
FETCHERS = ("http", "browser", "auto")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_NO_DEFAULT: Any = MISSING

Where = Mapping[str, Any]  # path, line and field of a value, for its error or warning


class _KeyWhere(Mapping[str, Any]):
    """Where a source's key is written. Its line is looked up only when an error or warning
    asks: a config of 1,000 sources otherwise scanned its lines for every key of every source
    (a quarter of reading it), for errors that almost never come."""

    __slots__ = ("_path", "_lines", "_key", "_start", "_field", "_line")

    def __init__(self, path: str, lines: _Lines, key: str, start: int | None,
                 field: str) -> None:
        self._path, self._lines, self._key, self._start = path, lines, key, start
        self._field = field
        self._line: int | None | bool = False  # False: not looked up yet

    def __getitem__(self, name: str) -> Any:
        if name == "path":
            return self._path
        if name == "field":
            return self._field
        if name == "line":
            if self._line is False:
                self._line = self._lines.key(self._key, self._start) or self._start
            return self._line
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(("path", "line", "field"))

    def __len__(self) -> int:
        return 3


@dataclass(frozen=True)
class Key:
    """One key of ``[settings]`` or of a ``[[source]]`` table, declared once: its type, default,
    bounds and help. Validation (`sources check` and `run` alike) reads these declarations, and
    README's key tables are tested against them.

    ``type``: ``text`` (any string) | ``name`` (a non-empty string) | ``url`` | ``flag`` |
    ``integer`` | ``number`` (seconds and the like; an integer is read as a float) | ``choice``
    | ``strings`` (one string or a list). ``kinds``/``fetchers``: a source key that only means
    something for these kinds or fetchers (a warning elsewhere). ``check`` is the key's own
    rule beyond its type (a cron expression, a time zone); it returns the value to keep.
    """

    name: str
    type: str
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False  # strictly above zero (a timeout of 0 s is no timeout)
    unit: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    kinds: tuple[str, ...] = ()
    fetchers: tuple[str, ...] = ()
    what: str = ""  # how a wrong type is described: "must be <what>"
    check: Callable[..., Any] | None = None  # (value, where, warnings) -> value
    #: a source key the database keeps (:meth:`SourceConfig.stored_settings`): "always", or
    #: "if_set" (only when it overrides something)
    stored: str = ""

    @property
    def bounds(self) -> str:
        """The declared bounds as README shows them ("1–1024", "> 0, ≤ 86400 s"); "—" if none."""
        low = "> 0" if self.positive else None if self.minimum is None else f"{self.minimum:g}"
        high = None if self.maximum is None else f"{self.maximum:g}"
        if low and high:
            text = f"{low}, ≤ {high}" if self.positive else f"{low}–{high}"
        elif low:
            text = low if self.positive else f"≥ {low}"
        elif high:
            text = f"≤ {high}"
        else:
            return "—"
        return text + self.unit

    @property
    def applies_to(self) -> str:
        """The kinds or fetchers a source key is for, as README shows them ("all" if any)."""
        if self.kinds:
            return ", ".join(f"`{k}`" for k in self.kinds) + " kind"
        if self.fetchers:
            return ", ".join(f"`{f}`" for f in self.fetchers) + " fetcher"
        return "all"

    @property
    def python_type(self) -> type | tuple[type, ...]:
        """The TOML value types the key accepts (a number accepts an integer too)."""
        return {"flag": bool, "integer": int, "number": (int, float),
                "strings": (str, list)}.get(self.type, str)


def _key(default: Any = _NO_DEFAULT, type: str = "text", help: str = "", **declared: Any) -> Any:
    """A dataclass field that carries its :class:`Key`: the default is written once, here, and
    the typed dataclass and the validation registry both read it."""
    spec = {"type": type, "help": help, **declared}
    if default is _NO_DEFAULT:  # a required key
        return field(metadata={"key": spec})
    return field(default=default, metadata={"key": spec})


def _schema(cls: type) -> tuple[Key, ...]:
    """The :class:`Key` of every field of ``cls`` that declares one, in field order."""
    out = []
    for f in fields(cls):
        if "key" not in f.metadata:
            continue
        required = f.default is MISSING
        out.append(Key(name=f.name, default=None if required else f.default, required=required,
                       **f.metadata["key"]))
    return tuple(out)


def _check_url(value: Any, where: Where, _warnings: list[str] | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("must be a non-empty string URL", **where)
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018 - parses the host: "http://[::1" raises ValueError here
        parts.port  # noqa: B018 - "http://127.0.0.1:99999/": port out of range
    except ValueError as exc:  # a malformed URL is a config error, not a traceback
        raise ConfigError(f"{value!r} is not a valid URL: {exc}", **where) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{value!r} is not an http(s) URL with a host", **where)
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        # "http://exa mple.org/" would pass urlsplit and then fail every run.
        raise ConfigError(f"{value!r} contains spaces or control characters "
                          "(write a space in a path as %20)", **where)
    return value


def _check_header_value(value: str, where: Where, _warnings: list[str] | None = None) -> str:
    """An HTTP header value: no CR, LF or other control character (it would split the request,
    and the server would be blamed for the error)."""
    if any(ord(ch) < 0x20 and ch != "\t" or ord(ch) == 0x7F for ch in value):
        raise ConfigError(f"{value!r} contains a line break or control character; an HTTP "
                          "header value must be one line", **where)
    return value


def _check_database(value: str, where: Where, _warnings: list[str] | None = None) -> str:
    if not value.strip():  # "" would silently fall back to ./framewatch.db
        raise ConfigError("must be a database URL, e.g. sqlite:///framewatch.db", **where)
    return _sqlite_beside(value, where["path"])


def _sqlite_beside(url: str, config_path: str) -> str:
    """A relative SQLite path written in a config file means "next to this file", whatever the
    working directory of the command (`framewatch run --config dir/sources.toml`)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    rest = url[len(prefix):]
    file, sep, query = rest.partition("?")
    if not file or file == ":memory:" or file.startswith("/") or file.startswith("file:"):
        return url
    folder = Path(config_path).expanduser().resolve().parent
    return prefix + str(folder / file) + sep + query


def _check_cron(value: str, where: Where, _warnings: list[str] | None = None) -> str:
    try:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ConfigError(f"not a valid cron expression {value!r}: {exc}", **where) from None
    return value


def _check_timezone(value: str, where: Where, _warnings: list[str] | None = None) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {value!r} (e.g. 'UTC', 'Europe/London')",
                          **where) from None
    return value


_SECONDS = {"positive": True, "unit": " s", "maximum": 86_400}


@dataclass(frozen=True)
class Settings:
    """The ``[settings]`` table. Each field declares its key once (:func:`_key`)."""

    database: str = _key(DEFAULT_DATABASE_URL, "text", "any SQLAlchemy URL",
                         check=_check_database)
    schedule: str = _key("0 6 * * *", "text", "cron for `framewatch schedule`", check=_check_cron)
    timezone: str = _key("UTC", "text", "time zone of the schedule", check=_check_timezone)
    base_url: str = _key("http://127.0.0.1:8000", "url", "where the web UI lives, for permalinks")
    allow_private: bool = _key(False, "flag", "fetch loopback/private/link-local addresses")
    user_agent: str = _key(
        "framewatch/0.1 (+https://github.com/framewatch/framewatch; safety-framework monitor)",
        "text", "honest identity", check=_check_header_value)
    concurrency: int = _key(16, "integer", "simultaneous fetches overall",
                            minimum=1, maximum=1024)
    per_host: int = _key(4, "integer", "simultaneous fetches per host", minimum=1, maximum=256)
    connect_timeout: float = _key(10.0, "number", "seconds to connect", **_SECONDS)
    read_timeout: float = _key(30.0, "number", "seconds between two reads", **_SECONDS)
    total_timeout: float = _key(120.0, "number", "seconds for a whole fetch, retries included",
                                **_SECONDS)
    max_bytes: int = _key(25 * 1024 * 1024, "integer", "body cap, also after decompression",
                          minimum=1)
    retries: int = _key(2, "integer", "retries on timeouts, resets, 429 and 5xx",
                        minimum=0, maximum=100)
    backoff: float = _key(1.0, "number", "seconds before the first retry; doubles per retry",
                          minimum=0, maximum=3600, unit=" s")
    max_pdf_pages: int = _key(500, "integer", "pages extracted per PDF", minimum=1)
    pdf_timeout: float = _key(60.0, "number", "seconds per PDF extraction", **_SECONDS)
    health_failures: int = _key(3, "integer", "failed runs in a row before the maintainer hears",
                                minimum=1)
    revert_window: int = _key(5, "integer", "recent versions that count for A → B → A",
                              minimum=1)
    archive_url: str = _key("https://web.archive.org", "url", "Wayback base URL for `backfill`")
    browser_path: str | None = _key(None, "text", "Chromium binary (default: found on PATH)")
    browser_concurrency: int = _key(2, "integer", "pages rendering at once; 1 halves renderer "
                                    "memory", minimum=1, maximum=64)
    workers: int = _key(0, "integer",
                        "extraction processes; 0 = one per 100 sources, up to one per core",
                        minimum=0, maximum=256)


SETTINGS_SCHEMA: tuple[Key, ...] = _schema(Settings)
"""Every ``[settings]`` key, in README order."""


def _stripped(value: str, _where: Where, _warnings: list[str] | None = None) -> str:
    return value.strip()


def _check_slug(value: str, where: Where, _warnings: list[str] | None = None) -> str:
    if not SLUG.match(value):
        raise ConfigError(f"{value!r} is not a slug (lower-case letters, digits, '.', '_', '-')",
                          **where)
    return value


def _validate_selector(sel: str) -> str | None:
    from crawler.extract import validate_selector  # on use: lxml and soupsieve load with it

    return validate_selector(sel)


def _check_selector(sel: str, where: Where, _warnings: list[str] | None = None) -> str:
    problem = _validate_selector(sel)
    if problem:
        raise ConfigError(f"bad CSS selector {sel!r}: {problem}", **where)
    return sel


def _check_selectors(sels: tuple[str, ...], where: Where,
                     _warnings: list[str] | None = None) -> tuple[str, ...]:
    for sel in sels:
        _check_selector(sel, where)
    return sels


def _warn_backtracking(pattern: str, where: Where, warnings: list[str] | None) -> None:
    risk = backtracking_risk(pattern)
    if risk and warnings is not None:
        warnings.append(str(ConfigError(f"{pattern!r}: {risk}", **where)))


def _check_ignore(patterns: tuple[str, ...], where: Where,
                  warnings: list[str] | None = None) -> tuple[str, ...]:
    for pat in patterns:
        try:  # the engine that will run it (crawler.patterns), so check and run agree
            compile_pattern(pat, True)
        except ValueError as exc:
            raise ConfigError(str(exc), **where) from None
        _warn_backtracking(pat, where, warnings)
    return patterns


def _check_link_pattern(pattern: str, where: Where, warnings: list[str] | None = None) -> str:
    try:
        compile_pattern(pattern)
    except ValueError as exc:
        raise ConfigError(str(exc), **where) from None
    _warn_backtracking(pattern, where, warnings)
    return pattern


def _check_wait_for(value: str, where: Where, _warnings: list[str] | None = None) -> str:
    # CSS (Playwright's own engines, `text=…` / `xpath=…`, are left to the browser)
    if value and not re.match(r"^[a-z][a-z-]*=", value):
        _check_selector(value, where)
    return value


_LINKS = ("follow", "index")
_BROWSER = ("browser", "auto")


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[source]]`` table. Each field declares its key once (:func:`_key`); a key that only
    means something for some kinds or fetchers says which."""

    id: str = _key(type="name", help="unique slug; the history is keyed on it", check=_check_slug)
    company: str = _key(type="name", help="who publishes it", check=_stripped)
    title: str = _key(type="name", help="what it is", check=_stripped)
    url: str = _key(type="url", help="http(s) URL")
    kind: str = _key("page", "choice", "what the URL holds", choices=SOURCE_KINDS)
    select: tuple[str, ...] = _key((), "strings", "CSS selectors to keep",
                                   check=_check_selectors, stored="always")
    remove: tuple[str, ...] = _key((), "strings", "CSS selectors to drop",
                                   check=_check_selectors, stored="always")
    ignore: tuple[str, ...] = _key((), "strings", "regular expressions removed from the text",
                                   check=_check_ignore, stored="always")
    follow: str | None = _key(None, "name", "CSS selector for the link(s) to follow",
                              kinds=_LINKS, what="a CSS selector string",
                              check=_check_selector, stored="always")
    link_pattern: str | None = _key(None, "text", "regex a followed link must match",
                                    kinds=_LINKS, what="a regular expression string",
                                    check=_check_link_pattern, stored="always")
    track_new: bool = _key(False, "flag", "each new link becomes a tracked source",
                           kinds=("index",), stored="always")
    enabled: bool = _key(True, "flag", "`false` keeps the history but stops checking")
    allow_private: bool | None = _key(None, "flag", "per-source override of the SSRF guard",
                                      stored="if_set")
    fetcher: str = _key("http", "choice", "how the URL is fetched", choices=FETCHERS,
                        stored="always")
    wait_for: str | None = _key(None, "text", "CSS selector the browser waits for",
                                fetchers=_BROWSER, check=_check_wait_for, stored="always")
    user_agent: str | None = _key(None, "text", "per-source User-Agent override",
                                  check=_check_header_value, stored="if_set")
    notes: str = _key("", "text", "free text: where the URL comes from")
    # the id of the source that is the provider's account of revisions (checked once all are read)
    changelog: str | None = _key(None, "name", "id of the source that is this document's "
                                 "changelog", what="the id of another source", stored="always")

    def stored_settings(self) -> dict[str, Any]:
        """What the database keeps about how this source is fetched and extracted: enough to
        rebuild the spec (:meth:`from_stored`) for re-extraction and for sources that exist only
        in the database (links an index discovered). The keys declared ``stored``."""
        stored: dict[str, Any] = {}
        for key in _STORED:
            value = getattr(self, key.name)
            if key.stored == "if_set" and not value and value is not False:
                continue
            stored[key.name] = list(value) if key.type == "strings" else value
        return stored

    @classmethod
    def from_stored(cls, *, id: str, company: str, title: str, url: str, kind: str,
                    enabled: bool, settings: dict[str, Any] | None) -> SourceConfig:
        """The spec back from what the database keeps (:meth:`stored_settings`): the one place
        stored settings are read, so everything downstream works on typed fields."""
        st = settings or {}
        values: dict[str, Any] = {}
        for key in _STORED:
            value = st.get(key.name)
            if key.type == "strings":
                values[key.name] = tuple(value or ())
            elif key.type == "flag":  # an unset override stays unset (None)
                values[key.name] = key.default if value is None else bool(value)
            else:  # "" as stored means the default, like an absent key
                values[key.name] = value or key.default
        return cls(id=id, company=company, title=title, url=url, kind=kind, enabled=enabled,
                   **values)

    def allows_private(self, settings: Settings) -> bool:
        """Whether this source may fetch private addresses: its own setting, else the global."""
        return settings.allow_private if self.allow_private is None else self.allow_private


SOURCE_SCHEMA: tuple[Key, ...] = _schema(SourceConfig)
"""Every ``[[source]]`` key, in README order."""
_STORED = tuple(k for k in SOURCE_SCHEMA if k.stored)


@dataclass(frozen=True)
class ChannelConfig:
    """One `[notify.NAME]` table. The notifier validates the options of its own kind."""

    name: str
    kind: str
    options: dict[str, Any]
    line: int | None = None
    key_lines: dict[str, int] = field(default_factory=dict)  # the line of each option

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True)
class Config:
    settings: Settings = field(default_factory=Settings)
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    path: str | None = None
    #: "file:line: field: message" for what is valid but probably wrong (`sources check` prints)
    warnings: tuple[str, ...] = ()

    def source(self, source_id: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.id == source_id), None)


_SETTING_KEYS = {k.name: k for k in SETTINGS_SCHEMA}
_SOURCE_BY_NAME = {k.name: k for k in SOURCE_SCHEMA}
# Views of the registries for callers that only need names and TOML types.
_SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    k.name: k.python_type for k in SETTINGS_SCHEMA}
_SOURCE_KEYS = set(_SOURCE_BY_NAME)


class _Lines:
    """Finds the line of a table or key in the raw text (tomllib gives values, not positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._tables: dict[str, list[int]] = {}

    def table(self, header: str, nth: int = 0) -> int | None:
        # Indexed once per header: a config with 1,000 sources must not scan 1,000 times.
        if header not in self._tables:
            pat = re.compile(r"^\s*" + re.escape(header) + r"\s*(#.*)?$")
            self._tables[header] = [i for i, line in enumerate(self.lines, 1) if pat.match(line)]
        found = self._tables[header]
        return found[nth] if nth < len(found) else None

    def key(self, key: str, start: int | None) -> int | None:
        if start is None:
            return None
        pat = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if re.match(r"^\s*\[", line):
                return None
            if pat.match(line):
                return i + 1
        return None


def _shown(value: Any) -> str:
    """A value in an error message: its repr, cut short (the file may hold anything)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _str_list(value: Any, where: Where) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError("must be a string or a list of non-empty strings", **where)
    return tuple(value)


def _number(key: Key, value: Any, where: Where) -> float:
    """An integer or number checked against the key's declared bounds."""
    noun = "an integer" if key.type == "integer" else "a number"
    if isinstance(value, bool):
        raise ConfigError(f"must be {noun}, not true/false", **where)
    if not isinstance(value, key.python_type):
        raise ConfigError(f"must be {noun}, got {_shown(value)}", **where)
    if isinstance(value, float) and not math.isfinite(value):
        # `nan` passes every comparison (nan <= 0 is False) and `inf` would disable a
        # timeout; both are typos, never intended.
        raise ConfigError(f"must be a finite number, got {value!r}", **where)
    if key.positive and value <= 0:
        raise ConfigError(f"must be a positive number{' of seconds' if key.unit else ''}, "
                          f"got {value!r}", **where)
    if key.minimum is not None and value < key.minimum:
        bound = "must not be negative" if key.minimum == 0 else f"must be at least {key.minimum:g}"
        raise ConfigError(f"{bound}, got {value!r}", **where)
    if key.maximum is not None and value > key.maximum:
        raise ConfigError(f"must be at most {key.maximum:g}{key.unit}, got {value!r}", **where)
    return float(value) if key.type == "number" else value


def _read(key: Key, value: Any, where: Where, warnings: list[str] | None) -> Any:
    """``value`` checked against its declaration: type, bounds, choices, then the key's own
    rule. The one place a ``[settings]`` or ``[[source]]`` value is validated."""
    if key.type in ("integer", "number"):
        value = _number(key, value, where)
    elif key.type == "flag":
        if not isinstance(value, bool):
            raise ConfigError(f"must be true or false, got {_shown(value)}", **where)
    elif key.type == "strings":
        value = _str_list(value, where)
    elif key.type == "choice":
        if not isinstance(value, str) or value not in key.choices:
            raise ConfigError(f"{_shown(value)} is not one of {', '.join(key.choices)}", **where)
    elif key.type == "url":
        value = _check_url(value, where)
    elif key.type == "name":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"must be {key.what or 'a non-empty string'}", **where)
    elif not isinstance(value, str):
        raise ConfigError(f"must be {key.what or 'a string'}, got {_shown(value)}", **where)
    return key.check(value, where, warnings) if key.check else value


def _known(schema: dict[str, Key]) -> str:
    return ", ".join(sorted(schema))

def parse_config(text: str, path: str = "sources.toml") -> Config:
    lines = _Lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", path=path,
                          line=int(m.group(1)) if m else None) from None

    unknown = set(data) - {"settings", "notify", "source"}
    for key in sorted(unknown):
        raise ConfigError("unknown top-level key (expected [settings], [notify.*], [[source]])",
                          path=path, line=lines.key(key, 0) or lines.table(f"[{key}]"), field=key)

    settings = _parse_settings(data.get("settings", {}), lines, path)
    channels = _parse_channels(data.get("notify", {}), lines, path)
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list):
        raise ConfigError("must be an array of tables: write [[source]]", path=path, field="source")
    sources: list[SourceConfig] = []
    warnings: list[str] = []
    seen: dict[str, int | None] = {}
    for i, raw in enumerate(raw_sources):
        start = lines.table("[[source]]", i)
        src = _parse_source(raw, i, start, lines, path, warnings)
        if src.id in seen:
            raise ConfigError(f"duplicate source id {src.id!r} (first defined at line {seen[src.id]})",
                              path=path, line=lines.key("id", start) or start,
                              field=f"source {src.id!r}.id")
        seen[src.id] = lines.key("id", start) or start
        sources.append(src)
    _check_changelogs(sources, lines, path)
    return Config(settings=settings, sources=tuple(sources), channels=channels, path=path,
                  warnings=tuple(warnings))


def _check_changelogs(sources: list[SourceConfig], lines: _Lines, path: str) -> None:
    """`changelog` names another source of the same file: checked once all ids are known, so a
    changelog may be defined after the framework that points at it."""
    ids = {s.id for s in sources}
    for i, src in enumerate(sources):
        if src.changelog is None:
            continue
        start = lines.table("[[source]]", i)
        where = {"path": path, "line": lines.key("changelog", start) or start,
                 "field": f"source {src.id!r}.changelog"}
        if src.changelog == src.id:
            raise ConfigError("must name another source (the provider's account of this "
                              "document's revisions), not the source itself", **where)
        if src.changelog not in ids:
            raise ConfigError(f"{src.changelog!r} is not the id of a source in this file", **where)


def _parse_settings(raw: Any, lines: _Lines, path: str) -> Settings:
    start = lines.table("[settings]")
    if not isinstance(raw, dict):
        raise ConfigError("must be a table", path=path, field="settings")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        where = {"path": path, "line": lines.key(name, start), "field": f"settings.{name}"}
        key = _SETTING_KEYS.get(name)
        if key is None:
            raise ConfigError(f"unknown setting (known: {_known(_SETTING_KEYS)})", **where)
        values[name] = _read(key, value, where, None)
    return Settings(**values)


def _parse_channels(raw: Any, lines: _Lines, path: str) -> tuple[ChannelConfig, ...]:
    if not isinstance(raw, dict):
        raise ConfigError("must be tables like [notify.slack]", path=path, field="notify")
    out = []
    for name, table in raw.items():
        line = lines.table(f"[notify.{name}]")
        if not isinstance(table, dict):
            raise ConfigError("must be a table", path=path, line=line, field=f"notify.{name}")
        kind = table.get("kind", name)
        if not isinstance(kind, str):
            raise ConfigError("must be a string", path=path, line=lines.key("kind", line),
                              field=f"notify.{name}.kind")
        for key, value in table.items():
            if key.endswith("_env") and not isinstance(value, str):
                raise ConfigError("must name an environment variable", path=path,
                                  line=lines.key(key, line), field=f"notify.{name}.{key}")
        key_lines = {key: found for key in table if (found := lines.key(key, line)) is not None}
        out.append(ChannelConfig(name=name, kind=kind, options=dict(table), line=line,
                                 key_lines=key_lines))
    return tuple(out)


def _parse_source(raw: Any, index: int, start: int | None, lines: _Lines, path: str,
                  warnings: list[str] | None = None) -> SourceConfig:
    label = f"source[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError("must be a table", path=path, line=start, field=label)
    sid = raw.get("id")
    if isinstance(sid, str):
        label = f"source {sid!r}"

    def where(key: str) -> Where:
        return _KeyWhere(path, lines, key, start, f"{label}.{key}")

    for name in raw:
        if name not in _SOURCE_BY_NAME:
            raise ConfigError(f"unknown key (known: {_known(_SOURCE_BY_NAME)})", **where(name))
    for key in SOURCE_SCHEMA:
        if key.required and key.name not in raw:
            raise ConfigError("is required", path=path, line=start, field=f"{label}.{key.name}")
    values = {key.name: _read(key, raw[key.name], where(key.name), warnings)
              for key in SOURCE_SCHEMA if key.name in raw}
    kind = values.get("kind", _SOURCE_BY_NAME["kind"].default)
    fetcher = values.get("fetcher", _SOURCE_BY_NAME["fetcher"].default)
    if kind == "follow" and not values.get("follow"):  # an index defaults to its content's links
        raise ConfigError(f"kind = {kind!r} needs a `follow` CSS selector for the links",
                          path=path, line=start, field=f"{label}.follow")
    if warnings is not None:
        for key in SOURCE_SCHEMA:
            if key.name not in values:
                continue
            if key.kinds and kind not in key.kinds:  # valid, but this source ignores it
                warnings.append(str(ConfigError(
                    f"only applies to kind {' or '.join(key.kinds)}; a {kind!r} source "
                    "ignores it", **where(key.name))))
            if key.fetchers and fetcher not in key.fetchers:
                warnings.append(str(ConfigError(
                    f"only applies to fetcher {' or '.join(key.fetchers)}; the {fetcher!r} "
                    "fetcher ignores it", **where(key.name))))
    return SourceConfig(**values)


def default_config_path() -> str:
    return os.environ.get("FRAMEWATCH_CONFIG") or "sources.toml"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    p = Path(path or default_config_path())
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found (pass --config or set FRAMEWATCH_CONFIG)",
                          path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(p)) from None
    return parse_config(text, str(p))
