"""The extraction worker pool, and workers that never outlive the run that started them.

A run killed with SIGKILL cannot stop its pool, so the workers see to it themselves, in their
initializer, before any job:

* they let go of every socket inherited from the run (database connections, HTTP keep-alive,
  the event loop's self-pipe): a worker that kept the run's PostgreSQL socket would keep the
  killed run's transaction open — PostgreSQL never sees the disconnect, and its locks stall every
  later run. The descriptors are pointed at /dev/null rather than closed, so that the run's
  socket objects copied into the worker can never close a descriptor the worker reuses;
* each asks the kernel for SIGKILL when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``);
* a watcher thread polls the run's pid as well, for systems without prctl and for the instant
  between fork and prctl.

On Linux the workers are forked (≈ 0.02 s to the first job; a forkserver or spawn costs ≈ 0.9 s
of interpreter start-up and imports on the critical path of every cycle, measured on 2 cores);
elsewhere, where fork is unsafe, a forkserver (macOS) or spawn.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 0.5  # seconds between two looks at the run's pid

#: imported by each worker as it starts (by the forkserver, once, on macOS): the extractor,
EXTRACTOR = ("crawler.work", "crawler.extract_html", "crawler.extract_pdf")
#: and, for a run that may diff, the differ (a worker that meets a diff without it imports it)
DIFFER = ("differ.compare",)
PRELOAD = EXTRACTOR + DIFFER


SOURCES_PER_WORKER = 100
"""A worker costs ~0.15 s of CPU to start (its imports, the differ's warm-up) and every process
shares the machine's cores with the run and the servers it fetches from: each worker needs this
many sources' work to pay for itself (measured on two cores: at 100 sources one worker beats
two, warm by 8 %; at 1,000 two beat one)."""


def pool_size(workers: int, n_sources: int, cores: int | None = None) -> int:
    """How many worker processes a run of ``n_sources`` starts; 0 means "work inline".

    ``workers`` is the setting: 1 is inline, more is that many; 0 sizes the pool to the run,
    one worker per ``SOURCES_PER_WORKER`` sources up to one per core."""
    cores = cores or os.cpu_count() or 1
    if workers:
        return workers if workers > 1 and n_sources >= 8 else 0
    if cores <= 1 or n_sources < 8:
        return 0
    return min(cores, max(1, n_sources // SOURCES_PER_WORKER))


@contextlib.contextmanager
def worker_pool(workers: int, n_sources: int, *,
                diffs: bool = True) -> Iterator[Executor | None]:
    """Worker processes for extraction when there are enough sources to pay for them (see
    :func:`pool_size`); None means "run the work inline". The workers start at once, each
    loading the extractor and the differ itself while the run does its own start-up (the
    database, the first fetches): they are ready by the first changed page, and the run
    process never loads the differ at all. Jobs not yet started are cancelled on exit.

    ``diffs=False``: the run cannot diff (its database holds no versions yet), so the workers
    skip the differ, about half of a worker's start-up."""
    count = pool_size(workers, n_sources)
    if not count:
        yield None
        return
    executor = start_pool(count, PRELOAD if diffs else EXTRACTOR)
    try:
        yield executor
    finally:
        executor.close()


class WorkerPool(ProcessPoolExecutor):
    """A process pool that knows its size, so it can ask each worker to warm up."""

    def __init__(self, count: int, context: Any, preload: tuple[str, ...]) -> None:
        super().__init__(max_workers=count, mp_context=context, initializer=start_worker,
                         initargs=(os.getpid(), preload))
        self.size = count

    def close(self) -> None:
        """End the pool when the run is done with it: every job the run waited for has
        finished, so what a worker is still doing (its imports, a warm-up, a job the run gave
        up on) is of no use, and a short run should not wait for it. Workers hold nothing of
        the run's (:func:`die_with_parent`), so they are stopped, not waited for: the pool is
        told to shut down first, then its processes are terminated (the order Python 3.14's
        ``terminate_workers`` uses), then the thread that reaps them is joined."""
        processes = list((getattr(self, "_processes", None) or {}).values())
        manager = getattr(self, "_executor_manager_thread", None)  # shutdown forgets it
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.terminate()
        if manager is not None:
            manager.join()  # it reaps the workers

    def warm_up(self) -> list[Future[None]]:
        """Queue one warm-up comparison a worker (idle workers take one each): a run that will
        diff pages calls this as it starts fetching. The run never waits for them; those not
        started when it ends are cancelled."""
        return [self.submit(_warm_differ) for _ in range(self.size)]


def _warm_differ() -> None:
    from differ.warmup import warm_up

    warm_up()


def start_pool(count: int, modules: tuple[str, ...] = PRELOAD) -> WorkerPool:
    """A pool of ``count`` workers, forked now rather than on the first job, each importing
    ``modules`` as it starts."""
    context, preload = _context(modules)
    pool = WorkerPool(count, context, preload)
    for _ in range(count):
        pool.submit(int)  # a no-op that makes the pool start its processes
    return pool


def _context(modules: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """The start method, and what each worker imports in its initializer."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork"), modules
    if sys.platform == "darwin":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(modules))
        return ctx, ()
    return multiprocessing.get_context("spawn"), ()


def start_worker(run_pid: int, preload: tuple[str, ...] = ()) -> None:
    """Worker initializer: tie the worker to the run, then import what its jobs use, so the
    first job does not wait for the imports."""
    import importlib

    die_with_parent(run_pid)
    for name in preload:
        importlib.import_module(name)


def die_with_parent(run_pid: int) -> None:
    """Worker initializer: hold nothing of the run's, and end as soon as the run is gone."""
    release_inherited_sockets()
    parent = os.getppid()
    _set_parent_death_signal()
    if os.getppid() != parent or not _alive(run_pid):  # died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(run_pid,), name="framewatch-parent-watch",
                     daemon=True).start()


def release_inherited_sockets() -> int:
    """Point every inherited socket descriptor at /dev/null; returns how many there were."""
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    try:
        fds = [int(name) for name in os.listdir(fd_dir) if name.isdigit()]
    except OSError:
        return 0
    devnull = os.open(os.devnull, os.O_RDWR)
    released = 0
    try:
        for fd in fds:
            if fd == devnull:
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(devnull, fd)
                    released += 1
            except OSError:
                continue  # the listing's own descriptor, already gone
    finally:
        os.close(devnull)
    return released


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(run_pid: int) -> None:
    while _alive(run_pid):
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed run waiting to be reaped is dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(0) said it exists
