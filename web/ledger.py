"""The commitments ledger pages: the cross-company matrix, a company's timeline, one
commitment's history — and their JSON.

Pictures are server-rendered SVG built from coordinates computed here and drawn by the Jinja2
templates (autoescaped: every sentence in a tooltip is crawled text). No script is needed to read
them, and the strict CSP holds: colours come from CSS classes, never inline styles.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage import ledger as L
from storage.records import SourceInfo, iso

COLUMNS = (*L.SEOUL_PARAGRAPHS, *L.CODEBOOK_CODES)
STRENGTH_WORDS = {4: "must / will", 3: "intend / aim", 2: "may / consider", 1: "recommend",
                  0: "—"}
OUTCOME_WORDS = {"R": "retained", "S": "strengthened", "W": "weakened", "X": "removed",
                 "L": "relocated", "A": "added"}
OUTCOME_ARROWS = {"S": "▲", "A": "+", "W": "▼", "X": "✕", "L": "↷", "R": "="}
DISCLOSURE_WORDS = {"ANN": "announced", "ANN-P": "partially announced", "SIL": "silent",
                    "NCL": "no changelog"}
CODEBOOK_WORDS = {"EC1": "scope of evaluation", "EC2": "trigger & threshold", "EC3": "method",
                  "EC4": "third parties", "EC5": "disclosure", "EC6": "consequence",
                  "G": "governance", "S": "security", "M": "mitigation"}
NOT_IN_CHANGELOG = "not mentioned in the provider's changelog"
MAX_TIMELINE_VERSIONS = 400
MAX_TIMELINE_CHANGES = 600
"""The newest material changes a company page draws and lists (the JSON has the same)."""
MAX_STACK = 30


def slug(company: str) -> str:
    """URL- and file-safe name of a company ("Google DeepMind" → "google-deepmind")."""
    ascii_name = unicodedata.normalize("NFKD", company).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "company"


# ---- picture geometry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    path: str  # SVG path data of the glyph
    category: str
    outcome: str
    disclosed: bool
    title: str
    href: str


@dataclass(frozen=True)
class Tick:
    x: float
    y1: float
    y2: float
    title: str
    href: str


@dataclass(frozen=True)
class Lane:
    source: SourceInfo
    y: float
    height: float
    ticks: tuple[Tick, ...]
    markers: tuple[Marker, ...]
    overflow: tuple[tuple[float, float, int], ...]  # (x, y, how many more)


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    lanes: tuple[Lane, ...]
    axis: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    segments: tuple[tuple[float, float, int, int], ...]  # (y, height, strength, count)
    title: str
    href: str
    label: str


@dataclass(frozen=True)
class StrengthChart:
    source: SourceInfo
    width: int
    height: int
    bars: tuple[Bar, ...]
    top: int


def _glyph(outcome: str, x: float, y: float, r: float = 4.0) -> str:
    if outcome in ("S", "A"):  # up: more obligation
        return f"M{x:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}L{x - r:.1f},{y + r:.1f}Z"
    if outcome in ("W", "X"):  # down: less
        return f"M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y - r:.1f}L{x:.1f},{y + r:.1f}Z"
    return f"M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}L{x - r:.1f},{y:.1f}Z"


def _short(text: str, words: int = 30) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def timeline(sources: list[SourceInfo], versions: dict[str, list[L.LedgerVersion]],
             traces: list[L.StoredTrace], width: int = 960) -> Timeline:
    left, right = 170.0, 20.0
    times = [v.fetched_at for vs in versions.values() for v in vs]
    if not times:
        return Timeline(width, 40, (), ())
    t0, t1 = min(times), max(times)
    span = (t1 - t0).total_seconds() or 1.0

    def x_of(at: datetime) -> float:
        if t1 == t0:
            return left + (width - left - right) / 2
        return left + (at - t0).total_seconds() / span * (width - left - right)

    by_version: dict[int, list[L.StoredTrace]] = {}
    for t in traces:
        by_version.setdefault(t.new_version_id, []).append(t)
    lanes = []
    y = 28.0
    for source in sources:
        vs = versions.get(source.id, [])[-MAX_TIMELINE_VERSIONS:]
        stack = max((min(len(by_version.get(v.id, ())), MAX_STACK) for v in vs), default=0)
        height = 34.0 + stack * 9.0
        base = y + height - 14
        ticks, markers, overflow = [], [], []
        for v in vs:
            x = x_of(v.fetched_at)
            count = "" if v.count is None else f", {v.count} commitments"
            ticks.append(Tick(x, base - 6, base + 6, f"version {v.id} · {v.fetched_at:%Y-%m-%d}"
                              f"{count}", f"/versions/{v.id}"))
            changed = sorted(by_version.get(v.id, ()), key=lambda t: (t.category, t.outcome))
            for i, t in enumerate(changed[:MAX_STACK]):
                my = base - 12 - i * 9.0
                side = t.data.get("new") or t.data.get("old") or {}
                key = side.get("id", "")
                word = DISCLOSURE_WORDS.get(t.disclosure or "", "")
                markers.append(Marker(
                    x, my, _glyph(t.outcome, x, my), t.category or "none", t.outcome,
                    t.disclosure == "ANN",
                    f"{OUTCOME_WORDS.get(t.outcome, t.outcome)} ({word}) · {t.category}: "
                    f"{_short(t.text)}", f"/commitments/{source.id}/{key}"))
            if len(changed) > MAX_STACK:
                overflow.append((x + 6, base - 12 - MAX_STACK * 9.0, len(changed) - MAX_STACK))
        lanes.append(Lane(source, y, height, tuple(ticks), tuple(markers), tuple(overflow)))
        y += height + 10
    axis = []
    years = range(t0.year, t1.year + 1)
    for year in years:
        at = datetime(year, 1, 1, tzinfo=t0.tzinfo)
        if t0 <= at <= t1:
            axis.append((x_of(at), str(year)))
    if not axis:
        axis = [(x_of(t0), f"{t0:%Y-%m-%d}")]
    return Timeline(width, int(y + 10), tuple(lanes), tuple(axis))


def strength_chart(source: SourceInfo, series: list[tuple[int, datetime, dict[int, int]]],
                   width: int = 960, height: int = 180) -> StrengthChart:
    series = series[-120:]
    top = max((sum(c.values()) for _, _, c in series), default=0) or 1
    left, bottom = 40.0, 24.0
    step = (width - left - 10) / max(len(series), 1)
    bar_w = max(min(step * 0.7, 40.0), 2.0)
    bars = []
    for i, (vid, at, counts) in enumerate(series):
        x = left + i * step + (step - bar_w) / 2
        y = height - bottom
        segments = []
        for strength in (1, 2, 3, 4):
            n = counts.get(strength, 0)
            if not n:
                continue
            h = n / top * (height - bottom - 10)
            y -= h
            segments.append((y, h, strength, n))
        title = (f"version {vid} · {at:%Y-%m-%d}: "
                 + ", ".join(f"{counts.get(s, 0)} {STRENGTH_WORDS[s]}" for s in (4, 3, 2, 1)))
        every = max(len(series) // 8, 1)
        bars.append(Bar(x, bar_w, tuple(segments), title, f"/versions/{vid}",
                        f"{at:%Y-%m}" if i % every == 0 else ""))
    return StrengthChart(source, width, height, tuple(bars), top)


# ---- the pages ------------------------------------------------------------------------------------------

class LedgerPages:
    """Endpoints over storage.ledger; ``ui`` is the app's WebUI (templates, clock, repository)."""

    def __init__(self, ui: Any) -> None:
        self.ui = ui
        self.db = ui.db
        self._matrix: tuple[Any, list[L.MatrixRow]] | None = None

    def companies(self) -> dict[str, tuple[str, list[SourceInfo]]]:
        """slug → (company, its ledger sources)."""
        out: dict[str, tuple[str, list[SourceInfo]]] = {}
        for s in L.ledger_sources(self.ui.repo.list_sources()):
            out.setdefault(slug(s.company), (s.company, []))[1].append(s)
        return out

    def company_or_404(self, company_slug: str) -> tuple[str, list[SourceInfo]]:
        found = self.companies().get(company_slug)
        if found is None:
            raise HTTPException(404, f"no company {company_slug!r} in the ledger")
        return found

    def matrix_rows(self) -> list[L.MatrixRow]:
        """The matrix, recomputed only when the ledger, the sources or the day changed: it
        aggregates the whole history, and most requests between two cycles ask the same."""
        sources = tuple((s.id, s.company) for _, items in self.companies().values()
                        for s in items)
        since = self.ui.clock() - timedelta(days=365)
        key = (L.ledger_stamp(self.db), sources, since.date())
        if self._matrix is None or self._matrix[0] != key:
            self._matrix = (key, L.matrix(self.db, sources, since))
        return self._matrix[1]

    def pending(self, source_ids: list[str] | None = None) -> int:
        """Versions of these sources (default: the ledger's) not yet read into the ledger:
        the pages say so rather than show counts that leave them out."""
        if source_ids is None:
            source_ids = [s.id for _, items in self.companies().values() for s in items]
        return L.count_missing_ledger(self.db, source_ids=source_ids)

    # -- HTML
    def matrix(self, request: Request) -> Response:
        return self.ui.page(request, "matrix.html", title="Commitments matrix",
                            rows=self.matrix_rows(), columns=COLUMNS, seoul=L.SEOUL_PARAGRAPHS,
                            codebook=L.CODEBOOK_CODES, words=words(), slug=slug,
                            ledger_pending=self.pending())

    def cell(self, request: Request) -> Response:
        company, sources = self.company_or_404(request.path_params["company"])
        column = request.path_params["column"]
        if column not in COLUMNS:
            raise HTTPException(404, f"no matrix column {column!r}")
        ids = [s.id for s in sources]
        items = L.cell_commitments(self.db, ids, column)
        changes = list(reversed(L.material_traces(self.db, ids, column=column, limit=100)))
        titles = {s.id: s.title for s in sources}
        return self.ui.page(request, "matrix_cell.html", title=f"{company} · {column}",
                            company=company, company_slug=slug(company), column=column,
                            items=items, changes=changes, titles=titles, words=words(),
                            ledger_pending=self.pending(ids))

    def company(self, request: Request) -> Response:
        company, sources = self.company_or_404(request.path_params["company"])
        data = self.company_data(sources)
        return self.ui.page(request, "company.html", title=f"{company} — commitments",
                            company=company, company_slug=slug(company), words=words(),
                            ledger_pending=self.pending([s.id for s in sources]), **data)

    def company_data(self, sources: list[SourceInfo]) -> dict[str, Any]:
        ids = [s.id for s in sources]
        versions = {s.id: L.ledger_versions(self.db, s.id) for s in sources}
        traces = L.material_traces(self.db, ids, limit=MAX_TIMELINE_CHANGES)
        charts = [strength_chart(s, L.strength_series(self.db, s.id)) for s in sources]
        pairs = L.pair_rates(self.db, ids)
        from differ.disclosure import pooled_rate

        rates = [(old, new, _rate(m, sil, part, ncl)) for old, new, m, sil, part, ncl in pairs]
        pooled = pooled_rate((m, sil, part) for _, _, m, sil, part, ncl in pairs if not ncl)
        return {"sources": sources, "timeline": timeline(sources, versions, traces),
                "charts": charts, "traces": list(reversed(traces))[:300],
                "trace_total": len(traces), "rates": rates, "pooled": pooled}

    def commitment(self, request: Request) -> Response:
        source = self.ui.source_or_404(request.path_params["source_id"])
        key = request.path_params["key"]
        items, traces = L.commitment_history(self.db, source.id, key)
        if not items and not traces:
            raise HTTPException(404, f"no commitment {key!r} in {source.id}")
        return self.ui.page(request, "commitment.html", title=f"Commitment {key} — {source.title}",
                            source=source, key=key, items=items, traces=traces,
                            company_slug=slug(source.company), words=words(),
                            ledger_pending=self.pending([source.id]))

    # -- JSON
    def api_matrix(self, request: Request) -> Response:
        from web.render import api_json

        return api_json(matrix_json(self.matrix_rows()))

    def api_commitments(self, request: Request) -> Response:
        from web.render import api_json

        version = self.ui.version_or_404(request.path_params["version_id"], with_text=False)
        items = L.commitments_of(self.db, version.id)
        return api_json(commitments_json(items))

    def api_company(self, request: Request) -> Response:
        from web.render import api_json

        company, sources = self.company_or_404(request.path_params["company"])
        data = self.company_data(sources)
        return api_json({
            "company": company, "sources": [s.id for s in sources],
            "silent_revision_rate": data["pooled"].to_json(),
            "pairs": [{"old_version": old, "new_version": new, **rate.to_json()}
                      for old, new, rate in data["rates"]],
            "changes": [trace_json(t) for t in data["traces"]]})


