"""Crawled text on a terminal: control characters shown, never obeyed.

A page can carry ``ESC]0;FAKE: all good BEL`` (retitles the window), ``ESC[2J`` (clears the
screen), OSC 8 hyperlinks that hide where they point, or bidirectional overrides that reorder a
line. Extraction already drops them from version text (crawler.normalize); everything printed
on a terminal — summaries, version text, diffs, error messages from servers, rows stored before
that — is escaped again here. Dependency-free, so every command can use it at no import cost.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character written as a visible escape (``\\x1b``,
    ``\\u202e``); tab and newline stay."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_visible, text)


def terminal_safe_json(value: Any) -> Any:
    """The same for every string inside a JSON-shaped value (a stored diff, before rendering)."""
    if isinstance(value, str):
        return terminal_safe(value)
    if isinstance(value, list):
        return [terminal_safe_json(v) for v in value]
    if isinstance(value, dict):
        return {k: terminal_safe_json(v) for k, v in value.items()}
    return value
