"""One cycle at a time, and cycles that stop cleanly.

`framewatch run` (cron, CI, a human) and `framewatch schedule` (a daemon) may start cycles at the
same moment, even on two hosts sharing one PostgreSQL database. Two cycles at once would fetch
everything twice and race to record the same change, so every cycle holds the ``cycle`` lease
(storage.lock) for its whole duration:

* the lease expires unless renewed, and a heartbeat thread renews it while the cycle runs, so a
  lease left by a killed process (SIGKILL, power loss, a lost host) frees itself after the TTL;
* on the same host we do not even wait for that: a lease whose owner process no longer exists is
  taken over at once (the owner string records host and pid);
* a second cycle waits up to ``--wait`` seconds, then fails with :class:`LockBusy`, whose message
  names the owner and the time it started.

SIGTERM / SIGINT during a cycle cancel the cycle's asyncio tasks at their next ``await``. Every
database write of a source is one synchronous transaction between two awaits, so the source in
hand either commits or never started: nothing is half-written, and sources not reached are simply
checked next time. A second signal stops at once (transactions still roll back).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from storage import lock as lease_store
from storage.db import Database
from storage.lock import LeaseInfo, LeaseLost

__all__ = ["CycleLease", "CycleInterrupted", "GracefulStop", "LeaseLost", "LockBusy",
           "current_lease", "exclusive_cycle"]

log = logging.getLogger("framewatch.lock")

CYCLE_LOCK = "cycle"
DEFAULT_TTL = 120.0  # seconds a lease survives without a heartbeat (FRAMEWATCH_LOCK_TTL overrides)


def lease_ttl() -> float:
    try:
        return max(2.0, float(os.environ.get("FRAMEWATCH_LOCK_TTL", DEFAULT_TTL)))
    except ValueError:
        return DEFAULT_TTL


def _iso(dt: Any) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


class LockBusy(Exception):
    """Another cycle holds the lease; exit code 1."""

    def __init__(self, holder: LeaseInfo, waited: float) -> None:
        self.holder = holder
        waited_note = f"; waited {waited:.0f} s" if waited >= 1 else ""
        super().__init__(
            f"another framewatch cycle is running (owner {holder.owner}, since "
            f"{_iso(holder.acquired_at)}, lease until {_iso(holder.expires_at)}{waited_note}); "
            "try again later or pass --wait SECONDS")


class CycleInterrupted(Exception):
    """A signal stopped the cycle between two sources' transactions."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(
            f"interrupted by {signal.Signals(signum).name}: sources already checked are stored; "
            "the others will be checked next cycle; pending alerts stay pending")


def make_owner() -> str:
    """Unique per acquisition: host and pid say who it is, the token that it is this attempt."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_dead(owner: str) -> bool:
    """True only when the owner ran on this host and its process is gone.

    Containers sharing a hostname but not a pid namespace would fool this; give them distinct
    hostnames (the default) — otherwise the lease merely expires after its TTL."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:120] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    try:  # a killed but unreaped process (zombie) holds nothing either
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


