"""A PDF with 150,000 pages is `pdf_too_large` (the configured limit), never `bad_pdf`.

Two shapes, both tiny on the wire: one flat page array (past the PDF reader's own array guard),
and a tree whose /Count says 150,000 (refused before the tree is walked).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from faultserver import FaultServer, Page
from test_crash_support import run, write_config

PAGES = 150_000


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
              "%%EOF\n".encode())
    return out.getvalue()


def flat_pdf() -> bytes:
    kids = " ".join("3 0 R" for _ in range(PAGES))
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 f"<< /Type /Pages /Kids [{kids}] /Count {PAGES} >>".encode(),
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])


def tree_pdf() -> bytes:
    branch = " ".join("3 0 R" for _ in range(1000))
    trunk = " ".join("4 0 R" for _ in range(PAGES // 1000))
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 f"<< /Type /Pages /Kids [{trunk}] /Count {PAGES} >>".encode(),
                 b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] >>",
                 f"<< /Type /Pages /Parent 2 0 R /Kids [{branch}] /Count 1000 >>".encode()])


@pytest.mark.parametrize("shape", ["flat", "tree"])
def test_a_150k_page_pdf_is_pdf_too_large(shape: str, tmp_path: Path) -> None:
    body = flat_pdf() if shape == "flat" else tree_pdf()
    with FaultServer() as server:
        server.route("/doc.pdf", Page(body, content_type="application/pdf"))
        config = write_config(tmp_path, server.base_url, ["/doc.pdf"])
        result = run("run", "--config", str(config), "--db", f"sqlite:///{tmp_path / 'fw.db'}",
                     "--format", "json", cwd=tmp_path, timeout=120)
    assert result.returncode == 1, result.stderr
    (outcome,) = json.loads(result.stdout)["sources"]
    assert outcome["error_kind"] == "pdf_too_large", outcome
