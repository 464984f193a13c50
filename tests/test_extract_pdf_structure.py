"""PDF structure that is not prose: footnotes, tables, contents pages, running blocks, glyphs.

Every PDF is made here with reportlab (or pypdf's writer), each reproducing one pattern seen in
real framework PDFs.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from reportlab.lib import pagesizes
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

from crawler.extract import ExtractRules, extract
from differ.compare import compare as compare_texts
from framewatch.cli import main

RULES = ExtractRules()
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=13.6, spaceAfter=8)
HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=8)
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=9.5, leading=11.5)
FILLER = ("We will evaluate each frontier model for dangerous capabilities before deployment "
          "and will publish a summary of the results within thirty days of the decision. ")


def pdf_of(story: list[object], decorate: object = None,
           pagesize: tuple[float, float] = pagesizes.A4) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=pagesize, title="Framework")
    if decorate is None:
        doc.build(story)
    else:
        doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    return extract(pdf, "application/pdf", RULES).text


# --- footnotes ---------------------------------------------------------------------------------

def footnoted(marker_size: str = "<super>15</super>") -> bytes:
    """A page whose text cites footnotes 15 and 16, listed in small print at its foot."""
    def notes(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("Helvetica", 7.5)
        c.drawString(doc.leftMargin, 3.2 * cm, "15 Security levels are defined in Appendix B.")
        c.drawString(doc.leftMargin, 2.8 * cm, "16 Reports go to the Responsible Scaling Officer.")

    story = [Paragraph("4.2 Security", HEAD),
             Paragraph(f"Models at Security level 3{marker_size} must meet the ASL-3 standard, "
                       "and every instance of noncompliance<super>16</super> is reported.", BODY),
             Paragraph(FILLER, BODY)]
    return pdf_of(story, notes)


def test_a_superscript_footnote_marker_is_not_glued_to_the_number_before_it() -> None:
    text = text_of(footnoted())
    assert "Security level 3 must meet" in text
    assert "315" not in text
    assert "noncompliance is reported" in text


def test_footnotes_are_lifted_to_the_end_without_their_numbers() -> None:
    text = text_of(footnoted())
    assert text.endswith("## Footnotes\n\nSecurity levels are defined in Appendix B.\n\n"
                         "Reports go to the Responsible Scaling Officer.\n")


def test_footnote_lines_are_never_headings() -> None:
    text = text_of(footnoted())
    assert "## 15" not in text and "## 16" not in text


def test_a_marker_at_body_size_is_removed_when_its_note_is_on_the_page() -> None:
    def notes(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("Helvetica", 7.5)
        c.drawString(doc.leftMargin, 2.8 * cm, "16 Reports go to the Responsible Scaling Officer.")

    story = [Paragraph("Every instance of noncompliance16 is reported.", BODY),
             Paragraph("We keep 16 records.", BODY)]
    text = text_of(pdf_of(story, notes))
    assert "Every instance of noncompliance is reported." in text
    assert "We keep 16 records." in text


def test_a_raised_marker_at_body_size_after_a_level_number_is_removed() -> None:
    # A superscript set by text rise keeps the body size: the text layer reads "level 315".
    pdf = raw_text_pdf(b"BT /F1 11 Tf 72 760 Td (Models at Security level 3) Tj 5 Ts (15) Tj "
                       b"0 Ts ( must meet the standard, and we keep 315 records.) Tj ET "
                       b"BT /F1 7 Tf 72 80 Td (15 Security levels are defined in Appendix B.) Tj "
                       b"ET")
    assert text_of(pdf).startswith("Models at Security level 3 must meet the standard, and we "
                                   "keep 315 records.\n\n## Footnotes\n\n")


def test_a_decimal_number_is_not_cut_by_a_footnote_of_its_last_digit() -> None:
    def notes(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("Helvetica", 7.5)
        c.drawString(doc.leftMargin, 2.8 * cm, "2 See the glossary.")

    story = [Paragraph("4.2 Security", HEAD),
             Paragraph("Models at level 3<super>2</super> follow Section 3.2 and keep 1.2% of "
                       "compute in reserve.", BODY)]
    text = text_of(pdf_of(story, notes))
    assert "## 4.2 Security" in text
    assert "level 3 follow Section 3.2 and keep 1.2% of compute" in text


def test_a_paragraph_split_by_a_page_of_footnotes_stays_whole() -> None:
    def notes(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("Helvetica", 7.5)
        c.drawString(doc.leftMargin, 2.2 * cm, f"{doc.page} A note on page {doc.page}.")

    story = [Paragraph(FILLER * 4, BODY) for _ in range(11)]
    story.append(Paragraph(FILLER * 3 + "This is the end.", BODY))
    text = text_of(pdf_of(story, notes))
    paragraphs = text.split("\n\n")
    assert all(p.startswith(("We will", "## Footnotes", "A note on page")) for p in paragraphs)
    assert sum(p.startswith("We will") for p in paragraphs) == 12


def test_an_exponent_is_not_a_footnote_marker() -> None:
    story = [Paragraph("Models trained with more than 10<super>26</super> FLOP are in scope.",
                       BODY)]
    assert text_of(pdf_of(story)) == "Models trained with more than 10^26 FLOP are in scope.\n"


# --- tables ------------------------------------------------------------------------------------

def threshold_table(threshold: str) -> bytes:
    rows = [["Level", "Threshold", "Response"],
            ["CBRN-3", Paragraph(f"Uplift above {threshold} of the expert baseline in wet-lab "
                                 "tasks, measured by our uplift trial", CELL),
             Paragraph("Pause deployment until ASL-3 safeguards are in place", CELL)],
            ["Cyber-2", Paragraph("Autonomous exploitation of hardened targets", CELL),
             "Notify the board"]]
    story = [Paragraph("3. Capability thresholds", HEAD),
             Paragraph("The table lists each threshold and our response.", BODY),
             Table(rows, colWidths=[3 * cm, 7.5 * cm, 5.5 * cm]),
             Paragraph("Thresholds are reviewed every year.", BODY)]
    return pdf_of(story)


def test_a_table_row_is_one_line_whose_cells_carry_their_column_names() -> None:
    text = text_of(threshold_table("15%"))
    assert ("Level | Threshold | Response\n"
            "Level: CBRN-3 | Threshold: Uplift above 15% of the expert baseline in wet-lab "
            "tasks, measured by our uplift trial | Response: Pause deployment until ASL-3 "
            "safeguards are in place\n"
            "Level: Cyber-2 | Threshold: Autonomous exploitation of hardened targets | "
            "Response: Notify the board\n\n") in text


def test_text_around_a_table_stays_prose() -> None:
    text = text_of(threshold_table("15%"))
    assert "\n\nThe table lists each threshold and our response.\n\nLevel |" in text
    assert text.endswith("Response: Notify the board\n\nThresholds are reviewed every year.\n")


def test_a_changed_cell_is_one_hunk_that_names_its_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    old.write_bytes(threshold_table("15%"))
    new.write_bytes(threshold_table("22%"))
    main(["diff", str(old), str(new), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    hunks = [h for h in report["hunks"] if "15%" in h["old"] or "22%" in h["new"]]
    assert len(hunks) == 1
    assert "Threshold: Uplift above 22%" in hunks[0]["new"]
    assert "Level: CBRN-3" in hunks[0]["new"]


def long_table(paragraphs_before: int, repeat_header: int = 1) -> str:
    rows = [["Level", "Threshold", "Response"]] + [
        [f"CBRN-{i}", f"{10 + i}% uplift over baseline", f"Pause deployment of tier {i}"]
        for i in range(1, 40)]
    story = [Paragraph("3. Capability thresholds", HEAD),
             *(Paragraph(FILLER, BODY) for _ in range(paragraphs_before)),
             Table(rows, colWidths=[3 * cm, 6 * cm, 6 * cm], repeatRows=repeat_header),
             Paragraph("Thresholds are reviewed every year.", BODY)]
    return text_of(pdf_of(story))


def test_a_table_running_over_a_page_has_its_header_once() -> None:
    text = long_table(2)
    assert text.count("Level | Threshold | Response") == 1
    assert "Level: CBRN-39 | Threshold: 49% uplift over baseline | Response: Pause" in text


def test_rows_continued_on_the_next_page_without_a_header_keep_the_column_names() -> None:
    text = long_table(2, repeat_header=0)
    assert text.count("Level | Threshold | Response") == 1
    assert "Level: CBRN-39 | Threshold: 49% uplift over baseline | Response: Pause" in text


def test_a_table_whose_page_break_moved_reads_the_same() -> None:
    result = compare_texts(long_table(2), long_table(6))
    assert all(h.severity == "none" for h in result.hunks), [
        (h.severity, h.old[:60], h.new[:60]) for h in result.hunks]


def test_two_columns_of_prose_are_not_a_table() -> None:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=pagesizes.A4)
    c.setFont("Helvetica", 10)
    words = FILLER.split()
    for column, x in enumerate((72, 320)):
        for row in range(12):
            chunk = " ".join(words[(row * 5) % 20:(row * 5) % 20 + 5])
            c.drawString(x, 760 - row * 13, f"{chunk} c{column}r{row}")
    c.showPage()
    c.save()
    text = text_of(out.getvalue())
    assert " | " not in text
    assert "c0r0" in text and "c1r11" in text


# --- contents pages, running blocks, glyph noise -----------------------------------------------

def with_contents(entries: list[tuple[str, int]], leader: str = " . . . . . . . ") -> bytes:
    story: list[object] = [Paragraph("Frontier Safety Framework", HEAD),
                           Paragraph("Contents", HEAD)]
    story += [Paragraph(escape(f"{title}{leader}{page}" if leader else title), BODY)
              for title, page in entries]
    story.append(PageBreak())
    for title, _ in entries:
        story += [Paragraph(escape(title), HEAD), Paragraph(FILLER * 2, BODY)]
    return pdf_of(story)


ENTRIES = [("1. Introduction", 2), ("2. Capability Thresholds", 2), ("3. Governance", 3)]


def test_a_table_of_contents_is_dropped() -> None:
    text = text_of(with_contents(ENTRIES))
    assert "Contents" not in text
    assert " ... " not in text
    assert text.startswith("Frontier Safety Framework\n\n## 1. Introduction\n\nWe will")


def test_renumbered_contents_pages_give_identical_text() -> None:
    moved = [(title, page + 1) for title, page in ENTRIES]
    assert text_of(with_contents(ENTRIES)) == text_of(with_contents(moved, leader=" ...... "))


def test_a_contents_block_without_page_numbers_after_its_title_is_dropped() -> None:
    text = text_of(with_contents(ENTRIES, leader=""))
    assert text.count("Capability Thresholds") == 1


def test_short_paragraphs_ending_in_numbers_are_not_a_table_of_contents() -> None:
    spaced = ParagraphStyle("spaced", parent=BODY, spaceAfter=18)
    story = [Paragraph("Review deadlines, in days:", spaced)] + [
        Paragraph(f"Evaluation results are reviewed within {n}", spaced) for n in (10, 20, 30, 40)]
    text = text_of(pdf_of(story))
    assert text.count("\n\nEvaluation results are reviewed within") == 4


def test_a_three_line_running_header_block_is_dropped() -> None:
    def header(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
        c.setFont("Helvetica", 8)
        top = pagesizes.A4[1]
        c.drawString(doc.leftMargin, top - 1.0 * cm, "Example AI")
        c.drawString(doc.leftMargin, top - 1.4 * cm, "Frontier Safety Framework")
        c.drawString(doc.leftMargin, top - 1.8 * cm, f"Version 2.1 - page {doc.page}")

    story = [Paragraph(FILLER * 5, BODY) for _ in range(14)]
    text = text_of(pdf_of(story, header))
    assert "Example AI" not in text and "Version 2.1" not in text
    assert "Frontier Safety Framework" not in text


def raw_text_pdf(content: bytes) -> bytes:
    """A one-page PDF whose content stream is exactly ``content`` (font /F1 = Helvetica)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_control_glyphs_are_removed_from_pdf_text() -> None:
    pdf = raw_text_pdf(b"BT /F1 11 Tf 72 760 Td (We will\x01 publish\x02 it.\x7f) Tj ET")
    assert text_of(pdf) == "We will publish it.\n"


