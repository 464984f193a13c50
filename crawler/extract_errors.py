"""Why an extraction failed: shared by the dispatcher and the HTML and PDF extractors."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "bad_pdf", "encrypted_pdf", "pdf_too_large", "pdf_timeout", "empty", "unsupported_type",
    "bad_html", "pattern_timeout",
]


class ExtractError(Exception):
    """Extraction failed in a way the source's maintainer should hear about.

    ``kind`` is a stable machine-readable string (stored on the Check row and grouped in health
    alerts); the message is for people and names what went wrong.
    """

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
