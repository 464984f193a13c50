"""The re-upload bench re-renders a text without changing a word of it, and stops cleanly
without a corpus."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "reupload.py"

PAGED = "\n".join(
    [f"Paragraph {i} says what the company does about risk number {i} in some detail."
     for i in range(30)][:10]
    + ["", "[[page 2]]", "Framework | 2", ""]
    + [f"Paragraph {i} says what the company does about risk number {i} in some detail."
       for i in range(10, 30)]
)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reupload", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_moved_page_break_keeps_every_line_of_text(bench: ModuleType) -> None:
    moved = bench.move_page_breaks(PAGED, random.Random(3))
    assert moved != PAGED

    def text_lines(t: str) -> list[str]:
        return sorted(ln for ln in t.split("\n") if ln.strip())

    assert text_lines(moved) == text_lines(PAGED)
    assert moved.index("[[page 2]]") > PAGED.index("[[page 2]]")


def test_renumbered_contents_change_only_the_page_numbers(bench: ModuleType) -> None:
    contents = "1 Scope........3\n2 Thresholds.......7\nWe review 4 times a year.\n"
    assert bench.renumber_contents(contents, random.Random(1)) == (
        "1 Scope........4\n2 Thresholds.......8\nWe review 4 times a year.\n")


def test_every_other_re_render_keeps_the_words_in_order(bench: ModuleType) -> None:
    rng = random.Random(5)
    for name, render in bench.RENDERS.items():
        if name == "page_breaks":
            continue  # moves whole lines: kept, in another order (the test above)
        out = render(PAGED, rng)
        squash = "".join(c for c in out.replace("\ufb01", "fi") if c.isalnum())
        assert squash == "".join(c for c in PAGED if c.isalnum())


def test_without_a_corpus_it_exits_2(bench: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    monkeypatch.setattr(bench, "CORPUS", tmp_path / "absent")
    assert bench.main([]) == 2
