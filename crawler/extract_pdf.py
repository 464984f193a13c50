"""PDF -> paragraph text that does not depend on pagination, page size or font.

A PDF is a set of positioned lines, not a text: the same framework re-exported with another
template breaks lines and pages elsewhere. Versions are compared by their text's sha256, so
layout must be undone: running headers/footers and page numbers dropped, wrapped lines and
hyphenated words rejoined, paragraphs separated by one blank line, page breaks erased (a
paragraph that runs over a page is one paragraph; no page markers).

Library: pypdf, chosen by measurement (bench/pdf_choice.md): on the real framework texts
rendered to PDF it was ~5x faster than pdfminer.six with equal or better word fidelity, and
its ``visitor_text`` hook gives the position, font and size of each run of text; with the
fonts' glyph widths that is the geometry paragraph detection needs (baselines for gaps, right
edges for "would the next word have fitted?").

Every rule is chosen so that its answer cannot depend on where lines or pages break: what is
layout-dependent (page-foot position, the hyphen a wrap leaves, the length of leader dots) is
either not read or folded to one canonical form. bench/pdf_choice.md lists what still differs.
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from crawler.extract_errors import ExtractError

__all__ = ["PdfText", "extract_pdf"]

# pypdf logs every recoverable oddity of real-world PDFs at WARNING; they are not ours to show.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class PdfText:
    """Un-normalised text of a PDF (the caller normalises and applies ``ignore``)."""

    text: str
    title: str
    pages: int
    warnings: tuple[str, ...]


# A bare page number: "7", "- 7 -", "Page 7", "7 of 40", "vii".
_PAGE_NUMBER = re.compile(
    r"^\W*(?:page\s*)?(?:\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[ivxlcdm]{1,7})\W*$", re.I
)
# "4.2 Capability Thresholds", "3. Governance", "A.1 Definitions", "Appendix B: ..."
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?)|(?:[A-Z]\.\d{1,2}(?:\.\d{1,2})*\.?)"
    r"|(?:(?:Appendix|Annex|Section|Part)\s+[A-Z0-9]{1,3}[.:]?))\s+[A-Z(\"'\u201c]"
)
_BULLET = re.compile(r"^(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2043\u2219\u25a0\u2013\u2014-]\s|"
                     r"\(?[a-z0-9ivx]{1,4}[.)]\s)")
_TERMINAL = re.compile(r"[.!?:;][\"')\]\u201d\u2019]*$")


@dataclass(slots=True)
class _Line:
    text: str
    y: float | None  # baseline in page space; None when pypdf gave no position
    size: float  # effective font size
    # Horizontal geometry, None when unknown (no position, or no usable font widths):
    left: float | None = None  # x of the first glyph, page space
    right: float | None = None  # right edge of the last glyph, page space
    lead: float | None = None  # width of the line's first word
    lead1: float | None = None  # width of the line's first character
    space: float | None = None  # width of a space in the line's last font
    table: bool = False  # a whole table, rows as lines (see _tables)


class _Widths:
    """Glyph widths of a document's fonts, for "would the next word have fitted" tests.

    Built lazily from pypdf's font model (the /Widths array, or the core-14 AFM metrics for
    unembedded Helvetica/Times/Courier) and cached per font dictionary, so a page costs one
    dict lookup per character of the few runs that are measured.
    """

    def __init__(self) -> None:
        self._fonts: dict[int, tuple[object, dict[str, float] | None]] = {}

    def table(self, font: object) -> dict[str, float] | None:
        if font is None:
            return None
        hit = self._fonts.get(id(font))
        if hit is not None and hit[0] is font:
            return hit[1]
        widths: dict[str, float] | None = None
        try:
            from pypdf.generic._font import Font

            model = Font.from_font_resource(font)  # type: ignore[arg-type]
            if model.interpretable and len(model.character_widths) > 2:
                # Widths are keyed by character *code*; the text we measure is Unicode
                # (a WinAnsi right quote is code 0x92), so key them by what each code means.
                by_code = model.character_widths
                widths = dict(by_code)
                codes: list[tuple[object, object]] = list(model.character_map.items())
                if isinstance(model.encoding, dict):
                    codes += list(model.encoding.items())
                for code, uni in codes:
                    key = chr(code) if isinstance(code, int) else code
                    if isinstance(uni, str) and len(uni) == 1 and isinstance(key, str) \
                            and key in by_code:
                        widths[uni] = by_code[key]
                widths.setdefault(" ", float(model.space_width or widths["default"] / 2))
        except Exception:  # an odd font only costs us the horizontal test
            widths = None
        self._fonts[id(font)] = (font, widths)  # keep the dict alive: ids are then unique
        return widths

    @staticmethod
    def measure(table: dict[str, float], text: str) -> float:
        default = table.get("default", 500.0)
        return sum([table.get(c, default) for c in text]) / 1000.0


def _page_lines(page: object, widths: _Widths) -> list[_Line]:
    """Lines of one page in content order, each with its baseline, font size and extent."""
    lines: list[_Line] = []
    parts: list[str] = []
    # position, size, and the first/last measurable run of the line being built
    pos: list[float | None] = [None]
    size: list[float] = [0.0]
    first: list[tuple[float | None, str, dict[str, float] | None, float] | None] = [None]
    last: list[tuple[float, str, dict[str, float] | None, float] | None] = [None]

    def end_line() -> None:
        text = _clean_glyphs("".join(parts)).strip()
        parts.clear()
        if text:
            line = _Line(text, pos[0], size[0])
            if first[0] is not None:
                line.left, chunk, table, scale = first[0]
                if table is not None:
                    word = chunk.split(None, 1)[0]
                    line.lead = _Widths.measure(table, word) * scale
                    line.lead1 = _Widths.measure(table, word[:1]) * scale
            if last[0] is not None and last[0][2] is not None:
                x, chunk, table, scale = last[0]
                line.right = x + _Widths.measure(table, chunk.rstrip()) * scale
                line.space = _Widths.measure(table, " ") * scale
            lines.append(line)
        pos[0], size[0], first[0], last[0] = None, 0.0, None, None

    def visit(text: str, cm: list[float], tm: list[float], font: object, font_size: float) -> None:
        if not text:
            return
        # text-space origin -> page space: (tm x cm)
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        # Glyph widths are in 1/1000 text-space units; horizontal scale of text space:
        hscale = math.hypot(tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3])
        table = widths.table(font)
        chunks = text.split("\n")
        for i, chunk in enumerate(chunks):
            if i:
                end_line()
            if chunk.strip():
                if i == 0 and parts and size[0] and _is_marker(chunk, font_size * (scale or 1.0),
                                                               size[0], parts[-1]):
                    left = "".join(parts)
                    if _POWER_BASE.search(left):  # 10^26 FLOP: an exponent, not a footnote
                        parts.append("^" + chunk.strip())
                    continue  # a footnote marker glued to the word or number before it
                if pos[0] is None:
                    pos[0] = y
                size[0] = max(size[0], abs(font_size * (scale or 1.0)))
                # Only the chunk's first segment starts at the reported x.
                known = table if i == 0 else None
                if first[0] is None:
                    first[0] = (x if i == 0 else None, chunk.lstrip(), known, font_size * hscale)
                last[0] = (x, chunk, known, font_size * hscale)
                parts.append(chunk)
            elif chunk:
                parts.append(chunk)

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    end_line()
    return lines


# A footnote marker: a small number (or a list of them) set in a smaller size right after a
# word or number, with no space between ("Security level 3" + superscript "15").
_MARKER_TEXT = re.compile(r"\s*\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\s*|\s*[*\u2020\u2021\u00a7]\s*")
_POWER_BASE = re.compile(r"(?:^|[^\d.,])10$")
_SMALL = 0.85  # a superscript or footnote is set at most at this share of the body size


def _is_marker(chunk: str, chunk_size: float, line_size: float, before: str) -> bool:
    """Is this run a superscript footnote marker glued to the text before it?

    pypdf reports no text rise, but the marker is always set smaller than the line around it,
    and it follows the previous character without a space. Markers carry no wording: dropping
    them keeps "level 3" from reading as "level 315" and a renumbered footnote from reading as
    a changed number.
    """
    return (abs(chunk_size) < _SMALL * line_size and bool(before) and not before[-1].isspace()
            and not chunk[:1].isspace() and _MARKER_TEXT.fullmatch(chunk) is not None)


# Glyphs that carry no text: U+FFFD for an unmapped glyph, C0 controls, and private-use code
# points (symbol-font bullets and icons). A private-use glyph that opens a line is its bullet.
_NOISE = re.compile("[\ufffd\x00-\x08\x0b-\x1f\x7f\ue000-\uf8ff]")
_PUA_BULLET = re.compile(r"^\s*[\ue000-\uf8ff]\s*")


def _clean_glyphs(text: str) -> str:
    """Drop glyph noise; a private-use glyph at the start of a line becomes a bullet."""
    if text.isascii() and text.isprintable():
        return text
    text = _PUA_BULLET.sub("\u2022 ", text, count=1)
    return _NOISE.sub("", text)


def _edge_key(text: str) -> str:
    """Running headers differ only by page number: compare them with digits masked.

    A bare page number (arabic or roman) is one key whatever its value, so "7" at the foot of
    page 7 and "viii" at the foot of page 8 count as the same running element.
    """
    if _PAGE_NUMBER.match(text):
        return "#page"
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Remove page numbers and headers/footers repeated at the top/bottom edge of pages.

    Candidates are the three highest and three lowest lines of each page (by baseline, so it works
    whatever order the generator wrote them in). A candidate goes if the same text (digits
    masked; any bare page number counts as the same text) sits at the same height on at least
    half the pages (min 2): running heads are stamped at a fixed position, body text that
    merely repeats is not. A lone number that happens to be the first or last body line of a
    page is *content* (a figure, a stray page number copied into the text) and stays:
    dropping it by position alone would make the text depend on where pages break.
    """
    edges: list[dict[int, tuple[str, int]]] = []
    counts: dict[tuple[str, int], int] = {}
    for lines in pages:
        placed = sorted((i for i, ln in enumerate(lines) if ln.y is not None),
                        key=lambda i: lines[i].y or 0.0)
        idx = {i: (_edge_key(lines[i].text), round(lines[i].y or 0.0))
               for i in placed[:3] + placed[-3:]}
        edges.append(idx)
        for key in set(idx.values()):
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, math.ceil(len(pages) / 2))
    out = []
    for lines, idx in zip(pages, edges, strict=True):
        out.append([ln for i, ln in enumerate(lines)
                    if i not in idx or counts[idx[i]] < threshold])
    return out


