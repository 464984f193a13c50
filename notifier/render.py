"""Rendering the alert model three ways: Slack Block Kit, email (text + HTML), webhook JSON.

Crawled text is hostile. Each format escapes it its own way, at the last moment:
- Slack mrkdwn: ``&``, ``<``, ``>`` become entities (so ``<!channel>`` and ``<url|text>`` links
  are inert) and the formatting characters ``* _ ~ ` `` become look-alikes (so page text cannot
  bold, strike or code-format itself, nor break out of our own ``~struck~ *added*`` markup).
- HTML email: :func:`html.escape` on every crawled string; links only for http(s) URLs.
- Plain-text email and webhook JSON carry the text as-is (they are not interpreted as markup);
  headers are stripped of line breaks so no text can inject a header.
Sizes are capped everywhere: Slack allows 50 blocks and 3,000 characters per text object.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from notifier.alert import Alert, AlertHunk, Content, Digest, HealthNotice, cap
from storage.records import iso

SLACK_MAX_BLOCKS = 50
SLACK_MAX_TEXT = 3000
SLACK_MAX_HEADER = 150
WEBHOOK_MAX_HUNKS = 200
WEBHOOK_MAX_TEXT = 10_000
SEOUL_NAMES = "Seoul Frontier AI Safety Commitments"


def when(dt: datetime | None) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if dt else "unknown"




def category_line(categories: tuple[str, ...], seoul: tuple[str, ...]) -> str:
    if not categories:
        return "uncategorized"
    text = ", ".join(categories)
    return text + (f" (Seoul {', '.join(seoul)})" if seoul else "")


def one_line(text: str) -> str:
    """Whitespace (line breaks included) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def _safe_url(url: str) -> str | None:
    """``url`` if it is a plain http(s) URL that cannot break out of a link; else None."""
    if re.fullmatch(r"https?://[^\s<>|\"'`]+", url or ""):
        return url
    return None


# ---- Slack -----------------------------------------------------------------------------------------

_SLACK_FORMAT = str.maketrans({"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"})


def slack_escape(text: str) -> str:
    """Crawled text made inert for Slack mrkdwn (see the module docstring)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .translate(_SLACK_FORMAT))


def slack_link(url: str, label: str) -> str:
    safe = _safe_url(url)
    return f"<{safe}|{slack_escape(label)}>" if safe else slack_escape(f"{label} ({url})")


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_MAX_TEXT]}}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": cap(one_line(text),
                                                                         SLACK_MAX_HEADER)}}


def slack_hunk(hunk: AlertHunk, limit: int = SLACK_MAX_TEXT) -> str:
    """``*§ section* · tags`` then the sentence with ``~removed~`` and ``*added*`` words.

    Built op by op within ``limit`` characters of escaped text, so an entity or a markup pair
    is never cut in half."""
    tags = " · ".join(t for t in (hunk.severity, ", ".join(hunk.categories),
                                  ", ".join(hunk.signals)) if t)
    head = f"*§ {slack_escape(cap(one_line(hunk.section) or '(top)', 200))}*"
    head += f"  _{slack_escape(tags)}_\n" if tags else "\n"
    out, budget = [head], limit - len(head) - 2
    for op in hunk.ops:
        text = one_line(op.text) if op.op != "=" else re.sub(r"\s+", " ", op.text)
        if not text:
            continue
        piece = slack_escape(text)
        if op.op == "-":
            piece = f"~{piece}~"
        elif op.op == "+":
            piece = f"*{piece}*"
        if len(piece) > budget:
            if op.op == "=" and budget > 10:
                out.append(slack_escape(cap(text, max(1, budget // 6))))  # entities ≤ 5 chars
            out.append("…")
            break
        out.append(piece)
        budget -= len(piece)
    return "".join(out)


def slack_message(content: Content, *, max_hunks: int = 8) -> dict[str, Any]:
    """A Block Kit payload for an incoming webhook, within Slack's limits."""
    if isinstance(content, Alert):
        blocks = _slack_alert(content, max_hunks)
        fallback = f"{content.severity.upper()} · {content.company} {content.source_title}: " \
                   f"{content.summary}"
    elif isinstance(content, Digest):
        blocks = _slack_digest(content)
        fallback = f"framewatch digest {content.day}: {len(content.items)} change(s)"
    else:
        blocks = _slack_health(content)
        fallback = f"framewatch: source {content.source_id} {content.event}"
    assert len(blocks) <= SLACK_MAX_BLOCKS
    return {"text": cap(slack_escape(one_line(fallback)), SLACK_MAX_TEXT), "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}


def _slack_alert(a: Alert, max_hunks: int) -> list[dict[str, Any]]:
    shown = a.hunks[: max(0, min(max_hunks, SLACK_MAX_BLOCKS - 8))]
    more = a.total_hunks - len(shown)
    blocks = [
        _header(f"{a.severity.upper()} · {a.company} · {a.source_title}"),
        _mrkdwn(f"{slack_escape(cap(one_line(a.summary) or 'Changed', 1500))}\n"
                f"*Categories:* {slack_escape(category_line(a.categories, a.seoul))}\n"
                f"*Signals:* {slack_escape(', '.join(a.signals) or 'none')}"
                + (f"\n*Disclosure:* {slack_escape(line)}"
                   if (line := disclosure_line(a.diff or {})) else "")),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": cap(
            f"{slack_link(a.document_url, cap(one_line(a.document_title), 200))} · "
            f"fetched {when(a.fetched_at)} · change #{a.change_id}", SLACK_MAX_TEXT)}]},
        {"type": "divider"},
    ]
    blocks += [_mrkdwn(slack_hunk(h)) for h in shown]
    if more > 0:
        blocks.append(_mrkdwn(f"{more} more hunk{'s' if more != 1 else ''} — "
                              f"{slack_link(a.permalink, 'see the full diff')}"))
    blocks.append(_mrkdwn(slack_link(a.permalink, "Open this change in framewatch")))
    return blocks


