"""The read-only history browser: HTML pages, an Atom feed and a JSON API over storage.

Why Starlette + Jinja2 on uvicorn: the UI is a handful of server-rendered pages that only read
the database, so a small ASGI toolkit is enough — Starlette gives routing, static files, a
TestClient for HTTP-level tests and plain ASGI middleware (security headers, the token gate)
without an ORM, admin or settings layer of its own (Django/Flask would bring those or need
extensions). Jinja2 with autoescape on for *every* template means crawled text is escaped unless
someone explicitly writes ``|safe`` — and this package never does; the only Markup it builds is
search-match <mark> tags around already-escaped text (web.render.snippet_html). uvicorn is the
reference ASGI server, already a dependency, and is what `framewatch serve` runs.

Security posture: crawled text is hostile. It is escaped on output, raw snapshots are served only
as downloads (attachment + nosniff + a sandbox CSP), links from crawled data are made clickable
only for http(s) URLs, and every response carries a strict Content-Security-Policy that forbids
inline script, so even an escaping bug could not execute script.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from differ.model import SEVERITIES
from storage import read
from storage.db import Database, open_database
from storage.records import ChangeInfo, CheckInfo, SourceInfo, VersionInfo
from storage.repo import Repository
from web import render
from web.noise import NoiseForms, NoiseRules
from web.render import api_json

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
DOWNLOAD_CSP = "sandbox; default-src 'none'"
TOKEN_ENV = "FRAMEWATCH_WEB_TOKEN"
COOKIE = "framewatch_session"
PAGE = 50

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# ---- middleware ---------------------------------------------------------------------------------

class HostCheck:
    """400 unless the Host header names this server: the host it is bound to, a loopback name,
    or the configured base_url's host. A loopback UI needs no token, so without this a page
    on any web site could reach it through DNS rebinding (its own name resolving to
    127.0.0.1) and read the history as same-origin."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = {h.strip("[]").lower() for h in allowed if h}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _host_name(scope) not in self.allowed:
            response = PlainTextResponse("unknown Host header: this server answers only to "
                                         "its own address", status_code=400)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_name(scope: Scope) -> str:
    raw = next((v for k, v in scope.get("headers", []) if k == b"host"), b"")
    host = raw.decode("latin-1").strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityHeaders:
    """Adds the CSP and friends to every response that does not set its own CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                defaults = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                headers += [(k, v) for k, v in defaults.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cookie_value(token: str) -> str:
    """What the session cookie holds: derived from the token, so the cookie is not the token."""
    return hmac.new(token.encode(), b"framewatch-web-session", hashlib.sha256).hexdigest()


class TokenGate:
    """When a token is configured, every request needs it: `Authorization: Bearer <token>`, the
    session cookie, or `?token=<token>` — which sets the HttpOnly cookie and redirects to the same
    URL without the token, so it does not linger in history, logs or Referer headers."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token
        self.cookie = cookie_value(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
                auth[7:].strip().encode(), self.token.encode()):
            await self.app(scope, receive, send)
            return
        if hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), self.cookie.encode()):
            await self.app(scope, receive, send)
            return
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                                 keep_blank_values=True) if k != "token"]
            target = request.url.path + (("?" + urlencode(rest)) if rest else "")
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.cookie, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
            await response(scope, receive, send)
            return
        response = Response(
            "401 Unauthorized: this framewatch server requires its access token. Send "
            "'Authorization: Bearer <token>' or open any page once with ?token=<token>.\n",
            status_code=401, media_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="framewatch"'})
        await response(scope, receive, send)


# ---- the application ---------------------------------------------------------------------------

def templates_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, including the Atom feed
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(iso=render.iso, short_date=render.short_date, relative=render.relative,
                       safe_href=render.safe_href, snippet=render.snippet_html,
                       seoul=render.seoul_for, xmlsafe=render.xml_safe)
    env.globals.update(SEVERITIES=SEVERITIES)
    return env


class WebUI:
    """Holds the database and the templates; its methods are the endpoints."""

    def __init__(self, db: Database, base_url: str | None = None,
                 clock: Callable[[], datetime] | None = None,
                 noise: NoiseRules | None = None) -> None:
        self.db = db
        self.repo = Repository(db)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.env = templates_env()
        # The static site renders with a fixed clock, so "3 days ago" is the same on every run.
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.env.filters["relative"] = lambda dt: render.relative(dt, self.clock())
        # "Mark as noise" writes sources.toml: only when the server was given a way to.
        self.noise: NoiseForms | None = NoiseForms(self, noise) if noise is not None else None

    # -- helpers
    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("title", "framewatch")
        body = self.env.get_template(name).render(request=request, now=self.clock(),
                                                  **context)
        return HTMLResponse(body, status_code=status)

    def absolute(self, request: Request, path: str) -> str:
        base = self.base_url or str(request.base_url).rstrip("/")
        return base + path

    def source_or_404(self, source_id: str) -> SourceInfo:
        source = self.repo.get_source(source_id)
        if source is None:
            raise HTTPException(404, f"no source with id {source_id!r}")
        return source

    def version_or_404(self, version_id: int, with_text: bool = True) -> VersionInfo:
        if not _storable_id(version_id):
            raise HTTPException(404, f"no version {version_id}")
        version = (self.repo.get_version(version_id) if with_text
                   else read.version_meta(self.db, version_id))
        if version is None:
            raise HTTPException(404, f"no version {version_id}")
        return version

    def change_or_404(self, change_id: int) -> ChangeInfo:
        if not _storable_id(change_id):
            raise HTTPException(404, f"no change {change_id}")
        change = self.repo.get_change(change_id)
        if change is None:
            raise HTTPException(404, f"no change {change_id}")
        return change

    # -- pages
    def dashboard(self, request: Request) -> Response:
        q = request.query_params
        company, severity = q.get("company") or "", q.get("severity") or ""
        category, status = q.get("category") or "", q.get("status") or ""
        sources = self.repo.list_sources()
        checks = self.repo.last_checks()
        changes = read.last_changes(self.db)
        counts = read.version_counts(self.db)
        rows = [read.DashboardRow(s, checks.get(s.id), changes.get(s.id), counts.get(s.id, 0))
                for s in sources]
        failing = [r for r in rows if is_failing(r)]
        companies = sorted({s.company for s in sources})
        categories = sorted({c for r in rows if r.last_change for c in r.last_change.categories})
        shown = [r for r in rows if
                 (not company or r.source.company == company)
                 and (not severity or (r.last_change is not None and render.severity_rank(
                     r.last_change.severity) >= render.severity_rank(severity)))
                 and (not category or (r.last_change is not None
                                       and category in r.last_change.categories))
                 and (status != "failing" or is_failing(r))]
        return self.page(request, "dashboard.html", rows=shown, total=len(rows),
                         failing=failing, companies=companies, categories=categories,
                         checked=any(r.last_check for r in rows),
                         filters={"company": company, "severity": severity,
                                  "category": category, "status": status})

    def source(self, request: Request) -> Response:
        source = self.source_or_404(request.path_params["source_id"])
        versions = read.versions_of(self.db, source.id)
        changes = {e.change.new_version_id: e.change
                   for e in read.changes_list(self.db, source_id=source.id, limit=1000)}
        checks = self.repo.checks(source.id, limit=50)
        return self.page(request, "source.html", title=f"{source.company} — {source.title}",
                         source=source, versions=versions, changes=changes, checks=checks,
                         failing=bool(checks and checks[0].status == "error")
                         or source.health == "failing")

    def change(self, request: Request) -> Response:
        change = self.change_or_404(request.path_params["change_id"])
        source = self.source_or_404(change.source_id)
        new = read.version_meta(self.db, change.new_version_id)
        old = (read.version_meta(self.db, change.old_version_id)
               if change.old_version_id else None)
        diff = change.diff or {}
        total = len(diff.get("hunks") or [])
        offset = min(max(_int(request.query_params.get("from")) or 0, 0), max(total - 1, 0))
        hunks = render.hunk_views(change.diff, offset=offset)
        view = "side" if request.query_params.get("view") == "side" else "inline"
        from differ.disclosure import rate_of_codes
        from storage.ledger import traces_of
        from web.ledger import slug, words

        traces = [t for t in traces_of(self.db, change.new_version_id) if t.material]
        return self.page(request, "change.html", title=f"Change {change.id} — {source.title}",
                         ledger_traces=traces, ledger_words=words(),
                         ledger_rate=rate_of_codes([t.disclosure or "SIL" for t in traces]),
                         company_slug=slug(source.company),
                         change=change, source=source, old=old, new=new, view=view,
                         groups=render.group_by_section(hunks), hunk_count=len(hunks),
                         total_hunks=total, hunk_offset=offset,
                         hunk_pages=_hunk_pages(offset, len(hunks), total),
                         seoul=tuple(diff.get("seoul") or render.seoul_for(change.categories)),
                         noise_csrf=self.noise.token(change.id) if self.noise else None)

    async def noise_post(self, request: Request) -> Response:
        if self.noise is None:
            raise HTTPException(404, "this server does not write sources.toml (read-only)")
        return await self.noise.post(request)

    def version(self, request: Request) -> Response:
        version = self.version_or_404(request.path_params["version_id"])
        source = self.source_or_404(version.source_id)
        snapshot = (read.snapshot_meta(self.db, version.snapshot_sha256)
                    if version.snapshot_sha256 else None)
        check = read.check_of_version(self.db, version.id)
        change = self.repo.change_for_version(version.id)
        return self.page(request, "version.html", title=f"Version {version.id} — {source.title}",
                         version=version, source=source, snapshot=snapshot, check=check,
                         change=change)

    def raw(self, request: Request) -> Response:
        """The raw snapshot, only ever as a download: never rendered by the browser."""
        version = self.version_or_404(request.path_params["version_id"], with_text=False)
        if not version.snapshot_sha256:
            raise HTTPException(404, f"version {version.id} has no raw snapshot")
        try:
            body, content_type = self.repo.snapshot_bytes(version.snapshot_sha256)
        except KeyError:
            raise HTTPException(404, "snapshot missing") from None
        ctype = render.safe_content_type(content_type)
        name = f"{version.source_id}-v{version.id}.{render.extension_for(ctype)}"
        return Response(body, media_type=ctype, headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "X-Snapshot-SHA256": version.snapshot_sha256,
            "Cache-Control": "private, max-age=86400, immutable",
        })

    def text_download(self, request: Request) -> Response:
        version = self.version_or_404(request.path_params["version_id"])
        name = f"{version.source_id}-v{version.id}.txt"
        return Response(version.text or "", media_type="text/plain; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Security-Policy": DOWNLOAD_CSP,
            "X-Text-SHA256": version.text_sha256})

    def compare(self, request: Request) -> Response:
        source = self.source_or_404(request.path_params["source_id"])
        versions = read.versions_of(self.db, source.id)
        a, b = _int(request.query_params.get("a")), _int(request.query_params.get("b"))
        if a is None or b is None:
            if len(versions) >= 2:
                a, b = versions[1].id, versions[0].id
            return self.page(request, "compare.html", title=f"Compare — {source.title}",
                             source=source, versions=versions, a=a, b=b, old=None, new=None,
                             result=None, groups=[], view="inline")
        old, new = self.version_or_404(a), self.version_or_404(b)
        if old.source_id != source.id or new.source_id != source.id:
            raise HTTPException(404, "both versions must belong to this source")
        result, differ_used = compare_texts(old.text or "", new.text or "")
        view = "side" if request.query_params.get("view") == "side" else "inline"
        total = len(result.get("hunks") or [])
        offset = min(max(_int(request.query_params.get("from")) or 0, 0), max(total - 1, 0))
        shown = render.hunk_views(result, offset=offset)
        return self.page(request, "compare.html", title=f"Compare — {source.title}",
                         source=source, versions=versions, a=a, b=b, old=old, new=new,
                         result=result, groups=render.group_by_section(shown),
                         view=view, differ_used=differ_used, total_hunks=total,
                         hunk_offset=offset, hunk_pages=_hunk_pages(offset, len(shown), total))

    def search(self, request: Request) -> Response:
        q = (request.query_params.get("q") or "").strip()[:200]
        source_id = request.query_params.get("source") or None
        offset = max(0, _int(request.query_params.get("offset")) or 0)
        hits = read.search(self.db, q, source_id=source_id, limit=PAGE + 1,
                              offset=offset) if q else []
        more = len(hits) > PAGE
        return self.page(request, "search.html", title=f"Search: {q}" if q else "Search",
                         q=q, hits=hits[:PAGE], more=more, offset=offset, source_id=source_id,
                         terms=read.search_terms(q), sources=self.repo.list_sources())

    def feed(self, request: Request) -> Response:
        company = request.query_params.get("company") or None
        minimum = request.query_params.get("severity") or None
        if minimum and minimum not in SEVERITIES:
            raise HTTPException(400, f"severity must be one of {', '.join(SEVERITIES)}")
        entries = read.changes_list(self.db, company=company, min_severity=minimum, limit=PAGE)
        updated = entries[0].change.detected_at if entries else datetime(2000, 1, 1, tzinfo=UTC)
        body = self.env.get_template("feed.xml").render(
            entries=entries, updated=updated, self_url=self.absolute(request, request.url.path)
            + (f"?{request.url.query}" if request.url.query else ""),
            base=self.absolute(request, ""), company=company, minimum=minimum)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    # -- JSON API
    def api_index(self, request: Request) -> Response:
        """`/api/`: what the JSON API offers, so the root of the API is not a 404."""
        return api_json({"endpoints": [{"path": path, "returns": about}
                                       for path, about in API_ENDPOINTS]})

    def api_sources(self, request: Request) -> Response:
        checks = self.repo.last_checks()
        changes = read.last_changes(self.db)
        counts = read.version_counts(self.db)
        return api_json([
            source_json(s, self.absolute(request, f"/sources/{s.id}"), checks.get(s.id),
                        changes.get(s.id), counts.get(s.id, 0),
                        lambda c: self.absolute(request, f"/changes/{c}"))
            for s in self.repo.list_sources()])

    def api_source(self, request: Request) -> Response:
        s = self.source_or_404(request.path_params["source_id"])
        checks = self.repo.checks(s.id, limit=1)
        changes = read.last_changes(self.db)
        counts = read.version_counts(self.db)
        data = source_json(s, self.absolute(request, f"/sources/{s.id}"),
                           checks[0] if checks else None, changes.get(s.id), counts.get(s.id, 0),
                           lambda c: self.absolute(request, f"/changes/{c}"))
        data["versions"] = [version_json(v, self.absolute(request, f"/versions/{v.id}"))
                            for v in read.versions_of(self.db, s.id)]
        return api_json(data)

    def api_versions(self, request: Request) -> Response:
        s = self.source_or_404(request.path_params["source_id"])
        return api_json([version_json(v, self.absolute(request, f"/versions/{v.id}"))
                         for v in read.versions_of(self.db, s.id)])

    def api_version(self, request: Request) -> Response:
        v = self.version_or_404(request.path_params["version_id"])
        data = version_json(v, self.absolute(request, f"/versions/{v.id}"))
        data["text"] = v.text
        if v.snapshot_sha256:
            snap = read.snapshot_meta(self.db, v.snapshot_sha256)
            data["snapshot"] = {"sha256": v.snapshot_sha256,
                                "content_type": snap.content_type if snap else None,
                                "size": snap.size if snap else None,
                                "download": self.absolute(request, f"/versions/{v.id}/raw")}
        return api_json(data)

    def api_changes(self, request: Request) -> Response:
        q = request.query_params
        minimum = q.get("severity") or None
        if minimum and minimum not in SEVERITIES:
            raise HTTPException(400, f"severity must be one of {', '.join(SEVERITIES)}")
        limit = min(max(_int(q.get("limit")) or PAGE, 1), 500)
        entries = read.changes_list(
            self.db, source_id=q.get("source") or None, company=q.get("company") or None,
            min_severity=minimum, category=q.get("category") or None, limit=limit,
            offset=max(_int(q.get("offset")) or 0, 0))
        return api_json([change_json(e.change, self.absolute(request, f"/changes/{e.change.id}"))
                         for e in entries])

    def api_change(self, request: Request) -> Response:
        c = self.change_or_404(request.path_params["change_id"])
        data = change_json(c, self.absolute(request, f"/changes/{c.id}"))
        data["diff"] = c.diff
        return api_json(data)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": detail, "status": status}, status_code=status)
        return self.page(request, "error.html", status=status, title=f"{status}",
                         status_code=status, detail=detail)


