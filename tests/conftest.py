"""Shared fixtures: real servers on 127.0.0.1, both database backends, the shared corpus."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # so tests can `import faultserver`

CORPUS = ROOT.parent / "shared" / "corpus"
PG_URL = os.environ.get("FRAMEWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_required() -> bool:
    """In CI a missing PostgreSQL is a failure, never a silent skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or bool(
        os.environ.get("FRAMEWATCH_REQUIRE_PG"))


def _pg_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'framewatch[postgres]')"
    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL not reachable at {PG_URL}: {exc}"
    return None


@pytest.fixture(scope="session")
def pg_available() -> str:
    problem = _pg_problem()
    if problem:
        if pg_required():
            pytest.fail(f"{problem} — CI requires PostgreSQL", pytrace=False)
        pytest.skip(problem)
    return PG_URL


@pytest.fixture
def pg_url(pg_available: str) -> Iterator[str]:
    """A fresh schema on the real server for each test, dropped afterwards."""
    import psycopg

    schema = "fw_" + uuid.uuid4().hex[:12]
    dsn = pg_available.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in pg_available else "?"
    yield f"{pg_available}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'framewatch.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every storage-touching test runs on both backends (parametrised, not copied)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'framewatch.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent (a fresh clone): real-corpus tests skipped")
    return CORPUS


def corpus_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("-----\n", 1)[1] if "-----\n" in text else text
