"""Cut an extracted text into sentence tokens that know their section and their offsets.

The diff works on sentences (sentence tokens are ~1000x faster than words), so
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
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
_TOC_LEADERS = re.compile(r"\s*\.{4,}\s*\d*")


def _without_toc_numbers(text: str) -> str:
    """A table of contents' lines join into one sentence, and a re-upload that moves a page
    break renumbers every entry: in a sentence with leader dots, or one that runs titles and
    page numbers together, the leaders and the plain numbers (page numbers, the chapter
    numbers beside them) are layout, not words."""
    if "...." in text:
        words = _TOC_LEADERS.sub(" ", text).split()
    else:
        words = text.split()
        if not _titles_and_pages(words):
            return text
    return " ".join(w for w in words if not (w.isdigit() and len(w) <= 4))


def _titles_and_pages(words: list[str]) -> bool:
    """Four or more titles each followed by one page number that never goes down ("Misuse: 5
    Mitigation approach 5 Critical Capability Levels 6 …"): a contents page whose numbers,
    on lines of their own in one rendering, joined its title lines in another."""
    pages = [(i, int(w)) for i, w in enumerate(words) if w.isdigit() and len(w) <= 3]
    if len(pages) < 4 or [v for _, v in pages] != sorted(v for _, v in pages):
        return False
    if any(w.endswith((",", ";", ".")) for w in words[:-1]):
        return False  # prose: titles carry no commas or full stops
    return all(
        i > 0 and not words[i - 1].isdigit()
        and (i + 1 == len(words) or words[i + 1][:1].isupper())
        for i, _ in pages
    )


_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+|(?<=[a-z)][.!?])(?=[A-Z])")
_NEXT_STARTS = re.compile(r"[\"“‘'(\[]?[A-Z0-9●•]")
_ABBREV = frozenset("etc. vs. dr. mr. ms. no. al. cf. approx. inc. ltd. st. fig. sec. pp.".split())
_ABBREV_SUFFIX = ("e.g.", "i.e.", "u.s.", "u.k.", "e.u.")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def ascii_dropper(keep: str) -> bytes:
    """The ASCII characters not in ``keep``: what :func:`keep_only` deletes."""
    return bytes(c for c in range(128) if chr(c) not in keep)


def keep_only(low: str, drop: bytes, pattern: re.Pattern[str]) -> str:
    """``pattern.sub("", low)`` for a pattern that deletes exactly the ASCII characters in
    ``drop`` (and whatever non-ASCII ones it matches). Almost every sentence is ASCII, and
    deleting bytes is ten times faster than the regular expression."""
    if low.isascii():
        return low.encode("ascii").translate(None, drop).decode("ascii")
    return pattern.sub("", low)


_DROP_NON_ALNUM = ascii_dropper("abcdefghijklmnopqrstuvwxyz0123456789")
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
    """Drop a corpus file's provenance header: the older files' five lines ending in a
    ``# ----- BEGIN STORED TEXT ... -----`` line, or the newer files' single ``# SOURCE:`` line."""
    head, sep, rest = text.partition("-----\n")
    if sep and "# ----- BEGIN STORED TEXT" in head and head.count("\n") <= 6:
        return rest
    if text.startswith("# SOURCE:"):
        return text.split("\n", 1)[1].lstrip("\n") if "\n" in text else ""
    return text


def normalize_chars(text: str) -> str:
    """Unicode NFKC plus straight quotes and hyphen-dashes: the same glyphs, the same text."""
    if text.isascii():  # NFKC leaves ASCII alone and every quote or dash replaced is non-ASCII
        return text
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


@functools.lru_cache(maxsize=32768)
def visible_form(text: str) -> str:
    """The text as a reader sees it, minus whitespace, hyphens and TOC leaders.

    Two sentences with equal visible forms differ only in layout, so no hunk is reported.
    """
    t = _without_toc_numbers(_TOC_LEADER.sub("", normalize_chars(text)))
    return "".join(t.split()).replace("-", "")  # str.split's whitespace is regex \s


def squash(text: str) -> str:
    """Lowercase letters and digits only: equal squashes mean at most a cosmetic difference."""
    return keep_only(normalize_chars(text).lower(), _DROP_NON_ALNUM, _NON_ALNUM)


def squash_text(text: str) -> str:
    """``squash`` of a whole text, faster: the quote and dash mapping of ``normalize_chars``
    only ever turns punctuation into punctuation, which squashing drops anyway."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return keep_only(text.lower(), _DROP_NON_ALNUM, _NON_ALNUM)


@functools.lru_cache(maxsize=32768)
def sentence_key(text: str, *, first_in_paragraph: bool) -> str:
    """The identity of a sentence for the diff: its squash, without a leading list number.

    Cached (like visible_form): the old and new texts of a change share almost every sentence,
    so the second text's sentences are keyed for free."""
    t = _without_toc_numbers(_TOC_LEADER.sub("", text))
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
        if word in _ABBREV or word.endswith(_ABBREV_SUFFIX) or (
                len(word) == 2 and word[1] == "." and "a" <= word[0] <= "z"):
            continue
        if not _NEXT_STARTS.match(para, m.end()):
            continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(para):
        out.append((start, len(para)))
    return tuple(out)


@dataclass(slots=True)
class _State:
    """Everything ``segment`` carries from one line to the next.

    Kept in one object so that a scan can stop at a paragraph boundary and another can resume
    from it: ``segment_window`` replays the unchanged prefix of a text cheaply (``emit=False``)
    and then segments only the changed window, with exactly the state a full scan would have.
    """

    stack: list[tuple[float, str]]
    para_lines: list[int]
    para_no: int = 0
    crossed_page: bool = False
    prev_blank: bool = True
    pending_number: str | None = None  # a "## 3.1." heading line waiting for its title line


def _line_offsets(lines: list[str]) -> list[int]:
    offsets: list[int] = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    return offsets


def segment(text: str) -> list[Sentence]:
    """Sentences of ``text`` in reading order, each with its section path and source offsets."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    sentences: list[Sentence] = []
    st = _State(stack=[], para_lines=[])
    _scan(lines, offsets, _layout_lines(lines), st, 0, len(lines), sentences)
    _flush(lines, offsets, st, sentences)
    return sentences


def _flush(
    lines: list[str], offsets: list[int], st: _State, sentences: list[Sentence] | None
) -> None:
    """Close the paragraph being collected; its sentences go to ``sentences`` unless None."""
    para_lines = st.para_lines
    if not para_lines:
        return
    st.para_no += 1
    if sentences is None:
        para_lines.clear()
        return
    para_no = st.para_no
    first = para_lines[0]
    if len(para_lines) == 1 or para_lines[-1] - first == len(para_lines) - 1:
        # Consecutive lines (nearly always): the paragraph is a slice of the text, so a
        # paragraph offset plus the first line's offset is the text offset.
        ptext = "\n".join(lines[first : para_lines[-1] + 1])
        base = offsets[first]
        offs = None
    else:  # lines skipped in between (page furniture): map every character
        chars: list[str] = []
        offs = []
        for k, li in enumerate(para_lines):
            if k:
                chars.append("\n")
                offs.append(offsets[li] - 1)
            ln = lines[li]
            chars.append(ln)
            offs.extend(range(offsets[li], offsets[li] + len(ln)))
        ptext = "".join(chars)
        base = 0
    section = tuple(t for _, t in st.stack)
    for shown, a, b, key, visible in _paragraph_sentences(ptext):
        start, end = (base + a, base + b) if offs is None else (offs[a], offs[b - 1] + 1)
        sentences.append(
            Sentence(text=shown, start=start, end=end, key=key, visible=visible,
                     section=section, para=para_no)
        )
    para_lines.clear()


_ROW_SEP = " | "


def _pieces(ptext: str) -> tuple[tuple[int, int], ...]:
    """Sentence ranges of a paragraph, where a table row (a ``cell | cell`` line) is one piece.

    A row's cells carry their column names ("Threshold: 15%"), and a sentence cut out of the
    middle of a row would lose them: the row is the unit a changed cell is shown and judged in.
    """
    if _ROW_SEP not in ptext:
        return _split_sentences(ptext)
    out: list[tuple[int, int]] = []
    start = 0  # of the prose run not yet split
    pos = 0
    for line in ptext.split("\n"):
        end = pos + len(line)
        if _ROW_SEP in line:
            if pos > start:
                out.extend((start + a, start + b) for a, b in _split_sentences(ptext[start:pos]))
            out.append((pos, end))
            start = end + 1
        pos = end + 1
    if start < len(ptext):
        out.extend((start + a, start + b) for a, b in _split_sentences(ptext[start:]))
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _paragraph_sentences(ptext: str) -> tuple[tuple[str, int, int, str, str], ...]:
    """(text, start, end, key, visible) of each sentence of a paragraph, offsets within it.

    Cached by the paragraph's text: the old and new texts of a change share nearly every
    paragraph, so the second segmentation only rebuilds the Sentence records."""
    out: list[tuple[str, int, int, str, str]] = []
    for n, (a, b) in enumerate(_pieces(ptext)):
        raw = ptext[a:b]
        shown = " ".join(raw.split())
        if not shown:
            continue
        key = sentence_key(shown, first_in_paragraph=n == 0)
        if not key:
            continue
        lead = len(raw) - len(raw.lstrip())
        tail = len(raw.rstrip())
        visible = visible_form(_ENUMERATOR.sub("", shown, count=1) if n == 0 else shown)
        out.append((shown, a + lead, a + tail, key, visible))
    return tuple(out)


def _scan(
    lines: list[str],
    offsets: list[int],
    layout: set[int],
    st: _State,
    lo: int,
    hi: int,
    sentences: list[Sentence] | None,
) -> None:
    """Run the segmenter over lines ``lo``..``hi`` (exclusive), updating ``st``.

    With ``sentences=None`` only the state advances (section stack, paragraph numbers, pending
    heading number): the cheap replay of a prefix whose sentences are not needed. The paragraph
    open at ``hi`` is left open, exactly as a full scan would have it at that line.
    """
    stack = st.stack
    for i in range(lo, hi):
        ln = lines[i]
        if i in layout:
            if _PAGE_MARK.match(ln):
                st.crossed_page = True
            continue
        if not ln.strip():
            st.prev_blank = True
            continue
        head = _heading(ln, st.prev_blank)
        if head is not None and not _MD_HEADING.match(ln) and not _stands_alone(lines, i, layout):
            head = None  # a numbered list item's first line, not a heading
        if head is not None and _NUMBER_ONLY.match(head[1]):
            # PDF text layers often put "3.1." and "Preliminary Assessment" on separate heading
            # lines; hold the number and give it to the title that follows.
            _flush(lines, offsets, st, sentences)
            st.pending_number = head[1].strip()
            st.prev_blank = True
            continue
        if (
            head is not None
            and st.pending_number is not None
            and not _NUMBERED.match(ln.lstrip("#").strip())
        ):
            hashes = ln[: len(ln) - len(ln.lstrip("#"))] or "##"
            title_only = ln.lstrip("#").strip()
            head = _heading(f"{hashes} {st.pending_number} {title_only}", True) or head
        st.pending_number = None
        if head is not None:
            _flush(lines, offsets, st, sentences)
            rank, title = head
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, _SPACE.sub(" ", title)))
            st.para_no += 1
            if sentences is not None:
                key = sentence_key(title, first_in_paragraph=True) or squash(title)
                sentences.append(
                    Sentence(
                        text=_SPACE.sub(" ", ln.strip()),
                        start=offsets[i] + len(ln) - len(ln.lstrip()),
                        end=offsets[i] + len(ln.rstrip()),
                        key="#" + key,
                        visible=visible_form(_ENUMERATOR.sub("", title, count=1)),
                        section=tuple(t for _, t in stack),
                        para=st.para_no,
                        heading=True,
                    )
                )
            st.prev_blank, st.crossed_page = False, False
            continue
        starts_item = bool(_BULLET_START.match(ln))
        if st.para_lines and (st.prev_blank or starts_item):
            last = lines[st.para_lines[-1]].rstrip()
            continues = (
                st.prev_blank
                and st.crossed_page
                and not starts_item
                and ln.lstrip()[:1].islower()
                and last[-1:] not in ".!?:"
            )
            if not continues:
                _flush(lines, offsets, st, sentences)
        st.para_lines.append(i)
        st.prev_blank, st.crossed_page = False, False


def _para_start(lines: list[str], i: int) -> bool:
    """Line ``i`` opens a paragraph after a blank line: a scan can hand over its state there."""
    return bool(lines[i].strip()) and not lines[i - 1].strip()


def segment_window(
    old: str, new: str, margin: int
) -> tuple[list[Sentence], list[Sentence], bool, bool] | None:
    """Sentences of only the changed window of two texts, as a full ``segment`` would give them.

    The texts' common first and last lines are found, then widened by ``margin`` paragraphs of
    unchanged text on each side, cut at blank lines. The common prefix is replayed without
    making sentences (so sections, paragraph numbers and a pending heading number are exactly
    those of a full scan), the window is segmented on each side with whole-text offsets, and
    the suffix is skipped. Returns (old sentences, new sentences, prefix skipped, suffix
    skipped), or None when a window cannot be guaranteed equal to a full scan: paged texts,
    whose page furniture is detected across the whole document (``_layout_lines``).
    """
    if "[[page" in old or "[[page" in new:
        return None
    lo, ln = old.split("\n"), new.split("\n")
    p, s = common_ends(lo, ln)
    # Window start: the margin-th paragraph start before the first changed line (or 0).
    ws, found = p, 0
    while ws > 0 and found < margin:
        ws -= 1
        if ws > 0 and _para_start(lo, ws):
            found += 1
    # Window end (in old): the margin-th paragraph start inside the common suffix whose
    # preceding line is common too (or the end of the text).
    we, found = len(lo) - s + 1, 0
    while we < len(lo):
        if _para_start(lo, we):
            found += 1
            if found == margin:
                break
        we += 1
    if we >= len(lo):
        we = len(lo)
    tail = len(lo) - we
    out: list[list[Sentence]] = []
    prefix = _State(stack=[], para_lines=[])
    offsets0 = _line_offsets(lo)
    _scan(lo, offsets0, set(), prefix, 0, ws, None)
    _flush(lo, offsets0, prefix, None)
    for lines in (lo, ln):
        offsets = offsets0 if lines is lo else _line_offsets(lines)
        st = _State(
            stack=list(prefix.stack),
            para_lines=[],
            para_no=prefix.para_no,
            crossed_page=prefix.crossed_page,
            prev_blank=prefix.prev_blank,
            pending_number=prefix.pending_number,
        )
        sentences: list[Sentence] = []
        _scan(lines, offsets, set(), st, ws, len(lines) - tail, sentences)
        _flush(lines, offsets, st, sentences)
        out.append(sentences)
    return out[0], out[1], ws > 0, tail > 0


def segment_windows(
    old: str, new: str, margin: int, line_ops: list[Op]
) -> list[tuple[list[Sentence], list[Sentence], bool, bool]] | None:
    """Sentences of each separately changed window of two texts, as a full ``segment`` gives them.

    The texts' line diff ``line_ops`` gives the changed stretches; each is widened by ``margin``
    paragraphs of unchanged lines on each side (cut at paragraph starts both texts share), and
    stretches whose windows would touch become one window. Each text is scanned once: the lines
    between windows are replayed without making sentences (``_scan`` with ``sentences=None``),
    so every window's sections, paragraph numbers and pending heading number are those of a
    full scan. Returns one (old sentences, new sentences, text skipped before, text skipped
    after) per window, in order, or None: paged texts (see ``segment_window``), or a skipped
    stretch of lines the two texts would not segment alike (a heading number left pending into
    it differs).
    """
    if "[[page" in old or "[[page" in new:
        return None
    lo, ln, ops = old.split("\n"), new.split("\n"), line_ops
    spans: list[list[int]] = []  # [old_lo, old_hi, new_lo, new_hi] of each window
    k = 0
    while k < len(ops):
        if ops[k][0] == 0:
            k += 1
            continue
        first = k
        while k + 1 < len(ops) and ops[k + 1][0] != 0:
            k += 1
        ws, vs = _widen_back(lo, ops[first - 1] if first else None, margin)
        we, ve = _widen_forward(lo, ln, ops[k + 1] if k + 1 < len(ops) else None, margin)
        if spans and ws <= spans[-1][1]:
            spans[-1][1], spans[-1][3] = we, ve
        else:
            spans.append([ws, we, vs, ve])
        k += 1
    for ws, we, vs, ve in spans:
        if not (_cut_point(lo, ws) and _cut_point(ln, vs) and _cut_point(lo, we)
                and _cut_point(ln, ve)):
            return None
    windows = _scan_windows(lo, ln, spans)
    if windows is None:
        return None
    return [
        (o, n, s[0] > 0, s[1] < len(lo)) for (o, n), s in zip(windows, spans, strict=True)
    ]


Op = tuple[int, int, int, int, int]
"""One run of a token diff: (op, old start, old end, new start, new end), op -1, 0 or 1."""


def _cut_point(lines: list[str], i: int) -> bool:
    """A scan can hand over its state at line ``i``: a text's start or end, or a paragraph start."""
    return i in (0, len(lines)) or _para_start(lines, i)


def _widen_back(lo: list[str], before: Op | None, margin: int) -> tuple[int, int]:
    """Old and new line where a window opens: the ``margin``-th paragraph start before the
    change inside the unchanged run ``before`` it, else that run's start (or the text's), where
    the window before it ends too."""
    if before is None:
        return 0, 0
    _, e0, a, f0, b = before
    found, i = 0, a
    while i > e0 and found < margin:
        i -= 1
        if i > e0 and _para_start(lo, i):
            found += 1
    if found < margin:
        return (0, 0) if e0 == 0 else (e0, f0)
    return i, i - a + b


def _widen_forward(lo: list[str], ln: list[str], after: Op | None, margin: int
                   ) -> tuple[int, int]:
    """Old and new line where a window closes: the ``margin``-th paragraph start after the
    change inside the unchanged run ``after`` it, else that run's end (or the text's)."""
    if after is None:
        return len(lo), len(ln)
    _, a, e1, b, _ = after
    found = 0
    for i in range(a + 1, e1):
        if _para_start(lo, i):
            found += 1
            if found == margin:
                return i, i - a + b
    return (len(lo), len(ln)) if e1 == len(lo) else (e1, e1 - a + b)


def _scan_windows(
    lo: list[str], ln: list[str], spans: list[list[int]]
) -> list[tuple[list[Sentence], list[Sentence]]] | None:
    """Each window's sentences of both texts; None when the texts enter a skipped stretch in
    states that may segment it differently (a different heading number pending).

    A skipped stretch is the same lines in both texts; entered in the same state but for the
    paragraph count (which no scanning decision reads), it is replayed once, for the old text,
    and the new text takes the resulting state with its own count."""
    offs_o, offs_n = _line_offsets(lo), _line_offsets(ln)
    so, sn = _State(stack=[], para_lines=[]), _State(stack=[], para_lines=[])
    out: list[tuple[list[Sentence], list[Sentence]]] = []
    po = pn = 0
    for ws, we, vs, ve in spans:
        if so.pending_number != sn.pending_number:
            return None
        shared = (ws - po == vs - pn and so.stack == sn.stack and so.prev_blank == sn.prev_blank
                  and so.crossed_page == sn.crossed_page and not so.para_lines
                  and not sn.para_lines)
        count = sn.para_no - so.para_no
        _scan(lo, offs_o, set(), so, po, ws, None)
        _flush(lo, offs_o, so, None)
        if shared:
            sn = replace(so, stack=list(so.stack), para_lines=[], para_no=so.para_no + count)
        else:
            _scan(ln, offs_n, set(), sn, pn, vs, None)
            _flush(ln, offs_n, sn, None)
        old_s: list[Sentence] = []
        new_s: list[Sentence] = []
        _scan(lo, offs_o, set(), so, ws, we, old_s)
        _flush(lo, offs_o, so, old_s)
        _scan(ln, offs_n, set(), sn, vs, ve, new_s)
        _flush(ln, offs_n, sn, new_s)
        out.append((old_s, new_s))
        po, pn = we, ve
    return out


def common_ends(a: Sequence[str], b: Sequence[str]) -> tuple[int, int]:
    """How many items ``a`` and ``b`` share at their start, and then at their end (the two never
    overlap: together at most the shorter length)."""
    n = min(len(a), len(b))
    head = 0
    while head < n and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail
