"""Render a DiffResult for people: a terminal diff and a standalone, inert HTML page.

Crawled text is hostile (a page can contain ``<script>``, ``</textarea>`` or ``javascript:``), so
every piece of text goes through ``html.escape`` and the page carries a Content-Security-Policy
that forbids scripts; it never turns crawled text into links. ``render_inline_html`` is the one
place that marks changed words in HTML, reused by the web UI and e-mail alerts.
"""

from __future__ import annotations

import html

from differ.align import changed_words
from differ.model import SEVERITIES, DiffResult, Hunk, seoul_for

_ANSI = {"del": "\x1b[31m", "ins": "\x1b[32m", "bold": "\x1b[1m", "reset": "\x1b[0m"}


def _ops(hunk: Hunk) -> list[tuple[int, str]]:
    return changed_words(hunk.old, hunk.new)


def _marked_line(ops: list[tuple[int, str]], side: int, color: bool) -> str:
    """One side of a hunk with that side's changed words marked ``[-..-]`` or ``{+..+}``."""
    parts = []
    for op, text in ops:
        if op == 0:
            parts.append(text)
        elif op == side == -1:
            parts.append(f"{_ANSI['del']}[-{text}-]{_ANSI['reset']}" if color else f"[-{text}-]")
        elif op == side == 1:
            parts.append(
                f"{_ANSI['ins']}{{+{text}+}}{_ANSI['reset']}" if color else f"{{+{text}+}}"
            )
    return " ".join(p for p in parts if p)


def render_text(result: DiffResult, *, color: bool = False) -> str:
    """A readable terminal diff: severity, summary, then each hunk with its section and flags."""
    b = _ANSI["bold"] if color else ""
    r = _ANSI["reset"] if color else ""
    lines = [
        f"{b}severity: {result.severity}{r}",
        f"summary: {result.summary}",
    ]
    if result.categories:
        lines.append(
            f"categories: {', '.join(result.categories)}  (Seoul {', '.join(result.seoul) or '-'})"
        )
    if result.signals:
        lines.append(f"signals: {', '.join(result.signals)}")
    for n, h in enumerate(result.hunks, 1):
        lines.append("")
        lines.append(f"{b}@@ hunk {n} [{h.severity}] {h.section or '(no section)'}{r}")
        ops = _ops(h)
        if h.old:
            lines.append("- " + _marked_line(ops, -1, color))
        if h.new:
            lines.append("+ " + _marked_line(ops, 1, color))
        if h.categories:
            lines.append(
                f"  categories: {', '.join(h.categories)}  (Seoul {', '.join(h.seoul) or '-'})"
            )
        if h.signals:
            lines.append(f"  signals: {', '.join(h.signals)}")
        for why in h.because:
            lines.append(f"  because: {why}")
    return "\n".join(lines) + "\n"


def render_inline_html(hunk: Hunk) -> str:
    """The hunk as one escaped HTML fragment: deleted words in <del>, added words in <ins>."""
    parts = []
    for op, text in _ops(hunk):
        t = html.escape(text)
        if op == 0:
            parts.append(t)
        elif op == -1:
            parts.append(f"<del>{t}</del>")
        else:
            parts.append(f"<ins>{t}</ins>")
    return " ".join(parts)


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem} .hunk{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.6rem .9rem}
.hunk.high{border-left:6px solid #c0392b} .hunk.medium{border-left:6px solid #e67e22}
.hunk.low{border-left:6px solid #f1c40f} .hunk.none{border-left:6px solid #bbb;color:#666}
.section{font-size:.85rem;color:#555} del{background:#fdd;color:#900} ins{background:#dfd;color:#060;text-decoration:none}
.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;margin-right:.25rem;border-radius:3px;background:#eef;color:#225}
.sev{font-weight:bold;text-transform:uppercase;font-size:.8rem} .because{font-size:.8rem;color:#444;margin:.2rem 0 0 1rem}
.text{white-space:pre-wrap;word-wrap:break-word}
"""


def _badges(items: tuple[str, ...], prefix: str = "") -> str:
    return "".join(f'<span class="badge">{html.escape(prefix + i)}</span>' for i in items)


def render_html(result: DiffResult, *, title: str = "framewatch diff") -> str:
    """A standalone page (inline CSS, no JS, CSP forbids scripts) with every text escaped."""
    e = html.escape
    sev = result.severity if result.severity in SEVERITIES else "none"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p><span class="sev">{e(sev)}</span> — {e(result.summary)}</p>',
    ]
    if result.categories:
        out.append(f"<p>{_badges(result.categories)} {_badges(result.seoul, 'Seoul ')}</p>")
    if result.signals:
        out.append(f"<p>signals: {e(', '.join(result.signals))}</p>")
    for n, h in enumerate(result.hunks, 1):
        hs = h.severity if h.severity in SEVERITIES else "none"
        out.append(f'<div class="hunk {hs}" id="hunk-{n}">')
        out.append(
            f'<div class="section"><span class="sev">{e(hs)}</span> · {e(h.section or "(no section)")}</div>'
        )
        if h.categories:
            out.append(
                f"<div>{_badges(h.categories)} {_badges(seoul_for(h.categories), 'Seoul ')}</div>"
            )
        out.append(f'<div class="text">{render_inline_html(h)}</div>')
        if h.signals:
            out.append(f"<div>signals: {e(', '.join(h.signals))}</div>")
        for why in h.because:
            out.append(f'<div class="because">{e(why)}</div>')
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
