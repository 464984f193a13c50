"""sources.toml, parsed once at the edge into typed values.

Nothing below this module reads TOML. Every problem is a :class:`ConfigError` naming the file,
the line and the field, because the people who edit this file are not necessarily programmers.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.patterns import backtracking_risk, compile_pattern
from storage.errors import ConfigError
from storage.records import DEFAULT_DATABASE_URL

SOURCE_KINDS = ("page", "pdf", "follow", "index")
FETCHERS = ("http", "browser", "auto")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Settings:
    database: str = DEFAULT_DATABASE_URL
    schedule: str = "0 6 * * *"
    timezone: str = "UTC"
    base_url: str = "http://127.0.0.1:8000"
    allow_private: bool = False
    user_agent: str = "framewatch/0.1 (+https://github.com/framewatch/framewatch; safety-framework monitor)"
    concurrency: int = 16
    per_host: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_bytes: int = 25 * 1024 * 1024
    retries: int = 2
    backoff: float = 1.0
    max_pdf_pages: int = 500
    pdf_timeout: float = 60.0
    health_failures: int = 3
    revert_window: int = 5
    archive_url: str = "https://web.archive.org"
    browser_path: str | None = None
    browser_concurrency: int = 2  # pages rendering at once; 1 halves renderer memory
    workers: int = 0  # extraction processes; 0 = one per core


@dataclass(frozen=True)
class SourceConfig:
    id: str
    company: str
    title: str
    url: str
    kind: str = "page"
    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    follow: str | None = None
    link_pattern: str | None = None
    track_new: bool = False
    enabled: bool = True
    allow_private: bool | None = None
    fetcher: str = "http"
    wait_for: str | None = None
    user_agent: str | None = None
    notes: str = ""
    changelog: str | None = None  # id of the source that is the provider's account of revisions

    def stored_settings(self) -> dict[str, Any]:
        """What the database keeps about how this source is fetched and extracted: enough to
        rebuild the spec (:meth:`from_stored`) for re-extraction and for sources that exist only
        in the database (links an index discovered)."""
        stored: dict[str, Any] = {
            "select": list(self.select), "remove": list(self.remove), "ignore": list(self.ignore),
            "follow": self.follow, "link_pattern": self.link_pattern, "track_new": self.track_new,
            "fetcher": self.fetcher, "wait_for": self.wait_for, "changelog": self.changelog,
        }
        if self.allow_private is not None:
            stored["allow_private"] = self.allow_private
        if self.user_agent:
            stored["user_agent"] = self.user_agent
        return stored

    @classmethod
    def from_stored(cls, *, id: str, company: str, title: str, url: str, kind: str,
                    enabled: bool, settings: dict[str, Any] | None) -> SourceConfig:
        """The spec back from what the database keeps (:meth:`stored_settings`): the one place
        stored settings are read, so everything downstream works on typed fields."""
        st = settings or {}
        allow_private = st.get("allow_private")
        return cls(
            id=id, company=company, title=title, url=url, kind=kind, enabled=enabled,
            select=tuple(st.get("select") or ()), remove=tuple(st.get("remove") or ()),
            ignore=tuple(st.get("ignore") or ()), follow=st.get("follow") or None,
            link_pattern=st.get("link_pattern") or None, track_new=bool(st.get("track_new")),
            allow_private=None if allow_private is None else bool(allow_private),
            fetcher=st.get("fetcher") or "http", wait_for=st.get("wait_for") or None,
            user_agent=st.get("user_agent") or None, changelog=st.get("changelog") or None,
        )

    def allows_private(self, settings: Settings) -> bool:
        """Whether this source may fetch private addresses: its own setting, else the global."""
        return settings.allow_private if self.allow_private is None else self.allow_private


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


_SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    "database": str, "schedule": str, "timezone": str, "base_url": str, "allow_private": bool,
    "user_agent": str, "concurrency": int, "per_host": int, "connect_timeout": (int, float),
    "read_timeout": (int, float), "total_timeout": (int, float), "max_bytes": int, "retries": int,
    "backoff": (int, float), "max_pdf_pages": int, "pdf_timeout": (int, float),
    "health_failures": int, "revert_window": int, "archive_url": str, "browser_path": str,
    "browser_concurrency": int,
    "workers": int,
}
_SOURCE_KEYS = {
    "id", "company", "title", "url", "kind", "select", "remove", "ignore", "follow",
    "link_pattern", "track_new", "enabled", "allow_private", "fetcher", "wait_for", "user_agent",
    "notes", "changelog",
}
_REQUIRED = ("id", "company", "title", "url")


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


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return "number"
    return {str: "string", int: "integer", bool: "true/false", float: "number"}.get(t, t.__name__)


def _check_url(value: Any, where: dict[str, Any]) -> str:
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


def _check_header_value(value: str, where: dict[str, Any]) -> None:
    """An HTTP header value: no CR, LF or other control character (it would split the request,
    and the server would be blamed for the error)."""
    if any(ord(ch) < 0x20 and ch != "\t" or ord(ch) == 0x7F for ch in value):
        raise ConfigError(f"{value!r} contains a line break or control character; an HTTP "
                          "header value must be one line", **where)


def _str_list(value: Any, where: dict[str, Any]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError("must be a string or a list of non-empty strings", **where)
    return tuple(value)


def _warn_backtracking(pattern: str, where: dict[str, Any], warnings: list[str] | None) -> None:
    risk = backtracking_risk(pattern)
    if risk and warnings is not None:
        warnings.append(str(ConfigError(f"{pattern!r}: {risk}", **where)))


def _validate_selector(sel: str) -> str | None:
    from crawler.extract import validate_selector  # on use: lxml and soupsieve load with it

    return validate_selector(sel)


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
    for key, value in raw.items():
        where = {"path": path, "line": lines.key(key, start), "field": f"settings.{key}"}
        expected = _SETTING_TYPES.get(key)
        if expected is None:
            raise ConfigError(f"unknown setting (known: {', '.join(sorted(_SETTING_TYPES))})", **where)
        if isinstance(value, bool) and expected is not bool:
            raise ConfigError(f"must be a {_type_name(expected)}, not true/false", **where)
        if not isinstance(value, expected):
            raise ConfigError(f"must be a {_type_name(expected)}, got {value!r}", **where)
        if isinstance(value, float) and not math.isfinite(value):
            # `nan` would pass every range check below (nan <= 0 is False)
            # and `inf` would disable a timeout; both are typos, never intended.
            raise ConfigError(f"must be a finite number, got {value!r}", **where)
        if key in ("concurrency", "per_host", "max_bytes", "max_pdf_pages", "health_failures",
                   "revert_window", "browser_concurrency") and value < 1:
            raise ConfigError("must be at least 1", **where)
        if key in ("connect_timeout", "read_timeout", "total_timeout", "pdf_timeout") and value <= 0:
            raise ConfigError("must be a positive number of seconds", **where)
        if key in ("retries", "backoff", "workers") and value < 0:
            raise ConfigError("must not be negative", **where)
        if key == "database" and not value.strip():
            # "" would silently fall back to ./framewatch.db
            raise ConfigError("must be a database URL, e.g. sqlite:///framewatch.db", **where)
        if key == "database":
            value = _sqlite_beside(value, path)
        if key in ("base_url", "archive_url"):
            _check_url(value, where)
        if key == "user_agent":
            _check_header_value(value, where)
        if key == "schedule":
            _check_cron(value, where)
        if key == "timezone":
            _check_timezone(value, where)
        if isinstance(expected, tuple):
            value = float(value)
        values[key] = value
    return Settings(**values)


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


def _check_cron(value: str, where: dict[str, Any]) -> None:
    try:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ConfigError(f"not a valid cron expression {value!r}: {exc}", **where) from None


def _check_timezone(value: str, where: dict[str, Any]) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {value!r} (e.g. 'UTC', 'Europe/London')",
                          **where) from None


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

    def where(key: str) -> dict[str, Any]:
        return {"path": path, "line": lines.key(key, start) or start, "field": f"{label}.{key}"}

    for key in raw:
        if key not in _SOURCE_KEYS:
            raise ConfigError(f"unknown key (known: {', '.join(sorted(_SOURCE_KEYS))})", **where(key))
    for key in _REQUIRED:
        if key not in raw:
            raise ConfigError("is required", path=path, line=start, field=f"{label}.{key}")
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ConfigError("must be a non-empty string", **where(key))
    if not SLUG.match(sid):  # type: ignore[arg-type]
        raise ConfigError(f"{sid!r} is not a slug (lower-case letters, digits, '.', '_', '-')",
                          **where("id"))
    url = _check_url(raw["url"], where("url"))
    kind = raw.get("kind", "page")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}", **where("kind"))
    select = _str_list(raw.get("select", []), where("select"))
    remove = _str_list(raw.get("remove", []), where("remove"))
    for key, sels in (("select", select), ("remove", remove)):
        for sel in sels:
            problem = _validate_selector(sel)
            if problem:
                raise ConfigError(f"bad CSS selector {sel!r}: {problem}", **where(key))
    ignore = _str_list(raw.get("ignore", []), where("ignore"))
    for pat in ignore:
        try:  # the engine that will run it (crawler.patterns), so check and run agree
            compile_pattern(pat, True)
        except ValueError as exc:
            raise ConfigError(str(exc), **where("ignore")) from None
        _warn_backtracking(pat, where("ignore"), warnings)
    follow = raw.get("follow")
    if kind == "follow" and not follow:  # an index defaults to its main content's links
        raise ConfigError(f"kind = {kind!r} needs a `follow` CSS selector for the links",
                          path=path, line=start, field=f"{label}.follow")
    if follow is not None:
        if not isinstance(follow, str) or not follow:
            raise ConfigError("must be a CSS selector string", **where("follow"))
        problem = _validate_selector(follow)
        if problem:
            raise ConfigError(f"bad CSS selector {follow!r}: {problem}", **where("follow"))
    link_pattern = raw.get("link_pattern")
    if link_pattern is not None:
        if not isinstance(link_pattern, str):
            raise ConfigError("must be a regular expression string", **where("link_pattern"))
        try:
            compile_pattern(link_pattern)
        except ValueError as exc:
            raise ConfigError(str(exc), **where("link_pattern")) from None
        _warn_backtracking(link_pattern, where("link_pattern"), warnings)
    for key in ("track_new", "enabled", "allow_private"):
        if key in raw and not isinstance(raw[key], bool):
            raise ConfigError("must be true or false", **where(key))
    fetcher = raw.get("fetcher", "http")
    if fetcher not in FETCHERS:
        raise ConfigError(f"{fetcher!r} is not one of {', '.join(FETCHERS)}", **where("fetcher"))
    for key in ("wait_for", "user_agent", "notes"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigError("must be a string", **where(key))
    if "user_agent" in raw:
        _check_header_value(raw["user_agent"], where("user_agent"))
    if raw.get("wait_for") and not re.match(r"^[a-z][a-z-]*=", raw["wait_for"]):
        # CSS (Playwright's own engines, `text=…` / `xpath=…`, are left to the browser)
        problem = _validate_selector(raw["wait_for"])
        if problem:
            raise ConfigError(f"bad CSS selector {raw['wait_for']!r}: {problem}",
                              **where("wait_for"))
    changelog = raw.get("changelog")
    if changelog is not None and (not isinstance(changelog, str) or not changelog.strip()):
        raise ConfigError("must be the id of another source", **where("changelog"))
    return SourceConfig(
        id=sid, company=raw["company"].strip(), title=raw["title"].strip(), url=url, kind=kind,  # type: ignore[arg-type]
        select=select, remove=remove, ignore=ignore, follow=follow, link_pattern=link_pattern,
        track_new=raw.get("track_new", False), enabled=raw.get("enabled", True),
        allow_private=raw.get("allow_private"), fetcher=fetcher, wait_for=raw.get("wait_for"),
        user_agent=raw.get("user_agent"), notes=raw.get("notes", ""), changelog=changelog,
    )


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
