"""PDF extraction: text independent of layout, bounded failures with stable kinds.

PDFs are generated here with reportlab, so each test shows the exact layout it exercises.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import pytest
from reportlab.lib import pagesizes
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from crawler.extract import ExtractError, ExtractRules, extract

RULES = ExtractRules()
SENTENCE = ("We will evaluate each frontier model for dangerous capabilities before deployment, "
            "and we will publish a summary of the results within thirty days. ")
DOCUMENT = [
    ("h", "1. Introduction"),
    ("p", SENTENCE * 3),
    ("p", "This policy is reviewed by the board of directors at least once a year. " * 2),
    ("h", "4.2 Capability Thresholds"),
    ("p", SENTENCE * 5 + "Uplift studies compare experts with and without model access."),
    ("p", "If a threshold is crossed, we will not deploy the model until safeguards are in place."),
    ("h", "4.3 Governance"),
    *[("p", f"Commitment {i}: " + SENTENCE * 2) for i in range(12)],
]


def render(pagesize: tuple[float, float] = pagesizes.A4, font: str = "Helvetica",
           size: float = 10.5, running: str = "Example Lab - Frontier Safety Framework",
           title: str = "Frontier Safety Framework") -> bytes:
    """Render DOCUMENT with a running header and a page-number footer on every page."""
    bold = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}[font]
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.3,
                          spaceAfter=size * 0.8)
    head = ParagraphStyle("head", fontName=bold, fontSize=size * 1.4, leading=size * 1.8,
                          spaceBefore=size, spaceAfter=size * 0.6)

    def decorate(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont(font, 8)
        c.drawString(doc.leftMargin, pagesize[1] - 1.2 * cm, running)
        c.drawCentredString(pagesize[0] / 2, 1 * cm, str(doc.page))

    story = [Paragraph(escape(text), head if kind == "h" else body) for kind, text in DOCUMENT]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=pagesize, title=title).build(
        story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def draw_lines(lines: list[str], **canvas_args: object) -> bytes:
    """A one-page PDF with exactly these lines, 14 pt apart, for line-level behaviour."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=pagesizes.A4, **canvas_args)
    c.setFont("Helvetica", 11)
    y = 780.0
    for line in lines:
        if line:
            c.drawString(72, y, line)
        y -= 14 if line else 28
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def a4_text() -> str:
    return extract(render(), "application/pdf", RULES).text


# --- layout independence (the key property) ---------------------------------------------------

def test_the_same_words_in_another_page_size_and_font_give_identical_text(a4_text: str) -> None:
    a4_pages = extract(render(), "application/pdf", RULES).pages
    result = extract(render(pagesizes.A5, font="Times-Roman", size=9), "application/pdf", RULES)
    assert result.pages != a4_pages  # really re-paginated
    assert result.text == a4_text


def test_letter_size_render_gives_identical_text(a4_text: str) -> None:
    assert extract(render(pagesizes.letter, size=12), "application/pdf", RULES).text == a4_text


def test_pages_count_is_reported_but_not_in_the_text(a4_text: str) -> None:
    result = extract(render(), "application/pdf", RULES)
    assert result.format == "pdf"
    assert result.pages is not None and result.pages >= 2
    assert "[[page" not in a4_text and "\f" not in a4_text


# --- structure --------------------------------------------------------------------------------

def test_wrapped_lines_become_one_paragraph(a4_text: str) -> None:
    expected = "If a threshold is crossed, we will not deploy the model until safeguards are in place."
    assert f"\n\n{expected}\n\n" in a4_text


def test_a_paragraph_running_over_a_page_break_stays_whole(a4_text: str) -> None:
    for i in range(12):
        assert f"Commitment {i}: {SENTENCE * 2}".strip() in a4_text.rstrip().split("\n\n")


def test_numbered_headings_are_marked(a4_text: str) -> None:
    paragraphs = a4_text.split("\n\n")
    assert "## 4.2 Capability Thresholds" in paragraphs
    assert "## 1. Introduction" in paragraphs


def test_running_headers_and_page_numbers_are_dropped(a4_text: str) -> None:
    assert "Example Lab - Frontier Safety Framework" not in a4_text
    assert not any(line.strip().isdigit() for line in a4_text.splitlines())


def test_title_comes_from_pdf_metadata() -> None:
    assert extract(render(title="Preparedness Framework v2"), "application/pdf",
                   RULES).title == "Preparedness Framework v2"


def test_hyphenated_line_end_words_are_rejoined() -> None:
    pdf = draw_lines(["We maintain clear lines of accoun-", "tability for every decision."])
    assert extract(pdf, "application/pdf", RULES).text == (
        "We maintain clear lines of accountability for every decision.\n"
    )