# --- footnotes ---------------------------------------------------------------------------------

_NOTE_START = re.compile(r"^(?:(\d{1,3})(?!\d)|[*\u2020\u2021\u00a7])\.?\s*(?=\S)")


def _body_size(pages: list[list[_Line]]) -> float:
    """The font size most of the text is set in (by characters, to the half point)."""
    weight: dict[float, int] = {}
    for lines in pages:
        for ln in lines:
            if not ln.table:
                key = round(ln.size * 2) / 2
                weight[key] = weight.get(key, 0) + len(ln.text)
    return max(weight, key=weight.__getitem__) if weight else 0.0


def _take_footnotes(pages: list[list[_Line]]) -> tuple[list[list[_Line]], list[str]]:
    """Lift each page's footnotes out of the running text; return them in document order.

    Footnotes are the small-print lines below the page's last body-size line, starting with a
    note number (or *, dagger, section sign). Left in place they sit between the two halves of
    a paragraph that runs over the page break, and their "15 See ..." lines read as numbered
    headings. Their numbers are dropped (markers in the text are too, see _is_marker): which
    number a note has depends on how many notes come before it, not on what it says. A marker
    that arrived glued to a word at the body size ("noncompliance14") is removed when a note
    of that number sits at the foot of the same page.
    """
    body = _body_size(pages)
    if not body:
        return pages, []
    notes: list[str] = []
    out: list[list[_Line]] = []
    for lines in pages:
        floor = min((ln.y for ln in lines if ln.y is not None and ln.size >= 0.92 * body
                     and not ln.table), default=None)
        small = sorted((ln for ln in lines if floor is not None and ln.y is not None
                        and ln.y < floor - 0.5 and ln.size < _SMALL * body and not ln.table),
                       key=lambda ln: -(ln.y or 0.0))
        first = _NOTE_START.match(small[0].text) if small else None
        if first is None:
            out.append(lines)
            continue
        page_notes: list[list[str]] = []
        numbers: list[str] = []
        expected: int | None = None
        for ln in small:
            m = _NOTE_START.match(ln.text)
            number = m.group(1) if m else None
            starts = m is not None and (not page_notes or number is None or expected is None
                                        or int(number) == expected)
            if starts and m is not None:
                page_notes.append([ln.text[m.end():]])
                if number is not None:
                    numbers.append(number)
                    expected = int(number) + 1
            else:
                page_notes[-1].append(ln.text)
        notes.extend(" ".join(parts) for parts in page_notes)
        taken = {id(ln) for ln in small}
        kept = [ln for ln in lines if id(ln) not in taken]
        if numbers:
            # After a letter or closing punctuation, never after "4." or "1,": the "2" of
            # "Section 4.2" is a decimal, not the marker of note 2.
            alternatives = "|".join(sorted(set(numbers), key=len, reverse=True))
            glued = re.compile(r"(?<=[a-z)\].,;:])(?<!\d[.,])(?:" + alternatives
                               + r")(?=[\s.,;:)]|$)")
            # "Security level 3" + note 15 at body size: a level is one digit, so the digits
            # after it that number a note on this page are that note's marker.
            after_level = re.compile(r"(\b(?:level|tier|SL|ASL|CCL)[\s-]?\d)(?:" + alternatives
                                     + r")(?=[\s.,;:)]|$)", re.IGNORECASE)
            for ln in kept:
                if not ln.table and any(c.isdigit() for c in ln.text):
                    ln.text = after_level.sub(r"\1", glued.sub("", ln.text))
        out.append(kept)
    return out, notes


