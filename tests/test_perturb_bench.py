"""The perturbation bench makes the edits it names, places them, and stops cleanly without a corpus."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "perturb.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perturb", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


TEXT = ("## Evaluations\n\nWe will test every model for dangerous capabilities within 30 days "
        "of training.\n\nWe will publish a summary of each test round.\n")


def test_a_weakened_modal_replaces_the_binding_word(bench: ModuleType) -> None:
    out = bench.weaken_modal("We will test each model.", random.Random(0))
    assert out in ("We may test each model.", "We aim to test each model.")


def test_a_changed_number_keeps_its_unit(bench: ModuleType) -> None:
    out = bench.change_number("We report within 30 days.", random.Random(0))
    assert out in ("We report within 60 days.", "We report within 90 days.")


def test_a_rewrite_that_finds_nothing_to_change_gives_none(bench: ModuleType) -> None:
    assert bench.narrow_disclosure("We will test each model.", random.Random(0)) is None


def test_every_material_edit_of_a_commitment_is_placed_in_the_edited_text(
    bench: ModuleType,
) -> None:
    edits = [e for e in bench.document_edits(TEXT, 2, 1, "doc") if e.material]
    assert {"modal_weakened", "deleted", "added"} <= {e.kind for e in edits}
    for e in edits:
        if e.kind != "deleted":
            a, b = e.new_span
            assert " ".join(e.new[a:b].split()) == e.sentence


def test_the_same_seed_gives_the_same_edits(bench: ModuleType) -> None:
    first = [(e.kind, e.new) for e in bench.document_edits(TEXT, 2, 7, "doc")]
    assert first == [(e.kind, e.new) for e in bench.document_edits(TEXT, 2, 7, "doc")]


def test_the_bench_exits_with_a_message_when_the_corpus_is_absent(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(bench, "CORPUS", tmp_path / "missing")
    assert bench.main([]) == 2
    assert "corpus not found" in capsys.readouterr().err
