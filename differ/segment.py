"""Cut an extracted text into sentence tokens that know their section and their offsets.

The diff works on sentences (DESIGN step 5: sentence tokens are ~1000x faster than words), so
this module decides what counts as "the same sentence". Each sentence has a ``key`` that ignores
everything a re-render changes without changing the words — whitespace, line-break hyphens,
quotes, case, punctuation, words run together by a PDF text layer, list numbering — and a
``visible`` form that still sees case and punctuation, so such edits can be reported as cosmetic.
Layout (``[[page N]]`` markers, bare page numbers, running headers and footers, table-of-contents
leaders) is never content.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_PAGE_MARK = re.compile(r"^\s*\[\[page \d+\]\]\s*$")
_BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_NUMBERED = re.compile(r"^((?:[1-9]\d?)(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_BULLET_START = re.compile(
    r"^\s*(?:[●•▪◦○■□➢►–*]|-\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s|\d{1,2}[.)]\s)"
)
_ENUMERATOR = re.compile(
    r"^\s*(?:[●•▪◦○■□➢►–*-]\s*)?"
    r"(?:\(?\d{1,2}(?:\.\d{1,2})*[.)]?(?:\s+|(?=[A-Z“\"]))|(?:\(?[a-z]|\(?[ivx]{1,5})[.)]\s+)"
)
_NUMBER_ONLY = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s*$")
_TOC_LEADER = re.compile(r"\s*\.{4,}\s*\d*\s*$")
_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+|(?<=[a-z)][.!?])(?=[A-Z])")
_NEXT_STARTS = re.compile(r"[\"“‘'(\[]?[A-Z0-9●•]")
_ABBREV = frozenset("etc. vs. dr. mr. ms. no. al. cf. approx. inc. ltd. st. fig. sec. pp.".split())
_ABBREV_SUFFIX = ("e.g.", "i.e.", "u.s.", "u.k.", "e.u.")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_LINEBREAK_HYPHEN = re.compile(r"(?<=[a-z])-\s+(?=[a-z])")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One diff token: a sentence, a list item piece or a heading, with where it lives."""

    text: str  # whitespace-collapsed display text
    start: int  # offset of the first character in the source text
    end: int  # offset after the last character
    key: str  # what must differ for the sentence to count as changed
    visible: str  # what must differ for a cosmetic edit to be reported
    section: tuple[str, ...]  # headings above (for a heading: including itself)
    para: int  # paragraph number, to group whole-paragraph insertions and deletions
    heading: bool = False

    @property
    def words(self) -> list[str]:
        """The sentence's whitespace-separated words, as displayed."""
        return self.text.split()


def strip_header(text: str) -> str:
    """Drop the corpus files' 5-line provenance header (everything up to the ``-----`` line)."""
    return text.split("-----\n", 1)[1] if "-----\n" in text else text


def normalize_chars(text: str) -> str:
    """Unicode NFKC plus straight quotes and hyphen-dashes: the same glyphs, the same text."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


@functools.lru_cache(maxsize=32768)
def visible_form(text: str) -> str:
    """The text as a reader sees it, minus whitespace, hyphens and TOC leaders.

    Two sentences with equal visible forms differ only in layout, so no hunk is reported.
    """
    t = _TOC_LEADER.sub("", normalize_chars(text))
    return _SPACE.sub("", t).replace("-", "")


def squash(text: str) -> str:
    """Lowercase letters and digits only: equal squashes mean at most a cosmetic difference."""
    return _NON_ALNUM.sub("", normalize_chars(text).lower())


@functools.lru_cache(maxsize=32768)
def sentence_key(text: str, *, first_in_paragraph: bool) -> str:
    """The identity of a sentence for the diff: its squash, without a leading list number.

    Cached (like visible_form): the old and new texts of a change share almost every sentence,
    so the second text's sentences are keyed for free."""
    t = _TOC_LEADER.sub("", text)
    if first_in_paragraph:
        t = _ENUMERATOR.sub("", t, count=1)
    return squash(t)


def _heading(line: str, prev_blank: bool) -> tuple[float, str] | None:
    """(rank, title) when ``line`` is a heading; lower rank = higher in the outline.

    Markdown headings rank by their ``#`` count. Numbered headings ("4.2 Capability
    Thresholds"), which PDFs render as plain or ``##`` lines, nest by their numbering: each
    extra number component ranks one tenth lower than its parent.
    """
    m = _MD_HEADING.match(line)
    if m:
        level, title = len(m.group(1)), m.group(2).strip()
        n = _NUMBERED.match(title)
        depth = n.group(1).count(".") if n else 0
        return level + depth / 10, title
    if not prev_blank:
        return None
    n = _NUMBERED.match(line.strip())
    if not n:
        return None
    title = n.group(2)
    if (
        len(line.strip()) > 80
        or len(title.split()) > 12
        or not title[:1].isupper()
        or title.rstrip()[-1:] in ".,;:"
        or _TOC_LEADER.search(title)
    ):
        return None
    return 2 + n.group(1).count(".") / 10, line.strip()


def _stands_alone(lines: list[str], i: int, layout: set[int]) -> bool:
    """Whether the next non-layout line after ``i`` is blank (or absent): headings stand alone."""
    j = i + 1
    while j < len(lines) and j in layout:
        j += 1
    return j >= len(lines) or not lines[j].strip() or bool(_MD_HEADING.match(lines[j]))