def test_private_use_glyphs_are_removed_and_a_leading_one_is_a_bullet() -> None:
    from crawler.extract_pdf import _clean_glyphs

    assert _clean_glyphs("\uf0b7 We will publish\ufffd it\ue000") == "\u2022 We will publish it"


# --- encryption --------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_an_aes_encrypted_pdf_with_an_empty_user_password_extracts(algorithm: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(threshold_table("15%"))))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    encrypted = out.getvalue()
    assert PdfReader(io.BytesIO(encrypted)).is_encrypted
    assert text_of(encrypted) == text_of(threshold_table("15%"))


# --- on the real corpus --------------------------------------------------------------------------

CONTENTS_PAGES = ["anthropic-noncompliance__2025-12__v1", "anthropic-rsp__2024-10__v2.0",
                  "anthropic-rsp__2026-04__v3.1", "g42-fasf__2025-02__v1", "gdm-fsf__2024-05__v1.0",
                  "gdm-fsf__2025-09__v3.0"]


@pytest.mark.parametrize("name", CONTENTS_PAGES)
def test_real_contents_pages_are_dropped_and_nothing_else(corpus: Path, name: str) -> None:
    import re

    from conftest import corpus_text

    from crawler.extract_pdf import _canonical_leaders, _drop_contents

    paragraphs = [_canonical_leaders(" ".join(p.split()))
                  for p in re.split(r"\n\s*\n", corpus_text(corpus / f"{name}.txt")) if p.strip()]
    kept = _drop_contents(paragraphs)
    dropped = [p for p in paragraphs if p not in kept]
    assert dropped and re.match(r"^(?:## )?(?:table of )?contents:?$", dropped[0], re.I)
    assert not any(re.match(r"^(?:## )?(?:table of )?contents:?$", p, re.I) for p in kept)
    # Only short entry lines go: no sentence of the document is lost.
    assert all(len(p) <= 160 and not p.endswith(".") for p in dropped), dropped
    assert len(kept) + len(dropped) == len(paragraphs)