def _slack_digest(d: Digest) -> list[dict[str, Any]]:
    room = SLACK_MAX_BLOCKS - 3
    blocks = [_header(f"framewatch daily digest · {d.day} · {len(d.items)} change"
                      f"{'s' if len(d.items) != 1 else ''}")]
    for item in d.items[:room]:
        blocks.append(_mrkdwn(cap(
            f"*{item.severity.upper()}* · {slack_escape(item.company)} · "
            f"{slack_escape(item.source_title)} — "
            f"{slack_escape(cap(one_line(item.summary), 600))} "
            f"{slack_link(item.permalink, f'#{item.change_id}')}", SLACK_MAX_TEXT)))
    more = len(d.items) - room
    if more > 0:
        blocks.append(_mrkdwn(f"{more} more — {slack_link(d.base_url.rstrip('/') + '/changes', 'see all changes')}"))
    return blocks


def _slack_health(h: HealthNotice) -> list[dict[str, Any]]:
    if h.event == "failing":
        title = f"Source failing: {h.source_id}"
        body = (f"*{slack_escape(h.company)} · {slack_escape(h.source_title)}* has failed "
                f"{h.consecutive_failures} check(s) in a row since {when(h.since)}.\n"
                f"*Last error:* {slack_escape(h.error_kind or 'unknown')}: "
                f"{slack_escape(cap(one_line(h.error_message or ''), 800))}")
    else:
        title = f"Source recovered: {h.source_id}"
        body = (f"*{slack_escape(h.company)} · {slack_escape(h.source_title)}* is checked "
                f"successfully again (since {when(h.since)}).")
    return [_header(title), _mrkdwn(body),
            _mrkdwn(f"{slack_link(h.url, 'the document')} · {slack_link(h.permalink, 'its history')}")]


# ---- email -----------------------------------------------------------------------------------------

def header_text(text: str, limit: int = 200) -> str:
    """A header value: no control characters (no header injection), capped."""
    return cap(one_line(re.sub(r"[\x00-\x1f\x7f]", " ", text)), limit)


_SIGNAL_WORDS = (("weakened", "weakened"), ("removed", "removed"),
                 ("section_removed", "section removed"), ("numeric", "numbers changed"),
                 ("reworded", "reworded"), ("strengthened", "strengthened"), ("added", "added"),
                 ("section_added", "section added"))


_CATEGORY_WEIGHT = ("thresholds", "response", "evaluations", "mitigations", "alignment",
                    "governance", "publication", "scope")
