"""framewatch's differ: compares two versions of a document and says what kind of change it is.

``compare(old, new)`` returns a ``DiffResult``: hunks (changed sentences with their section path)
classified into categories mapped to the Seoul commitments, signals (how it changed) and a
severity. ``differ.render`` turns a result into terminal text or a standalone HTML page.
"""

from differ.compare import compare
from differ.model import CATEGORIES, SEVERITIES, SIGNALS, DiffResult, Hunk

__all__ = ["CATEGORIES", "SEVERITIES", "SIGNALS", "DiffResult", "Hunk", "compare"]
