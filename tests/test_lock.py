"""The cycle lease (storage/lock.py, crawler/lock.py): one cycle at a time, on both backends."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from crawler.lock import CycleLease, LockBusy, exclusive_cycle, make_owner, owner_is_dead
from storage import lock as leases
from storage.db import open_database


@pytest.fixture
def db(db_url: str):  # type: ignore[no-untyped-def]
    database = open_database(db_url)
    yield database
    database.dispose()


def test_a_free_lease_is_acquired(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "host:1:a", ttl=60)
    held = leases.holder(db, "cycle")
    assert held is not None and held.owner == "host:1:a"
    assert held.expires_at > datetime.now(UTC) + timedelta(seconds=50)


def test_a_valid_lease_refuses_a_second_owner(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "host:1:a", ttl=60)
    assert not leases.try_acquire(db, "cycle", "host:2:b", ttl=60)
    assert leases.holder(db, "cycle").owner == "host:1:a"  # type: ignore[union-attr]


def test_an_expired_lease_is_taken_by_the_next_owner(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "host:1:a", ttl=60)
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert leases.try_acquire(db, "cycle", "host:2:b", ttl=60, now=later)
    assert leases.holder(db, "cycle").owner == "host:2:b"  # type: ignore[union-attr]


def test_renewal_fails_once_the_lease_was_taken(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "host:1:a", ttl=60)
    assert leases.renew(db, "cycle", "host:1:a", ttl=60)
    assert leases.try_acquire(db, "cycle", "host:2:b", ttl=60,
                              now=datetime.now(UTC) + timedelta(seconds=120))
    assert not leases.renew(db, "cycle", "host:1:a", ttl=60)


def test_release_never_deletes_another_owners_lease(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "host:1:a", ttl=60)
    assert not leases.release(db, "cycle", "host:2:b")
    assert leases.holder(db, "cycle") is not None
    assert leases.release(db, "cycle", "host:1:a")
    assert leases.holder(db, "cycle") is None


def test_exactly_one_of_many_concurrent_contenders_wins(db) -> None:  # type: ignore[no-untyped-def]
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def contend(i: int) -> None:
        barrier.wait()
        results.append(leases.try_acquire(db, "cycle", f"host:{i}:t", ttl=60))

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_a_dead_local_owners_lease_is_taken_without_waiting(db) -> None:  # type: ignore[no-untyped-def]
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead_owner = make_owner().rsplit(":", 2)[0] + f":{child.pid}:dead"
    assert owner_is_dead(dead_owner)
    assert leases.try_acquire(db, "cycle", dead_owner, ttl=600)
    lease = CycleLease(db, ttl=60)
    started = time.monotonic()
    lease.acquire(wait=0)
    try:
        assert time.monotonic() - started < 2
        assert leases.holder(db, "cycle").owner == lease.owner  # type: ignore[union-attr]
    finally:
        lease.release()


def test_a_live_or_remote_owner_is_not_considered_dead() -> None:
    import os

    assert not owner_is_dead(make_owner())  # ourselves
    here = make_owner().rsplit(":", 2)[0]
    assert not owner_is_dead(f"{here}:{os.getppid()}:x")  # our parent lives
    assert not owner_is_dead("another-host.example:1:x")  # cannot know: wait for expiry


def test_busy_lease_names_owner_and_start_time(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "ci-runner:4242:abc", ttl=60)
    with pytest.raises(LockBusy) as info:
        with exclusive_cycle(db, wait=0):
            pytest.fail("the body must not run while another cycle holds the lease")
    message = str(info.value)
    assert message.startswith("another framewatch cycle is running (owner ci-runner:4242:abc, since ")
    assert info.value.holder.owner == "ci-runner:4242:abc"


def test_waiting_gets_the_lease_when_the_holder_releases(db) -> None:  # type: ignore[no-untyped-def]
    assert leases.try_acquire(db, "cycle", "other:1:x", ttl=60)
    threading.Timer(0.8, leases.release, args=(db, "cycle", "other:1:x")).start()
    started = time.monotonic()
    with exclusive_cycle(db, wait=10) as lease:
        assert 0.5 < time.monotonic() - started < 5
        assert leases.holder(db, "cycle").owner == lease.owner  # type: ignore[union-attr]
    assert leases.holder(db, "cycle") is None  # released on exit


def test_heartbeat_keeps_a_long_cycle_leased(db) -> None:  # type: ignore[no-untyped-def]
    with exclusive_cycle(db, ttl=2.0) as lease:
        time.sleep(3.0)  # longer than the TTL: only the heartbeat keeps it
        held = leases.holder(db, "cycle")
        assert held is not None and held.owner == lease.owner
        assert held.expires_at > datetime.now(UTC)
        assert not leases.try_acquire(db, "cycle", "other:1:x", ttl=60)
    assert not lease.lost
