"""Benchmark text extraction (run by hand; not part of the test suite).

    python bench/bench_extract.py html [--pages 300] [--kb 56]   # median ms/page of extract()
    python bench/bench_extract.py pdf  [--corpus DIR]             # pypdf vs pdfminer.six
    python bench/bench_extract.py kept [--pages 50]               # collapsed text kept, share

The HTML pages are generated to look like real framework pages: a site header with a large
nested nav, a cookie/consent banner, inline scripts and styles, a per-request timestamp and
nonce (which must not reach the text), then an article of headings, paragraphs, lists and a
table, and a big footer. Paragraph words come from the real framework texts in
../shared/corpus when present, so word lengths and punctuation are realistic.

The PDF mode renders those corpus texts to PDF with reportlab and measures, for each library:
time per page, peak Python memory (tracemalloc) and word-level fidelity against the source
text (difflib ratio over word sequences, after the same normalisation the extractor uses).
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import re
import statistics
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.extract import ExtractRules, extract  # noqa: E402
from crawler.normalize import normalize_text  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_texts(corpus: Path = CORPUS) -> dict[str, str]:
    """The stored framework texts, minus their 5-line provenance header."""
    texts = {}
    for path in sorted(corpus.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        if "-----\n" in raw:
            texts[path.stem] = raw.split("-----\n", 1)[1]
    return texts


def _sentences() -> list[str]:
    words = " ".join(corpus_texts().values()).split()
    if not words:
        words = ("we will evaluate models for catastrophic capability thresholds before each "
                 "deployment and publish the results").split()
    out, i = [], 0
    rng = random.Random(7)
    while i < len(words) and len(out) < 5000:
        n = rng.randint(12, 40)
        out.append(" ".join(words[i : i + n]).replace("<", "").replace("&", "and"))
        i += n
    return out


def make_page(seed: int, kb: int = 56, collapsed: bool = False) -> bytes:
    """One realistic page of about ``kb`` KiB; differs per seed and carries a timestamp.

    ``collapsed`` puts each section's body behind an accordion trigger, hidden the three ways
    pages do it (``hidden``, ``aria-hidden`` + ``display:none``, ``visibility:hidden``): the
    same words, as a reader who expands them sees them.
    """
    rng = random.Random(seed)
    sents = _sentences()
    nav = "".join(
        f'<li class="nav-item"><a href="/section/{i}">Section {i}</a><ul class="sub">'
        + "".join(f'<li><a href="/section/{i}/{j}">Topic {j}</a></li>' for j in range(6))
        + "</ul></li>"
        for i in range(10)
    )
    head = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>Frontier Safety Framework {seed}</title>"
        '<meta name="viewport" content="width=device-width">'
        + "".join(f'<link rel="stylesheet" href="/c/{i}.css">' for i in range(6))
        + "<style>" + ".c{color:red;margin:0 auto}" * 150 + "</style>"
        + '<script type="application/ld+json">{"@type":"WebPage","name":"x"}</script>'
        + "<script>window.dataLayer=[];" + "function f(a){return a*2};" * 200 + "</script>"
        "</head><body class='page'>"
        f'<header class="site-header"><nav aria-label="main"><ul>{nav}</ul></nav></header>'
        '<div id="onetrust-consent-sdk"><div class="ot-banner"><p>We use cookies to improve '
        "your experience.</p><button>Accept all</button><button>Reject</button></div></div>"
        f'<div class="ts" aria-hidden="true">rendered {time.time_ns()} nonce {rng.random()}</div>'
    )
    parts = [head, '<main id="content"><article><h1>Frontier Safety Framework</h1>']
    size = sum(map(len, parts))
    section = 0
    while size < kb * 1024 - 6000:
        section += 1
        block = [f"<h2>{section}. {rng.choice(sents)[:60]}</h2>"]
        for _ in range(rng.randint(2, 5)):
            s = rng.choice(sents).split()
            k = rng.randrange(len(s))
            s[k] = f'<a href="/ref/{k}">{s[k]}</a>'
            s[0] = f"<strong>{s[0]}</strong>"
            block.append(f'<p class="body-text"><span>{" ".join(s)}</span> '
                         f"{rng.choice(sents)}</p>")
        if section % 3 == 0:
            block.append("<ul>" + "".join(f"<li>{rng.choice(sents)}</li>" for _ in range(5))
                         + "</ul>")
        if section % 5 == 0:
            block.append("<table><thead><tr><th>Level</th><th>Threshold</th><th>Response</th>"
                         "</tr></thead><tbody>" + "".join(
                             f"<tr><td>CCL {i}</td><td>{rng.choice(sents)[:80]}</td>"
                             f"<td><p>{rng.choice(sents)[:60]}</p></td></tr>" for i in range(4))
                         + "</tbody></table>")
        plain_size = sum(map(len, block))  # same sections either way
        if collapsed:
            hide = ("hidden", 'aria-hidden="true" style="display:none"',
                    'style="visibility: hidden"')[section % 3]
            block[1:] = [f'<div id="s{section}" class="accordion-body" {hide}>', *block[1:],
                         "</div>"]
            block[0] = (f'<h2><button aria-expanded="false" aria-controls="s{section}">'
                        f'{block[0][4:-5]}<span aria-hidden="true">+</span></button></h2>')
        parts.append("".join(block))
        size += plain_size
    footer = "".join(f'<li><a href="/f/{i}">Footer link {i}</a></li>' for i in range(80))
    parts.append(f'</article></main><footer class="site-footer"><ul>{footer}</ul>'
                 "<p>Copyright 2025</p></footer></body></html>")
    return "".join(parts).encode()


def _extract_all(pages: list[bytes]) -> int:
    rules = ExtractRules()
    return sum(len(extract(p, "text/html; charset=utf-8", rules).text) for p in pages)


def bench_html(n: int, kb: int) -> None:
    pages = [make_page(i, kb) for i in range(n)]
    rules = ExtractRules()
    for p in pages[:20]:  # warm caches (compiled XPath, parser)
        extract(p, "text/html", rules)
    times = []
    gc.collect()
    for p in pages:
        t0 = time.perf_counter()
        extract(p, "text/html; charset=utf-8", rules)
        times.append((time.perf_counter() - t0) * 1000)
    avg_kb = statistics.mean(map(len, pages)) / 1024
    times.sort()
    print(f"html: {n} pages, mean {avg_kb:.1f} KiB: median {statistics.median(times):.2f} ms/page,"
          f" p90 {times[int(n * 0.9)]:.2f} ms, max {times[-1]:.2f} ms")
    sample = extract(pages[0], "text/html", rules).text
    assert "cookies" not in sample and "rendered" not in sample and "Footer link" not in sample
    # The daily-cycle shape: 1,000 pages over two worker processes.
    batch = [make_page(i, kb) for i in range(1000)]
    chunks = [batch[i::2] for i in range(2)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_extract_all, chunks))
    print(f"html: 1,000 pages on 2 processes: {time.perf_counter() - t0:.2f} s wall "
          "(including process start-up and pickling)")


def _kept_share(expected: str, got: str) -> float:
    a, b = expected.split(), got.split()
    matched = sum(m.size for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched / max(1, len(a))


def bench_kept(n: int, kb: int) -> None:
    """Share of the expanded text that extraction keeps when sections are collapsed."""
    rules = ExtractRules()
    shares = []
    for seed in range(n):
        plain = extract(make_page(seed, kb), "text/html", rules).text
        folded = extract(make_page(seed, kb, collapsed=True), "text/html", rules).text
        shares.append(_kept_share(plain, folded))
    print(f"kept: {n} generated pages with every section collapsed: median "
          f"{statistics.median(shares):.1%} of the expanded text kept, min {min(shares):.1%}")
    fixture = Path(__file__).resolve().parents[1] / "tests/fixtures/extract"
    page = fixture / "collapsed_framework_page.html"
    if page.exists():
        from lxml import html as lxml_html

        article = lxml_html.fromstring(page.read_bytes()).cssselect("article")[0]
        for el in article.cssselect(".breadcrumbs, .share-buttons, .modal, button.read-more,"
                                    " span[aria-hidden]"):
            el.drop_tree()
        got = extract(page.read_bytes(), "text/html", rules).text
        got = re.sub(r"^#+ |^- | \| ", " ", got, flags=re.M)
        print(f"kept: {page.name}: {_kept_share(article.text_content(), got):.1%} of the "
              "expanded article text")


# ----------------------------------------------------------------------------------------------
# PDF: pypdf vs pdfminer.six
# ----------------------------------------------------------------------------------------------


def render_pdf(text: str, pagesize: tuple[float, float] | None = None, font: str = "Helvetica",
               size: float = 10.5) -> bytes:
    """Render a corpus text to a PDF: '## ' lines as headings, blank-line paragraphs."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    body = ParagraphStyle("b", fontName=font, fontSize=size, leading=size * 1.3, spaceAfter=6)
    head = ParagraphStyle("h", fontName=font + "-Bold" if "-" not in font else font,
                          fontSize=size * 1.4, leading=size * 1.8, spaceBefore=8, spaceAfter=6)
    story = []
    for block in re.split(r"\n\s*\n", re.sub(r"\[\[page \d+\]\]", "", text)):
        block = block.strip()
        if not block:
            continue
        if block.startswith("## "):
            story.append(Paragraph(escape(block[3:].replace("\n", " ")), head))
        else:
            story.append(Paragraph(escape(" ".join(block.split())), body))
        story.append(Spacer(1, 2))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=pagesize or A4, title="Framework").build(story)
    return out.getvalue()


