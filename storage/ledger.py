"""The commitments ledger in the database: what each version promises, and how each promise moved.

Derived data: every row here is computed from ``versions.text`` by the differ's commitment model
and can be thrown away and rebuilt (`framewatch commitments --rebuild`). One version's rows are
written in one transaction (with the version itself when the run traced it), so a version never
exists half-described; a version whose ledger is pending (a first version `framewatch run`
stored, one recorded before the ledger existed) simply has no ``commitment_sets`` row yet, and
:func:`versions_missing_ledger` finds it for the catch-up.

Everything that leaves this module is a frozen dataclass of plain values; web/ and the CLI read
the ledger only through the functions below (no SQLAlchemy above storage/).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from storage.db import Database
from storage.records import MAX_LEDGER_TEXT
from storage.tables import (
    commitment_changes,
    commitment_sets,
    commitments,
    ledger_cell_moves,
    ledger_cell_weakenings,
    ledger_cells,
    ledger_version_strengths,
    sources,
    versions,
)

SEOUL_PARAGRAPHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
CODEBOOK_CODES = ("EC1", "EC2", "EC3", "EC4", "EC5", "EC6", "G", "S", "M")
WEAKENING = ("W", "X", "L")
_DIRECTION_RANK = {"A": 1, "S": 2, "L": 3, "X": 4, "W": 5}
"""Outcomes that move a commitment toward less obligation (L: relocated out of the binding text)."""


# ---- values ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionLedger:
    """What to write next to one new version: its commitments (``Commitment.to_json()`` each)
    and, when it has a predecessor, the traced pairs (``TracedCommitment.to_json()`` each plus
    ``disclosure`` and ``announced_by``)."""

    model: str
    commitments: tuple[dict[str, Any], ...]
    traces: tuple[dict[str, Any], ...] = ()
    old_version_id: int | None = None


@dataclass(frozen=True)
class StoredCommitment:
    version_id: int
    source_id: str
    position: int
    key: str
    text: str
    section: str
    category: str
    codebook: str
    seoul: tuple[str, ...]
    strength: int
    data: dict[str, Any]


@dataclass(frozen=True)
class StoredTrace:
    id: int
    source_id: str
    old_version_id: int | None
    new_version_id: int
    detected_at: datetime
    position: int
    outcome: str
    material: bool
    old_key: str | None
    new_key: str | None
    category: str
    codebook: str
    seoul: tuple[str, ...]
    disclosure: str | None
    data: dict[str, Any]

    @property
    def text(self) -> str:
        side = self.data.get("new") or self.data.get("old") or {}
        return str(side.get("text", ""))


@dataclass(frozen=True)
class LedgerVersion:
    """A version as the ledger pages need it: when, which source, how many commitments."""

    id: int
    source_id: str
    fetched_at: datetime
    kind: str
    count: int | None  # None: not derived yet


@dataclass(frozen=True)
class MatrixCell:
    count: int = 0
    strongest: int = 0
    last_outcome: str | None = None
    last_at: datetime | None = None
    last_version_id: int | None = None
    weakenings_12m: int = 0


@dataclass(frozen=True)
class MatrixRow:
    company: str
    sources: tuple[str, ...]
    cells: dict[str, MatrixCell] = field(default_factory=dict)


# ---- writing -------------------------------------------------------------------------------------------

def _seoul_key(seoul: Iterable[str]) -> str:
    return ",".join(seoul)


def _split(key: str | None) -> tuple[str, ...]:
    return tuple(p for p in (key or "").split(",") if p)


def _side(trace: dict[str, Any]) -> dict[str, Any]:
    return trace.get("new") or trace.get("old") or {}


def write_version_ledger(conn: Connection, version_id: int, source_id: str,
                         fetched_at: datetime, ledger: VersionLedger, *,
                         new_version: bool = False) -> None:
    """The ledger rows of one version, inside the caller's transaction (Core inserts: a cold
    cycle writes them for every first version).

    ``new_version``: the version was inserted in this same transaction, so it has no rows to
    replace (three DELETEs fewer per version in a cold cycle)."""
    if not new_version:
        conn.execute(delete(commitments)
                     .where(commitments.c.version_id == version_id))
        conn.execute(delete(commitment_changes)
                     .where(commitment_changes.c.new_version_id == version_id))
        conn.execute(delete(commitment_sets)
                     .where(commitment_sets.c.version_id == version_id))
    conn.execute(commitment_sets.insert(), {
        "version_id": version_id, "source_id": source_id, "model": ledger.model,
        "count": len(ledger.commitments), "computed_at": datetime.now(UTC)})
    if ledger.commitments:
        _insert_many(conn, commitments, [{
            "version_id": version_id, "source_id": source_id, "position": i,
            "key": str(c.get("id", ""))[:80], "text": str(c.get("text", "")),
            "section": str(c.get("section", "")), "category": str(c.get("category", "")),
            "codebook": str(c.get("codebook", "")), "seoul": _seoul_key(c.get("seoul", ())),
            "strength": int(c.get("strength", 0)), "data": c,
        } for i, c in enumerate(ledger.commitments)])
    if ledger.traces:
        _insert_many(conn, commitment_changes, [{
            "source_id": source_id, "old_version_id": ledger.old_version_id,
            "new_version_id": version_id, "detected_at": fetched_at, "position": i,
            "outcome": str(t.get("outcome", "")), "material": bool(t.get("material")),
            "old_key": (t.get("old") or {}).get("id"), "new_key": (t.get("new") or {}).get("id"),
            "category": str(_side(t).get("category", "")),
            "codebook": str(_side(t).get("codebook", "")),
            "seoul": _seoul_key(_side(t).get("seoul", ())), "disclosure": t.get("disclosure"),
            "data": t,
        } for i, t in enumerate(ledger.traces)])
    _summarise(conn, version_id, source_id, ledger, replaced=not new_version)


@functools.lru_cache(maxsize=32)
def _insert_plan(dialect: Any, table: Any, keys: tuple[str, ...]) -> tuple[
        str, bool, tuple[str, ...], tuple[Any, ...]]:
    """(SQL, positional?, parameter order, each parameter's bind processor) of an INSERT of
    ``keys``, compiled once per dialect: the same SQL and value conversions as Core's
    executemany, without building every row's parameters through the compiler again."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(keys))
    order = tuple(compiled.positiontup) if compiled.positional else tuple(keys)
    procs = tuple(table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in order)
    return compiled.string, bool(compiled.positional), order, procs


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Many rows in one executemany of plain parameters (a version's ~100 commitments)."""
    sql, positional, order, procs = _insert_plan(conn.dialect, table, tuple(rows[0]))
    pairs = tuple(zip(order, procs, strict=True))
    if positional:
        params: list[Any] = [tuple(p(r[k]) if p else r[k] for k, p in pairs) for r in rows]
    else:
        params = [{k: p(r[k]) if p else r[k] for k, p in pairs} for r in rows]
    conn.exec_driver_sql(sql, params)


# ---- the matrix's summary ------------------------------------------------------------------------------
# Kept with every ledger write, in its transaction, so the matrix page never aggregates the whole
# history: the current version's counts per cell, the newest move per cell and outcome, and the
# weakenings per cell and day. Each is one source's worth of rows, rewritten from that source's
# own rows (a few hundred at most), so a replaced or re-judged version leaves nothing stale.

def _summarise(conn: Connection, version_id: int, source_id: str, ledger: VersionLedger, *,
               replaced: bool) -> None:
    current = conn.execute(
        select(versions.c.id).where(versions.c.source_id == source_id, versions.c.kind != "removed")
        .order_by(versions.c.fetched_at.desc(), versions.c.id.desc()).limit(1)).scalar()
    if current == version_id:
        _write_cells(conn, source_id, version_id, ledger.commitments)
    strengths = [0, 0, 0, 0]
    for c in ledger.commitments:
        k = int(c.get("strength", 0))
        if 1 <= k <= 4:
            strengths[k - 1] += 1
    if replaced:
        conn.execute(delete(ledger_version_strengths)
                     .where(ledger_version_strengths.c.version_id == version_id))
    conn.execute(ledger_version_strengths.insert(), {
        "version_id": version_id, "source_id": source_id,
        **{f"strength_{k}": n for k, n in enumerate(strengths, 1)}})
    if ledger.traces or replaced:
        _write_moves(conn, source_id)


def _write_cells(conn: Connection, source_id: str, version_id: int,
                 commitments: Sequence[dict[str, Any]]) -> None:
    cells: dict[tuple[str, str], list[int]] = {}
    for c in commitments:
        key = (_seoul_key(c.get("seoul", ())), str(c.get("codebook", "")))
        n_strongest = cells.setdefault(key, [0, 0])
        n_strongest[0] += 1
        n_strongest[1] = max(n_strongest[1], int(c.get("strength", 0)))
    conn.execute(delete(ledger_cells).where(ledger_cells.c.source_id == source_id))
    if cells:
        conn.execute(ledger_cells.insert(), [
            {"source_id": source_id, "seoul": seoul, "codebook": code, "version_id": version_id,
             "count": n, "strongest": strongest}
            for (seoul, code), (n, strongest) in cells.items()])


def _write_moves(conn: Connection, source_id: str) -> None:
    """The source's newest move per (cell, outcome) and weakenings per (cell, day), from its
    material changes (answered from the covering index)."""
    C = commitment_changes.c  # noqa: N806
    material = (C.material.is_(True), C.source_id == source_id)
    moves = conn.execute(
        select(C.seoul, C.codebook, C.outcome, func.max(C.detected_at), func.max(C.new_version_id))
        .where(*material).group_by(C.seoul, C.codebook, C.outcome)).all()
    days: dict[tuple[str, str, Any], int] = {}
    for seoul, code, at in conn.execute(
            select(C.seoul, C.codebook, C.detected_at).where(*material,
                                                             C.outcome.in_(WEAKENING))):
        key = (seoul, code, _utc(at).date())
        days[key] = days.get(key, 0) + 1
    conn.execute(delete(ledger_cell_moves).where(ledger_cell_moves.c.source_id == source_id))
    conn.execute(delete(ledger_cell_weakenings)
                 .where(ledger_cell_weakenings.c.source_id == source_id))
    if moves:
        conn.execute(ledger_cell_moves.insert(), [
            {"source_id": source_id, "seoul": seoul, "codebook": code, "outcome": outcome,
             "last_at": _utc(at), "last_version_id": vid}
            for seoul, code, outcome, at, vid in moves])
    if days:
        conn.execute(ledger_cell_weakenings.insert(), [
            {"source_id": source_id, "seoul": seoul, "codebook": code, "day": day, "count": n}
            for (seoul, code, day), n in days.items()])


def _utc(at: Any) -> datetime:
    if isinstance(at, str):  # SQLite hands an aggregate's datetime back as text
        at = datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def rebuild_matrix_summary(conn: Connection, source_id: str | None = None) -> None:
    """Recompute the summary from the stored ledger (a schema upgrade; a cleared ledger)."""
    sids = [source_id] if source_id is not None else [
        r[0] for r in conn.execute(select(commitment_sets.c.source_id).distinct())]
    for table in (ledger_cells, ledger_cell_moves, ledger_cell_weakenings):
        q = delete(table)
        if source_id is not None:
            q = q.where(table.c.source_id == source_id)
        conn.execute(q)
    for sid in sids:
        current = conn.execute(
            select(versions.c.id).where(versions.c.source_id == sid, versions.c.kind != "removed")
            .order_by(versions.c.fetched_at.desc(), versions.c.id.desc()).limit(1)).scalar()
        if current is not None:
            rows = conn.execute(select(commitments.c.seoul, commitments.c.codebook,
                                       commitments.c.strength)
                                .where(commitments.c.version_id == current)).all()
            _write_cells(conn, sid, current, [{"seoul": _split(seoul), "codebook": code,
                                               "strength": st} for seoul, code, st in rows])
        _write_moves(conn, sid)


def store_ledger(db: Database, version_id: int, ledger: VersionLedger) -> None:
    """Replace one version's ledger (rebuilds, and versions recorded before the ledger)."""
    with db.transaction() as conn:
        row = conn.execute(select(versions.c.source_id, versions.c.fetched_at)
                           .where(versions.c.id == version_id)).first()
        if row is None:
            raise KeyError(version_id)
        write_version_ledger(conn, version_id, row[0], row[1], ledger)


def clear_ledger(db: Database, source_id: str | None = None) -> None:
    with db.transaction() as conn:
        for table in (commitment_changes, commitments, commitment_sets, ledger_cells,
                      ledger_cell_moves, ledger_cell_weakenings, ledger_version_strengths):
            q = delete(table)
            if source_id is not None:
                q = q.where(table.c.source_id == source_id)
            conn.execute(q)


# ---- reading -------------------------------------------------------------------------------------------

def _commitment(r: Any) -> StoredCommitment:
    return StoredCommitment(version_id=r.version_id, source_id=r.source_id, position=r.position,
                            key=r.key, text=r.text, section=r.section, category=r.category,
                            codebook=r.codebook, seoul=_split(r.seoul), strength=r.strength,
                            data=dict(r.data or {}))


def _trace(r: Any) -> StoredTrace:
    return StoredTrace(id=r.id, source_id=r.source_id, old_version_id=r.old_version_id,
                       new_version_id=r.new_version_id, detected_at=r.detected_at,
                       position=r.position, outcome=r.outcome, material=r.material,
                       old_key=r.old_key, new_key=r.new_key, category=r.category,
                       codebook=r.codebook, seoul=_split(r.seoul), disclosure=r.disclosure,
                       data=dict(r.data or {}))


def has_ledger(db: Database, version_id: int) -> bool:
    with db.transaction() as conn:
        return conn.execute(select(commitment_sets.c.version_id)
                            .where(commitment_sets.c.version_id == version_id)).first() is not None


def commitments_of(db: Database, version_id: int) -> list[StoredCommitment]:
    with db.transaction() as conn:
        rows = conn.execute(select(commitments).where(commitments.c.version_id == version_id)
                            .order_by(commitments.c.position))
        return [_commitment(r) for r in rows]


def traces_of(db: Database, new_version_id: int) -> list[StoredTrace]:
    with db.transaction() as conn:
        rows = conn.execute(select(commitment_changes)
                            .where(commitment_changes.c.new_version_id == new_version_id)
                            .order_by(commitment_changes.c.position))
        return [_trace(r) for r in rows]


def material_traces(db: Database, source_ids: Sequence[str], *, column: str | None = None,
                    limit: int = 2000) -> list[StoredTrace]:
    """The newest ``limit`` material traced changes of these sources (of one matrix column, if
    given), oldest first — a company's timeline, a cell's changes."""
    if not source_ids:
        return []
    C = commitment_changes.c  # noqa: N806
    q = select(C).where(C.material.is_(True), C.source_id.in_(list(source_ids)))
    if column in CODEBOOK_CODES:
        q = q.where(C.codebook == column)
    elif column is not None:
        q = q.where(("," + C.seoul + ",").like(f"%,{column},%"))
    with db.transaction() as conn:
        rows = conn.execute(q.order_by(C.detected_at.desc(), C.id.desc()).limit(limit)).all()
        return [_trace(r) for r in reversed(rows)]


def ledger_versions(db: Database, source_id: str) -> list[LedgerVersion]:
    """A source's versions oldest first, with their commitment counts (one query)."""
    with db.transaction() as conn:
        rows = conn.execute(
            select(versions.c.id, versions.c.source_id, versions.c.fetched_at, versions.c.kind,
                   commitment_sets.c.count)
            .outerjoin(commitment_sets, commitment_sets.c.version_id == versions.c.id)
            .where(versions.c.source_id == source_id)
            .order_by(versions.c.fetched_at, versions.c.id)).all()
        return [LedgerVersion(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def strength_series(db: Database, source_id: str, limit: int = 120,
                    ) -> list[tuple[int, datetime, dict[int, int]]]:
    """Per version (the newest ``limit``, oldest first) with commitments: how many sit at each
    obligation strength. Read from the per-version counts every ledger write keeps."""
    S = ledger_version_strengths.c  # noqa: N806
    with db.transaction() as conn:
        recent = conn.execute(
            select(versions.c.id, versions.c.fetched_at).where(versions.c.source_id == source_id)
            .order_by(versions.c.fetched_at.desc(), versions.c.id.desc()).limit(limit)).all()
        if not recent:
            return []
        rows = conn.execute(
            select(S.version_id, S.strength_1, S.strength_2, S.strength_3, S.strength_4)
            .where(S.version_id.in_([v[0] for v in recent]))).all()
    counts = {vid: {k: int(n) for k, n in enumerate(ns, 1) if n} for vid, *ns in rows}
    return [(vid, at, counts[vid]) for vid, at in reversed(recent) if counts.get(vid)]


def commitment_history(db: Database, source_id: str, key: str) -> tuple[
        list[StoredCommitment], list[StoredTrace]]:
    """Every version's instance of one commitment, and every traced step that touched it.

    The trace chain is followed both ways: a reworded commitment gets a new key, and the trace
    row that links the old key to the new one is what carries the history across."""
    with db.transaction() as conn:
        keys = {key}
        traces: dict[int, Any] = {}
        frontier = {key}
        while frontier:
            rows = conn.execute(select(commitment_changes).where(
                commitment_changes.c.source_id == source_id,
                (commitment_changes.c.old_key.in_(frontier))
                | (commitment_changes.c.new_key.in_(frontier)))).all()
            found: set[str] = set()
            for r in rows:
                traces[r.id] = r
                for k in (r.old_key, r.new_key):
                    if k and k not in keys:
                        found.add(k)
            keys |= found
            frontier = found
            if len(keys) > 500:  # a pathological chain; what was found is enough to show
                break
        instances = conn.execute(
            select(commitments).join(versions, versions.c.id == commitments.c.version_id)
            .where(commitments.c.source_id == source_id, commitments.c.key.in_(keys))
            .order_by(versions.c.fetched_at, versions.c.id, commitments.c.position)).all()
        ordered = sorted(traces.values(), key=lambda r: (r.detected_at, r.id))
        return [_commitment(c) for c in instances], [_trace(t) for t in ordered]


def versions_missing_ledger(db: Database, source_id: str | None = None,
                            model: str | None = None) -> list[int]:
    """Versions with text whose commitments were never derived (or, given ``model``, were
    derived by another model), oldest first per source."""
    with db.transaction() as conn:
        stale = commitment_sets.c.version_id.is_(None)
        if model is not None:
            stale = stale | (commitment_sets.c.model != model)
        q = (select(versions.c.id).outerjoin(commitment_sets, commitment_sets.c.version_id == versions.c.id)
             .where(stale, versions.c.kind != "removed")
             .order_by(versions.c.source_id, versions.c.fetched_at, versions.c.id))
        if source_id is not None:
            q = q.where(versions.c.source_id == source_id)
        return [r[0] for r in conn.execute(q)]


def count_missing_ledger(db: Database, model: str | None = None,
                         source_ids: Sequence[str] | None = None, *,
                         max_chars: int = MAX_LEDGER_TEXT) -> int:
    """How many versions wait for the ledger's catch-up: never derived (or, given ``model``,
    derived by another model), leaving out texts over ``max_chars``. The pages that show the
    ledger say so rather than show counts that leave those versions out."""
    with db.transaction() as conn:
        stale = commitment_sets.c.version_id.is_(None)
        if model is not None:
            stale = stale | (commitment_sets.c.model != model)
        q = (select(func.count()).select_from(versions)
             .outerjoin(commitment_sets, commitment_sets.c.version_id == versions.c.id)
             .where(stale, versions.c.kind != "removed", func.length(versions.c.text) <= max_chars))
        if source_ids is not None:
            q = q.where(versions.c.source_id.in_(list(source_ids)))
        return int(conn.scalar(q) or 0)


def version_sources(db: Database, version_ids: Sequence[int]) -> list[tuple[int, str]]:
    """(version id, source id) of these versions, in the order given."""
    found: dict[int, str] = {}
    with db.transaction() as conn:
        for i in range(0, len(version_ids), 500):
            chunk = list(version_ids[i:i + 500])
            found.update((r[0], r[1]) for r in conn.execute(
                select(versions.c.id, versions.c.source_id).where(versions.c.id.in_(chunk))))
    return [(vid, found[vid]) for vid in version_ids if vid in found]


def previous_text_version(db: Database, version_id: int) -> int | None:
    """The version before this one (by fetch time) of the same source that has text."""
    with db.transaction() as conn:
        row = conn.execute(select(versions.c.source_id, versions.c.fetched_at, versions.c.id)
                           .where(versions.c.id == version_id)).first()
        if row is None:
            return None
        sid, at, vid = row
        prev = conn.execute(
            select(versions.c.id).where(versions.c.source_id == sid, versions.c.kind != "removed",
                                        (versions.c.fetched_at < at)
                                        | ((versions.c.fetched_at == at) & (versions.c.id < vid)))
            .order_by(versions.c.fetched_at.desc(), versions.c.id.desc()).limit(1)).first()
        return prev[0] if prev else None


def _latest_version_ids(conn: Connection, source_ids: Sequence[str] | None = None) -> dict[str, int]:
    """Each source's newest version with text: one index seek per source (the
    (source_id, fetched_at) index), not a window over the whole history."""
    newest = (select(versions.c.id).where(versions.c.source_id == sources.c.id, versions.c.kind != "removed")
              .order_by(versions.c.fetched_at.desc(), versions.c.id.desc()).limit(1)
              .correlate(sources).scalar_subquery())
    q = select(sources.c.id, newest)
    if source_ids is not None:
        q = q.where(sources.c.id.in_(list(source_ids)))
    return {r[0]: r[1] for r in conn.execute(q) if r[1] is not None}


def latest_commitments(db: Database, source_ids: Sequence[str]) -> dict[str, list[StoredCommitment]]:
    """The commitments of each source's newest version (the ledger's "today")."""
    with db.transaction() as conn:
        latest = _latest_version_ids(conn, source_ids)
        if not latest:
            return {}
        rows = conn.execute(select(commitments)
                            .where(commitments.c.version_id.in_(list(latest.values())))
                            .order_by(commitments.c.source_id, commitments.c.position)).all()
    out: dict[str, list[StoredCommitment]] = {sid: [] for sid in latest}
    for r in rows:
        out[r.source_id].append(_commitment(r))
    return out


@functools.lru_cache(maxsize=4096)
def _columns_of(seoul: str, codebook: str) -> tuple[str, ...]:
    return (*_split(seoul), codebook) if codebook else _split(seoul)


def matrix(db: Database, sources: Sequence[tuple[str, str]], since: datetime) -> list[MatrixRow]:
    """Companies × (Seoul I–VIII, codebook codes): the counts, strongest obligation and latest
    movement per cell, read from the summary the ledger's writes keep (a handful of rows per
    source, whatever the history's length), so no request aggregates over all versions.

    ``sources`` are (source id, company) pairs: the documents whose promises count (frameworks,
    not changelogs or card indexes — the caller decides). ``since`` bounds "weakenings in the
    last 12 months" (counted by day, from ``since``'s day on)."""
    by_company: dict[str, list[str]] = {}
    for sid, company in sources:
        by_company.setdefault(company, []).append(sid)
    company_of = {sid: company for sid, company in sources}
    ids = list(company_of)
    cells: dict[tuple[str, str], dict[str, Any]] = {}

    def cell(company: str, col: str) -> dict[str, Any]:
        return cells.setdefault((company, col), {"count": 0, "strongest": 0, "last": None,
                                                 "weak": 0})

    with db.transaction() as conn:
        latest = _latest_version_ids(conn, ids)
        counts: list[tuple[str, str, str, int, int]] = []
        summarised: set[str] = set()
        for sid, seoul, codebook, vid, n, strongest in conn.execute(
                select(ledger_cells.c.source_id, ledger_cells.c.seoul, ledger_cells.c.codebook,
                       ledger_cells.c.version_id, ledger_cells.c.count, ledger_cells.c.strongest)
                .where(ledger_cells.c.source_id.in_(ids))):
            if latest.get(sid) == vid:
                counts.append((sid, seoul, codebook, n, strongest))
                summarised.add(sid)
        # A source whose newest version has no summary (no commitments, or no ledger yet):
        # counted from that version's rows, an index seek each.
        rest = [vid for sid, vid in latest.items() if sid not in summarised]
        if rest:
            counts += conn.execute(
                select(commitments.c.source_id, commitments.c.seoul, commitments.c.codebook,
                       func.count(), func.max(commitments.c.strength))
                .where(commitments.c.version_id.in_(rest))
                .group_by(commitments.c.source_id, commitments.c.seoul,
                          commitments.c.codebook)).all()
        for sid, seoul, codebook, n, strongest in counts:
            for col in _columns_of(seoul, codebook):
                c = cell(company_of[sid], col)
                c["count"] += int(n)
                c["strongest"] = max(c["strongest"], int(strongest or 0))
        if ids:
            M, W = ledger_cell_moves.c, ledger_cell_weakenings.c  # noqa: N806
            for sid, seoul, codebook, outcome, at, vid in conn.execute(
                    select(M.source_id, M.seoul, M.codebook, M.outcome, M.last_at,
                           M.last_version_id).where(M.source_id.in_(ids))):
                at = _utc(at)
                for col in _columns_of(seoul, codebook):
                    c = cell(company_of[sid], col)
                    # The latest change wins; within one revision the weakening one (the
                    # codebook's conservative call when a cell moved both ways).
                    if c["last"] is None or (at, _DIRECTION_RANK.get(outcome, 0)) > (
                            c["last"][1], _DIRECTION_RANK.get(c["last"][0], 0)):
                        c["last"] = (outcome, at, vid)
            for sid, seoul, codebook, n in conn.execute(
                    select(W.source_id, W.seoul, W.codebook, func.sum(W.count))
                    .where(W.source_id.in_(ids), W.day >= since.date())
                    .group_by(W.source_id, W.seoul, W.codebook)):
                for col in _columns_of(seoul, codebook):
                    cell(company_of[sid], col)["weak"] += int(n or 0)
    rows = []
    for company in sorted(by_company, key=str.lower):
        out = {}
        for col in (*SEOUL_PARAGRAPHS, *CODEBOOK_CODES):
            c = cells.get((company, col))
            if c is None:
                out[col] = MatrixCell()
                continue
            last = c["last"]
            out[col] = MatrixCell(count=c["count"], strongest=c["strongest"],
                                  last_outcome=last[0] if last else None,
                                  last_at=last[1] if last else None,
                                  last_version_id=last[2] if last else None,
                                  weakenings_12m=c["weak"])
        rows.append(MatrixRow(company, tuple(sorted(by_company[company])), out))
    return rows


def cell_commitments(db: Database, source_ids: Sequence[str], column: str) -> list[StoredCommitment]:
    """The sentences behind one matrix cell: the newest versions' commitments in that column."""
    return [c for sid, items in sorted(latest_commitments(db, source_ids).items())
            for c in items if column in c.seoul or column == c.codebook]


def source_companies(db: Database) -> dict[str, str]:
    with db.transaction() as conn:
        return {r[0]: r[1] for r in conn.execute(select(sources.c.id, sources.c.company))}


def ledger_sources(sources: Sequence[Any]) -> list[Any]:
    """The sources whose promises the ledger counts: documents, not the changelog pages that
    account for them nor the indexes that list model cards."""
    changelogs = {str((s.settings or {}).get("changelog")) for s in sources
                  if (s.settings or {}).get("changelog")}
    return [s for s in sources if s.kind != "index" and s.id not in changelogs]


def pair_rates(db: Database, source_ids: Sequence[str]) -> list[tuple[int | None, int, int, int, int, int]]:
    """Per version pair: (old version, new version, material, SIL, ANN-P, NCL) counts — the
    silent revision rate's inputs, newest pair last."""
    if not source_ids:
        return []
    with db.transaction() as conn:
        rows = conn.execute(
            select(commitment_changes.c.old_version_id, commitment_changes.c.new_version_id,
                   commitment_changes.c.disclosure, func.count(),
                   func.min(commitment_changes.c.detected_at))
            .where(commitment_changes.c.source_id.in_(list(source_ids)),
                   commitment_changes.c.material.is_(True))
            .group_by(commitment_changes.c.old_version_id, commitment_changes.c.new_version_id,
                      commitment_changes.c.disclosure)).all()
    pairs: dict[tuple[int | None, int], dict[str, Any]] = {}
    for old, new, code, n, at in rows:
        p = pairs.setdefault((old, new), {"at": at, "n": 0})
        p["n"] += int(n)
        p[code or ""] = p.get(code or "", 0) + int(n)
    ordered = sorted(pairs.items(), key=lambda kv: (kv[1]["at"], kv[0][1]))
    return [(old, new, p["n"], p.get("SIL", 0), p.get("ANN-P", 0), p.get("NCL", 0))
            for (old, new), p in ordered]


def last_recorded_at(db: Database) -> datetime | None:
    """The latest moment the database records (a check, a version or a change): the fixed
    clock of the static site, so the same database renders the same bytes."""
    from storage.tables import changes, checks

    with db.transaction() as conn:
        times = [conn.scalar(select(func.max(col))) for col in
                 (checks.c.started_at, versions.c.fetched_at, changes.c.detected_at)]
    found = [t for t in times if t is not None]
    if not found:
        return None
    from datetime import UTC

    return max(t if t.tzinfo else t.replace(tzinfo=UTC) for t in found)


def latest_traced_pair(db: Database, source_id: str) -> tuple[int, int] | None:
    """(old, new) version ids of a source's newest traced pair, or None."""
    with db.transaction() as conn:
        row = conn.execute(
            select(commitment_changes.c.old_version_id, commitment_changes.c.new_version_id)
            .where(commitment_changes.c.source_id == source_id,
                   commitment_changes.c.old_version_id.is_not(None))
            .order_by(commitment_changes.c.detected_at.desc(), commitment_changes.c.id.desc())
            .limit(1)).first()
        return (row[0], row[1]) if row else None


def ledger_stamp(db: Database) -> tuple[Any, ...]:
    """Changes whenever the ledger does (a version derived, a pair traced or re-judged, a
    rebuild): cheap enough to check on every request, so derived views can be cached."""
    with db.transaction() as conn:
        newest_change = conn.scalar(select(func.max(commitment_changes.c.id)))
        sets = conn.execute(select(func.max(commitment_sets.c.computed_at),
                                func.count(commitment_sets.c.version_id))).one()
    return (newest_change, *sets)