class CycleLease:
    """The ``cycle`` lease of one process: acquire (waiting if asked), heartbeat, release."""

    def __init__(self, db: Database, *, name: str = CYCLE_LOCK, ttl: float | None = None) -> None:
        self.db = db
        self.name = name
        self.ttl = ttl or lease_ttl()
        self.owner = make_owner()
        self.lost = False
        #: the stop request the holder watches (set by exclusive_cycle): work done under the
        #: lease outside the cycle's event loop, like the ledger's catch-up, polls it
        self.stop_request: GracefulStop | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, wait: float = 0.0, stop: GracefulStop | None = None) -> None:
        started = time.monotonic()
        announced = False
        while True:
            if stop is not None and stop.signum is not None:
                raise CycleInterrupted(stop.signum)
            if lease_store.try_acquire(self.db, self.name, self.owner, self.ttl):
                break
            seen = lease_store.holder(self.db, self.name)
            if seen is None:
                continue  # released between our two statements: try again at once
            if owner_is_dead(seen.owner) and lease_store.take_over(
                    self.db, self.name, seen, self.owner, self.ttl):
                log.warning("took over the cycle lock of %s (that process no longer exists)",
                            seen.owner)
                break
            waited = time.monotonic() - started
            if waited >= wait:
                raise LockBusy(seen, waited)
            if not announced:
                log.info("waiting up to %.0f s for the cycle of %s to finish", wait, seen.owner)
                announced = True
            time.sleep(min(1.0, max(0.05, wait - waited)))
        self._thread = threading.Thread(target=self._heartbeat, name="framewatch-lease",
                                        daemon=True)
        self._thread.start()

    def _heartbeat(self) -> None:
        interval = self.ttl / 4
        while not self._stop.wait(interval):
            try:
                if not lease_store.renew(self.db, self.name, self.owner, self.ttl):
                    self.lost = True
                    log.error("the cycle lock was taken by another process (this cycle ran "
                              "longer than its %.0f s lease without a heartbeat)", self.ttl)
                    return
            except Exception as exc:  # noqa: BLE001 - a busy database must not kill the cycle
                log.warning("could not renew the cycle lock: %s", exc)

    def fence(self, conn: Any) -> None:
        """Called first in each of the cycle's write transactions: a cycle that lost its lease
        (the heartbeat saw it taken, or this renewal finds another owner) stops writing."""
        if self.lost:
            raise LeaseLost(self.name, self.owner)
        try:
            lease_store.fence(conn, self.name, self.owner, self.ttl)
        except LeaseLost:
            self.lost = True
            log.error("the cycle lock was taken by another process; this cycle stops writing")
            raise

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            lease_store.release(self.db, self.name, self.owner)
        except Exception as exc:  # noqa: BLE001 - the lease expires by itself anyway
            log.warning("could not release the cycle lock (it expires in %.0f s): %s",
                        self.ttl, exc)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()


class GracefulStop:
    """SIGTERM/SIGINT → a stop request; during a cycle, cancel its tasks at the next await.

    The cycle's event loop is created by ``asyncio.run`` inside framewatch.pipeline.run_with_progress;
    :meth:`watching_cycle_loop` installs an event-loop policy that hands us that loop as it is
    created, so a signal that arrives just before the loop starts still cancels the cycle. The
    handler touches no locks (only attributes and the loop's self-pipe), so it cannot deadlock
    whatever the main thread was doing. Only usable from the main thread."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.signum: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._previous: dict[int, Any] = {}

    def install(self) -> bool:
        if threading.current_thread() is not threading.main_thread():
            return False
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return True

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()

    @contextmanager
    def watching_cycle_loop(self) -> Iterator[None]:
        """Remember the first event loop created in the body: the cycle's."""
        stop = self
        base = asyncio.get_event_loop_policy()

        class Policy(asyncio.DefaultEventLoopPolicy):
            def new_event_loop(self) -> asyncio.AbstractEventLoop:
                loop = base.new_event_loop()
                if stop.loop is None:
                    stop.loop = loop
                    if stop.signum is not None:
                        loop.call_soon(_cancel_all, loop)
                return loop

        asyncio.set_event_loop_policy(Policy())
        try:
            yield
        finally:
            asyncio.set_event_loop_policy(base)
            self.loop = None

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # second signal: stop now
        self.signum = signum
        try:
            os.write(sys.stderr.fileno(),
                     f"framewatch: {signal.Signals(signum).name} received, stopping after the "
                     "current transaction (send it again to stop at once)\n".encode())
        except OSError:
            pass
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_cancel_all, loop)
        # Otherwise no cycle is running: the caller polls `requested`.


_held: list[CycleLease] = []  # the lease this process's running cycle holds, if any


def current_lease() -> CycleLease | None:
    """The cycle lease held by this process (inside exclusive_cycle), for the cycle's writes."""
    return _held[-1] if _held else None


@contextmanager
def exclusive_cycle(db: Database, *, wait: float = 0.0, stop: GracefulStop | None = None,
                    ttl: float | None = None) -> Iterator[CycleLease]:
    """Run the body as the only cycle, stoppable by SIGTERM/SIGINT between transactions.

    Raises LockBusy if another cycle holds the lease after `wait` seconds, CycleInterrupted if a
    signal cancelled the cycle."""
    lease = CycleLease(db, ttl=ttl)
    own_stop = stop is None
    stopper = stop or GracefulStop()
    if own_stop:
        stopper.install()
    try:
        lease.acquire(wait, stopper)
        lease.stop_request = stopper
        _held.append(lease)
        try:
            with stopper.watching_cycle_loop():
                yield lease
        except asyncio.CancelledError:
            if stopper.signum is not None:
                raise CycleInterrupted(stopper.signum) from None
            raise
        finally:
            _held.remove(lease)
            lease.release()
    finally:
        if own_stop:
            stopper.restore()
