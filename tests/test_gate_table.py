"""The shipped gate table: it makes a worker's start-up cheaper and never changes a gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import differ.gate as gate
from differ import gate_table

ROOT = Path(__file__).resolve().parents[1]


def _shipped_file() -> dict[str, object]:
    return json.loads(gate.SHIPPED.read_text(encoding="utf-8"))


def test_every_shipped_gate_is_the_one_its_parse_tree_gives() -> None:
    for key, (words, sets) in _shipped_file()["gates"].items():  # type: ignore[union-attr]
        flags, _, pattern = key.partition(":")
        assert gate.required_words(pattern, int(flags)) == (
            None if words is None else tuple(words)), key
        assert gate.required_sets(pattern, int(flags)) == tuple(tuple(s) for s in sets), key


def test_the_table_holds_every_gate_the_differ_builds_and_is_stamped_with_this_reader() -> None:
    # A fresh process: this one has built gates of its own in other tests.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c",
         "import json; from differ import gate_table; print(json.dumps(sorted(gate_table.built_table())))"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout
    shipped = _shipped_file()
    stale = "differ/gates.json is stale: refresh it with `python -m differ.gate_table`"
    assert shipped["reader"] == gate.reader_digest(), stale
    assert sorted(shipped["gates"]) == json.loads(out), stale  # type: ignore[arg-type]


def test_a_gate_comes_from_the_table_without_reading_the_pattern(
        monkeypatch: pytest.MonkeyPatch) -> None:
    key = next(iter(_shipped_file()["gates"]))  # type: ignore[call-overload]
    flags, _, pattern = key.partition(":")

    def unread(*_args: object) -> None:
        raise AssertionError("the pattern was read although the table holds its gate")

    monkeypatch.setattr(gate, "required_words", unread)
    monkeypatch.setattr(gate, "required_sets", unread)
    assert gate.gate_of(pattern, int(flags)) == gate._shipped()[key]


@pytest.fixture
def table_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where the gates are read from for one test (the cached table is dropped around it)."""
    path = tmp_path / "gates.json"
    monkeypatch.setattr(gate, "SHIPPED", path)
    gate._shipped.cache_clear()
    yield path
    gate._shipped.cache_clear()


def test_a_table_stamped_by_another_reader_is_ignored(table_file: Path) -> None:
    table_file.write_text(json.dumps({"reader": "0" * 16, "gates": {"32:\\bmust\\b": [["x"], []]}}),
                          encoding="utf-8")
    assert gate.gate_of(r"\bmust\b", 32) == (("must",), (("must",),))


def test_a_damaged_table_is_ignored(table_file: Path) -> None:
    table_file.write_text('{"reader": "', encoding="utf-8")
    assert gate.gate_of(r"\bshall\b", 32) == (("shall",), (("shall",),))


def test_written_table_round_trips_through_the_reader(table_file: Path) -> None:
    count = gate_table.write(table_file)
    gate._shipped.cache_clear()  # writing made gates, which read the table before it existed
    table = gate._shipped()
    assert len(table) == count >= 100
    assert all(table[k] == v for k, v in gate.BUILT.items() if k in table)
