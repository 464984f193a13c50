"""`framewatch coverage`: the per-company table of watched documents, and README's copy of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewatch.cli import main
from framewatch.commands.coverage import END, START

ROOT = Path(__file__).resolve().parents[1]

SMALL = """
[[source]]
id = "fw-page"
company = "Acme"
title = "Framework"
url = "https://acme.example/framework"

[[source]]
id = "fw-pdf"
company = "Acme"
title = "Framework (current PDF)"
url = "https://acme.example/framework"
kind = "follow"
follow = "a[href$='.pdf']"
changelog = "fw-history"

[[source]]
id = "fw-history"
company = "Acme"
title = "Version history"
url = "https://acme.example/history"

[[source]]
id = "cards"
company = "Acme"
title = "Model cards"
url = "https://acme.example/cards"
kind = "index"
follow = "a"

[[source]]
id = "old"
company = "Beta"
title = "Withdrawn policy"
url = "https://beta.example/policy.pdf"
kind = "pdf"
enabled = false
"""

SMALL_TABLE = """\
| company | framework page | current PDF | changelog | card index |
|---|---|---|---|---|
| Acme | `fw-page` | `fw-pdf` (follow) | `fw-history` | `cards` |
"""


def coverage(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["coverage", *args])
    return code, capsys.readouterr().out


def test_coverage_puts_each_source_in_its_column_and_skips_disabled_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(SMALL)
    assert coverage(capsys, "--config", str(cfg)) == (0, SMALL_TABLE)


def test_readme_coverage_table_is_the_one_generated_from_the_shipped_sources(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, table = coverage(capsys, "--config", str(ROOT / "sources.toml"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(START) + len(START):readme.index(END)]
    assert code == 0
    assert block == "\n" + table, "run `framewatch coverage --write README.md`"


def test_write_replaces_only_the_marked_block(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(SMALL)
    doc = tmp_path / "README.md"
    doc.write_text(f"# Title\n\nBefore.\n\n{START}\nstale table\n{END}\n\nAfter.\n")
    assert coverage(capsys, "--config", str(cfg), "--write", str(doc)) == (0, "")
    assert doc.read_text() == f"# Title\n\nBefore.\n\n{START}\n{SMALL_TABLE}{END}\n\nAfter.\n"


def test_write_without_markers_is_a_usage_error_and_leaves_the_file_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(SMALL)
    doc = tmp_path / "README.md"
    doc.write_text("# No markers here\n")
    assert main(["coverage", "--config", str(cfg), "--write", str(doc)]) == 2
    assert "coverage:start" in capsys.readouterr().err
    assert doc.read_text() == "# No markers here\n"
