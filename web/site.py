"""`framewatch site DIR`: the public site as static files, ready for GitHub Pages or any host.

The pages are the web UI's own, rendered in-process by the same app (one set of templates, one
place that escapes), fetched page by page starting from the dashboard and following every link
that names another page of the site. Each link is rewritten relative to the file that holds it;
links to what a static host cannot serve (search, filters, on-the-fly comparisons, raw
downloads) lose their ``href`` and forms are dropped, so every remaining link resolves to a
written file.

Deterministic: the clock is the database's own last recorded moment (so "3 days ago" means
the same on every run), pages are visited in a fixed order, and a file is only rewritten when
its bytes differ — re-running on the same database changes nothing.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storage.db import Database

ORIGIN = "http://framewatch.invalid"
"""The in-process origin the pages are rendered under; never appears in the output."""

_ATTR = re.compile(r'\s(href|src|action)="([^"]*)"')
_FORM = re.compile(r"<form\b.*?</form>", re.S | re.I)
_PAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), f) for p, f in (
        (r"^/$", "index.html"),
        (r"^/matrix$", "matrix.html"),
        (r"^/matrix/([a-z0-9-]+)/([A-Z0-9]+)$", r"matrix/\1/\2.html"),
        (r"^/companies/([a-z0-9-]+)$", r"companies/\1.html"),
        (r"^/commitments/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)$", r"commitments/\1/\2.html"),
        (r"^/sources/([A-Za-z0-9._-]+)$", r"sources/\1.html"),
        (r"^/changes/(\d+)$", r"changes/\1.html"),
        (r"^/versions/(\d+)$", r"versions/\1.html"),
        (r"^/feed\.atom$", "feed.atom"),
        (r"^/api/sources$", "api/sources.json"),
        (r"^/api/changes$", "api/changes.json"),
        (r"^/api/matrix$", "api/matrix.json"),
        (r"^/api/sources/([A-Za-z0-9._-]+)$", r"api/sources/\1.json"),
        (r"^/api/changes/(\d+)$", r"api/changes/\1.json"),
        (r"^/api/versions/(\d+)$", r"api/versions/\1.json"),
        (r"^/api/versions/(\d+)/commitments$", r"api/versions/\1/commitments.json"),
        (r"^/api/companies/([a-z0-9-]+)$", r"api/companies/\1.json"),
    ))
_START = ("/", "/matrix", "/feed.atom", "/api/sources", "/api/changes", "/api/matrix")
_FETCH_AS = {"/api/changes": "/api/changes?limit=500"}


@dataclass(frozen=True)
class SiteReport:
    pages: int
    api: int
    bytes: int
    changed: int


def file_for(path: str) -> str | None:
    """The site file that holds the page at ``path`` (a URL path), or None if it has none."""
    for pattern, target in _PAGES:
        if pattern.match(path):
            return pattern.sub(target, path)
    return None


def _static_file(path: str) -> str | None:
    if path.startswith("/static/") and ".." not in path:
        name = path[len("/static/"):]
        if (Path(__file__).parent / "static" / name).is_file():
            return f"static/{name}"
    return None


def _target(url: str) -> tuple[str | None, str]:
    """(site file, fragment) for a link, (None, "") when it is not a page of the site."""
    parts = urlsplit(html.unescape(url))
    if parts.scheme or parts.netloc:
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            return None, ""
    if parts.query or not parts.path.startswith("/"):
        return None, ""
    found = file_for(parts.path) or _static_file(parts.path)
    return found, parts.fragment


def rewrite_html(body: str, here: str, found: list[str]) -> str:
    """Relative links for a page written at ``here``; ``found`` collects the pages linked."""
    body = _FORM.sub("", body)
    base = posixpath.dirname(here)

    def repl(m: re.Match[str]) -> str:
        attr, url = m.group(1), m.group(2)
        raw = html.unescape(url)
        if raw.startswith("#"):
            return m.group(0)
        parts = urlsplit(raw)
        if parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            return m.group(0)  # an external link (already checked safe by the template)
        target, fragment = _target(raw)
        if target is None:
            return ""  # a dynamic feature a static host cannot serve: no link
        if not target.startswith("static/"):
            found.append(urlsplit(raw).path)
        rel = posixpath.relpath(target, base or ".")
        return f' {attr}="{html.escape(rel + (f"#{fragment}" if fragment else ""), quote=True)}"'

    return _ATTR.sub(repl, body)


def _absolute_to_site(text: str, base_url: str | None, found: list[str]) -> str:
    """Absolute app URLs in JSON and the feed become the site's own (``base_url`` + file) or
    site-relative paths; a URL the static site cannot serve (a raw download) becomes ""."""
    def repl(m: re.Match[str]) -> str:
        path = m.group(1) or "/"
        target = file_for(path)
        if target is None:
            return ""
        found.append(path)
        return f"{base_url}/{target}" if base_url else target

    return re.sub(re.escape(ORIGIN) + r"(/[^\"'<>\s?#]*)?", repl, text)


def last_recorded(db: Database) -> datetime:
    from storage.ledger import last_recorded_at

    return last_recorded_at(db) or datetime(2000, 1, 1, tzinfo=UTC)


def _test_client() -> Any:
    import warnings

    with warnings.catch_warnings():
        # Starlette's in-process client is all that is used here (no network); its note
        # about a future httpx fork is not the user's concern.
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient


def _client(db: Database) -> Any:
    from web.app import create_app

    TestClient = _test_client()  # noqa: N806

    clock = last_recorded(db)
    return TestClient(create_app(db, base_url=ORIGIN, clock=lambda: clock), base_url=ORIGIN)


def _write(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def write_site(db: Database, out: Path, *, base_url: str | None = None) -> SiteReport:
    out.mkdir(parents=True, exist_ok=True)
    base_url = base_url.rstrip("/") if base_url else None
    client = _client(db)
    queue: deque[str] = deque(_START)
    seen: set[str] = set(_START)
    pages = api = size = changed = 0
    while queue:
        path = queue.popleft()
        target = file_for(path)
        if target is None:
            continue
        response = client.get(_FETCH_AS.get(path, path))
        if response.status_code != 200:
            continue  # a page that vanished between listing and fetching: not linked
        found: list[str] = []
        if target.endswith(".html"):
            data = rewrite_html(response.text, target, found).encode("utf-8")
            pages += 1
        elif target.endswith(".json"):
            text = _absolute_to_site(response.text, base_url, found)
            data = (json.dumps(json.loads(text), ensure_ascii=False, indent=1,
                               sort_keys=True) + "\n").encode("utf-8")
            api += 1
        else:
            data = _absolute_to_site(response.text, base_url, found).encode("utf-8")
        changed += _write(out / target, data)
        size += len(data)
        for link in found:
            if link not in seen and file_for(link) is not None:
                seen.add(link)
                queue.append(link)
    static = Path(__file__).parent / "static"
    for f in sorted(static.iterdir()):
        if f.is_file():
            changed += _write(out / "static" / f.name, f.read_bytes())
    (out / ".nojekyll").touch()
    return SiteReport(pages, api, size, changed)


def render_standalone(ui: Any, path: str) -> str:
    """One page as a single self-contained HTML file (stylesheet inlined, no script)."""
    from web.app import create_app

    TestClient = _test_client()  # noqa: N806

    client = TestClient(create_app(ui.db, base_url=ORIGIN, clock=ui.clock), base_url=ORIGIN)
    body = client.get(path).text
    css = (Path(__file__).parent / "static" / "style.css").read_text(encoding="utf-8")
    body = body.replace('<link rel="stylesheet" href="/static/style.css">',
                        f"<style>\n{css}</style>")
    body = re.sub(r'<script src="/static/app.js" defer></script>\n?', "", body)
    return _FORM.sub("", body)