def _words(text: str) -> list[str]:
    return normalize_text(re.sub(r"\[\[page \d+\]\]|^#+ ", "", text, flags=re.M)).split()


def _pypdf_text(data: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() or "" for p in reader.pages), len(reader.pages)


def _pdfminer_text(data: bytes) -> tuple[str, int]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    parts, n = [], 0
    for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
        n += 1
        parts.extend(el.get_text() for el in page if isinstance(el, LTTextContainer))
    return "\n".join(parts), n


def _ours(data: bytes) -> tuple[str, int]:
    r = extract(data, "application/pdf", ExtractRules())
    return r.text, r.pages or 0


def bench_pdf(corpus: Path) -> None:
    texts = corpus_texts(corpus)
    if not texts:
        sys.exit(f"no corpus texts in {corpus}")
    pdfs = {name: render_pdf(t) for name, t in texts.items()}
    libs = {"pypdf (extract_text)": _pypdf_text, "pdfminer.six (LAParams)": _pdfminer_text,
            "framewatch extract()": _ours}
    try:
        import pdfminer  # noqa: F401  (a bench-only comparison, not a dependency)
    except ImportError:
        print("pdfminer.six not installed: its row is skipped")
        del libs["pdfminer.six (LAParams)"]
    print(f"{len(pdfs)} PDFs, {sum(len(p) for p in pdfs.values()) // 1024} KiB")
    for label, fn in libs.items():
        secs, pages, peak, ratios = 0.0, 0, 0, []
        for name, data in pdfs.items():
            gc.collect()
            tracemalloc.start()
            t0 = time.perf_counter()
            text, n = fn(data)
            secs += time.perf_counter() - t0
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            pages += n
            ratios.append(SequenceMatcher(None, _words(texts[name]), _words(text),
                                          autojunk=False).ratio())
        print(f"{label:26s} {pages:4d} pages  {secs / pages * 1000:6.1f} ms/page  "
              f"peak {peak / 2**20:6.1f} MiB  word fidelity min {min(ratios):.4f} "
              f"mean {statistics.mean(ratios):.4f}")


