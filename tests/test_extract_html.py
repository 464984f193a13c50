"""HTML extraction: structure kept, boilerplate gone, rules applied, nothing crashes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.extract import (
    EXTRACTOR_VERSION,
    ExtractError,
    ExtractRules,
    detect_format,
    extract,
    validate_selector,
)

FIXTURE = Path(__file__).parent / "fixtures" / "extract" / "framework_page.html"
NO_RULES = ExtractRules()


def html_text(html: str | bytes, rules: ExtractRules = NO_RULES,
              content_type: str | None = "text/html; charset=utf-8") -> str:
    body = html.encode() if isinstance(html, str) else html
    return extract(body, content_type, rules).text


@pytest.fixture(scope="module")
def page() -> str:
    return html_text(FIXTURE.read_bytes())


# --- structure --------------------------------------------------------------------------------

def test_the_fixture_page_extracts_to_exactly_its_content(page: str) -> None:
    assert page == (
        "# Frontier Safety Framework\n\n"
        "Last updated November 3, 2025\n\n"
        "## 1. Scope\n\n"
        "This framework applies to our frontier models, including models used internally.\n\n"
        "## 2. Capability Thresholds\n\n"
        "- CBRN uplift\n- Cyber autonomy\n\n"
        "Level | Response\nLevel: High | Response: We will not deploy.\n"
    )


@pytest.mark.parametrize("level", range(1, 7))
def test_heading_levels_become_hash_marks(level: int) -> None:
    assert html_text(f"<h{level}>Governance</h{level}><p>x</p>") == (
        f"{'#' * level} Governance\n\nx\n"
    )


def test_list_items_are_dash_lines_without_blank_lines_between() -> None:
    assert html_text("<ol><li>one</li><li>two <b>bold</b></li></ol>") == "- one\n- two bold\n"


def test_table_rows_are_pipe_separated_cells() -> None:
    html = "<table><tr><td>Risk</td><td>Level</td></tr><tr><td>Cyber</td><td>High</td></tr></table>"
    assert html_text(html) == "Risk | Level\nCyber | High\n"


def test_cells_under_a_header_row_carry_their_column_names() -> None:
    html = ("<table><thead><tr><th>Level</th><th>Threshold</th></tr></thead><tbody>"
            "<tr><td>CBRN-3</td><td>15%</td></tr><tr><td>Cyber-2</td><td></td></tr>"
            "<tr><td colspan=2>Reviewed yearly</td></tr></tbody></table>")
    assert html_text(html) == ("Level | Threshold\nLevel: CBRN-3 | Threshold: 15%\n"
                               "Level: Cyber-2\nReviewed yearly\n")


def test_a_header_column_alone_does_not_label_cells() -> None:
    html = "<table><tr><th>Risk</th><td>Cyber</td></tr><tr><th>Level</th><td>High</td></tr></table>"
    assert html_text(html) == "Risk | Cyber\nLevel | High\n"


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>Security level 3<sup>15</sup> applies.</p>", "Security level 3 applies.\n"),
    ('<p>noncompliance<sup><a href="#fn4">[4]</a></sup> is reported</p>',
     "noncompliance is reported\n"),
    ("<p>above 10<sup>26</sup> FLOP</p>", "above 10^26 FLOP\n"),
    ("<p>the 1<sup>st</sup> review</p>", "the 1st review\n"),
])
def test_superscript_footnote_markers_are_dropped(html: str, expected: str) -> None:
    assert html_text(html) == expected


def test_block_content_inside_a_table_cell_stays_on_the_row() -> None:
    html = "<table><tr><td><p>Uplift</p><p>study</p></td><td><ul><li>a</li></ul></td></tr></table>"
    assert html_text(html) == "Uplift study | a\n"


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    assert html_text("<p>First.</p><div><p>Second.</p></div>") == "First.\n\nSecond.\n"


def test_inline_markup_and_links_leave_only_their_words() -> None:
    html = '<p>We <strong>will</strong> <a href="https://x.test/a?utm=1">publish</a> it.</p>'
    assert html_text(html) == "We will publish it.\n"


def test_line_breaks_inside_a_paragraph_are_kept() -> None:
    assert html_text("<p>line one<br>line two</p>") == "line one\nline two\n"


def test_title_comes_from_the_title_element() -> None:
    result = extract(FIXTURE.read_bytes(), "text/html", NO_RULES)
    assert result.title == "Frontier Safety Framework - Example Lab"
    assert (result.format, result.pages, result.select_matched) == ("html", None, True)


# --- boilerplate ------------------------------------------------------------------------------

@pytest.mark.parametrize("fragment", [
    "Home", "Research",                 # nav
    "cookies", "Accept all",            # consent banner and its button
    "Rendered at",                      # aria-hidden per-request stamp
    "Related posts",                    # aside
    "2025 Example Lab",                 # site footer
    "track-me", "console.log", "color", # script and style
])
def test_default_boilerplate_is_absent(page: str, fragment: str) -> None:
    assert fragment not in page


def test_header_inside_the_article_is_content_not_chrome(page: str) -> None:
    assert page.startswith("# Frontier Safety Framework\n")


@pytest.mark.parametrize("html", [
    '<div hidden>secret</div><p>shown</p>',
    '<div style="display: none">secret</div><p>shown</p>',
    '<div role="navigation">secret</div><p>shown</p>',
    '<div class="CookieBanner">secret</div><p>shown</p>',
    '<div id="gdpr-notice">secret</div><p>shown</p>',
    '<noscript>secret</noscript><p>shown</p>',
    '<template><p>secret</p></template><p>shown</p>',
])
def test_hidden_and_banner_elements_are_removed(html: str) -> None:
    assert html_text(html) == "shown\n"


def test_a_consent_class_on_body_does_not_remove_the_page() -> None:
    assert html_text('<body class="cookie-consent-given"><p>content</p></body>') == "content\n"


def test_text_after_a_removed_element_is_kept() -> None:
    assert html_text("<p>before <button>x</button> after</p>") == "before after\n"


# --- select / remove / ignore -----------------------------------------------------------------

def test_select_keeps_only_matched_elements_in_document_order() -> None:
    html = '<div class="b">B</div><p>skip</p><div class="a">A</div>'
    result = extract(html.encode(), "text/html", ExtractRules(select=(".a", ".b")))
    assert (result.text, result.select_matched) == ("B\n\nA\n", True)


def test_nested_select_matches_are_extracted_once() -> None:
    html = '<section class="s"><div class="s">inner</div></section>'
    assert html_text(html, ExtractRules(select=(".s",))) == "inner\n"


def test_select_can_pick_an_element_that_is_boilerplate_by_default() -> None:
    html = "<p>body</p><footer><p>Changelog: v2</p></footer>"
    assert html_text(html, ExtractRules(select=("footer",))) == "Changelog: v2\n"


def test_select_matching_nothing_falls_back_to_the_page_and_says_so() -> None:
    result = extract(b"<nav>menu</nav><p>body</p>", "text/html",
                     ExtractRules(select=("#missing",)))
    assert (result.text, result.select_matched) == ("body\n", False)
    assert any("matched nothing" in w for w in result.warnings)


def test_remove_drops_matched_elements() -> None:
    html = '<main><p>keep</p><div class="promo">Subscribe now</div></main>'
    assert html_text(html, ExtractRules(remove=(".promo",))) == "keep\n"


def test_remove_applies_before_select() -> None:
    html = '<div class="x"><p class="c">gone</p></div><p class="c">kept</p>'
    assert html_text(html, ExtractRules(select=(".c",), remove=(".x",))) == "kept\n"


def test_ignore_regex_removes_volatile_text(page: str) -> None:
    rules = ExtractRules(ignore=(r"Last updated [A-Za-z]+ \d+, \d{4}",))
    text = html_text(FIXTURE.read_bytes(), rules)
    assert "Last updated" not in text
    assert text == page.replace("Last updated November 3, 2025\n\n", "")


def test_pages_differing_only_in_volatile_parts_give_identical_text() -> None:
    template = ('<nav>{n}</nav><p>We will\u00a0evaluate \u201cmodels\u201d.</p>'
                '<div class="cookie">{n}</div><p>Views: {n}</p><script>{n}</script>')
    rules = ExtractRules(ignore=(r"^Views: \d+$",))
    a = html_text(template.format(n=1), rules)
    b = html_text(template.replace("\u00a0", " ").format(n=987654), rules)
    assert a == b == 'We will evaluate "models".\n'


# --- charset ----------------------------------------------------------------------------------

def test_latin1_declared_in_the_header_is_decoded() -> None:
    body = "<p>Sécurité – café</p>".encode("latin-1", "replace")
    assert html_text(body, content_type="text/html; charset=ISO-8859-1") == "Sécurité ? café\n"


def test_header_charset_wins_over_meta() -> None:
    body = '<meta charset="utf-8"><p>caf\xe9</p>'.encode("latin-1")
    assert html_text(body, content_type="text/html; charset=latin-1") == "café\n"


def test_utf8_bom_is_honoured_and_dropped() -> None:
    body = b"\xef\xbb\xbf<p>\xe2\x80\x9cquoted\xe2\x80\x9d</p>"
    assert html_text(body, content_type="text/html; charset=latin-1") == '"quoted"\n'


def test_meta_charset_is_used_without_a_header_charset() -> None:
    body = '<html><head><meta charset="windows-1252"></head><p>\x93ok\x94 caf\xe9</p>'
    assert html_text(body.encode("latin-1"), content_type="text/html") == '"ok" café\n'


def test_meta_http_equiv_charset_is_used() -> None:
    body = ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            "<p>na\xefve</p>").encode("latin-1")
    assert html_text(body, content_type=None) == "naïve\n"


def test_invalid_bytes_are_replaced_not_fatal() -> None:
    assert html_text(b"<p>ok \xff\xfe bad</p>") == "ok \ufffd\ufffd bad\n"


# --- robustness -------------------------------------------------------------------------------

def test_unclosed_tags_and_garbage_still_extract() -> None:
    html = "<div><p>one<p>two<li>three</b></i><<>>&bogus; <table><td>cell"
    text = html_text(html)
    assert "one" in text and "two" in text and "- three" in text and "cell" in text


def test_ten_thousand_levels_of_nesting_do_not_crash() -> None:
    html = "<div>" * 10_000 + "deep words" + "</div>" * 10_000
    assert "deep words" in html_text(html)


def test_a_20_megabyte_page_extracts_in_bounded_time() -> None:
    body = ("<html><body>" + "<p>We will evaluate models.</p>" * 700_000 + "</body></html>").encode()
    assert len(body) > 20_000_000
    started = time.monotonic()
    text = html_text(body)
    assert time.monotonic() - started < 30
    assert text.count("We will evaluate models.") == 700_000


def test_nul_and_control_bytes_do_not_crash() -> None:
    assert html_text(b"<p>a\x00b\x01c</p>") == "abc\n"


def test_a_page_with_no_text_is_an_empty_error() -> None:
    with pytest.raises(ExtractError) as err:
        html_text("<html><body><nav>menu only</nav><script>x</script></body></html>")
    assert err.value.kind == "empty"


def test_an_xml_declaration_is_accepted() -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?><html><body><p>xhtml</p></body></html>'
    assert html_text(body, content_type="application/xhtml+xml") == "xhtml\n"


# --- format detection -------------------------------------------------------------------------

def test_html_served_as_pdf_is_detected_as_html() -> None:
    body = b"<!DOCTYPE html><html><body><p>Not found</p></body></html>"
    assert detect_format(body, "application/pdf") == "html"
    assert extract(body, "application/pdf", NO_RULES).text == "Not found\n"


def test_pdf_served_as_html_is_detected_as_pdf() -> None:
    assert detect_format(b"%PDF-1.7\n%...", "text/html; charset=utf-8") == "pdf"


def test_plain_text_is_extracted_as_text() -> None:
    result = extract(b"Policy \xe2\x80\x94 v2\r\n\r\n\r\nDone", "text/plain", NO_RULES)
    assert (result.format, result.text) == ("text", "Policy - v2\n\nDone\n")


def test_images_are_unsupported() -> None:
    with pytest.raises(ExtractError) as err:
        extract(b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", NO_RULES)
    assert err.value.kind == "unsupported_type"


def test_html_without_content_type_is_sniffed() -> None:
    assert detect_format(b"  <html><p>x</p></html>", None) == "html"


# --- selectors and versioning -----------------------------------------------------------------

def test_valid_selector_validates() -> None:
    assert validate_selector("main article > p.lead, #content") is None


@pytest.mark.parametrize("bad", ["div[", "", "p::before", ":::"])
def test_invalid_selector_gives_a_message(bad: str) -> None:
    message = validate_selector(bad)
    assert isinstance(message, str) and message


def test_extractor_version_fits_the_storage_column() -> None:
    assert 0 < len(EXTRACTOR_VERSION) <= 40


def test_results_are_frozen() -> None:
    result = extract(b"<p>x</p>", "text/html", NO_RULES)
    with pytest.raises(AttributeError):
        result.text = "y"  # type: ignore[misc]
