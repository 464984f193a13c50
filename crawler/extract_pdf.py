"""PDF -> paragraph text that does not depend on pagination, page size or font.

A PDF is a set of positioned lines, not a text: the same framework re-exported with another
template breaks lines and pages elsewhere. Versions are compared by their text's sha256, so
layout must be undone: running headers/footers and page numbers dropped, wrapped lines and
hyphenated words rejoined, paragraphs separated by one blank line, page breaks erased (a
paragraph that runs over a page is one paragraph; no page markers).

Library: pypdf, chosen by measurement (bench/pdf_choice.md): on the real framework texts
rendered to PDF it was ~5x faster than pdfminer.six with equal or better word fidelity, and
its ``visitor_text`` hook gives the baseline and font size of each run of text, which is the
geometry paragraph detection needs.
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
from dataclasses import dataclass

from crawler.extract import ExtractError

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


@dataclass(slots=True)
class _Line:
    text: str
    y: float | None  # baseline in page space; None when pypdf gave no position
    size: float  # effective font size


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
_HYPHEN_END = re.compile(r"[A-Za-z\u00c0-\u024f][-\u00ad\u2010]$")


def _page_lines(page: object) -> list[_Line]:
    """Lines of one page in content order, each with its baseline and font size."""
    lines: list[_Line] = []
    parts: list[str] = []
    pos: list[float | None] = [None]
    size: list[float] = [0.0]

    def end_line() -> None:
        text = "".join(parts).strip()
        parts.clear()
        if text:
            lines.append(_Line(text, pos[0], size[0]))
        pos[0], size[0] = None, 0.0

    def visit(text: str, cm: list[float], tm: list[float], font: object, font_size: float) -> None:
        if not text:
            return
        # text-space origin -> page space: (tm x cm)
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        chunks = text.split("\n")
        for i, chunk in enumerate(chunks):
            if i:
                end_line()
            if chunk.strip():
                if pos[0] is None:
                    pos[0] = y
                size[0] = max(size[0], abs(font_size * (scale or 1.0)))
                parts.append(chunk)
            elif chunk:
                parts.append(chunk)

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    end_line()
    return lines


def _edge_key(text: str) -> str:
    """Running headers differ only by page number: compare them with digits masked."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Remove page numbers and headers/footers repeated at the top/bottom edge of pages.

    Candidates are the two highest and two lowest lines of each page (by baseline, so it works
    whatever order the generator wrote them in). A candidate goes if it is a bare page number,
    or if the same text (digits masked) sits at the same height on at least half the pages
    (min 2): running heads are stamped at a fixed position, body text that merely repeats is not.
    """
    edges: list[dict[int, tuple[str, int]]] = []
    counts: dict[tuple[str, int], int] = {}
    for lines in pages:
        placed = sorted((i for i, ln in enumerate(lines) if ln.y is not None),
                        key=lambda i: lines[i].y or 0.0)
        idx = {i: (_edge_key(lines[i].text), round(lines[i].y or 0.0))
               for i in placed[:2] + placed[-2:]}
        edges.append(idx)
        for key in set(idx.values()):
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, math.ceil(len(pages) / 2))
    out = []
    for lines, idx in zip(pages, edges, strict=True):
        out.append([
            ln for i, ln in enumerate(lines)
            if i not in idx or not (_PAGE_NUMBER.match(ln.text) or counts[idx[i]] >= threshold)
        ])
    return out


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LAST_PART = re.compile(r"([^\W\d_]+)[-\u00ad\u2010]$")
_FIRST_PART = re.compile(r"[^\W\d_]+")


def _vocabulary(pages: list[list[_Line]]) -> set[str]:
    """Lower-cased words (hyphenated compounds kept whole) as they appear inside lines."""
    return {w.lower() for lines in pages for ln in lines for w in _WORD.findall(ln.text)}


def _join(prev: str, nxt: str, vocabulary: set[str]) -> str:
    """Join two wrapped lines, undoing a hyphenation at the end of the first.

    "accoun-" + "tability" becomes "accountability". A compound that merely wrapped at its own
    hyphen ("risk-" + "based") keeps it when the document writes "risk-based" elsewhere and
    never "riskbased": the document's own spelling is the only evidence a layout gives us.
    """
    if _HYPHEN_END.search(prev) and nxt[:1].islower():
        last, first = _LAST_PART.search(prev), _FIRST_PART.match(nxt)
        if last and first:
            a, b = last.group(1).lower(), first.group(0).lower()
            if f"{a}-{b}" in vocabulary and f"{a}{b}" not in vocabulary:
                return prev[:-1] + "-" + nxt
        return prev[:-1] + nxt
    return prev + " " + nxt


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """Rejoin lines into paragraphs, across page breaks, from geometry that survives re-layout.

    Within a page a new paragraph starts at a vertical gap wider than 1.3x the usual line pitch
    for that font size, at a font-size change, when the baseline moves up (a new column), or at
    a bullet/numbered item after a line that ends a sentence. Across a page break the gap is
    meaningless, so the paragraph continues unless the last line was short (a paragraph's last
    line, or a heading), the font size changed, or a sentence ended and an item or heading
    starts.
    """
    all_lines = [ln for lines in pages for ln in lines]
    if not all_lines:
        return []
    vocabulary = _vocabulary(pages)
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

    paras: list[list[str]] = []
    prev: _Line | None = None
    for lines in pages:
        for i, ln in enumerate(lines):
            new = prev is None
            if prev is not None:
                size_change = abs(ln.size - prev.size) > 0.15 * max(prev.size, 1.0)
                ends_sentence = bool(_TERMINAL.search(prev.text))
                item = bool(_BULLET.match(ln.text) or _NUMBERED_HEADING.match(ln.text))
                if i == 0:  # first line of a page: no usable gap
                    short = len(prev.text) < 0.8 * full
                    new = size_change or short or (ends_sentence and item)
                elif ln.y is None or prev.y is None:
                    new = size_change
                else:
                    dy = prev.y - ln.y
                    gap = dy > 1.3 * pitch * max(min(ln.size, prev.size), 1.0)
                    new = gap or dy < -0.5 * ln.size or size_change or (ends_sentence and item)
            if new:
                paras.append([ln.text])
            else:
                paras[-1][-1] = _join(paras[-1][-1], ln.text, vocabulary)
            prev = ln
    return [p[0] for p in paras]


def _heading(paragraph: str) -> str:
    """Mark numbered headings ("4.2 Capability Thresholds") as ``## ``, conservatively.

    Only a short block that starts with a section number followed by a capitalised word and
    does not end like a sentence; a numbered list item that is a sentence stays a paragraph.
    """
    if (len(paragraph) <= 100 and _NUMBERED_HEADING.match(paragraph)
            and not paragraph.rstrip().endswith((".", ",", ";"))):
        return "## " + paragraph
    return paragraph


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
        count = len(reader.pages)
    except ExtractError:
        raise
    except FileNotDecryptedError as exc:
        raise ExtractError("encrypted_pdf", f"the PDF needs a password: {exc}") from exc
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on corrupt files
        raise ExtractError("bad_pdf", f"cannot read the PDF: {exc}") from exc
    if count > max_pages:
        raise ExtractError("pdf_too_large", f"{count} pages, more than the limit of {max_pages}")
    if count == 0:
        raise ExtractError("bad_pdf", "the PDF has no pages")

    pages: list[list[_Line]] = []
    warnings: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() - started > timeout:
            raise ExtractError("pdf_timeout", f"gave up after {timeout:g} s at page {number}"
                               f" of {count}")
        try:
            pages.append(_page_lines(page))
        except Exception as exc:  # one broken page should not lose the other 80
            warnings.append(f"page {number}: text not extractable ({exc.__class__.__name__})")
            pages.append([])
    if time.monotonic() - started > timeout:
        raise ExtractError("pdf_timeout", f"gave up after {timeout:g} s ({count} pages)")
    if len(warnings) == count:
        raise ExtractError("bad_pdf", "no page of the PDF could be read")

    paragraphs = [_heading(p) for p in _paragraphs(_drop_running_lines(pages))]
    title = ""
    try:
        meta = reader.metadata
        title = str(meta.title or "") if meta else ""
    except Exception:  # broken Info dictionary: the title is optional
        warnings.append("PDF metadata unreadable")
    return PdfText("\n\n".join(paragraphs), title, count, tuple(warnings))