"""Which category names a change in a subject line when it has several (most telling first)."""


def headline(a: Alert) -> str:
    """``thresholds weakened``: the main category and the most telling signal, in words."""
    top = a.hunks[0].categories if a.hunks and a.hunks[0].categories else a.categories
    category = min(top, key=lambda c: _CATEGORY_WEIGHT.index(c) if c in _CATEGORY_WEIGHT
                   else len(_CATEGORY_WEIGHT), default="")
    signal = next((w for s, w in _SIGNAL_WORDS if s in a.signals), "changed")
    return f"{category} {signal}".strip()


def email_subject(content: Content) -> str:
    if isinstance(content, Alert):
        what = headline(content)
        text = f"[framewatch] {content.severity.upper()} · {content.company} " \
               f"{content.source_title} · {what}"
    elif isinstance(content, Digest):
        n = len(content.items)
        text = f"[framewatch] digest · {content.day} · {n} change{'s' if n != 1 else ''}"
    else:
        text = (f"[framewatch] source failing · {content.source_id} · "
                f"{content.consecutive_failures} failure(s) ({content.error_kind or 'error'})"
                if content.event == "failing"
                else f"[framewatch] source recovered · {content.source_id}")
    return header_text(text)


def message_id(key: str, content: Content, sender: str) -> str:
    """A Message-ID derived from the idempotency key: a resend carries the same ID, so mail
    systems can recognise the duplicate. The hash of the content's time keeps two framewatch
    installations (test and production) from colliding on equal keys."""
    anchor = (content.detected_at if isinstance(content, Alert)
              else content.since if isinstance(content, HealthNotice) else None)
    extra = anchor.isoformat() if anchor else (content.day if isinstance(content, Digest) else "")
    digest = hashlib.sha256(f"{key}|{extra}|{sender}".encode()).hexdigest()[:16]
    local = re.sub(r"[^A-Za-z0-9._-]", "-", key)[:60]
    domain = re.sub(r"[^A-Za-z0-9.-]", "", sender.rsplit("@", 1)[-1]) or "framewatch.invalid"
    return f"<{local}.{digest}@{domain}>"