# --- tables ------------------------------------------------------------------------------------

_COL_SLACK = 2.5  # points: cells of one column start at the same x, give or take padding


def _side_by_side(a: _Line, b: _Line) -> bool:
    return (a.y is not None and b.y is not None and a.left is not None and b.left is not None
            and abs(a.y - b.y) <= 0.3 * max(a.size, b.size, 1.0)
            and b.left > (a.right if a.right is not None else a.left) + 0.5 * a.size)


def _column_of(ln: _Line, cols: list[float]) -> int | None:
    if ln.left is None or ln.y is None:
        return None
    for i, x in enumerate(cols):
        if abs(ln.left - x) <= _COL_SLACK:
            nxt = cols[i + 1] if i + 1 < len(cols) else None
            if nxt is not None and ln.right is not None and ln.right > nxt + _COL_SLACK:
                return None  # runs across the next column: body text, not a cell
            return i
    return None


def _table_rows(region: list[_Line], cols: list[float]) -> list[list[str]]:
    """Cells (consecutive lines of one column) grouped into rows by overlapping height."""
    cells: list[tuple[int, float, float, list[str]]] = []  # column, top, bottom, lines
    for ln in region:
        col = _column_of(ln, cols)
        assert col is not None and ln.y is not None
        if cells and cells[-1][0] == col and 0 < cells[-1][2] - ln.y <= 1.6 * max(ln.size, 1.0):
            c, top, _, words = cells[-1]
            words.append(ln.text)
            cells[-1] = (c, top, ln.y, words)
        else:
            cells.append((col, ln.y, ln.y, [ln.text]))
    rows: list[tuple[float, dict[int, list[str]]]] = []  # bottom, cells by column
    for col, top, bottom, words in sorted(cells, key=lambda c: -c[1]):
        if rows and top >= rows[-1][0] - 1.0:
            row_bottom, by_col = rows[-1]
            by_col.setdefault(col, []).extend(words)
            rows[-1] = (min(row_bottom, bottom), by_col)
        else:
            rows.append((bottom, {col: list(words)}))
    return [[" ".join(by_col.get(i, [])) for i in range(len(cols))] for _, by_col in rows]