def _rate(material: int, sil: int, part: int, ncl: int) -> Any:
    from differ.disclosure import SilentRate

    if ncl or not material:
        return SilentRate(None, None, material, 0)
    return SilentRate(round((sil + part) / material, 3), round(sil / material, 3), material,
                      sil + part)


def words() -> dict[str, Any]:
    return {"strength": STRENGTH_WORDS, "outcome": OUTCOME_WORDS, "arrow": OUTCOME_ARROWS,
            "disclosure": DISCLOSURE_WORDS, "codebook": CODEBOOK_WORDS,
            "not_in_changelog": NOT_IN_CHANGELOG}


def commitment_json(c: L.StoredCommitment) -> dict[str, Any]:
    d = c.data
    return {"id": c.key, "text": c.text, "section": c.section, "category": c.category,
            "codebook": c.codebook, "seoul": list(c.seoul), "strength": c.strength,
            "quantities": list(d.get("quantities", ())), "version": c.version_id}


def commitments_json(items: list[L.StoredCommitment]) -> dict[str, Any]:
    return {"count": len(items), "commitments": [commitment_json(c) for c in items]}


def trace_json(t: L.StoredTrace) -> dict[str, Any]:
    return {"outcome": t.outcome, "dims": list(t.data.get("dims", ())),
            "old": t.data.get("old"), "new": t.data.get("new"), "disclosure": t.disclosure,
            "announced_by": t.data.get("announced_by"), "because": t.data.get("because"),
            "source": t.source_id, "old_version": t.old_version_id,
            "new_version": t.new_version_id, "detected_at": iso(t.detected_at)}


def matrix_json(rows: list[L.MatrixRow]) -> dict[str, Any]:
    return {"columns": list(COLUMNS), "companies": [{
        "company": r.company, "slug": slug(r.company), "sources": list(r.sources),
        "cells": {col: {"count": c.count, "strongest": STRENGTH_WORDS[c.strongest],
                        "strength": c.strongest, "last_change": None if c.last_outcome is None
                        else {"outcome": c.last_outcome, "at": iso(c.last_at),
                              "version": c.last_version_id},
                        "weakenings_12m": c.weakenings_12m}
                  for col, c in r.cells.items()}} for r in rows]}




def routes(ui: Any) -> list[Route]:
    pages = LedgerPages(ui)
    ui.ledger = pages
    return [
        Route("/matrix", pages.matrix),
        Route("/matrix/{company}/{column}", pages.cell),
        Route("/companies/{company}", pages.company),
        Route("/commitments/{source_id}/{key}", pages.commitment),
        Route("/api/matrix", pages.api_matrix),
        Route("/api/companies/{company}", pages.api_company),
        Route("/api/versions/{version_id:int}/commitments", pages.api_commitments),
    ]
