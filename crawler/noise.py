"""A change that was noise (a date stamp, a counter, a rotating banner) becomes an ``ignore``
rule of its source, in sources.toml: the plan of that edit, validated before anything is written.

The rule is shown before it is written (and written only after a yes, or with --yes); the
pattern must match the text of the change, so a typo cannot silently do nothing. Then the
source's latest version is re-extracted under the new rule, so the history shows the fix as a
``technical`` version and the next real change is compared against clean text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import parse_config


@dataclass(frozen=True)
class NoisePlan:
    """What `noise` would write: the source, its file and line, and the edited file text."""

    source_id: str
    path: Path
    line: int
    patterns: tuple[str, ...]
    new_text: str
    matches: tuple[str, ...]  # examples of what the pattern removes


def plan_noise(config_path: Path, source_id: str, pattern: str, change_texts: list[str]) -> NoisePlan:
    """The edit that adds `pattern` to `source_id`'s ``ignore`` list; ValueError if it cannot be
    done (unknown source, bad or useless pattern, already there)."""
    from crawler.toml_edit import with_ignore

    try:
        regex = re.compile(pattern, re.MULTILINE)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ValueError(f"the pattern {pattern!r} is not a valid regular expression: {exc}") from None
    found = tuple(dict.fromkeys(m.group(0) for t in change_texts for m in regex.finditer(t)
                                if m.group(0).strip()))
    if not found:
        raise ValueError(f"the pattern {pattern!r} matches nothing in the change's text; "
                         "nothing would be ignored")
    text = config_path.read_text(encoding="utf-8")
    config = parse_config(text, str(config_path))
    index = next((i for i, s in enumerate(config.sources) if s.id == source_id), None)
    if index is None:
        raise ValueError(f"source {source_id!r} is not in {config_path} (a discovered source: "
                         "add it there with `framewatch sources add` first)")
    source = config.sources[index]
    if pattern in source.ignore:
        raise ValueError(f"source {source_id!r} already ignores {pattern!r}")
    patterns = (*source.ignore, pattern)
    new_text = with_ignore(text, index, list(patterns))
    edited = parse_config(new_text, str(config_path)).source(source_id)
    assert edited is not None and edited.ignore == patterns, "sources.toml edit went wrong"
    from crawler.toml_edit import source_table_span

    line = source_table_span(text.splitlines(), index)[0] + 1
    return NoisePlan(source_id, config_path, line, patterns, new_text, found[:5])


def change_texts(repo: Any, change: Any) -> list[str]:
    """The changed sentences of a change (old and new sides of each hunk)."""
    hunks = (change.diff or {}).get("hunks") or []
    texts = [h.get(side) or "" for h in hunks for side in ("old", "new")]
    return [t for t in texts if t]
