"""The windowed ``compare`` (segment only the changed windows) gives exactly the full result.

``compare`` skips the unchanged text of two versions and segments only a window around each
changed stretch; ``_compare_full`` segments both whole texts. The windows are an optimisation,
never a behaviour: every test here asserts the two JSON results are identical, on real corpus
pairs, on hand-made edits of a synthetic policy page, and on random paragraph lists with random
edits; the several-windows tests also assert that the windowed path was the one taken.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_text
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract import ExtractRules, extract
from differ.compare import (
    WINDOW_MARGINS,
    WINDOWS_MARGINS,
    _compare_full,
    _compare_windows,
    _diff,
    _window_is_exact,
    compare,
    line_diff,
)
from differ.segment import Sentence, segment, segment_window, segment_windows

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
    several = _compare_windows(old, new, line_diff(old, new)) if old != new else None
    assert several is None or several.to_json() == full
    for margin in (1, 2, 3) if old != new else ():
        for o, n, _, _ in windows_of(old, new, margin):
            assert_slice_of_full_segmentation(o, segment(old))
            assert_slice_of_full_segmentation(n, segment(new))
        window = segment_window(old, new, margin)
        if window is not None:
            o, n, before, after = window
            assert_slice_of_full_segmentation(o, segment(old))
            assert_slice_of_full_segmentation(n, segment(new))
            if _window_is_exact(o, n, cut_before=before, cut_after=after):
                whole = (lambda: segment(old), lambda: segment(new))
                assert _diff(o, n, whole=whole).to_json() == full


def windows_of(
    old: str, new: str, margin: int
) -> list[tuple[list[Sentence], list[Sentence], bool, bool]]:
    """The changed windows ``segment_windows`` cuts (none for paged texts)."""
    return segment_windows(old, new, margin, line_diff(old, new)) or []


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


def several_windows(old: str, new: str) -> bool:
    """Whether the one-window-per-changed-stretch path gives the result for this pair."""
    return _compare_windows(old, new, line_diff(old, new)) is not None


def long_page(seed: int) -> list[str]:
    """A page long enough that edits near its start, middle and end get separate windows."""
    paras = page(seed, sections=14)
    paras.insert(1, "Last updated: July 8, 2024 · Document ID GLO-00025")
    return paras


def far_apart(paras: list[str]) -> tuple[int, int]:
    body = body_indexes(paras)
    return body[2], body[-3]


def test_two_edits_far_apart_take_one_window_each_and_match() -> None:
    paras = long_page(11)
    i, j = far_apart(paras)
    old, new = text(paras), text(edit_sentence(edit_sentence(paras, i, "never"), j, "rarely"))
    assert len(windows_of(old, new, WINDOWS_MARGINS[0])) == 2
    assert several_windows(old, new)
    assert_same(old, new)


def test_an_edit_and_a_new_last_updated_date_match() -> None:
    paras = long_page(12)
    changed = edit_sentence(paras, body_indexes(paras)[len(paras) // 3], "never")
    changed[1] = "Last updated: August 7, 2024 · Document ID GLO-00025"
    old, new = text(paras), text(changed)
    assert several_windows(old, new)
    assert_same(old, new)
    assert len(compare(old, new).hunks) == 2


def test_three_edits_far_apart_match() -> None:
    paras = long_page(13)
    body = body_indexes(paras)
    changed = paras
    for i in (body[1], body[len(body) // 2], body[-2]):
        changed = edit_sentence(changed, i, "seldom")
    assert several_windows(text(paras), text(changed))
    assert_same(text(paras), text(changed))


def test_edits_in_adjacent_paragraphs_share_one_window_and_match() -> None:
    paras = long_page(14)
    i = body_indexes(paras)[5]
    old, new = text(paras), text(edit_sentence(edit_sentence(paras, i, "never"), i + 1, "never"))
    assert len(windows_of(old, new, WINDOWS_MARGINS[0])) == 1
    assert_same(old, new)


def test_edits_at_the_very_start_and_end_match() -> None:
    paras = long_page(15)
    changed = [paras[0] + " Revised", *paras[1:-1], paras[-1] + " Also audited."]
    old, new = text(paras), text(changed)
    assert several_windows(old, new)
    assert_same(old, new)
    assert_same(old, "Preface.\n\n" + new + "\nAppendix.\n")


def test_a_paragraph_moved_between_windows_is_still_reported_as_moved() -> None:
    paras = long_page(16)
    i, j = far_apart(paras)
    moved = paras[:i] + paras[i + 1 : j] + [paras[i]] + paras[j:]
    old, new = text(paras), text(moved)
    assert_same(old, new)
    assert "moved" in compare(old, new).signals


def test_a_commitment_removed_in_one_window_and_restated_in_another_is_one_rewording() -> None:
    paras = long_page(31)
    i, j = far_apart(paras)
    old = [*paras[:i], "We will retain the evaluation logs of each model for two years.", *paras[i:]]
    new = [*paras[:j], "For two years, we will keep the evaluation logs of every model.",
           *paras[j:]]
    old_text, new_text = text(old), text(new)
    assert several_windows(old_text, new_text)
    assert_same(old_text, new_text)
    hunks = compare(old_text, new_text).hunks
    assert len(hunks) == 2 and "high" not in [h.severity for h in hunks]


def test_a_paragraph_repeated_next_to_itself_with_a_new_date_far_away_matches() -> None:
    # Which copy is the inserted one is a tie the whole-text diff breaks its own way; a window
    # diffed alone may break it the other way, so the windows are not taken.
    paras = long_page(30)
    repeated = [*paras[:61], paras[60], *paras[61:]]
    repeated[1] = "Last updated: August 7, 2024 · Document ID GLO-00025"
    old, new = text(paras), text(repeated)
    assert len(windows_of(old, new, WINDOWS_MARGINS[0])) == 2
    assert not several_windows(old, new)
    assert_same(old, new)


def test_a_paragraph_moved_further_than_the_text_between_windows_matches() -> None:
    # One line of many short sentences (too short to be moves) moved past fewer, longer lines:
    # the sentence diff keeps the short sentences and replaces the lines in between, though the
    # line diff, which two windows follow, does the opposite. No fence can be proved there.
    block = " ".join(f"Note {n} kept." for n in range(40))
    between = [f"Paragraph {n} sets out the {WORDS[n]} duty at length." for n in range(20)]
    head, tail = ["# Policy", "We publish this policy."], ["## End", "That is all."]
    old, new = text([*head, block, *between, *tail]), text([*head, *between, block, *tail])
    assert len(windows_of(old, new, WINDOWS_MARGINS[0])) == 2
    assert not several_windows(old, new)
    assert_same(old, new)


LEAD_IN = ("We treat a capability as a Tracked Category if it creates a risk that meets these "
           "criteria:")


def test_an_item_added_far_below_its_lead_in_is_judged_with_it() -> None:
    # The item's window opens inside the list, so the lead-in lies in no window: the item must
    # still bind as its lead-in does, as on the whole texts.
    items = [f"{n}. Criterion {n}: The harm is of kind {n}." for n in range(1, 31)]
    paras = ["# Policy", "Last updated: July 8, 2024", *long_page(17)[2:40],
             "## 2. Tracked capabilities", LEAD_IN, *items, "## 3. Other", *long_page(18)[2:12]]
    changed = list(paras)
    changed[1] = "Last updated: August 7, 2024"
    changed.insert(paras.index(items[-1]) + 1, "31. Lasting: The harm persists for years.")
    old, new = text(paras), text(changed)
    assert len(windows_of(old, new, WINDOWS_MARGINS[-1])) == 2
    assert not several_windows(old, new)
    assert_same(old, new)
    (hunk,) = [h for h in compare(old, new).hunks if "Lasting" in h.new]
    assert hunk.severity == "high"


def test_random_far_apart_edits_of_long_pages_match() -> None:
    rng = random.Random(19)
    taken = 0
    for seed in range(12):
        paras = long_page(100 + seed)
        new = list(paras)
        for _ in range(rng.randint(2, 3)):
            i = rng.randrange(len(new))
            op = rng.choice(["word", "word", "replace", "insert", "delete"])
            if op == "word" and i in body_indexes(new):
                new = edit_sentence(new, i, rng.choice(WORDS))
            elif op == "replace":
                new[i] = sentence(rng)
            elif op == "insert":
                new.insert(i, sentence(rng))
            elif len(new) > 2:
                del new[i]
        assert_same(text(paras), text(new))
        taken += several_windows(text(paras), text(new))
    assert taken >= 3  # the several-windows path is exercised, not only the fallbacks


def test_random_edits_of_corpus_texts_match(corpus: Path) -> None:
    rng = random.Random(20)
    files = sorted(corpus.glob("*__*.txt"))
    for k in range(24):
        paras = corpus_text(files[k % len(files)]).split("\n\n")
        new = list(paras)
        for _ in range(rng.randint(2, 3)):
            i = rng.randrange(len(new))
            op = rng.choice(["word", "replace", "insert", "delete", "move"])
            if op == "word":
                words = new[i].split(" ")
                words[rng.randrange(len(words))] = rng.choice(["never", "may", "not", "each"])
                new[i] = " ".join(words)
            elif op == "replace":
                new[i] = rng.choice(paras)
            elif op == "insert":
                new.insert(i, rng.choice(paras))
            elif op == "move":
                new.insert(rng.randrange(len(new)), new.pop(i))
            elif len(new) > 2:
                del new[i]
        assert_same("\n\n".join(paras), "\n\n".join(new))


SERVE = CORPUS.parent / "bench" / "serve.py"


def synthetic_site_changes(pages: int) -> list[tuple[str, str]]:
    """(old, new) text of each page of the synthetic policy site changed from generation 0
    to 1, extracted as the cycle extracts pages."""
    spec = importlib.util.spec_from_file_location("serve", SERVE)
    assert spec is not None and spec.loader is not None
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    site = serve.Site(pages, noise="none")

    def page_text(i: int, generation: int) -> str:
        site.generation = generation
        segs, _, _ = site.page(i)
        return extract(site.body(segs), "text/html; charset=utf-8", ExtractRules()).text

    return [(page_text(i, 0), page_text(i, 1)) for i in site.truth(0, 1)["changed"]]


def test_the_synthetic_sites_changed_pages_match_and_take_the_windowed_path() -> None:
    # Long pages with one rewritten paragraph or threshold and a new "Last updated" date.
    if not SERVE.is_file():
        pytest.skip("../shared/bench/serve.py is absent (a fresh clone)")
    pairs = synthetic_site_changes(200)
    assert len(pairs) >= 10
    for old, new in pairs:
        assert_same(old, new)
    assert sum(several_windows(old, new) for old, new in pairs) >= len(pairs) // 2


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(st.sampled_from(["", "a", "b", "c", "## H", "x y", "z"]), max_size=30),
    new=st.lists(st.sampled_from(["", "a", "b", "c", "## H", "x y", "w"]), max_size=30),
)
def test_the_line_diff_covers_both_texts_in_order_and_pairs_only_identical_lines(
    old: list[str], new: list[str]
) -> None:
    old_text, new_text = "\n".join(old), "\n".join(new)
    lo, ln = old_text.split("\n"), new_text.split("\n")
    i = j = 0
    for op, a0, a1, b0, b1 in line_diff(old_text, new_text):
        assert (a0, b0) == (i, j)
        if op == 0:
            assert lo[a0:a1] == ln[b0:b1] and a1 > a0
        else:
            assert (b0 == b1) if op == -1 else (a0 == a1)
        i, j = a1, b1
    assert (i, j) == (len(lo), len(ln))
