"""The web UI's "mark as noise", backed by a sources.toml file: the plan is the crawler's
:func:`crawler.noise.plan_noise`, the write is the file edit then a re-extraction under the
cycle lease (the same steps as `framewatch noise`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.noise import NoisePlan, change_texts, plan_noise


class SourcesFileNoise:
    """:class:`web.noise.NoiseRules` over one sources.toml."""

    def __init__(self, config_path: str | Path) -> None:
        self.config_path = Path(config_path)

    def plan(self, change: Any, pattern: str) -> NoisePlan:
        return plan_noise(self.config_path, change.source_id, pattern, change_texts(None, change))

    def write(self, plan: NoisePlan, db: Any) -> str:
        from crawler.config import load_config
        from crawler.lock import LockBusy, exclusive_cycle
        from crawler.reextract import reextract
        from crawler.toml_edit import write_atomically

        write_atomically(plan.path, plan.new_text)
        config = load_config(plan.path)
        try:
            with exclusive_cycle(db, wait=0.0):
                report = reextract(config, db, plan.source_id)
        except LockBusy:
            return ("The rule is written. A cycle is running, so the re-extraction waits for "
                    "the next `framewatch run`.")
        if report.technical:
            return (f"The rule is written and the source re-extracted: technical version "
                    f"{report.technical[0]} (not alerted).")
        return "The rule is written; the latest version's text was already clean."
