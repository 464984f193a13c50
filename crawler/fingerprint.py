"""Which extraction rules made a version's text, as a short stable hash.

Stored with every version the cycle or a re-extraction writes. When the rules now in
sources.toml (or the extractor) give a different fingerprint than the latest version's, a
difference between that version and today's fetch may be the rules' doing, not the company's:
the cycle then re-extracts the stored snapshot first (see ``Cycle.catch_up_rules``).
"""

from __future__ import annotations

import hashlib
import json

from crawler.extract import EXTRACTOR_VERSION, ExtractRules


def rules_fingerprint(rules: ExtractRules, extractor_version: str = EXTRACTOR_VERSION) -> str:
    payload = json.dumps({"select": list(rules.select), "remove": list(rules.remove),
                          "ignore": list(rules.ignore), "extractor": extractor_version},
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def rules_changed(stored: str | None, stored_extractor: str, current: str) -> bool:
    """True when a version's text was made under other rules than `current`.

    A version written before fingerprints existed (None) counts as changed only if its
    extractor version differs: its rules are unknown, and guessing would re-extract everything.
    """
    if stored is None:
        return stored_extractor not in (EXTRACTOR_VERSION, "-")
    return stored != current