def test_a_compound_the_document_spells_with_a_hyphen_keeps_it() -> None:
    pdf = draw_lines(["A risk-based approach. We apply a risk-", "based review to each model."])
    assert extract(pdf, "application/pdf", RULES).text == (
        "A risk-based approach. We apply a risk-based review to each model.\n"
    )


def test_a_blank_gap_separates_paragraphs() -> None:
    pdf = draw_lines(["First paragraph line one", "continues here.", "", "Second paragraph."])
    assert extract(pdf, "application/pdf", RULES).text == (
        "First paragraph line one continues here.\n\nSecond paragraph.\n"
    )


def test_ignore_patterns_apply_to_pdf_text() -> None:
    pdf = draw_lines(["Version 7 generated 2025-11-27", "", "We will publish results."])
    rules = ExtractRules(ignore=(r"generated \d{4}-\d\d-\d\d",))
    assert extract(pdf, "application/pdf", rules).text == "Version 7\n\nWe will publish results.\n"


# --- failures ---------------------------------------------------------------------------------

def kind_of(body: bytes, **kwargs: object) -> str:
    with pytest.raises(ExtractError) as err:
        extract(body, "application/pdf", RULES, **kwargs)  # type: ignore[arg-type]
    return err.value.kind


def test_a_truncated_pdf_is_bad_pdf() -> None:
    assert kind_of(render()[:1500]) == "bad_pdf"


def test_garbage_served_as_pdf_is_bad_pdf() -> None:
    assert kind_of(b"\x00\x01garbage, not a PDF at all") == "bad_pdf"


def test_a_pdf_with_a_user_password_is_encrypted_pdf() -> None:
    pdf = draw_lines(["secret"], encrypt="hunter2")
    assert kind_of(pdf) == "encrypted_pdf"


def test_a_pdf_encrypted_with_an_empty_password_is_read() -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    pdf = draw_lines(["open to all"], encrypt=StandardEncryption("", ownerPassword="owner"))
    assert extract(pdf, "application/pdf", RULES).text == "open to all\n"


def test_more_pages_than_the_limit_is_pdf_too_large() -> None:
    assert kind_of(render(), max_pdf_pages=1) == "pdf_too_large"


def test_running_out_of_time_is_pdf_timeout() -> None:
    assert kind_of(render(), pdf_timeout=0.0) == "pdf_timeout"


def test_a_pdf_with_no_text_is_empty() -> None:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.rect(100, 100, 50, 50)
    c.showPage()
    c.save()
    assert kind_of(out.getvalue()) == "empty"


def test_error_message_is_readable() -> None:
    with pytest.raises(ExtractError) as err:
        extract(render(), "application/pdf", RULES, max_pdf_pages=1, url="https://x.test/f.pdf")
    assert "limit of 1" in str(err.value)


# --- re-layout stability on real framework texts ----------------------------------------------

# The corpus documents that currently extract byte-identically under all three layouts (one
# per company). The other five still differ in a few paragraphs: see bench/pdf_choice.md.
STABLE_DOCUMENTS = ("anthropic-rsp__2025-03__v2.1", "gdm-fsf__2024-05__v1.0",
                    "gdm-fsf__2025-02__v2.0", "openai-preparedness__2025-04__v2")
LAYOUTS = {
    "A4 / Helvetica 10": (pagesizes.A4, "Helvetica", 10.0),
    "A5 / Times 9": (pagesizes.A5, "Times-Roman", 9.0),
    "Letter / Courier 11": (pagesizes.letter, "Courier", 11.0),
}


def render_corpus_text(text: str, pagesize: tuple[float, float], font: str, size: float) -> bytes:
    """bench/bench_extract.py's render_pdf: '## ' headings, blank-line paragraphs."""
    import re

    from reportlab.platypus import Spacer

    body = ParagraphStyle("b", fontName=font, fontSize=size, leading=size * 1.3, spaceAfter=6)
    head = ParagraphStyle("h", fontName=font + "-Bold" if "-" not in font else font,
                          fontSize=size * 1.4, leading=size * 1.8, spaceBefore=8, spaceAfter=6)
    story: list[object] = []
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
    SimpleDocTemplate(out, pagesize=pagesize, title="Framework").build(story)
    return out.getvalue()


@pytest.mark.parametrize("name", STABLE_DOCUMENTS)
def test_real_frameworks_extract_identically_in_three_layouts(corpus: object, name: str) -> None:
    from conftest import corpus_text

    text = corpus_text(corpus / f"{name}.txt")  # type: ignore[operator]
    results = {label: extract(render_corpus_text(text, *layout), "application/pdf", RULES)
               for label, layout in LAYOUTS.items()}
    assert len({r.pages for r in results.values()}) == 3  # really three different paginations
    texts = {r.text for r in results.values()}
    assert len(texts) == 1, f"{name}: layouts disagree"


