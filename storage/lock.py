"""Named leases in the database: one framewatch cycle at a time, across processes and hosts.

A lease is a row of ``locks`` (name, owner, acquired_at, expires_at). Every transition is a single
atomic statement on a Core connection (whose rowcount, unlike an ORM session's, is the driver's), so it behaves the same on SQLite and PostgreSQL without advisory locks:

* take a free name:      ``INSERT … ON CONFLICT (name) DO NOTHING``
* take an expired lease: ``UPDATE … WHERE name = :n AND expires_at < :now``
* take a dead owner's:   ``UPDATE … WHERE name = :n AND owner = :seen_owner`` (compare-and-swap;
  the caller has proved the owner process is gone, see crawler.lock)
* renew / release:       ``UPDATE`` / ``DELETE … WHERE name = :n AND owner = :me``

Exactly one contender sees ``rowcount == 1``. Times are the callers' UTC clocks, so hosts that
share a database need NTP (a lease of minutes tolerates ordinary skew).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.tables import locks

L = locks.c


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease, since when, and until when it is valid without a heartbeat."""

    name: str
    owner: str
    acquired_at: datetime
    expires_at: datetime


def _insert_if_absent(db: Database, name: str, owner: str, now: datetime, expires: datetime) -> bool:
    values = {"name": name, "owner": owner, "acquired_at": now, "expires_at": expires}
    dialect = db.engine.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(locks).values(**values).on_conflict_do_nothing(index_elements=["name"])
        with db.transaction() as conn:  # RETURNING: INSERT rowcounts are not portable
            return conn.execute(stmt.returning(L.name)).first() is not None
    try:  # other backends: the primary key decides
        with db.transaction() as conn:
            conn.execute(locks.insert().values(**values))
        return True
    except IntegrityError:
        return False


def try_acquire(db: Database, name: str, owner: str, ttl: float, *,
                now: datetime | None = None) -> bool:
    """Take the lease if it is free or expired. True when `owner` now holds it."""
    now = now or datetime.now(UTC)
    expires = now + timedelta(seconds=ttl)
    with db.transaction() as conn:
        taken = conn.execute(
            update(locks).where(L.name == name, L.expires_at < now)
            .values(owner=owner, acquired_at=now, expires_at=expires)
        ).rowcount
    if taken == 1:
        return True
    return _insert_if_absent(db, name, owner, now, expires)


def take_over(db: Database, name: str, seen: LeaseInfo, owner: str, ttl: float) -> bool:
    """Take a lease whose owner is known to be dead, unless someone else got there first.

    Owners are unique per acquisition (host, pid and a random token), so matching the owner we
    saw is a compare-and-swap: a lease re-taken meanwhile has another owner and is left alone."""
    now = datetime.now(UTC)
    with db.transaction() as conn:
        return conn.execute(
            update(locks).where(L.name == name, L.owner == seen.owner)
            .values(owner=owner, acquired_at=now, expires_at=now + timedelta(seconds=ttl))
        ).rowcount == 1


def renew(db: Database, name: str, owner: str, ttl: float) -> bool:
    """Push the expiry forward (the heartbeat). False when the lease was lost to someone else."""
    now = datetime.now(UTC)
    with db.transaction() as conn:
        return conn.execute(
            update(locks).where(L.name == name, L.owner == owner)
            .values(expires_at=now + timedelta(seconds=ttl))
        ).rowcount == 1


class LeaseLost(Exception):
    """The lease is no longer ours (expired and taken by another owner): stop writing."""

    def __init__(self, name: str, owner: str) -> None:
        super().__init__(f"the {name} lock of {owner} was taken by another process; this cycle "
                         "stops writing (its remaining sources are checked next cycle)")


def fence(conn: Connection, name: str, owner: str, ttl: float) -> None:
    """Inside a write transaction (a Core connection's): renew our lease in the same
    transaction, or raise LeaseLost.

    Renewing (an UPDATE) rather than reading takes the lease row's write lock until the commit,
    so a takeover cannot slip in between this check and the data written after it."""
    now = datetime.now(UTC)
    renewed = conn.execute(_RENEW, {"lease_name": name, "lease_owner": owner,
                                    "lease_expires": now + timedelta(seconds=ttl)}).rowcount
    if renewed != 1:
        raise LeaseLost(name, owner)


# Built once: the fence runs first in every write transaction of a cycle (1,000 on a cold one),
# and building the statement anew each time cost twice what executing it does.
_RENEW = (update(locks).where(L.name == bindparam("lease_name"),
                              L.owner == bindparam("lease_owner"))
          .values(expires_at=bindparam("lease_expires")))


def release(db: Database, name: str, owner: str) -> bool:
    """Drop the lease if we still hold it; never deletes someone else's."""
    with db.transaction() as conn:
        return conn.execute(delete(locks).where(L.name == name, L.owner == owner)).rowcount == 1


def holder(db: Database, name: str) -> LeaseInfo | None:
    with db.transaction() as conn:
        row = conn.execute(select(locks).where(L.name == name)).first()
        if row is None:
            return None
        return LeaseInfo(row.name, row.owner, row.acquired_at, row.expires_at)


def all_leases(db: Database) -> list[LeaseInfo]:
    with db.transaction() as conn:
        return [LeaseInfo(r.name, r.owner, r.acquired_at, r.expires_at)
                for r in conn.execute(select(locks).order_by(L.name))]
