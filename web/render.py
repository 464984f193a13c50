"""Turning stored values into what templates show: word-level diffs, dates, safe links.

Everything here returns *data* (segments, strings), never markup: the Jinja2 templates, with
autoescape on, are the only place HTML is produced, so there is one place to audit for escaping.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from starlette.responses import Response

from differ.align import changed_words
from differ.model import SEVERITIES, seoul_for
from storage.read import MARK_END, MARK_START
from storage.records import iso as stored_iso

MAX_HUNK_CHARS = 20_000
"""Characters of one side of one hunk shown on a page; the rest is in the text download and
the JSON. A 4.8 MB single-line page would otherwise be a 9.6 MB HTML page."""
HUNKS_PER_PAGE = 50
"""Hunks per change or compare page; the others are a "next passages" link away."""

MAX_PAGE_DIFF_WORDS = 4_000
"""Words word-diffed for one page, over all its hunks; the hunks past it are shown as whole old
and new sides. Each hunk is bounded by the differ (:data:`differ.align.MAX_WORD_DIFF`), and this
bounds the page: a hostile diff of hundreds of long hunks still renders in about a second."""


@dataclass(frozen=True)
class Segment:
    op: str  # "eq" | "del" | "ins"
    text: str


@dataclass(frozen=True)
class HunkView:
    """One hunk of the stored diff JSON, ready for the template (all text still unescaped)."""

    index: int
    section: str
    old: str
    new: str
    segments: tuple[Segment, ...]
    categories: tuple[str, ...]
    signals: tuple[str, ...]
    severity: str
    because: tuple[str, ...]
    summary: str
    seoul: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.categories) or self.severity in ("medium", "high")

    @property
    def old_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.op != "ins")

    @property
    def new_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.op != "del")


@dataclass(frozen=True)
class SectionGroup:
    section: str
    hunks: list[HunkView] = field(default_factory=list)


def word_diff(old: str, new: str, *, whole: bool = False) -> tuple[Segment, ...]:
    """Old and new text as equal / deleted / inserted runs of words: the differ's word diff
    (:func:`differ.align.changed_words`, the same words the terminal and the alerts mark), or
    the two sides whole when ``whole``."""
    ops = [(-1, old), (1, new)] if whole else changed_words(old, new)
    out: list[Segment] = []
    for op, text in ops:
        if not text:
            continue
        if out:  # the runs are words; a space separates consecutive runs on either side
            out.append(Segment("eq", " "))
        out.append(Segment(_SEGMENT_OPS[op], text))
    merged: list[Segment] = []
    for seg in out:
        if merged and merged[-1].op == seg.op == "eq":
            merged[-1] = Segment("eq", merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return tuple(merged)


_SEGMENT_OPS = {-1: "del", 0: "eq", 1: "ins"}


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return ()


def bounded(text: str, limit: int = MAX_HUNK_CHARS) -> str:
    """At most ``limit`` characters of ``text``, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … [{len(text) - limit:,} more characters not shown]"


def hunk_views(diff: dict[str, Any] | None, limit: int = HUNKS_PER_PAGE,
               offset: int = 0) -> list[HunkView]:
    """The stored diff JSON as HunkViews (hunks ``offset`` to ``offset + limit``, each
    side at most MAX_HUNK_CHARS); tolerant of missing keys in older rows."""
    hunks = (diff or {}).get("hunks") or []
    views = []
    budget = MAX_PAGE_DIFF_WORDS
    for i, h in enumerate(hunks[offset:offset + limit], start=offset):
        if not isinstance(h, dict):
            continue
        old, new = bounded(str(h.get("old") or "")), bounded(str(h.get("new") or ""))
        words = len(old.split()) + len(new.split())
        whole = words > budget
        budget -= 0 if whole else words
        cats = _strs(h.get("categories"))
        views.append(HunkView(
            index=i + 1, section=str(h.get("section") or ""), old=old, new=new,
            segments=word_diff(old, new, whole=whole), categories=cats, signals=_strs(h.get("signals")),
            severity=str(h.get("severity") or "none"), because=_strs(h.get("because")),
            summary=str(h.get("summary") or ""), seoul=seoul_for(cats),
        ))
    return views


def group_by_section(hunks: list[HunkView]) -> list[SectionGroup]:
    """Consecutive hunks under the same heading path share one section header."""
    groups: list[SectionGroup] = []
    for h in hunks:
        if not groups or groups[-1].section != h.section:
            groups.append(SectionGroup(h.section))
        groups[-1].hunks.append(h)
    return groups


# ---- dates ------------------------------------------------------------------------------------

def iso(dt: datetime | None) -> str:
    """:func:`storage.records.iso` for templates: "" when there is no time."""
    return stored_iso(dt) or ""


def short_date(dt: datetime | None) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if dt else ""


def relative(dt: datetime | None, now: datetime | None = None) -> str:
    """'3 hours ago' — people scan relative times; the ISO form sits next to it for citing."""
    if dt is None:
        return ""
    now = now or datetime.now(UTC)
    secs = int((now - dt).total_seconds())
    future = secs < 0
    secs = abs(secs)
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("day", 86_400),
                       ("hour", 3_600), ("minute", 60)):
        if secs >= size:
            n = secs // size
            text = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


# ---- links and snippets -------------------------------------------------------------------------

def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL, else None: crawled links like `javascript:` or
    `data:` must be shown as text, never made clickable."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(
            c in url for c in "\r\n\t\x00"):
        return url.strip()
    return None


def snippet_html(snippet: str) -> Markup:
    """Escape a search snippet, then turn the match markers into <mark> tags."""
    out: list[str] = []
    open_mark = False
    for part in re.split(f"([{MARK_START}{MARK_END}])", snippet):
        if part == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif part == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(str(escape(part)))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=(\"[\w .+/-]*\"|[\w.+/-]+))*$")


def safe_content_type(content_type: str | None) -> str:
    """The stored Content-Type if well-formed (no header injection), else octet-stream."""
    if content_type and len(content_type) < 200 and _MEDIA_TYPE.match(content_type.strip()):
        return content_type.strip()
    return "application/octet-stream"


_EXT = {"text/html": "html", "application/pdf": "pdf", "text/plain": "txt",
        "application/xhtml+xml": "xhtml", "application/json": "json", "text/xml": "xml",
        "application/xml": "xml"}


def extension_for(content_type: str | None) -> str:
    base = (content_type or "").split(";")[0].strip().lower()
    return _EXT.get(base, "bin")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: Any) -> str:
    """Drop characters XML 1.0 forbids even when escaped, so one odd byte in a crawled summary
    cannot make the whole Atom feed unparseable."""
    return _XML_INVALID.sub("", str(value))


def api_json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str),
                    status_code=status, media_type="application/json")
