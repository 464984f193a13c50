"""framewatch's differ: compares two versions of a document and says what kind of change it is.

:func:`differ.compare.compare` returns a ``DiffResult``: hunks (changed sentences with their
section path) classified into categories mapped to the Seoul commitments, signals (how it
changed) and a severity. ``differ.render`` turns a result into terminal text or a standalone
HTML page. :mod:`differ.model` is the vocabulary every package shares (severities,
categories, the Seoul paragraphs, signals); importing it does not load the diff engine.
"""

from differ.model import CATEGORIES, SEVERITIES, SIGNALS, DiffResult, Hunk

__all__ = ["CATEGORIES", "SEVERITIES", "SIGNALS", "DiffResult", "Hunk"]
