"""`framewatch coverage`: which documents sources.toml watches, per company, as a Markdown table.

The README's coverage table is this command's output, so it cannot drift from the shipped list
(a test compares them). A source lands in one column:

- changelog:      named by another source's ``changelog`` key (the provider's account of revisions)
- card index:     ``kind = "index"`` (system/model-card listings, lists of policies)
- current PDF:    ``kind = "pdf"`` or ``"follow"`` (a document; ``follow`` tracks the current one)
- framework page: any other ``kind = "page"``
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import Config, SourceConfig
from framewatch.common import UsageError, config_from_args

COLUMNS = ("framework page", "current PDF", "changelog", "card index")
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


@dataclass(frozen=True)
class CompanyCoverage:
    company: str
    cells: tuple[tuple[str, ...], ...]  # source ids per column of COLUMNS
    follows: frozenset[str]  # the ids of `follow` sources (they track the current document)


def column_of(source: SourceConfig, changelogs: set[str]) -> str:
    if source.id in changelogs:
        return "changelog"
    if source.kind == "index":
        return "card index"
    if source.kind in ("pdf", "follow"):
        return "current PDF"
    return "framework page"


def coverage(config: Config) -> list[CompanyCoverage]:
    """Enabled sources by company (in file order) and column."""
    enabled = [s for s in config.sources if s.enabled]
    changelogs = {s.changelog for s in enabled if s.changelog}
    companies = list(dict.fromkeys(s.company for s in enabled))
    rows = []
    for company in companies:
        mine = [s for s in enabled if s.company == company]
        cells = tuple(tuple(s.id for s in mine if column_of(s, changelogs) == col)
                      for col in COLUMNS)
        rows.append(CompanyCoverage(company, cells,
                                    frozenset(s.id for s in mine if s.kind == "follow")))
    return rows


def coverage_table(config: Config) -> str:
    lines = ["| company | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for row in coverage(config):
        cells = [", ".join(f"`{i}`" + (" (follow)" if i in row.follows else "") for i in ids)
                 or "—" for ids in row.cells]
        lines.append(f"| {row.company} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def replace_block(text: str, table: str) -> str:
    """``text`` with the part between the coverage markers replaced by ``table``."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise UsageError(f"no {START} … {END} block to replace")
    return text[:start + len(START)] + "\n" + table + text[end:]


def cmd_coverage(args: argparse.Namespace) -> int:
    table = coverage_table(config_from_args(args))
    if not args.write:
        print(table, end="")
        return 0
    path = Path(args.write)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    new = replace_block(text, table)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "coverage", help="which documents sources.toml watches, per company (Markdown table)")
    p.add_argument("--config", help="sources.toml (default: $FRAMEWATCH_CONFIG or ./sources.toml)")
    p.add_argument("--write", metavar="FILE",
                   help=f"replace the table between {START} and {END} in FILE (e.g. README.md)")
    p.set_defaults(func=cmd_coverage)