def _is_header(header: list[str]) -> bool:
    """Whether a first row reads as column names: short, at least two, no figures."""
    return all(len(h.split()) <= 5 for h in header) and sum(1 for h in header if h) >= 2 \
        and not any(re.search(r"\d%|\d{3,}", h) for h in header)


def _table_text(rows: list[list[str]], *, continued: bool = False) -> str:
    """One line per row; with a header row, every cell carries its column's name.

    "Threshold: 22%" rather than a bare "22%" makes a changed cell say what it is, and a row
    that is one line stays one unit however its cells wrapped. ``continued``: the rows go on
    a table from the page before, whose header line is not written again.
    """
    header = rows[0]
    labelled = len(rows) > 1 and _is_header(header)
    lines = [] if continued else [" | ".join(h for h in header if h)]
    for row in rows[1:]:
        if labelled:
            cells = [f"{h}: {c}" if h else c for h, c in zip(header, row, strict=True) if c]
        else:
            cells = [c for c in row if c]
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _tables(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Replace each table on a page by one line holding the table, rows as lines.

    A table starts where two or more lines sit side by side on one baseline, in content order
    (a header row); those lines' left edges are the columns. It runs on while each next line
    starts at one of the columns and does not run across the next one. Two columns of prose
    are not a table: their lines come one column after the other, never side by side in
    content order. A single row is not a table either (a heading number and its title).
    """
    out = []
    open_header: list[str] | None = None  # of a table that ends the page before
    for lines in pages:
        kept: list[_Line] = []
        last_header: list[str] | None = None  # of the page's last table
        i = 0
        while i < len(lines):
            k = i
            while k + 1 < len(lines) and _side_by_side(lines[k], lines[k + 1]):
                k += 1
            if k == i:
                kept.append(lines[i])
                i += 1
                continue
            cols = [ln.left for ln in lines[i : k + 1] if ln.left is not None]
            j = k + 1
            while j < len(lines) and _column_of(lines[j], cols) is not None:
                j += 1
            rows = _table_rows(lines[i:j], cols)
            # A table running on from the page before: its header, if repeated, is layout,
            # and rows without one still belong under the columns of the page before.
            continued = (not kept and open_header is not None and len(rows[0]) == len(open_header)
                         and (rows[0] == open_header or len(rows) >= 2))
            if continued and open_header is not None:
                rows = [open_header, *(rows[1:] if rows[0] == open_header else rows)]
            if len(rows) < 2:
                kept.extend(lines[i:j])
            else:
                first = lines[i]
                kept.append(_Line(_table_text(rows, continued=continued), first.y, first.size,
                                  table=True))
                last_header = rows[0] if _is_header(rows[0]) else None
            i = j
        open_header = last_header if _ends_in_table(kept) else None
        out.append(kept)
    return out


def _ends_in_table(lines: list[_Line]) -> bool:
    """Whether a page's body ends with a table: only smaller print (footnotes) after it."""
    last = next((k for k in range(len(lines) - 1, -1, -1) if lines[k].table), None)
    if last is None:
        return False
    return all(ln.size < 0.9 * lines[last].size for ln in lines[last + 1:])


# --- tables of contents ------------------------------------------------------------------------

_TOC_TITLE = re.compile(r"^(?:table of )?contents:?$", re.I)
_TOC_ENTRY = re.compile(r"^(.{2,120}?)\s*(?:\.\.\.\s*|\s)(?:page\s*)?\d{1,3}$", re.I)
_BARE_PAGE = re.compile(r"^\d{1,3}$")
_TOC_RUN = re.compile(r"^(?:\D{2,80}?\s\d{1,3}\s*){3,}$")  # entries run together on one line
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.\d{1,2}(?:\.\d{1,2})*\.?)\s+")


