"""A plain paragraph diff for texts too large to classify within one web request: changed runs
of lines, no sentence alignment, no classifier. `framewatch diff` and the cycle always use the
full differ (:func:`differ.compare`); this is only the web UI's bound on one request's work."""

from __future__ import annotations

import difflib
from typing import Any

MAX_PARAGRAPH_DIFF_LINES = 20_000
"""Lines (both texts together) above which the texts are one hunk: difflib is quadratic at worst."""


def paragraph_diff(old: str, new: str) -> dict[str, Any]:
    """Changed runs of lines as unclassified hunks (severity ``low``), in the diff JSON's shape;
    two texts over :data:`MAX_PARAGRAPH_DIFF_LINES` lines together are one whole-sides hunk."""
    a, b = old.split("\n"), new.split("\n")
    if len(a) + len(b) > MAX_PARAGRAPH_DIFF_LINES:  # difflib is quadratic at worst
        return {"severity": "low", "categories": [], "seoul": [], "signals": [],
                "summary": "too large to compare line by line in the browser; "
                           "use `framewatch diff` on the two texts",
                "hunks": [{"section": "", "old": old, "new": new, "categories": [],
                           "signals": [], "severity": "low", "because": []}]}
    hunks = []
    section = ""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for line in a[i1:i2]:
                if line.startswith("#"):
                    section = line.lstrip("# ").strip()
            continue
        hunks.append({"section": section, "old": "\n".join(a[i1:i2]),
                      "new": "\n".join(b[j1:j2]), "categories": [], "signals": [],
                      "severity": "low", "because": []})
    return {"severity": "low" if hunks else "none", "categories": [], "seoul": [], "signals": [],
            "summary": f"{len(hunks)} changed passages", "hunks": hunks}
