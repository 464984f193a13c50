"""The matrix reads a summary kept by every ledger write: it must always say what the ledger rows
say, however the rows were written (new versions, replaced ledgers, versions without a ledger,
a cleared ledger)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from storage import ledger as L
from storage.db import Database, open_database
from storage.models import LedgerCell, LedgerCellMove, LedgerCellWeakening, Version
from storage.records import SourceInfo
from storage.repo import Repository

T0 = datetime(2026, 1, 5, tzinfo=UTC)
NOW = T0 + timedelta(days=400)
SINCE = NOW - timedelta(days=365)


def item(n: int, codebook: str = "EC2", seoul: tuple[str, ...] = ("II",),
         strength: int = 4) -> dict[str, Any]:
    return {"id": f"c{n:04d}", "text": f"We will keep promise number {n}.", "section": "1",
            "category": "thresholds", "categories": ["thresholds"], "codebook": codebook,
            "seoul": list(seoul), "strength": strength, "strength_word": "will",
            "quantities": []}


def trace(outcome: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    return {"outcome": outcome, "dims": [4], "old": old, "new": new,
            "material": outcome != "R", "disclosure": "SIL" if outcome != "R" else None,
            "announced_by": None}


def database(url: str) -> Database:
    db = open_database(url)
    Repository(db).sync_sources([
        SourceInfo(id=sid, company=company, title=sid, url=f"https://example.org/{sid}",
                   kind="page", enabled=True, origin="config")
        for sid, company in (("a-policy", "Example AI"), ("b-policy", "Other Lab"))])
    return db


def add_version(db: Database, sid: str, at: datetime, ledger: L.VersionLedger | None,
                kind: str = "change") -> int:
    with db.transaction() as conn:
        text = f"{sid} {at.isoformat()}"
        vid = conn.execute(Version.__table__.insert(), {
            "source_id": sid, "document_url": "https://example.org/", "text": text,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "extractor_version": "test", "fetched_at": at, "kind": kind,
        }).inserted_primary_key[0]
        if ledger is not None:
            L.write_version_ledger(conn, vid, sid, at, ledger, new_version=True)
    return int(vid)


def snapshot(db: Database) -> list[L.MatrixRow]:
    return L.matrix(db, [("a-policy", "Example AI"), ("b-policy", "Other Lab")], SINCE)


def rebuilt(db: Database) -> list[L.MatrixRow]:
    """The matrix after the summary is thrown away and recomputed from the ledger rows."""
    with db.session() as s:
        conn = s.connection()
        for table in (LedgerCell, LedgerCellMove, LedgerCellWeakening):
            conn.execute(delete(table.__table__))
        L.rebuild_matrix_summary(conn)
    return snapshot(db)


def history(db: Database) -> tuple[int, int]:
    a, b = [item(1), item(2)], [item(3, "EC5", ("VII", "VIII"))]
    v1 = add_version(db, "a-policy", T0, L.VersionLedger("m", tuple(a)))
    a2 = [item(1), item(4, "EC5", ("VII", "VIII"), 2)]
    v2 = add_version(db, "a-policy", T0 + timedelta(days=60), L.VersionLedger(
        "m", tuple(a2), (trace("R", a[0], a2[0]), trace("W", a[1], a2[1])), v1))
    a3 = [item(1, strength=3), item(4, "EC5", ("VII", "VIII"), 2), item(5, "G", ("V",))]
    v3 = add_version(db, "a-policy", T0 + timedelta(days=300), L.VersionLedger(
        "m", tuple(a3), (trace("W", a2[0], a3[0]), trace("R", a2[1], a3[1]),
                         trace("A", None, a3[2])), v2))
    add_version(db, "b-policy", T0 + timedelta(days=10), L.VersionLedger("m", tuple(b)))
    return v2, v3


def test_summary_says_what_the_ledger_rows_say(db_url: str) -> None:
    db = database(db_url)
    history(db)
    rows = snapshot(db)
    cells = {r.company: r.cells for r in rows}["Example AI"]
    assert (cells["II"].count, cells["II"].strongest, cells["II"].last_outcome) == (1, 3, "W")
    assert cells["VII"].count == 1 and cells["EC5"].last_outcome == "W"
    assert cells["V"].last_outcome == "A" and cells["G"].count == 1
    assert cells["EC2"].weakenings_12m == 1  # the day-60 weakening is older than a year
    assert rows == rebuilt(db)


def test_replacing_a_versions_ledger_leaves_no_stale_move(db_url: str) -> None:
    db = database(db_url)
    v2, v3 = history(db)
    same = [item(1), item(4, "EC5", ("VII", "VIII"), 2), item(5, "G", ("V",))]
    L.store_ledger(db, v3, L.VersionLedger("m", tuple(same), tuple(
        trace("R", c, c) for c in same[:2]) + (trace("A", None, same[2]),), v2))
    cells = {r.company: r.cells for r in snapshot(db)}["Example AI"]
    assert cells["II"].strongest == 4 and cells["II"].weakenings_12m == 0
    assert cells["II"].last_outcome is None  # its one weakening was replaced away
    assert cells["EC5"].last_at == T0 + timedelta(days=60)  # the older move still stands
    assert snapshot(db) == rebuilt(db)


def test_a_newer_version_without_a_ledger_counts_nothing_yet(db_url: str) -> None:
    db = database(db_url)
    history(db)
    add_version(db, "a-policy", T0 + timedelta(days=320), None)
    cells = {r.company: r.cells for r in snapshot(db)}["Example AI"]
    assert cells["II"].count == 0 and cells["II"].last_outcome == "W"


def test_an_older_versions_rebuild_does_not_change_today(db_url: str) -> None:
    db = database(db_url)
    v2, _ = history(db)
    before = snapshot(db)
    L.store_ledger(db, v2, L.VersionLedger("m", (item(9, "S", ("III",)),)))
    after = {r.company: r.cells for r in snapshot(db)}["Example AI"]
    assert after["III"].count == 0 and after["II"].count == 1
    assert after["EC5"].last_outcome is None  # that version's traced moves are gone with it
    assert before != snapshot(db) and snapshot(db) == rebuilt(db)


def test_clearing_the_ledger_empties_the_matrix(db_url: str) -> None:
    db = database(db_url)
    history(db)
    L.clear_ledger(db, "a-policy")
    cells = {r.company: r.cells for r in snapshot(db)}
    assert all(c == L.MatrixCell() for c in cells["Example AI"].values())
    assert cells["Other Lab"]["VII"].count == 1


def test_strength_series_counts_each_versions_commitments_by_strength(db_url: str) -> None:
    db = database(db_url)
    v2, v3 = history(db)
    series = L.strength_series(db, "a-policy")
    assert [(vid, counts) for vid, _, counts in series][-2:] == [
        (v2, {4: 1, 2: 1}), (v3, {3: 1, 2: 1, 4: 1})]
    L.store_ledger(db, v3, L.VersionLedger("m", (item(7, strength=1),)))
    assert L.strength_series(db, "a-policy")[-1][2] == {1: 1}
    L.store_ledger(db, v3, L.VersionLedger("m", ()))
    assert L.strength_series(db, "a-policy")[-1][0] == v2  # a version promising nothing