def _drop_contents(paragraphs: list[str]) -> list[str]:
    """Remove table-of-contents blocks: a "Contents" title and the entries after it, or a run
    of four or more "Title ... 12" entries with leaders.

    A TOC repeats the headings with page numbers, which move whenever anything above them
    reflows: kept, every re-export would be a change. Entries are lines that end in a page
    number, bare page numbers, or (after a title) short lines that are the opening words of a
    later paragraph, i.e. of a heading.
    """
    if len(paragraphs) < 3:
        return paragraphs
    bare = [p.lstrip("# ").strip() for p in paragraphs]
    # Compared without section numbers: contents pages and headings number differently.
    titles = [_SECTION_NUMBER.sub("", p).lower() for p in bare]

    def repeated_later(j: int) -> bool:
        entry = titles[j]
        return len(entry) >= 3 and any(q.startswith(entry) for q in titles[j + 1 :])

    drop: set[int] = set()
    i = 0
    while i < len(paragraphs):
        titled = bool(_TOC_TITLE.match(bare[i]))
        start = j = i + 1 if titled else i
        while j < len(paragraphs) and (
                (_TOC_ENTRY.match(bare[j]) and (titled or " ... " in bare[j]))
                or (titled and (_BARE_PAGE.match(bare[j]) or _TOC_RUN.match(bare[j])))):
            j += 1
        if titled and j == start:
            # No page numbers: the entries are the titles of later headings. Take the short,
            # unpunctuated lines that follow, up to the last one that is repeated later on.
            k, last, repeats = start, start, 0
            while k < len(paragraphs) and len(bare[k]) <= 100 and not bare[k].endswith(
                    (".", ",", ";")):
                if repeated_later(k):
                    repeats, last = repeats + 1, k + 1
                k += 1
            if repeats >= 2 and repeats >= 0.6 * (last - start):
                j = last
        entries = j - start
        if (titled and entries >= 2) or (not titled and entries >= 4):
            drop.update(range(i, j))
            i = j
        else:
            i += 1
    return [p for n, p in enumerate(paragraphs) if n not in drop] if drop else paragraphs


# --- rejoining words that a line break or an earlier extraction split at a hyphen ------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# "<token ending in a letter/digit><hyphen><spaces>" followed by the next token. Lines are
# joined with a space first, so a hyphen at a line end and the same hyphen followed by a space
# inside a line (how a copy of an earlier PDF extraction keeps "trans- mission") look alike:
# whatever we decide cannot depend on where the line broke.
_SPLIT = re.compile(r"(?<!\S)(\S*?[^\W_])[-\u00ad\u2010] +(?=(\S+))")
_TAIL_LETTERS = re.compile(r"([^\W\d_]+)$")
_HEAD_LOWER = re.compile(r"[^\W\d_A-Z]+")
_URLISH = re.compile(r"://|^www\.|^[\w.+-]+@|/|\.[a-z]{2,}[/.]", re.I)
# "pre- and post-deployment", "short- or long-term": a suspended hyphen, kept as written.
_SUSPENDED = frozenset({"and", "or", "nor", "to", "through", "vs", "versus", "und", "oder",
                        "et", "ou"})


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """How the document itself spells words, outside any hyphen-space split."""

    words: frozenset[str]  # lower-cased single words ("risk", "based")
    compounds: frozenset[str]  # lower-cased hyphenated compounds ("risk-based")