def is_failing(row: read.DashboardRow) -> bool:
    return row.source.health == "failing" or (
        row.last_check is not None and row.last_check.status == "error")


MAX_COMPARE_CHARS = 500_000
"""Above this (either text), a compare request gets the plain paragraph diff, not the word-level
differ: a 4.8 MB single-line page took 39 s of CPU per request. `framewatch diff` has no bound."""


def compare_texts(old: str, new: str) -> tuple[dict[str, Any], bool]:
    """differ.compare's diff JSON, and True; the differ's plain paragraph diff, and False, when
    the texts are too large to classify within one request."""
    if max(len(old), len(new)) > MAX_COMPARE_CHARS:
        from differ.paragraphs import paragraph_diff

        return paragraph_diff(old, new), False
    from differ.compare import compare

    return compare(old, new).to_json(), True


def _hunk_pages(offset: int, shown: int, total: int) -> dict[str, int | None]:
    step = render.HUNKS_PER_PAGE
    return {"first": offset + 1 if shown else 0, "last": offset + shown, "total": total,
            "previous": max(offset - step, 0) if offset > 0 else None,
            "next": offset + step if offset + shown < total else None}


MAX_ID = 2**63 - 1  # the largest integer either database stores; larger ids exist nowhere


def _storable_id(value: int) -> bool:
    """Whether ``value`` can be looked up at all (``/changes/99999999999999999999`` is a 404,
    not an overflow inside the database driver)."""
    return 0 <= value <= MAX_ID


