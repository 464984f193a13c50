"""Collapsed, tabbed and "read more" text is the document; site chrome is not.

The fixture is a company framework page built the way such pages are: the commitments sit in an
accordion whose bodies are ``hidden`` / ``aria-hidden`` / ``display:none``, the thresholds in a
tabs widget, the governance items in ``<details>``, and around them a nav, a hidden copy of the
menu for phones, a cookie banner, a skip link, share buttons and a subscribe modal.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest
from lxml import html as lxml_html

from crawler.extract import ExtractRules, extract

FIXTURE = Path(__file__).parent / "fixtures" / "extract" / "collapsed_framework_page.html"
NO_RULES = ExtractRules()

# What a reader of the expanded page sees as the document: the article minus its widgets'
# controls and the chrome that sits inside it.
_NOT_DOCUMENT_IN_ARTICLE = (".breadcrumbs, .share-buttons, .modal, button.read-more,"
                            " [aria-hidden=true] > [aria-hidden=true], .icon, span[aria-hidden]")


def html_text(html: str | bytes, rules: ExtractRules = NO_RULES) -> str:
    body = html.encode() if isinstance(html, str) else html
    return extract(body, "text/html; charset=utf-8", rules).text


@pytest.fixture(scope="module")
def page() -> str:
    return html_text(FIXTURE.read_bytes())


def expanded_words() -> list[str]:
    """The words of the article with every panel opened, computed from the markup itself."""
    tree = lxml_html.fromstring(FIXTURE.read_bytes())
    article = tree.cssselect("article")[0]
    for el in article.cssselect(_NOT_DOCUMENT_IN_ARTICLE):
        el.drop_tree()
    return article.text_content().split()


def test_at_least_95_percent_of_the_expanded_text_is_kept(page: str) -> None:
    expected = expanded_words()
    got = page.replace("#", " ").replace("|", " ").replace("- ", " ").split()
    matched = sum(block.size for block in
                  SequenceMatcher(None, expected, got, autojunk=False).get_matching_blocks())
    assert len(expected) > 250
    assert matched / len(expected) >= 0.95, (matched, len(expected))


@pytest.mark.parametrize("collapsed_sentence", [
    "including models used only inside the company",                  # hidden "read more"
    "every frontier model before any external deployment",            # accordion, hidden
    "will not deploy a model whose weights we cannot secure",         # aria-hidden + display:none
    "publish a capability report for every frontier model release",   # visibility:hidden
    "reaches the Cyber-2 threshold",                                  # hidden tab panel
    "we will then apply the ASL-4 security standard",                 # hidden tab panel
    "may overrule a decision to deploy",                              # <details>
])
def test_collapsed_commitments_are_extracted(page: str, collapsed_sentence: str) -> None:
    assert collapsed_sentence in page


@pytest.mark.parametrize("chrome", [
    "Skip to main content",            # skip link
    "Careers",                         # nav, and the hidden mobile copy of it
    "Menu",                            # the mobile-menu toggle
    "cookies", "Manage preferences",   # consent banner
    "edge-7",                          # per-request render stamp, hidden outside the content
    "Share on", "Copy link",           # share widget inside the article
    "Subscribe",                       # modal inside the article
    "Read more",                       # the control, not the text it opens
    "Related reading",                 # aside
    "Privacy", "2026 Example AI",      # footer
    "Frameworks",                      # breadcrumbs
    "\ue5cf",                          # an icon glyph in an accordion trigger
])
def test_chrome_is_removed(page: str, chrome: str) -> None:
    assert chrome not in page


def test_accordion_triggers_become_headings_of_their_bodies(page: str) -> None:
    assert "## Our commitments\n\n### Pre-deployment evaluations\n\nWe will run" in page
    assert "### Model weight security\n\nWe will protect model weights" in page
    assert "### Public reporting\n\nWe will publish" in page


def test_each_tab_panel_is_a_section_named_by_its_tab(page: str) -> None:
    assert "### CBRN\n\nLevel | Threshold | Response\n" in page
    assert "### Cyber\n\nA model that can autonomously" in page
    assert "### AI R&D\n\nA model that can fully automate" in page


def test_summaries_become_headings(page: str) -> None:
    assert "## Governance\n\n### Board oversight\n\nThe board's safety committee" in page
    assert "### Incident reporting\n\nWe will notify" in page


def test_a_badge_and_the_line_beside_it_stay_separate_words(page: str) -> None:
    assert "PolicyTarget" not in page
    assert "Policy Target: March 2026 Version 2.1" in page


# --- the rules one at a time ------------------------------------------------------------------

def test_hidden_text_inside_main_is_kept() -> None:
    assert html_text("<main><p>a</p><div hidden><p>b</p></div></main>") == "a\n\nb\n"


def test_hidden_text_outside_the_content_is_dropped_unless_it_is_a_panel() -> None:
    html = ('<body><div aria-hidden="true">stamp 123</div><p>a</p>'
            '<div class="accordion-body" hidden><p>panel text</p></div></body>')
    assert html_text(html) == "a\n\npanel text\n"


def test_a_controlled_panel_outside_main_is_kept() -> None:
    html = ('<p>a</p><button aria-expanded="false" aria-controls="x">Scope</button>'
            '<div id="x" style="display:none"><p>All models.</p></div>')
    assert html_text(html) == "a\n\n## Scope\n\nAll models.\n"


def test_decorative_hidden_icons_in_content_are_dropped() -> None:
    html = '<main><p>Risk <span aria-hidden="true">&rarr;</span> level</p></main>'
    assert html_text(html) == "Risk level\n"


def test_a_button_inside_a_heading_keeps_its_words() -> None:
    html = '<main><h2><button aria-expanded="true">Scope of the framework</button></h2><p>x</p></main>'
    assert html_text(html) == "## Scope of the framework\n\nx\n"


@pytest.mark.parametrize("trigger", [
    '<button class="accordion__toggle">Pre-deployment testing</button>',
    '<button type="button" class="item-title">Pre-deployment testing</button>',
])
def test_a_plain_button_that_opens_the_panel_after_it_is_that_panels_heading(trigger: str) -> None:
    html = (f'<main><h2>Commitments</h2><div class="item">{trigger}'
            '<div class="accordion__panel" aria-hidden="true" style="display:none">'
            "<p>We will test every model.</p></div></div></main>")
    assert html_text(html) == "## Commitments\n\n### Pre-deployment testing\n\nWe will test every model.\n"


def test_a_plain_button_before_visible_text_is_still_a_control() -> None:
    html = "<main><p>Intro.</p><button>Print</button><div><p>Body.</p></div></main>"
    assert html_text(html) == "Intro.\n\nBody.\n"


def test_tabs_that_only_name_their_panels_head_each_panel() -> None:
    html = ('<main><div role="tablist"><button role="tab" id="t1" aria-controls="p1">CBRN</button>'
            '<button role="tab" id="t2" aria-controls="p2">Cyber</button></div>'
            '<div role="tabpanel" id="p1"><p>CBRN text.</p></div>'
            '<div role="tabpanel" id="p2" hidden><p>Cyber text.</p></div></main>')
    assert html_text(html) == "## CBRN\n\nCBRN text.\n\n## Cyber\n\nCyber text.\n"


def test_read_more_controls_are_dropped_and_their_text_kept() -> None:
    html = ('<main><p>First.</p><div id="m" hidden><p>Second.</p></div>'
            '<button aria-expanded="false" aria-controls="m">Show more</button></main>')
    assert html_text(html) == "First.\n\nSecond.\n"


def test_plain_buttons_are_controls_not_text() -> None:
    assert html_text("<main><p>before <button>Print</button> after</p></main>") == "before after\n"


@pytest.mark.parametrize(("html", "expected"), [
    ('<p><span class="tag">Policy</span><span>Target: 2026</span></p>', "Policy Target: 2026\n"),
    ('<p><span class="tag">Policy</span>Target: 2026</p>', "Policy Target: 2026\n"),
    ('<p><span class="tag">POLICY</span><span>Target: 2026</span></p>', "POLICY Target: 2026\n"),
    ('<p><span class="badge">Status</span><span>in effect</span></p>', "Status in effect\n"),
    ('<p><span class="label">Scope</span>all frontier models</p>', "Scope all frontier models\n"),
    ("<p>Updated<time>May 2025</time></p>", "Updated May 2025\n"),
    ('<p><span style="display:inline-block">a</span><span>b</span></p>', "a b\n"),
    ('<p><span style="display: block">a</span><span>b</span></p>', "a\n\nb\n"),
])
def test_label_and_value_in_separate_elements_stay_separate(html: str, expected: str) -> None:
    assert html_text(html) == expected


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>ASL<span>-3</span> applies</p>", "ASL-3 applies\n"),
    ("<p><b>W</b>e will</p>", "We will\n"),
    ("<p>15<span>%</span> of <a>compute</a>.</p>", "15% of compute.\n"),
    ("<p>re<em>-</em>evaluate</p>", "re-evaluate\n"),
    ("<p>A<b>I</b> safety</p>", "AI safety\n"),
    ('<p><span class="c1">W</span><span class="c2">e will</span></p>', "We will\n"),
])
def test_words_split_by_inline_markup_stay_whole(html: str, expected: str) -> None:
    assert html_text(html) == expected


@pytest.mark.parametrize("html", [
    '<main><p>text</p><div class="mobile-menu"><a href="/a">Research</a></div></main>',
    '<main><p>text</p><div class="modal" aria-hidden="true"><p>Sign up</p></div></main>',
    '<main><p>text</p><div class="social-share"><a href="/s">Post it</a></div></main>',
    '<main><p>text</p><ul role="menu"><li>Item</li></ul></main>',
    '<a href="#main">Skip to content</a><main><p>text</p></main>',
])
def test_chrome_inside_or_around_main_is_removed(html: str) -> None:
    assert html_text(html) == "text\n"


def test_chrome_words_inside_a_longer_class_name_are_not_chrome() -> None:
    html = '<main><div class="shareholder-letter"><p>text</p></div></main>'
    assert html_text(html) == "text\n"
