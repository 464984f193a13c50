"""Rendering a diff for people: terminal text and a standalone HTML page that stays inert."""

from __future__ import annotations

from differ.compare import compare
from differ.render import render_html, render_inline_html, render_text

OLD = "## 4.2 Capability Thresholds\n\nWe will publish evaluation results.\n"
NEW = "## 4.2 Capability Thresholds\n\nWe may publish evaluation results.\n"
HOSTILE = "## Intro\n\nWe will publish <script>alert(1)</script> </textarea> javascript:alert(2) now.\n"


def test_text_marks_deleted_and_added_words() -> None:
    out = render_text(compare(OLD, NEW))
    assert "- We [-will-] publish evaluation results." in out
    assert "+ We {+may+} publish evaluation results." in out


def test_text_shows_severity_section_and_the_rule_that_fired() -> None:
    out = render_text(compare(OLD, NEW))
    assert out.startswith("severity: high\n")
    assert "4.2 Capability Thresholds" in out
    assert "because: thresholds: thr.capability_threshold" in out


def test_text_without_color_has_no_escape_codes_and_with_color_has_them() -> None:
    result = compare(OLD, NEW)
    assert "\x1b[" not in render_text(result)
    assert "\x1b[" in render_text(result, color=True)


def test_html_puts_deleted_words_in_del_and_added_in_ins() -> None:
    (hunk,) = compare(OLD, NEW).hunks
    assert render_inline_html(hunk) == "We <del>will</del> <ins>may</ins> publish evaluation results."


def test_html_page_shows_badges_seoul_signals_and_rule() -> None:
    page = render_html(compare(OLD, NEW))
    assert '<span class="badge">thresholds</span>' in page
    assert "Seoul II" in page
    assert "weakened" in page
    assert "thr.capability_threshold" in page


def test_hostile_crawled_text_comes_out_inert() -> None:
    page = render_html(compare("## Intro\n\nWe will publish now.\n", HOSTILE), title="<b>x</b>")
    assert "<script>" not in page
    assert "</textarea>" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "href" not in page
    assert "script-src" not in page and "default-src 'none'" in page


def test_html_page_is_standalone_without_javascript() -> None:
    page = render_html(compare(OLD, NEW))
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert "<script" not in page
