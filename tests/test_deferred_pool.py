"""The extraction pool starts only when a run has more than a handful of jobs."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from crawler.workers import DeferredPool


@dataclass(frozen=True)
class Job:
    body: bytes


def _pid(_job: Job) -> int:
    return os.getpid()


def _fail(_job: Job) -> int:
    raise ValueError("bad page")


def test_a_few_small_jobs_run_inline_and_start_no_process() -> None:
    pool = DeferredPool(2, inline=3)
    try:
        pids = [pool.submit(_pid, Job(b"<p>x</p>")).result() for _ in range(3)]
        assert pids == [os.getpid()] * 3 and not pool.started
    finally:
        pool.shutdown()


def test_the_job_after_the_inline_ones_starts_the_worker_processes() -> None:
    pool = DeferredPool(2, inline=1)
    try:
        assert pool.submit(_pid, Job(b"<p>x</p>")).result() == os.getpid()
        assert pool.submit(_pid, Job(b"<p>y</p>")).result() != os.getpid()
        assert pool.started
    finally:
        pool.shutdown()


@pytest.mark.parametrize("body", [b"%PDF-1.7\n...", b"<p>" + b"x" * 300_000 + b"</p>"],
                         ids=["pdf", "large page"])
def test_pdfs_and_large_documents_never_block_the_run_inline(body: bytes) -> None:
    pool = DeferredPool(2, inline=5)
    try:
        assert pool.submit(_pid, Job(body)).result() != os.getpid()
    finally:
        pool.shutdown()


def test_an_inline_job_that_fails_reports_through_its_future() -> None:
    pool = DeferredPool(2, inline=5)
    future = pool.submit(_fail, Job(b"<p>x</p>"))
    with pytest.raises(ValueError, match="bad page"):
        future.result()
    pool.shutdown()