def email_message(content: Content, *, sender: str, to: tuple[str, ...], key: str,
                  max_hunks: int = 8, now: datetime | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = email_subject(content)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = message_id(key, content, sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Framewatch-Key"] = header_text(key, 100)
    msg.set_content(email_text(content, max_hunks=max_hunks))
    msg.add_alternative(email_html(content, max_hunks=max_hunks), subtype="html")
    return msg


NOT_IN_CHANGELOG = "not mentioned in the provider's changelog"


def disclosure_line(diff: dict[str, Any]) -> str | None:
    """How much of the change the provider's own account discloses, when the commitments
    ledger traced it: "2 of 3 material commitment changes not mentioned in the provider's
    changelog"."""
    traced = [c for c in diff.get("commitments") or () if isinstance(c, dict)]
    if not traced:
        return None
    codes = [c.get("disclosure") for c in traced]
    if "NCL" in codes:
        return (f"{len(traced)} material commitment change{'s' if len(traced) != 1 else ''}; "
                "the provider published no changelog for this revision")
    silent = sum(code == "SIL" for code in codes)
    if not silent:
        return None
    return (f"{silent} of {len(traced)} material commitment change"
            f"{'s' if len(traced) != 1 else ''} {NOT_IN_CHANGELOG}")


def text_hunk(h: AlertHunk) -> str:
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    body = "".join(marks[o.op].format(o.text if o.op == "=" else one_line(o.text)) for o in h.ops)
    tags = " · ".join(t for t in (h.severity, ", ".join(h.categories), ", ".join(h.signals)) if t)
    return f"§ {one_line(h.section) or '(top)'}  [{tags}]\n  {one_line(body)}"


def email_text(content: Content, *, max_hunks: int = 8) -> str:
    if isinstance(content, Digest):
        lines = [f"framewatch daily digest — {content.day}", ""]
        for i in content.items:
            lines += [f"{i.severity.upper():<6} {i.company} · {i.source_title}",
                      f"       {one_line(i.summary)}", f"       {i.permalink}", ""]
        return "\n".join(lines)
    if isinstance(content, HealthNotice):
        if content.event == "failing":
            return (f"Source {content.source_id} ({content.company} · {content.source_title}) has "
                    f"failed {content.consecutive_failures} check(s) in a row since "
                    f"{when(content.since)}.\n\nLast error: {content.error_kind}: "
                    f"{one_line(content.error_message or '')}\n\nDocument: {content.url}\n"
                    f"History: {content.permalink}\n")
        return (f"Source {content.source_id} ({content.company} · {content.source_title}) is "
                f"checked successfully again.\n\nDocument: {content.url}\n"
                f"History: {content.permalink}\n")
    a = content
    lines = [f"{a.severity.upper()} · {a.company} · {a.source_title}", one_line(a.summary), "",
             f"Categories: {category_line(a.categories, a.seoul)}",
             f"Signals:    {', '.join(a.signals) or 'none'}",
             f"Document:   {one_line(a.document_title)} — {a.document_url}",
             f"Fetched:    {when(a.fetched_at)}",
             f"Change:     {a.permalink}", "",
             "Removed words are shown as [-old-], added words as {+new+}.", ""]
    disclosed = disclosure_line(a.diff or {})
    if disclosed:
        lines[3:3] = [f"Disclosure: {disclosed}"]
    shown = a.hunks[:max_hunks]
    lines += [text_hunk(h) + "\n" for h in shown]
    more = a.total_hunks - len(shown)
    if more > 0:
        lines.append(f"{more} more hunk{'s' if more != 1 else ''} — see the full diff: "
                     f"{a.permalink}")
    return "\n".join(lines) + "\n"


_SEV_COLOR = {"high": "#b91c1c", "medium": "#b45309", "low": "#1d4ed8", "none": "#6b7280"}
_FONT = "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#111827"


def e(text: str) -> str:
    return html.escape(text, quote=True)


def _a(url: str, label: str) -> str:
    safe = _safe_url(url)
    if not safe:
        return e(label)
    return f'<a href="{e(safe)}" style="color:#1d4ed8">{e(label)}</a>'


def html_hunk(h: AlertHunk) -> str:
    parts = []
    for o in h.ops:
        t = e(o.text)
        if o.op == "-":
            parts.append('<del style="background:#fee2e2;color:#991b1b;'
                         f'text-decoration:line-through">{t}</del>')
        elif o.op == "+":
            parts.append('<ins style="background:#dcfce7;color:#166534;text-decoration:none;'
                         f'font-weight:bold">{t}</ins>')
        else:
            parts.append(t)
    tags = " · ".join(t for t in (h.severity, ", ".join(h.categories), ", ".join(h.signals)) if t)
    return (f'<tr><td style="padding:8px 0;border-top:1px solid #e5e7eb;{_FONT}">'
            f'<div style="color:#6b7280;font-size:12px">§ {e(one_line(h.section) or "(top)")}'
            f' &nbsp;·&nbsp; {e(tags)}</div><div>{"".join(parts)}</div></td></tr>')


def _html_page(title: str, rows: str) -> str:
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>"
            f"{e(title)}</title></head><body style=\"margin:0;padding:16px;background:#ffffff\">"
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
            f'style="max-width:720px;{_FONT}">{rows}</table></body></html>')


def email_html(content: Content, *, max_hunks: int = 8) -> str:
    if isinstance(content, Digest):
        rows = [f'<tr><td style="{_FONT};font-size:18px;font-weight:bold;padding-bottom:8px">'
                f"framewatch daily digest — {e(content.day)}</td></tr>"]
        for i in content.items:
            color = _SEV_COLOR.get(i.severity, "#6b7280")
            rows.append(f'<tr><td style="padding:6px 0;border-top:1px solid #e5e7eb;{_FONT}">'
                        f'<b style="color:{color}">{e(i.severity.upper())}</b> · '
                        f"{e(i.company)} · {e(i.source_title)}<br>{e(one_line(i.summary))} "
                        f"{_a(i.permalink, f'#{i.change_id}')}</td></tr>")
        return _html_page(f"framewatch digest {content.day}", "".join(rows))
    if isinstance(content, HealthNotice):
        text = email_text(content)
        body = "".join(f"<p style=\"margin:0 0 8px\">{e(p)}</p>" for p in text.split("\n\n") if p)
        return _html_page(email_subject(content),
                          f'<tr><td style="{_FONT}">{body}'
                          f"<p>{_a(content.permalink, 'Source history')}</p></td></tr>")
    a = content
    color = _SEV_COLOR.get(a.severity, "#6b7280")
    rows = [
        f'<tr><td style="{_FONT};padding-bottom:4px"><span style="background:{color};color:#fff;'
        f'padding:2px 8px;border-radius:3px;font-weight:bold">{e(a.severity.upper())}</span> '
        f"<b>{e(a.company)} · {e(a.source_title)}</b></td></tr>",
        f'<tr><td style="{_FONT};font-size:16px;padding:4px 0">{e(one_line(a.summary))}</td></tr>',
        f'<tr><td style="{_FONT};color:#374151;padding-bottom:8px">'
        f"Categories: {e(category_line(a.categories, a.seoul))}<br>"
        f"Signals: {e(', '.join(a.signals) or 'none')}<br>"
        f"Document: {_a(a.document_url, one_line(a.document_title))} · fetched "
        f"{e(when(a.fetched_at))}</td></tr>",
    ]
    disclosed = disclosure_line(a.diff or {})
    if disclosed:
        rows.append(f'<tr><td style="{_FONT};color:#b91c1c;padding-bottom:8px">'
                    f"{e(disclosed)}</td></tr>")
    shown = a.hunks[:max_hunks]
    rows += [html_hunk(h) for h in shown]
    more = a.total_hunks - len(shown)
    if more > 0:
        rows.append(f'<tr><td style="{_FONT};padding:8px 0">{more} more hunk'
                    f"{'s' if more != 1 else ''} — {_a(a.permalink, 'see the full diff')}</td></tr>")
    rows.append(f'<tr><td style="{_FONT};padding-top:12px">'
                f"{_a(a.permalink, 'Open this change in framewatch')}</td></tr>")
    return _html_page(email_subject(a), "".join(rows))


# ---- webhook ---------------------------------------------------------------------------------------

def capped_diff(diff: dict[str, Any]) -> dict[str, Any]:
    """The diff JSON with at most WEBHOOK_MAX_HUNKS hunks and capped texts."""
    hunks = list(diff.get("hunks") or ())
    out = dict(diff)
    truncated = len(hunks) > WEBHOOK_MAX_HUNKS
    capped = []
    for h in hunks[:WEBHOOK_MAX_HUNKS]:
        h = dict(h) if isinstance(h, dict) else {}
        for k in ("old", "new"):
            if isinstance(h.get(k), str) and len(h[k]) > WEBHOOK_MAX_TEXT:
                h[k], truncated = cap(h[k], WEBHOOK_MAX_TEXT), True
        capped.append(h)
    out["hunks"] = capped
    out["truncated"] = truncated
    out["total_hunks"] = len(hunks)
    return out


def webhook_payload(content: Content, key: str) -> dict[str, Any]:
    if isinstance(content, Alert):
        a = content
        return {
            "type": "change", "idempotency_key": key,
            "change": {"id": a.change_id, "permalink": a.permalink,
                       "detected_at": iso(a.detected_at), "fetched_at": iso(a.fetched_at),
                       "severity": a.severity, "categories": list(a.categories),
                       "seoul": list(a.seoul), "signals": list(a.signals), "summary": a.summary},
            "source": {"id": a.source_id, "company": a.company, "title": a.source_title,
                       "document_title": a.document_title, "document_url": a.document_url},
            "diff": capped_diff(a.diff),
        }
    if isinstance(content, Digest):
        return {"type": "digest", "idempotency_key": key, "channel": content.channel,
                "day": content.day,
                "changes": [{"id": i.change_id, "permalink": i.permalink, "source": i.source_id,
                             "company": i.company, "title": i.source_title,
                             "severity": i.severity, "categories": list(i.categories),
                             "summary": i.summary, "detected_at": iso(i.detected_at)}
                            for i in content.items]}
    h = content
    return {"type": "source_health", "idempotency_key": key, "event": h.event,
            "source": {"id": h.source_id, "company": h.company, "title": h.source_title,
                       "url": h.url, "permalink": h.permalink},
            "consecutive_failures": h.consecutive_failures, "error_kind": h.error_kind,
            "error_message": h.error_message, "since": iso(h.since)}
