"""Calibration on real framework versions (../shared/corpus): the classifier finds what changed.

Skipped cleanly when the corpus folder is absent. The scoring lives in bench/calibrate.py (also a
command that prints the per-pair table); key phrases per documented change are in
bench/calibration_labels.toml.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from differ.compare import compare

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BENCH = Path(__file__).resolve().parents[1] / "bench" / "calibrate.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}"),
]


def _calibrate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calibrate", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cal() -> ModuleType:
    return _calibrate()


@pytest.fixture(scope="module")
def scores(cal: ModuleType) -> list:
    return [cal.score_pair(p)[0] for p in cal.load_pairs()]


def test_every_label_phrase_occurs_in_its_pair(cal: ModuleType) -> None:
    """A phrase found in neither text could never match: the label file would be lying."""
    assert cal.check_phrases(cal.load_pairs()) == []


def test_thr_eval_pub_recall_is_at_least_0_9(scores: list) -> None:
    found = sum(s.recall_found for s in scores)
    total = sum(s.recall_total for s in scores)
    assert found / total >= 0.9, [(s.pair.new, s.missed) for s in scores]


def test_cosmetic_rerender_of_every_version_has_zero_high_hunks(cal: ModuleType) -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        text = cal.load_text(path.name)
        rerendered = cal.rerender(text)
        assert rerendered != text
        high = [h for h in compare(text, rerendered).hunks if h.severity == "high"]
        assert high == [], (path.name, [h.summary for h in high])


def test_layout_only_pair_rsp_v22_has_exactly_the_documented_change_as_high(scores: list) -> None:
    """v2.1 → v2.2: one substantive change (insider footnote), the rest is rendering (EDIT)."""
    (s,) = [s for s in scores if s.pair.new.startswith("anthropic-rsp__2025-05")]
    assert s.high >= 1
    assert s.high_matched == s.high


def test_the_hardest_pair_is_a_high_rewrite(cal: ModuleType) -> None:
    """RSP v1.0 → v2.0 is a rewrite; its speed is measured by bench/bench_diff.py, not here."""
    result = compare(cal.load_text("anthropic-rsp__2023-09__v1.0.txt"),
                     cal.load_text("anthropic-rsp__2024-10__v2.0.txt"))
    assert result.severity == "high"
    assert len(result.hunks) > 100
    assert {"weakened", "strengthened", "mixed"} & {result.direction}
