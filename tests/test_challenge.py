"""Telling a bot-challenge page from the document (no browser needed)."""

from __future__ import annotations

from crawler.challenge import challenge_reason

CLOUDFLARE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><div class="main-wrapper"><h1>example.com</h1>
<p>Enable JavaScript and cookies to continue</p></div>
<script>window._cf_chl_opt = {cvId: '3'};</script></body></html>"""


def test_cloudflare_interstitial_is_recognised_as_a_challenge() -> None:
    assert challenge_reason(CLOUDFLARE.encode(), "text/html") is not None


def test_a_long_policy_that_mentions_captchas_is_not_a_challenge() -> None:
    para = "<p>We evaluate whether the model can solve a CAPTCHA without human help.</p>"
    page = f"<html><head><title>System Card</title></head><body>{para * 80}</body></html>"
    assert challenge_reason(page.encode(), "text/html") is None


def test_a_short_page_embedding_a_turnstile_widget_is_a_challenge() -> None:
    page = '<html><body><div class="cf-turnstile" data-sitekey="x"></div></body></html>'
    assert challenge_reason(page.encode(), "text/html") is not None
