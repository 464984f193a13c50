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

#: imported once by the forkserver, so each forked worker starts with them loaded
PRELOAD = ("crawler.work", "crawler.extract_html", "crawler.extract_pdf", "differ.compare")


#: jobs run inline before the pool is started (a changed page is two: extraction with its
#: commitments, then the diff): a run with a page or two to redo, most daily runs, is done
#: before forking the workers and importing their modules would be
INLINE_JOBS = 4
#: only small jobs, never a PDF, run inline: they block the event loop while fetches are in
#: flight
INLINE_MAX_CHARS = 256 * 1024


@contextlib.contextmanager
def worker_pool(workers: int, n_sources: int) -> Iterator[Executor | None]:
    """Both cores for extraction when there is enough work to pay for the processes; None means
    "run the work inline". The pool starts with the job after the first ``INLINE_JOBS`` (those
    run inline), and is shut down on exit, cancelling jobs not yet started."""
    count = workers or (os.cpu_count() or 1)
    if count <= 1 or n_sources < 8:
        yield None
        return
    executor = DeferredPool(count, INLINE_JOBS)
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


class DeferredPool(Executor):
    """A process pool that is only created once a run has more than ``inline`` jobs.

    The first small jobs run in the calling thread (``submit`` returns a finished future), so a
    run whose pages were nearly all unchanged (304, or the same bytes) never forks a worker nor
    imports the PDF reader for one."""

    def __init__(self, count: int, inline: int) -> None:
        self._count = count
        self._inline = inline
        self._submitted = 0
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._pool is None and self._submitted < self._inline and _small(args):
            self._submitted += 1
            future: Future[Any] = Future()
            try:
                future.set_result(fn(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - delivered through the future
                future.set_exception(exc)
            return future
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self._count, mp_context=_context(),
                                             initializer=die_with_parent,
                                             initargs=(os.getpid(),))
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _small(args: tuple[Any, ...]) -> bool:
    """The job's documents (arguments, or their ``body`` / ``text``) are small, and no PDF."""
    size = 0
    for arg in args:
        for value in (arg, getattr(arg, "body", None), getattr(arg, "text", None)):
            if isinstance(value, bytes | str):
                size += len(value)
                if isinstance(value, bytes) and b"%PDF-" in value[:1024]:
                    return False
    return size <= INLINE_MAX_CHARS


def _context() -> Any:
    if sys.platform.startswith("linux"):
        _preload_worker_modules()
        return multiprocessing.get_context("fork")
    if sys.platform == "darwin":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD))
        return ctx
    return multiprocessing.get_context("spawn")


def _preload_worker_modules() -> None:
    """Import the extractor and the differ once, before the workers fork, so that each worker
    does not import them again on its first job. Their import and first use cost ~0.1 s per
    process, on the critical path of every cycle."""
    import importlib

    for name in PRELOAD:
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
