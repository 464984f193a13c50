"""The windowed ``compare`` (segment only the changed window) gives exactly the full result.

``compare`` skips the unchanged start and end of two texts and segments only a window around the
change; ``_compare_full`` segments both whole texts. The window is an optimisation, never a
behaviour: every test here asserts the two JSON results are identical, on real corpus pairs,
on hand-made edits of a synthetic policy page, and on random paragraph lists with random edits.
"""

from __future__ import annotations

import random
from pathlib import Path

from conftest import corpus_text
from hypothesis import given, settings
from hypothesis import strategies as st

from differ.compare import WINDOW_MARGINS, _compare_full, _diff, _window_is_exact, compare
from differ.segment import Sentence, segment, segment_window

WORDS = (
    "model capability threshold evaluation safeguard deployment security weights risk board "
    "publish results compute frontier misuse cyber biology autonomy red team external audit"
).split()


def assert_same(old: str, new: str) -> None:
    """``compare`` equals the full path, and so does every window small margins allow.

    Margins 1 and 2 cut short texts too, so the window's edges (state handed over from the
    skipped prefix, the exactness guard) are exercised even where ``compare`` would not cut.
    """
    full = _compare_full(old, new).to_json()
    assert compare(old, new).to_json() == full
    for margin in (1, 2, 3) if old != new else ():
        window = segment_window(old, new, margin)
        if window is not None:
            o, n, before, after = window
            assert_slice_of_full_segmentation(o, segment(old))
            assert_slice_of_full_segmentation(n, segment(new))
            if _window_is_exact(o, n, cut_before=before, cut_after=after):
                whole = (lambda: segment(old), lambda: segment(new))
                assert _diff(o, n, whole=whole).to_json() == full


def assert_slice_of_full_segmentation(window: list[Sentence], full: list[Sentence]) -> None:
    """The window's sentences are a run of the full scan's: same text, offsets, section, para."""
    if not window:
        return
    k = next(k for k, s in enumerate(full) if s.start == window[0].start)
    assert full[k : k + len(window)] == window


def windowed(old: str, new: str) -> bool:
    """Whether ``compare`` takes the window path for this pair (rather than falling back)."""
    window = segment_window(old, new, WINDOW_MARGINS[0])
    if window is None:
        return False
    o, n, before, after = window
    return _window_is_exact(o, n, cut_before=before, cut_after=after)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 14))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def page(seed: int, sections: int = 8) -> list[str]:
    """Paragraphs of an HTML-like policy page: headings, nested numbered sections, lists."""
    rng = random.Random(seed)
    paras = ["# Frontier Safety Policy", "We publish this policy. It binds us."]
    for s in range(1, sections + 1):
        paras.append(f"## {s} Section {rng.choice(WORDS).title()}")
        for sub in range(1, rng.randint(2, 4)):
            if rng.random() < 0.5:
                paras.append(f"### {s}.{sub} Topic {rng.choice(WORDS).title()}")
            else:
                paras.append(f"{s}.{sub} Capability {rng.choice(WORDS).title()}")  # plain numbered
            for _ in range(rng.randint(1, 3)):
                paras.append(" ".join(sentence(rng) for _ in range(rng.randint(1, 4))))
            if rng.random() < 0.4:
                paras.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 4))))
        if s == 3:
            paras += ["## 3.9.", f"## Split Heading {rng.choice(WORDS).title()}"]
            paras.append(sentence(rng))
    return paras


def text(paras: list[str]) -> str:
    return "\n\n".join(paras) + "\n"


def body_indexes(paras: list[str]) -> list[int]:
    return [i for i, p in enumerate(paras) if not p.startswith(("#", "- ")) and "." in p[:-1]]


def edit_sentence(paras: list[str], i: int, new_words: str = "each") -> list[str]:
    out = list(paras)
    words = out[i].split(" ")
    words[min(3, len(words) - 2)] = new_words
    out[i] = " ".join(words)
    return out


def test_consecutive_corpus_pairs_match_the_full_diff(corpus: Path) -> None:
    by_source: dict[str, list[Path]] = {}
    for p in sorted(corpus.glob("*__*.txt")):
        by_source.setdefault(p.name.split("__")[0], []).append(p)
    pairs = [(f[k], f[k + 1]) for f in by_source.values() for k in range(len(f) - 1)]
    assert len(pairs) >= 6  # the corpus grows; every consecutive pair is checked
    for a, b in pairs:
        assert_same(corpus_text(a), corpus_text(b))


