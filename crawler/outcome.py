"""What checking one source came to, and a cycle's report: the values the cycle, the source
kinds and the command line share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Outcome statuses, in the words the run summary uses.
FIRST, CHANGED, UNCHANGED, NOT_MODIFIED, REMOVED, FAILED = (
    "first", "changed", "unchanged", "not_modified", "removed", "failed")


@dataclass(frozen=True)
class SourceOutcome:
    source_id: str
    status: str
    message: str = ""
    error_kind: str | None = None
    version_id: int | None = None
    change_id: int | None = None
    severity: str | None = None
    summary: str = ""
    elapsed_ms: int = 0


@dataclass(frozen=True)
class CycleReport:
    run_id: str
    started_at: datetime
    finished_at: datetime
    outcomes: tuple[SourceOutcome, ...]
    deliveries: Any = None  # notifier's report, when notifications ran

    def count(self, *statuses: str) -> int:
        return sum(1 for o in self.outcomes if o.status in statuses)

    @property
    def failures(self) -> tuple[SourceOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == FAILED)

    @property
    def changes(self) -> tuple[SourceOutcome, ...]:
        return tuple(o for o in self.outcomes if o.change_id is not None)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "checked": len(self.outcomes),
            "unchanged": self.count(UNCHANGED, NOT_MODIFIED),
            "new_versions": self.count(FIRST, CHANGED, REMOVED),
            "changes": len(self.changes),
            "failures": len(self.failures),
            "sources": [
                {"source_id": o.source_id, "source": o.source_id, "status": o.status, "error_kind": o.error_kind,
                 "message": o.message, "version_id": o.version_id, "change_id": o.change_id,
                 "severity": o.severity, "summary": o.summary, "elapsed_ms": o.elapsed_ms}
                for o in self.outcomes
            ],
            "deliveries": (self.deliveries.to_json()
                           if hasattr(self.deliveries, "to_json") else None),
        }