def _layout_lines(lines: list[str]) -> set[int]:
    """Indexes of lines that are page furniture: markers, page numbers, running headers/footers.

    Running headers and footers are recognised as short lines that recur (digits ignored, so
    "Framework | 16" and "Framework | 17" are the same line) within three lines of at least
    three page markers. Only paged (PDF) texts have them; HTML text is left alone.
    """
    marks = [i for i, ln in enumerate(lines) if _PAGE_MARK.match(ln)]
    if not marks:
        return set()
    layout = set(marks)
    layout.update(i for i, ln in enumerate(lines) if _BARE_NUMBER.match(ln))
    near: Counter[str] = Counter()
    where: dict[str, list[int]] = {}
    for m in [*marks, len(lines)]:  # the end of the text closes the last page
        seen: set[str] = set()
        for step in (-1, 1):
            i, count = m + step, 0
            while 0 <= i < len(lines) and count < 3:
                ln = lines[i].strip()
                if ln and not _PAGE_MARK.match(ln):
                    count += 1
                    if len(ln) <= 80 and not _BARE_NUMBER.match(ln):
                        norm = re.sub(r"\d+", "#", ln)
                        where.setdefault(norm, []).append(i)
                        seen.add(norm)
                i += step
        near.update(seen)
    for norm, n in near.items():
        if n >= 3:
            layout.update(where[norm])
    return layout


@functools.lru_cache(maxsize=8192)
def _split_sentences(para: str) -> tuple[tuple[int, int], ...]:
    """Sentence ranges in a paragraph string; abbreviations such as "e.g." do not end one."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(para):
        end = m.start() + 1 if m.group() else m.start()
        word = para[para.rfind(" ", start, end) + 1 : end].lower()
        word = word.rsplit("\n", 1)[-1]
        if word in _ABBREV or word.endswith(_ABBREV_SUFFIX) or re.fullmatch(r"[a-z]\.", word):
            continue
        if not _NEXT_STARTS.match(para, m.end()):
            continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(para):
        out.append((start, len(para)))
    return tuple(out)


def segment(text: str) -> list[Sentence]:
    """Sentences of ``text`` in reading order, each with its section path and source offsets."""
    lines = text.split("\n")
    offsets: list[int] = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    layout = _layout_lines(lines)

    sentences: list[Sentence] = []
    stack: list[tuple[float, str]] = []
    para_lines: list[int] = []
    para_no = 0
    crossed_page = False
    prev_blank = True
    pending_number: str | None = None  # a "## 3.1." heading line waiting for its title line

    def flush() -> None:
        nonlocal para_no
        if not para_lines:
            return
        para_no += 1
        chars: list[str] = []
        offs: list[int] = []
        for k, li in enumerate(para_lines):
            if k:
                chars.append("\n")
                offs.append(offsets[li] - 1)
            ln = lines[li]
            chars.append(ln)
            offs.extend(range(offsets[li], offsets[li] + len(ln)))
        ptext = "".join(chars)
        section = tuple(t for _, t in stack)
        for n, (a, b) in enumerate(_split_sentences(ptext)):
            raw = ptext[a:b]
            shown = _SPACE.sub(" ", raw).strip()
            if not shown:
                continue
            key = sentence_key(shown, first_in_paragraph=n == 0)
            if not key:
                continue
            lead = len(raw) - len(raw.lstrip())
            tail = len(raw.rstrip())
            sentences.append(
                Sentence(
                    text=shown,
                    start=offs[a + lead],
                    end=offs[a + tail - 1] + 1,
                    key=key,
                    visible=visible_form(_ENUMERATOR.sub("", shown, count=1) if n == 0 else shown),
                    section=section,
                    para=para_no,
                )
            )
        para_lines.clear()

    for i, ln in enumerate(lines):
        if i in layout:
            if _PAGE_MARK.match(ln):
                crossed_page = True
            continue
        if not ln.strip():
            prev_blank = True
            continue
        head = _heading(ln, prev_blank)
        if head is not None and not _MD_HEADING.match(ln) and not _stands_alone(lines, i, layout):
            head = None  # a numbered list item's first line, not a heading
        if head is not None and _NUMBER_ONLY.match(head[1]):
            # PDF text layers often put "3.1." and "Preliminary Assessment" on separate heading
            # lines; hold the number and give it to the title that follows.
            flush()
            pending_number = head[1].strip()
            prev_blank = True
            continue
        if (
            head is not None
            and pending_number is not None
            and not _NUMBERED.match(ln.lstrip("#").strip())
        ):
            hashes = ln[: len(ln) - len(ln.lstrip("#"))] or "##"
            title_only = ln.lstrip("#").strip()
            head = _heading(f"{hashes} {pending_number} {title_only}", True) or head
        pending_number = None
        if head is not None:
            flush()
            rank, title = head
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, _SPACE.sub(" ", title)))
            key = sentence_key(title, first_in_paragraph=True) or squash(title)
            para_no += 1
            sentences.append(
                Sentence(
                    text=_SPACE.sub(" ", ln.strip()),
                    start=offsets[i] + len(ln) - len(ln.lstrip()),
                    end=offsets[i] + len(ln.rstrip()),
                    key="#" + key,
                    visible=visible_form(_ENUMERATOR.sub("", title, count=1)),
                    section=tuple(t for _, t in stack),
                    para=para_no,
                    heading=True,
                )
            )
            prev_blank, crossed_page = False, False
            continue
        starts_item = bool(_BULLET_START.match(ln))
        if para_lines and (prev_blank or starts_item):
            last = lines[para_lines[-1]].rstrip()
            continues = (
                prev_blank
                and crossed_page
                and not starts_item
                and ln.lstrip()[:1].islower()
                and last[-1:] not in ".!?:"
            )
            if not continues:
                flush()
        para_lines.append(i)
        prev_blank, crossed_page = False, False
    flush()
    return sentences
