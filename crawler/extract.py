"""Extraction: raw fetched bytes -> the normalised text that becomes a Version (the cycle's extract step).

This module is the one door the cycle uses. It decides the format from the bytes (servers lie
in Content-Type), hands off to the HTML or PDF extractor, then normalises and applies the
source's ``ignore`` patterns, so that the same words always produce the same bytes and the
caller can compare versions by sha256.

Failures that a maintainer can act on are raised as :class:`ExtractError` with a stable
``kind`` that goes straight into the Check row and the health alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from crawler.extract_errors import ExtractError
from crawler.normalize import apply_ignore, compile_ignore, normalize_text
from crawler.patterns import PatternTimeout

__all__ = [
    "EXTRACTOR_VERSION",
    "ExtractError",
    "ExtractRules",
    "Extracted",
    "Format",
    "detect_format",
    "extract",
    "validate_selector",
]

# Bump whenever the text produced for the same bytes and rules can change: every stored Version
# carries it, and `framewatch reextract` uses it to rebuild history as `technical` versions.
EXTRACTOR_VERSION = "extract-9"

Format = Literal["html", "pdf", "text"]

@dataclass(frozen=True, slots=True)
class ExtractRules:
    """A source's extraction rules, parsed from sources.toml.

    ``select``/``remove`` are CSS selectors (HTML only); ``ignore`` are regexes deleted from the
    final text (both formats).
    """

    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extracted:
    """The text of one document plus what the caller needs to report on it.

    ``select_matched`` is False only when ``select`` was given and matched nothing; the text is
    then the whole page after boilerplate removal, and the cycle raises a health warning rather
    than silently versioning a different part of the page.
    """

    text: str
    format: Format
    select_matched: bool
    title: str
    pages: int | None
    warnings: tuple[str, ...]


# Content types that are never text. Anything else we cannot sniff is read as plain text.
_BINARY_TYPES = re.compile(
    r"^(image|audio|video|font|model)/|^application/(zip|gzip|x-|octet-stream$|vnd\.|msword"
    r"|java-archive|wasm)"
)
_HTML_SNIFF = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title"
    rb"|div|p|h[1-6]|table|main|article|section|script|style|link)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def detect_format(body: bytes, content_type: str | None) -> Format:
    """Return "html", "pdf" or "text", trusting the bytes over the Content-Type header.

    Sniffing comes first because misconfigured servers are common in the wild (CDNs serving a
    PDF as text/html, an HTML "file not found" page served as application/pdf). PDF readers
    accept the %PDF- magic anywhere in the first KiB, so do we. Raises ExtractError
    ("unsupported_type") for bodies that are neither and cannot be read as text.
    """
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n")
    if _HTML_SNIFF.match(stripped):
        return "html"
    media = _media_type(content_type)
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media == "application/pdf":
        # Claimed PDF without the magic bytes: a truncated or corrupt file. Let the PDF
        # extractor report it as bad_pdf rather than versioning its garbage as text.
        return "pdf"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError("unsupported_type", f"binary content ({media or 'no content type'})")
    if _BINARY_TYPES.match(media) and media != "application/octet-stream":
        raise ExtractError("unsupported_type", f"cannot extract text from {media}")
    if media == "text/plain":
        return "text"
    if b"<" in head and re.search(rb"<(p|div|br|a|span|h[1-6]|li|table)[\s>/]", head, re.I):
        return "html"
    return "text"


def validate_selector(selector: str) -> str | None:
    """Return None if ``selector`` is a CSS selector we can run, else a readable error.

    Config validation calls this so that a typo fails `framewatch sources check` with a
    message instead of failing every run.
    """
    from crawler.extract_html import compile_selector

    if not selector.strip():
        return "empty selector"
    try:
        compile_selector(selector)
    except ValueError as exc:
        return str(exc)
    return None


def extract(
    body: bytes,
    content_type: str | None,
    rules: ExtractRules,
    *,
    url: str = "",
    max_pdf_pages: int = 500,
    pdf_timeout: float = 60.0,
) -> Extracted:
    """Extract the normalised text of one fetched document.

    ``url`` is only used in messages. Raises ExtractError; an ``ignore`` pattern that is not
    a valid regex raises ValueError (a configuration error, caught by config validation).
    Text that ends up empty is an error ("empty") rather than a Version, because an empty
    version would diff as "every commitment removed".
    """
    compile_ignore(rules.ignore)  # fail on a bad pattern before doing any work
    where = f" ({url})" if url else ""
    fmt = detect_format(body, content_type)
    warnings: list[str] = []
    select_matched = True
    pages: int | None = None
    if fmt == "html":
        from crawler.extract_html import extract_html

        html = extract_html(body, content_type, rules.select, rules.remove)
        raw, title, select_matched = html.text, html.title, html.select_matched
        warnings.extend(html.warnings)
    elif fmt == "pdf":
        from crawler.extract_pdf import extract_pdf

        if rules.select or rules.remove:
            warnings.append("select/remove selectors do not apply to PDF documents")
        pdf = extract_pdf(body, max_pages=max_pdf_pages, timeout=pdf_timeout)
        raw, title, pages = pdf.text, pdf.title, pdf.pages
        warnings.extend(pdf.warnings)
    else:
        from crawler.extract_html import decode_body

        raw, _ = decode_body(body, content_type, sniff_meta=False)
        title = ""
    text = normalize_text(raw)
    if rules.ignore:
        try:
            text = apply_ignore(text, rules.ignore)
        except PatternTimeout as exc:
            raise ExtractError("pattern_timeout", f"{exc}{where}") from None
    if not text:
        raise ExtractError("empty", f"no text extracted from the {fmt} document{where}")
    title = " ".join(normalize_text(title).split())
    return Extracted(
        text=text,
        format=fmt,
        select_matched=select_matched,
        title=title,
        pages=pages,
        warnings=tuple(warnings),
    )