# --- paragraph boundaries at page breaks ------------------------------------------------------

def draw_pages(pages: list[list[str]]) -> bytes:
    """Pages of lines 14 pt apart from the top, in 11 pt Helvetica, left edge at 72 pt."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=pagesizes.A4)
    for lines in pages:
        c.setFont("Helvetica", 11)
        y = 780.0
        for line in lines:
            if line:
                c.drawString(72, y, line)
            y -= 14 if line else 28
        c.showPage()
    c.save()
    return out.getvalue()


def fill(words: list[str], width: float = 300.0) -> list[str]:
    """Greedy flush-left line breaking at ``width`` points, as a layout engine does."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for word in words:
        if lines and stringWidth(lines[-1] + " " + word, "Helvetica", 11) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


FILLER = ("Each model is evaluated against every threshold before it is deployed and the "
          "results are reviewed by the responsible scaling officer who reports to the board ")


def test_a_paragraph_whose_last_line_stops_short_ends_at_the_page_break() -> None:
    # "then" would have fitted after "and", so the line before the break ended a paragraph
    # even though it has no full stop.
    page1 = fill(FILLER.split()) + [""] + fill((FILLER * 2).split())[:-1] + ["and"]
    pdf = draw_pages([page1, fill("then ordinary words continue here.".split())])
    paragraphs = extract(pdf, "application/pdf", RULES).text.rstrip("\n").split("\n\n")
    assert paragraphs[-1] == "then ordinary words continue here."


def test_a_full_last_line_ending_a_sentence_ends_the_paragraph_at_a_page_break() -> None:
    page1 = fill((FILLER * 3).split())[:-1]
    page1[-1] += "."
    pdf = draw_pages([page1, ["Governance is described in Appendix B."]])
    paragraphs = extract(pdf, "application/pdf", RULES).text.rstrip("\n").split("\n\n")
    assert paragraphs[-1] == "Governance is described in Appendix B."


def test_a_full_last_line_mid_sentence_continues_on_the_next_page() -> None:
    lines = fill((FILLER * 3).split())
    pdf = draw_pages([lines[:4], lines[4:]])
    assert extract(pdf, "application/pdf", RULES).text == " ".join(lines) + "\n"


def test_a_lone_number_in_the_body_is_kept_wherever_the_page_breaks() -> None:
    body, more = fill(FILLER.split()), fill("A second paragraph follows the number.".split())
    at_foot = draw_pages([body + ["", "7"], more])
    mid_page = draw_pages([body + ["", "7", ""] + more])
    assert "\n\n7\n\n" in extract(at_foot, "application/pdf", RULES).text
    assert extract(at_foot, "application/pdf", RULES).text == \
        extract(mid_page, "application/pdf", RULES).text


# --- words split at hyphens, URLs, leaders ----------------------------------------------------

def test_a_hyphen_space_split_reads_the_same_inside_a_line_and_at_a_line_end() -> None:
    inline = draw_lines(["ease of trans- mission and more words here"])
    wrapped = draw_lines(["ease of trans-", "mission and more words here"])
    assert extract(inline, "application/pdf", RULES).text == \
        extract(wrapped, "application/pdf", RULES).text == \
        "ease of transmission and more words here\n"


def test_a_suspended_hyphen_before_and_is_kept() -> None:
    pdf = draw_lines(["We run pre-", "and post-deployment evaluations."])
    assert extract(pdf, "application/pdf", RULES).text == \
        "We run pre- and post-deployment evaluations.\n"


def test_a_compound_of_two_words_the_document_uses_keeps_its_hyphen() -> None:
    pdf = draw_lines(["Making a decision is hard. We describe decision-",
                      "making in Appendix B."])
    assert "decision-making in Appendix B." in extract(pdf, "application/pdf", RULES).text


def test_a_hyphen_inside_a_url_that_wraps_is_kept() -> None:
    pdf = draw_lines(["See https://example.org/frontier-safety-",
                      "framework.pdf for details."])
    assert extract(pdf, "application/pdf", RULES).text == (
        "See https://example.org/frontier-safety-framework.pdf for details.\n")


@pytest.mark.parametrize("leader", [" . . . . . . ", "..........", " \u2026\u2026\u2026 "])
def test_toc_leaders_of_any_length_become_one_canonical_leader(leader: str) -> None:
    pdf = draw_lines([f"Capability Thresholds{leader}12"])
    assert extract(pdf, "application/pdf", RULES).text == "Capability Thresholds ... 12\n"