def _vocabulary(paragraphs: list[str]) -> _Vocabulary:
    """Collect spellings from every paragraph with the hyphen-space splits masked out.

    The splits are masked because which of them exist depends on the layout (a compound that
    wraps at its hyphen in A5 is whole in A4); everything else in the text does not.
    """
    words: set[str] = set()
    compounds: set[str] = set()
    for paragraph in paragraphs:
        masked = _SPLIT.sub(" ", paragraph)
        for token in _WORD.findall(masked):
            (compounds if "-" in token else words).add(token.lower())
    return _Vocabulary(frozenset(words), frozenset(compounds))


def _rejoin_splits(paragraph: str, vocab: _Vocabulary) -> str:
    """Resolve every "word- word" split in a paragraph the same way, wherever lines broke.

    - inside a URL, e-mail address or path: the hyphen belongs there ("risk-" + "report.pdf");
    - before "and"/"or"/"to": a suspended hyphen ("pre- and post-mitigation"), kept;
    - before a capital or a digit ("non-" + "Western", "GPT-" + "4"): a compound, kept;
    - otherwise the document decides: its own spelling "risk-based" or "accountability" wins;
      with no spelling either way, a compound of two words it uses ("decision" + "making") keeps
      the hyphen and anything else ("accoun" + "tability", "trans" + "mission") is one word.
    """
    if "- " not in paragraph and "\u00ad " not in paragraph and "\u2010 " not in paragraph:
        return paragraph

    def resolve(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if _URLISH.search(left):
            return left + "-"
        head = _HEAD_LOWER.match(right)
        if head is None:  # capital, digit, bracket: the hyphen is part of a compound
            return left + "-"
        b = head.group(0).lower()
        if b in _SUSPENDED and len(head.group(0)) == len(right.rstrip(",.;:")):
            return left + "- "
        tail = _TAIL_LETTERS.search(left)
        if tail is None:  # "2023-" + "onwards", "ASL-3-" + "level"
            return left + "-"
        a = tail.group(1).lower()
        hyphenated, joined = f"{a}-{b}" in vocab.compounds, f"{a}{b}" in vocab.words
        if hyphenated != joined:
            return left + "-" if hyphenated else left
        if hyphenated or (len(a) > 2 and a in vocab.words and b in vocab.words):
            return left + "-"
        return left

    return _SPLIT.sub(resolve, paragraph)


# "Introduction ........ 3", "4.1 Safeguards . . . . . . 10", "Scope ……… 4": the number of
# dots depends on the page width and the font, so any run of four or more dots, two or more
# ellipses, or one ellipsis before a page number becomes one canonical leader. Three dots and
# a lone ellipsis in prose are left alone.
_LEADER = re.compile(
    r" *(?:\.(?: ?\.){3,}|\u2026(?: ?[.\u2026])+|\u2026(?= ?\d{1,4}(?:\s|$)))(?: ?[.\u2026])* *")


def _canonical_leaders(paragraph: str) -> str:
    """Replace table-of-contents leaders by " ... " (see _LEADER)."""
    if "..." in paragraph or ". ." in paragraph or "\u2026" in paragraph:
        return _LEADER.sub(" ... ", paragraph)
    return paragraph


# --- paragraphs -------------------------------------------------------------------------------

# How a sentence or an item starts: not with a lower-case letter. Private-use characters are
# the bullets of symbol fonts (Wingdings, Symbol) as most PDFs map them.
_SENTENCE_START = re.compile(
    "[^\\W_a-z\u00df-\u00ff]|[\"'(\\[\u201c\u2018\u2022\u25cf\u25aa\u2013\u2014\uf000-\uf8ff\x7f-]")
# A sentence ends with . ! ? (closing quotes/brackets allowed), but not in a leader ". . ."
_SENTENCE_END = re.compile(r"(?<![.\s][.\s])(?<!\.)[.!?][\"')\]\u201d\u2019]*$")
_LAST_TOKEN = re.compile(r"\S+$")


def _right_margin(lines: list[_Line]) -> float | None:
    """Where full lines end: a high percentile of measured right edges, not the maximum.

    An unbreakable URL can overflow the margin; a percentile ignores it. Being a little short
    of the true margin only makes the fit test more cautious.
    """
    rights = sorted(ln.right for ln in lines if ln.right is not None)
    if len(rights) < 5:
        return None
    return rights[min(len(rights) - 1, int(len(rights) * 0.97))]


_FIT_SLACK = 0.1  # em


def _room_for_next_word(prev: _Line, nxt: _Line, margin: float | None) -> bool | None:
    """Would the next line's first word have fitted at the end of ``prev``?

    Text set flush left or justified is filled greedily (justification only spreads the
    leftover room, which is by definition narrower than the next word): a line that stops
    although the next word would have fitted ends its paragraph, or was broken by hand.
    Either way every layout breaks there, so splitting there is stable. None when a width is
    unknown (no /Widths, no position) or the lines are not in one column.
    """
    if margin is None or prev.right is None or nxt.lead is None or prev.space is None:
        return None
    if prev.left is not None and nxt.left is not None and abs(prev.left - nxt.left) > margin / 3:
        return None  # table cells or columns side by side: this margin is not theirs
    # Measured widths are good to a point or so (unmapped glyphs, engines that let a line
    # overhang), so the word must fit with a little to spare.
    return prev.right + prev.space + nxt.lead <= margin - _FIT_SLACK * prev.size


def _split_mid_word(prev: _Line, nxt: _Line, margin: float | None) -> bool:
    """Did the layout engine cut a too-long token (a URL) at the margin, inside the token?

    Engines split a word only when it cannot fit on a line at all, and then fill the line to
    the last glyph that fits: so the line is full to within one character, and its last token
    looks like a URL or path (or is the whole line). Rejoining it without a space gives the
    text of a layout wide enough not to split it.
    """
    if margin is None or prev.right is None or nxt.lead1 is None:
        return False
    if prev.right + nxt.lead1 <= margin + 0.5:
        return False
    token = _LAST_TOKEN.search(prev.text)
    if token is None or prev.text.endswith((",", ";", ")")):
        return False  # a list of URLs: the break is between them
    head = nxt.text.split(None, 1)[0]
    if re.match(r"https?:|www\.", head, re.I):
        return False
    return token.group(0) == prev.text or bool(re.search(r"://|^www\.", token.group(0)))


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """Rejoin lines into paragraphs, across page breaks, from geometry that survives re-layout.

    Every rule reads only what a re-layout keeps: vertical gaps and font sizes inside a page,
    how full a line is (would the next word have fitted?), and how sentences end and start.
    Nothing depends on where a line sits on its page.

    Within a page a new paragraph starts at a vertical gap wider than 1.3x the usual line pitch
    for that font size, at a font-size change, when the baseline moves up (a new column), after
    a line that stopped although the next word would have fitted, or at an indented
    bullet/numbered item after a line that ends a sentence.

    Across a page break the vertical gap means nothing, so the line before the break is judged
    by how it ends:

    - a font-size change starts a new paragraph;
    - a line that stopped although the next word would have fitted is a paragraph's last line
      (when widths are unknown, a line under 80% of the usual full length in characters);
    - a full line that ends a sentence (. ! ?), followed by one that starts like a sentence or
      an item (capital, digit, bullet, quote), ends the paragraph too. This is a guess: a
      sentence can end exactly at the margin of a page's last line. It is the one residual
      layout dependence, and it is rare (it needs both coincidences at once);
    - anything else continues the paragraph.
    """
    all_lines = [ln for lines in pages for ln in lines if not ln.table]
    if not all_lines and not any(pages):
        return []
    pitches: list[float] = []
    for lines in pages:
        for a, b in zip(lines, lines[1:], strict=False):
            if a.y is not None and b.y is not None and abs(a.size - b.size) < 0.5:
                dy = a.y - b.y
                if 0 < dy < 4 * max(a.size, 1.0):
                    pitches.append(dy / max(a.size, 1.0))
    # Line pitch relative to font size: a low percentile, not the median, because in a
    # document of one-line paragraphs the most common distance is the paragraph gap. Capped:
    # a short document may have no wrapped lines at all.
    pitches.sort()
    pitch = min(pitches[len(pitches) // 7], 1.6) if pitches else 1.2
    lengths = sorted(len(ln.text) for ln in all_lines)
    full = lengths[int(len(lengths) * 0.9)] if lengths else 0
    margin = _right_margin(all_lines)

    paras: list[list[str]] = []
    prev: _Line | None = None
    for lines in pages:
        for i, ln in enumerate(lines):
            new = prev is None or ln.table or prev.table
            if not new and prev is not None:
                size_change = abs(ln.size - prev.size) > 0.15 * max(prev.size, 1.0)
                item = bool(_BULLET.match(ln.text) or _NUMBERED_HEADING.match(ln.text))
                fitted = _room_for_next_word(prev, ln, margin)
                if i == 0:  # first line of a page: no usable gap
                    if fitted is None:
                        fitted = len(prev.text) < 0.8 * full
                    ends = bool(_SENTENCE_END.search(prev.text))
                    starts = bool(_SENTENCE_START.match(ln.text))
                    new = size_change or fitted or (ends and (starts or item))
                elif ln.y is None or prev.y is None:
                    new = size_change
                else:
                    dy = prev.y - ln.y
                    gap = dy > 1.3 * pitch * max(min(ln.size, prev.size), 1.0)
                    # An item after a full line: only if indentation marks it (an unindented
                    # "2." that wrapped to a line start is just a wrapped sentence).
                    indented = (fitted is None or (prev.left is not None and ln.left is not None
                                                   and abs(prev.left - ln.left) > 1.0))
                    new = (gap or dy < -0.5 * ln.size or size_change
                           or (bool(_TERMINAL.search(prev.text)) and item
                               and (indented or bool(fitted))))
            if new:
                paras.append([ln.text])
            elif prev is not None and _split_mid_word(prev, ln, margin):
                paras[-1][-1] += ln.text
            else:
                paras[-1].append(ln.text)
            prev = ln
    joined = [" ".join(p) for p in paras]
    vocab = _vocabulary(joined)
    return [_canonical_leaders(_rejoin_splits(p, vocab)) for p in joined]


def _heading(paragraph: str) -> str:
    """Mark numbered headings ("4.2 Capability Thresholds") as ``## ``, conservatively.

    Only a short block that starts with a section number followed by a capitalised word and
    does not end like a sentence; a numbered list item that is a sentence stays a paragraph.
    """
    if (len(paragraph) <= 100 and _NUMBERED_HEADING.match(paragraph)
            and not paragraph.rstrip().endswith((".", ",", ";"))):
        return "## " + paragraph
    return paragraph


def _declared_page_count(reader: Any) -> int | None:
    """The page tree's /Count, read without flattening the tree (a 150,000-page tree takes
    pypdf minutes and memory to walk); None when absent or not a number."""
    try:
        count = reader.trailer["/Root"]["/Pages"].get("/Count")
        return int(count) if count is not None else None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def extract_pdf(body: bytes, *, max_pages: int = 500, timeout: float = 60.0) -> PdfText:
    """Extract the text of a PDF, or raise ExtractError with a stable kind.

    Over ``max_pages`` raises "pdf_too_large" instead of extracting a prefix: a truncated text
    would diff as "everything after page N was removed" the day the document grows, which is
    the worst false alarm this tool could send. The time budget is checked between pages
    ("pdf_timeout"); a single pathological page is bounded only by pypdf itself.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise ExtractError("encrypted_pdf", f"cannot decrypt the PDF: {exc}") from exc
            if not unlocked:
                raise ExtractError("encrypted_pdf", "the PDF needs a password to open")
        declared = _declared_page_count(reader)
        if declared is not None and declared > max_pages:  # before walking the page tree
            raise ExtractError("pdf_too_large",
                               f"{declared} pages, more than the limit of {max_pages}")
        count = len(reader.pages)
    except ExtractError:
        raise
    except FileNotDecryptedError as exc:
        raise ExtractError("encrypted_pdf", f"the PDF needs a password: {exc}") from exc
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on corrupt files
        if type(exc).__name__ == "LimitReachedError":  # pypdf ≥ 5: its own size guards
            raise ExtractError("pdf_too_large", f"the PDF is larger than its reader's safety "
                               f"limits ({exc}); the page limit is {max_pages}") from exc
        raise ExtractError("bad_pdf", f"cannot read the PDF: {exc}") from exc
    if count > max_pages:
        raise ExtractError("pdf_too_large", f"{count} pages, more than the limit of {max_pages}")
    if count == 0:
        raise ExtractError("bad_pdf", "the PDF has no pages")

    pages: list[list[_Line]] = []
    warnings: list[str] = []
    widths = _Widths()
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() - started > timeout:
            raise ExtractError("pdf_timeout", f"gave up after {timeout:g} s at page {number}"
                               f" of {count}")
        try:
            pages.append(_page_lines(page, widths))
        except Exception as exc:  # one broken page should not lose the other 80
            warnings.append(f"page {number}: text not extractable ({exc.__class__.__name__})")
            pages.append([])
    if time.monotonic() - started > timeout:
        raise ExtractError("pdf_timeout", f"gave up after {timeout:g} s ({count} pages)")
    if len(warnings) == count:
        raise ExtractError("bad_pdf", "no page of the PDF could be read")

    body, notes = _take_footnotes(_tables(_drop_running_lines(pages)))
    paragraphs = [_heading(p) for p in _drop_contents(_paragraphs(body))]
    if notes:
        vocab = _vocabulary(notes)
        paragraphs += ["## Footnotes", *(_rejoin_splits(" ".join(n.split()), vocab)
                                         for n in notes)]
    title = ""
    try:
        meta = reader.metadata
        title = str(meta.title or "") if meta else ""
    except Exception:  # broken Info dictionary: the title is optional
        warnings.append("PDF metadata unreadable")
    return PdfText("\n\n".join(paragraphs), title, count, tuple(warnings))
