"""The extraction pool: inline for small runs, workers started up front for the others."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from crawler.workers import WorkerPool, pool_size, worker_pool

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


@pytest.mark.parametrize(
    ("workers", "sources", "cores", "size"),
    [
        (0, 7, 8, 0),  # too few sources for any process
        (0, 100, 2, 1),  # a small run: one worker pays for itself, a second does not
        (0, 250, 2, 2),
        (0, 1000, 2, 2),  # never more workers than cores
        (0, 1000, 8, 8),
        (0, 5000, 1, 0),  # one core: the run extracts itself
        (1, 1000, 8, 0),  # the setting says inline
        (3, 100, 8, 3),  # the setting says three
    ],
)
def test_the_pool_is_sized_to_the_run(workers: int, sources: int, cores: int, size: int) -> None:
    assert pool_size(workers, sources, cores) == size


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


def test_a_diff_job_with_trace_inputs_loads_no_database_code_in_the_worker() -> None:
    """The worker unpickles the job's arguments and traces the change: neither may pull in
    SQLAlchemy, whose import would cost each worker a tenth of a second of CPU."""
    import pickle
    import subprocess

    from crawler.extract import ExtractRules
    from crawler.ledger_work import TraceInputs, extract_json
    from crawler.work import ExtractJob, extract_and_diff, text_hash, with_diff

    old = "# Policy\n\nWe will publish a report for every model.\n"
    new = "# Policy\n\nWe may publish a report for some models.\n"
    first = extract_and_diff(ExtractJob(body=new.encode(), content_type="text/plain",
                                        rules=ExtractRules(), url="http://127.0.0.1/p",
                                        previous_text=None, previous_sha256=text_hash(old)))
    assert first.needs_diff
    job = pickle.dumps((with_diff, (first, old, TraceInputs(extract_json(old), None))))
    probe = ("import pickle, sys; fn, args = pickle.loads(sys.stdin.buffer.read()); "
             "out = fn(*args); assert out.traces, out; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'storage')))")
    done = subprocess.run([sys.executable, "-c", probe], input=job, capture_output=True,
                          check=True, env={**os.environ, "PYTHONPATH": _ROOT})
    assert "sqlalchemy" not in done.stdout.decode()


def test_warming_up_runs_one_comparison_a_worker() -> None:
    with worker_pool(2, 8) as pool:
        assert isinstance(pool, WorkerPool)
        futures = pool.warm_up()
        assert len(futures) == 2
        assert [f.result(timeout=60) for f in futures] == [None, None]


def test_the_warm_up_revision_exercises_the_classifier() -> None:
    import differ.compare
    from differ.warmup import warm_up

    assert warm_up() >= 2  # a real revision: several hunks were classified
    assert differ.compare._classifier is not None


def test_a_page_resent_with_the_same_words_sends_no_text_back() -> None:
    from crawler.extract import ExtractRules
    from crawler.work import ExtractJob, extract_and_diff, text_hash

    page = b"<html><body><main><p>We will publish a report for every model.</p></main></body></html>"
    first = extract_and_diff(ExtractJob(body=page, content_type="text/html", rules=ExtractRules(),
                                        url="http://127.0.0.1/p", previous_text=None))
    assert first.text and first.text_sha256 == text_hash(first.text)
    again = extract_and_diff(ExtractJob(body=page.replace(b"<p>", b"<p class=x>"),
                                        content_type="text/html", rules=ExtractRules(),
                                        url="http://127.0.0.1/p", previous_text=None,
                                        previous_sha256=first.text_sha256, text_if_new=True))
    assert (again.text, again.text_sha256, again.snapshot_data) == (None, first.text_sha256, None)
    edited = extract_and_diff(ExtractJob(body=page.replace(b"every", b"each"),
                                         content_type="text/html", rules=ExtractRules(),
                                         url="http://127.0.0.1/p", previous_text=None,
                                         previous_sha256=first.text_sha256, text_if_new=True))
    assert edited.text is not None and "each model" in edited.text and edited.needs_diff


def _sleep_an_hour() -> None:
    time.sleep(3600)


@pytest.mark.timeout(60)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux")
def test_leaving_the_pool_stops_a_worker_still_busy_instead_of_waiting_for_it() -> None:
    with worker_pool(0, 400) as pool:
        assert pool is not None
        busy = pool.submit(_sleep_an_hour)  # a warm-up or a job the run gave up on
        pids = list(pool._processes)  # type: ignore[attr-defined]
        started = time.monotonic()
        while not busy.running():
            time.sleep(0.01)
    assert time.monotonic() - started < 30
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


_POOL_WITHOUT_DIFFER = """
import sys
from crawler.workers import worker_pool

def _loaded(name):
    return name in sys.modules

with worker_pool(2, 8, diffs=False) as pool:
    print(pool.submit(_loaded, "crawler.extract_html").result(timeout=30),
          pool.submit(_loaded, "differ.compare").result(timeout=30))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_workers_of_a_run_that_cannot_diff_start_without_the_differ() -> None:
    # A fresh process: workers forked from this one would inherit the differ it has loaded.
    out = subprocess.run([sys.executable, "-c", _POOL_WITHOUT_DIFFER], capture_output=True,
                         text=True, cwd=_ROOT, env={**os.environ, "PYTHONPATH": _ROOT},
                         check=True, timeout=60).stdout.split()
    assert out == ["True", "False"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_a_worker_started_without_the_differ_still_diffs_when_asked() -> None:
    from crawler.extract import ExtractRules
    from crawler.work import ExtractJob, extract_and_diff

    job = ExtractJob(body=b"<p>We will publish a report every year.</p>",
                     content_type="text/html", rules=ExtractRules(), url="http://x/",
                     previous_text="We will publish a report every month.\n")
    with worker_pool(2, 8, diffs=False) as pool:
        assert pool is not None
        outcome = pool.submit(extract_and_diff, job).result(timeout=60)
    assert outcome.diff is not None and outcome.diff["hunks"]
