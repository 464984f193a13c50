"""Recognising a bot-challenge page (Cloudflare's "Just a moment...", CAPTCHAs, WAF
interstitials) instead of the document.

Both fetchers ask: ``fetcher = "auto"`` renders a plain answer that looks like one, and the
browser fetcher waits for a challenge to navigate on and fails with kind ``blocked`` when it
does not. framewatch does not solve challenges; it only tells them from content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Rendered text shorter than this may be a challenge page when it carries a challenge marker;
#: longer pages (a policy that mentions CAPTCHAs) are content.
CHALLENGE_MAX_TEXT = 3000


@dataclass(frozen=True)
class ChallengeMarkers:
    """Signs of a bot-challenge / interstitial page, in one place (extend here).

    ``titles`` match the ``<title>`` alone (strong signals: a real document is never titled
    "Just a moment..."). ``texts`` and ``markup`` are weaker: they count only on short pages,
    because Cloudflare injects its scripts into ordinary pages and policies mention CAPTCHAs.
    """

    titles: tuple[str, ...] = (
        "just a moment...", "just a moment…", "attention required! | cloudflare",
        "checking your browser", "ddos-guard", "pardon our interruption",
        "access denied", "human verification", "please verify you are a human",
        "are you a robot", "security check",
    )
    texts: tuple[str, ...] = (
        "enable javascript and cookies to continue", "checking your browser before accessing",
        "checking if the site connection is secure", "verify you are human",
        "verifying you are human", "please complete the security check",
        "please enable cookies", "press & hold", "are you a robot", "captcha",
    )
    markup: tuple[str, ...] = (
        "_cf_chl_opt", "cf-turnstile", "challenges.cloudflare.com", "g-recaptcha",
        "h-captcha", "hcaptcha.com", "captcha-delivery.com", "px-captcha", "perimeterx",
        "/_incapsula_resource", "awswaf",
    )


CHALLENGE_MARKERS = ChallengeMarkers()


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def challenge_reason(body: bytes, content_type: str | None = None,
                     markers: ChallengeMarkers = CHALLENGE_MARKERS) -> str | None:
    """Say why ``body`` looks like a bot-challenge page rather than the document, or None."""
    if not body or b"%PDF-" in body[:1024]:
        return None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media and "html" not in media and media != "text/plain":
        return None
    match = _TITLE.search(body[:65536])
    title = " ".join(match.group(1).decode("utf-8", "replace").split()).lower() if match else ""
    for marker in markers.titles:
        if marker in title:
            return f"a bot-challenge page (title {title!r})"
    text = _visible_text(body)
    if len(text) > CHALLENGE_MAX_TEXT:
        return None
    lowered_text = text.lower()
    for marker in markers.texts:
        if marker in lowered_text:
            return f"a bot-challenge page (it says {marker!r})"
    lowered = body[:262144].decode("utf-8", "replace").lower()
    for marker in markers.markup:
        if marker in lowered:
            return f"a bot-challenge page (it embeds {marker!r})"
    return None


def _visible_text(body: bytes) -> str:
    """The page's text without scripts and styles, cheaply (lxml), whitespace-collapsed."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for el in list(root.iter("script", "style", "noscript", "template")):
        if el.getparent() is not None:
            el.drop_tree()
    return " ".join(root.text_content().split())