def test_one_sentence_edit_at_start_middle_and_end_matches_and_uses_the_window() -> None:
    paras = page(1)
    body = body_indexes(paras)
    for i in (body[0], body[len(body) // 2], body[-1]):
        old, new = text(paras), text(edit_sentence(paras, i))
        assert_same(old, new)
    assert windowed(text(paras), text(edit_sentence(paras, body[len(body) // 2])))


def test_edits_inside_nested_numbered_sections_keep_their_section_path() -> None:
    paras = page(2)
    for i, p in enumerate(paras):
        if p[:1].isdigit() or p.startswith("###"):  # edit the paragraph right under it
            old, new = text(paras), text(edit_sentence(paras, i + 1, "never"))
            assert_same(old, new)
    # the section path is the one a full scan gives, not an empty or truncated one
    i = next(i for i, p in enumerate(paras) if p.startswith("3.2 ") or p.startswith("### 3.2"))
    old, new = text(paras), text(edit_sentence(paras, i + 1, "never"))
    assert windowed(old, new)
    (hunk, *_) = compare(old, new).hunks
    assert hunk.section.startswith("Frontier Safety Policy > 3 Section")


def test_heading_edits_match() -> None:
    paras = page(3)
    for i, p in enumerate(paras):
        if p.startswith("#") or p[:1].isdigit():
            changed = list(paras)
            changed[i] = p + " And Scope"
            assert_same(text(paras), text(changed))


def test_split_number_heading_after_the_window_start_matches() -> None:
    paras = page(4)
    i = paras.index("## 3.9.")
    assert_same(text(paras), text(edit_sentence(paras, i + 2, "rarely")))
    changed = list(paras)
    changed[i + 1] = "## Renamed Split Heading"
    assert_same(text(paras), text(changed))


def test_paragraph_insertions_and_deletions_match() -> None:
    paras = page(5)
    rng = random.Random(5)
    for i in range(1, len(paras), 3):
        inserted = paras[:i] + [" ".join(sentence(rng) for _ in range(3))] + paras[i:]
        assert_same(text(paras), text(inserted))
        deleted = paras[:i] + paras[i + 1 :]
        assert_same(text(paras), text(deleted))


def test_a_paragraph_moved_far_away_is_still_reported_as_moved() -> None:
    paras = page(6, sections=12)
    i = body_indexes(paras)[2]
    moved = paras[:i] + paras[i + 1 : -2] + [paras[i]] + paras[-2:]
    old, new = text(paras), text(moved)
    assert_same(old, new)
    assert "moved" in compare(old, new).signals


def test_duplicated_and_repeated_paragraphs_match() -> None:
    paras = page(7)
    for i in range(2, len(paras) - 2, 4):
        assert_same(text(paras), text(paras[: i + 1] + [paras[i]] + paras[i + 1 :]))
        assert_same(text(paras), text(paras[:i] + paras[i : i + 3] * 2 + paras[i + 3 :]))


def test_cosmetic_and_whitespace_edits_match() -> None:
    paras = page(8)
    i = body_indexes(paras)[4]
    changed = list(paras)
    changed[i] = changed[i].upper()
    assert_same(text(paras), text(changed))
    changed[i] = paras[i].replace(" ", "  ")
    assert_same(text(paras), text(changed))


def test_paged_texts_fall_back_to_the_full_path() -> None:
    paras = page(9)
    old = text(paras[:10] + ["[[page 2]]"] + paras[10:])
    new = text(edit_sentence(paras, body_indexes(paras)[-1])[:10] + ["[[page 2]]"] + paras[10:])
    assert segment_window(old, new, 3) is None
    assert_same(old, new)


PARAGRAPHS = st.sampled_from(
    [
        "# Policy",
        "## 2 Scope",
        "### 2.1 Thresholds",
        "4.2 Capability Thresholds",
        "## 3.",
        "## Assessment",
        "- We test models. We publish results.\n- We audit weights.",
        "We will evaluate every model before deployment. The board reviews it.",
        "We keep records of each evaluation.",
        "We will protect model weights from theft. Security is audited yearly.",
        "Risks are assessed by the red team, e.g. cyber and bio misuse.",
        "1. Evaluate models.\n2. Report results.",
    ]
)
FREE = st.lists(st.sampled_from(WORDS), min_size=3, max_size=10).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


@settings(max_examples=150, deadline=None)
@given(
    paras=st.lists(st.one_of(PARAGRAPHS, FREE), min_size=1, max_size=60),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete", "move", "word"]),
            st.integers(0, 1000),
            st.integers(0, 1000),
            st.one_of(PARAGRAPHS, FREE),
        ),
        min_size=1,
        max_size=2,
    ),
)
def test_random_paragraph_lists_with_random_edits_match(
    paras: list[str], edits: list[tuple[str, int, int, str]]
) -> None:
    new = list(paras)
    for op, a, b, para in edits:
        i = a % (len(new) + 1)
        if op == "insert" or not new:
            new.insert(i, para)
            continue
        i %= len(new)
        if op == "replace":
            new[i] = para
        elif op == "delete":
            del new[i]
        elif op == "move":
            new.insert(b % len(new), new.pop(i))
        else:
            new[i] = new[i].replace("e", "E", 1) if b % 2 else new[i] + " Also " + WORDS[b % 20]
    assert_same(text(paras), text(new))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    op=st.sampled_from(["replace", "insert", "delete", "move", "word", "heading"]),
    a=st.integers(0, 1000),
    b=st.integers(0, 1000),
    para=st.one_of(PARAGRAPHS, FREE),
)
def test_random_single_edits_of_long_pages_match(
    seed: int, op: str, a: int, b: int, para: str
) -> None:
    paras = page(seed, sections=6)
    new = list(paras)
    i = a % len(new)
    if op == "insert":
        new.insert(i, para)
    elif op == "replace":
        new[i] = para
    elif op == "delete":
        del new[i]
    elif op == "move":
        new.insert(b % len(new), new.pop(i))
    elif op == "heading":
        heads = [k for k, p in enumerate(new) if p.startswith("#") or p[:1].isdigit()]
        new[heads[a % len(heads)]] += " Revised"
    else:
        new = edit_sentence(new, i, WORDS[b % len(WORDS)])
    assert_same(text(paras), text(new))