def _int(value: str | None) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or abs(number) <= MAX_ID else None


API_ENDPOINTS = (
    ("/api/sources", "every source with its last check, last change and version count"),
    ("/api/sources/{source_id}", "one source, its last check and last change"),
    ("/api/sources/{source_id}/versions", "a source's versions, newest first"),
    ("/api/versions/{version_id}", "one version with its text and evidence"),
    ("/api/changes", "changes, newest first (?severity=, ?company=, ?source=, ?category=, "
                     "?limit=, ?offset=)"),
    ("/api/changes/{change_id}", "one change with its full diff"),
    ("/api/matrix", "companies x Seoul commitments I-VIII and codebook categories: counts, "
                    "strongest obligation, last change, weakenings in 12 months"),
    ("/api/companies/{company}", "a company's silent revision rate, per version pair and "
                                 "pooled, and its traced commitment changes"),
    ("/api/versions/{version_id}/commitments", "the commitments a version makes"),
)


def check_json(c: CheckInfo | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"id": c.id, "started_at": render.iso(c.started_at), "status": c.status,
            "http_status": c.http_status, "error_kind": c.error_kind,
            "error_message": c.error_message, "url": c.url, "final_url": c.final_url,
            "elapsed_ms": c.elapsed_ms}


def change_json(c: ChangeInfo, url: str) -> dict[str, Any]:
    return {"id": c.id, "url": url, "source_id": c.source_id,
            "old_version_id": c.old_version_id, "new_version_id": c.new_version_id,
            "severity": c.severity, "categories": list(c.categories),
            "seoul": list(render.seoul_for(c.categories)), "signals": list(c.signals),
            "summary": c.summary, "detected_at": render.iso(c.detected_at)}