LAYOUTS = {  # name -> render_pdf keyword arguments; the first is the reference
    "A4/Helvetica 10": {"font": "Helvetica", "size": 10.0},
    "A5/Times 9": {"pagesize": "A5", "font": "Times-Roman", "size": 9.0},
    "Letter/Courier 11": {"pagesize": "letter", "font": "Courier", "size": 11.0},
}


def bench_pdf_stability(corpus: Path) -> None:
    """The key property on real texts: the same words rendered in three layouts.

    Counts paragraphs of the reference (A4) extraction found verbatim in each other layout's
    extraction, and documents whose three extractions are byte-identical.
    """
    from reportlab.lib import pagesizes

    same = total = docs_equal = 0
    texts = corpus_texts(corpus)
    for text in texts.values():
        outs = []
        for kwargs in LAYOUTS.values():
            kw = dict(kwargs)
            if "pagesize" in kw:
                kw["pagesize"] = getattr(pagesizes, str(kw["pagesize"]))
            outs.append(extract(render_pdf(text, **kw), "application/pdf",  # type: ignore[arg-type]
                                ExtractRules()).text)
        reference = outs[0].split("\n\n")
        for other in outs[1:]:
            paragraphs = set(other.split("\n\n"))
            same += sum(p in paragraphs for p in reference)
            total += len(reference)
        docs_equal += len(set(outs)) == 1
    print(f"re-render stability ({', '.join(LAYOUTS)}): {same}/{total} paragraphs identical "
          f"({same / total:.1%}), {docs_equal}/{len(texts)} documents byte-identical")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["html", "pdf", "kept"])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--kb", type=int, default=56)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    if args.mode == "html":
        bench_html(args.pages, args.kb)
    elif args.mode == "kept":
        bench_kept(min(args.pages, 50), args.kb)
    else:
        bench_pdf(args.corpus)
        bench_pdf_stability(args.corpus)


if __name__ == "__main__":
    main()
