"""The extraction pool: inline for small runs, workers started up front for the others."""

from __future__ import annotations

import os
import sys
import time

import pytest

from crawler.workers import worker_pool


def _pid() -> int:
    return os.getpid()


def _loaded(name: str) -> bool:
    return name in sys.modules


def _children() -> set[int]:
    kids: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children", encoding="ascii") as fh:
            kids.update(int(p) for p in fh.read().split())
    return kids


def test_a_run_of_fewer_than_eight_sources_works_inline() -> None:
    with worker_pool(2, 7) as pool:
        assert pool is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_entering_the_pool_starts_its_workers_before_any_job() -> None:
    before = _children()
    with worker_pool(2, 8) as pool:
        assert pool is not None
        deadline = time.monotonic() + 10
        while len(_children() - before) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(_children() - before) == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_workers_run_the_jobs_with_the_differ_already_loaded() -> None:
    with worker_pool(2, 8) as pool:
        assert pool is not None
        assert pool.submit(_pid).result(timeout=30) != os.getpid()
        assert pool.submit(_loaded, "differ.compare").result(timeout=30)