def version_json(v: VersionInfo, url: str) -> dict[str, Any]:
    return {"id": v.id, "url": url, "source_id": v.source_id, "kind": v.kind,
            "fetched_at": render.iso(v.fetched_at), "document_url": v.document_url,
            "title": v.title, "text_sha256": v.text_sha256,
            "snapshot_sha256": v.snapshot_sha256, "extractor_version": v.extractor_version}


def source_json(s: SourceInfo, url: str, check: CheckInfo | None,
                change: ChangeInfo | None, versions: int,
                change_url: Callable[[int], str]) -> dict[str, Any]:
    return {"id": s.id, "url": url, "company": s.company, "title": s.title,
            "document_url": s.url, "kind": s.kind, "enabled": s.enabled, "origin": s.origin,
            "health": s.health, "consecutive_failures": s.consecutive_failures,
            "versions": versions, "last_check": check_json(check),
            "last_change": change_json(change, change_url(change.id)) if change else None}


def create_app(db: Database | str | None = None, *, token: str | None = None,
               base_url: str | None = None,
               clock: Callable[[], datetime] | None = None,
               noise: NoiseRules | None = None,
               allowed_hosts: Iterable[str] | None = None) -> ASGIApp:
    """The ASGI app. ``db`` is an open Database or a URL; ``token`` gates every request;
    ``base_url`` (sources.toml [settings] base_url) makes feed and API links absolute;
    ``noise`` (how to write an ignore rule) enables "mark as noise" on change pages;
    ``allowed_hosts`` (when given) are the only Host header names answered (:class:`HostCheck`)."""
    database = db if isinstance(db, Database) else open_database(db)
    ui = WebUI(database, base_url, clock, noise)
    from web import ledger

    routes = [*ledger.routes(ui),
        Route("/", ui.dashboard),
        Route("/sources/{source_id}", ui.source),
        Route("/sources/{source_id}/compare", ui.compare),
        Route("/changes/{change_id:int}", ui.change),
        Route("/changes/{change_id:int}/noise", ui.noise_post, methods=["POST"]),
        Route("/versions/{version_id:int}", ui.version),
        Route("/versions/{version_id:int}/raw", ui.raw),
        Route("/versions/{version_id:int}/text", ui.text_download),
        Route("/search", ui.search),
        Route("/feed.atom", ui.feed),
        Route("/api", ui.api_index),
        Route("/api/", ui.api_index),
        Route("/api/sources", ui.api_sources),
        Route("/api/sources/{source_id}", ui.api_source),
        Route("/api/sources/{source_id}/versions", ui.api_versions),
        Route("/api/versions/{version_id:int}", ui.api_version),
        Route("/api/changes", ui.api_changes),
        Route("/api/changes/{change_id:int}", ui.api_change),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: ui.not_found,
                                                       Exception: ui.not_found})
    app.state.ui = ui
    wrapped: ASGIApp = SecurityHeaders(app)
    if token:
        wrapped = TokenGate(wrapped, token)
        wrapped = SecurityHeaders(wrapped)  # 401s and redirects carry the headers too
    if allowed_hosts is not None:
        wrapped = SecurityHeaders(HostCheck(wrapped, allowed_hosts))
    return wrapped


def token_from_env() -> str | None:
    return os.environ.get(TOKEN_ENV) or None
