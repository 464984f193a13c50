"""`framewatch commitments`, `framewatch matrix` and `framewatch site`: the commitments ledger
on the command line, and the public static site.

`framewatch run` leaves the commitments of first versions to the ledger's catch-up
(crawler/ledger.py); `commitments --update` runs it, and every command here that reads the
stored ledger runs it first, so none shows a half-built ledger silently.

Exit codes: 0 fine, 1 some versions could not be derived (`--rebuild`), 2 usage or database
error, 3 the source, version or file was not found.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    from framewatch.common import add_common

    p = subparsers.add_parser(
        "commitments", help="the commitments a source's latest version, a version or a file makes")
    add_common(p, formats=True)
    p.add_argument("target", nargs="?",
                   help="a source id, a version id (12 or v12), a file (HTML, PDF, text) or "
                        "an http(s) URL")
    p.add_argument("--allow-private", action="store_true",
                   help="URLs: allow loopback and private addresses (a local test server)")
    p.add_argument("--rebuild", action="store_true",
                   help="recompute the stored ledger from version texts (of TARGET's source, "
                        "or of every source)")
    p.add_argument("--missing", action="store_true",
                   help="with --rebuild: only versions never derived or derived by an older "
                        "model (the same as --update)")
    p.add_argument("--update", action="store_true",
                   help="catch the ledger up: read the versions `run` left pending (first "
                        "versions, changes of pending ones) in worker processes")
    p.set_defaults(func=cmd_commitments)

    p = subparsers.add_parser("matrix", help="companies × Seoul commitments I–VIII and "
                                             "codebook categories")
    add_common(p)
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="text (default), one JSON document, or a standalone html page")
    p.set_defaults(func=cmd_matrix)

    p = subparsers.add_parser("site", help="write the public site (HTML, JSON API, Atom feed) "
                                           "as static files")
    add_common(p)
    p.add_argument("dir", help="output directory (created; files are overwritten)")
    p.add_argument("--base-url", metavar="URL",
                   help="where the site will be published: makes the feed's and the JSON "
                        "files' links absolute (pages always link relatively)")
    p.set_defaults(func=cmd_site)


# ---- commitments ----------------------------------------------------------------------------------

def _items_for(args: argparse.Namespace) -> tuple[str, list[dict[str, Any]]] | None:
    """(what was read, commitment JSON items), or None when the target does not exist."""
    from crawler.extract import ExtractRules
    from crawler.ledger import extract_json
    from framewatch.common import config_from_args, open_db, read_document

    target = args.target
    path = Path(target)
    if path.is_file() or target.startswith(("http://", "https://")):
        return target, list(extract_json(read_document(target, ExtractRules(), args)))
    from storage import ledger as L
    from storage.repo import Repository

    config = config_from_args(args, required=False)
    db = open_db(args, config)
    ensure_ledger(db, config)
    repo = Repository(db)
    ident = target.lower()
    version = None
    if ident.lstrip("v").isdigit() and repo.get_source(target) is None:
        version = repo.get_version(int(ident.lstrip("v")), with_text=False)
        if version is None:
            return None
    else:
        source = repo.get_source(target)
        if source is None:
            return None
        version = repo.latest_version(source.id)
        if version is None or version.kind == "removed":
            return f"{source.id} (no version with text)", []
    if L.has_ledger(db, version.id):
        items = [dict(c.data) for c in L.commitments_of(db, version.id)]
    else:
        items = list(extract_json(repo.version_text(version.id)))
    return f"version {version.id} of {version.source_id}", items


def ensure_ledger(db: Any, config: Any) -> None:
    """Before reading the stored ledger: read what is pending into it. When a cycle holds the
    lease (so the catch-up cannot run now), say how much the output leaves out."""
    from crawler.ledger import pending_versions
    from crawler.lock import LockBusy
    from framewatch.pipeline import ledger_line, update_ledger

    pending = pending_versions(db)
    if not pending:
        return
    try:
        report = update_ledger(db, show_progress=True, workers=config.settings.workers)
    except LockBusy as exc:
        print(f"framewatch: {pending} version(s) not yet read into the commitments ledger, "
              f"left out below ({exc}; `framewatch commitments --update` catches up)",
              file=sys.stderr)
        return
    if report.failures or report.interrupted:
        print(f"framewatch: {ledger_line(report)}", file=sys.stderr)


def public_item(c: dict[str, Any]) -> dict[str, Any]:
    return {"id": c.get("id"), "text": c.get("text"), "section": c.get("section"),
            "category": c.get("category"), "codebook": c.get("codebook"),
            "seoul": list(c.get("seoul") or ()), "strength": c.get("strength"),
            "quantities": list(c.get("quantities") or ())}


STRENGTH = {4: "must/will", 3: "intend/aim", 2: "may/consider", 1: "recommend"}


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[:width - 1].rstrip() + "…"


def render_commitments_text(label: str, items: list[dict[str, Any]], width: int = 80) -> str:
    lines = [f"{len(items)} commitment{'s' if len(items) != 1 else ''} in {label}", ""]
    for n, c in enumerate(items, 1):
        seoul = ",".join(c.get("seoul") or ()) or "-"
        head = (f"{n:>3}. [{c.get('codebook')}] {c.get('category')} · Seoul {seoul} · "
                f"{STRENGTH.get(int(c.get('strength') or 0), '?')}")
        lines.append(_cut(head, width))
        if c.get("section"):
            lines.append(_cut(f"     § {c['section']}", width))
        lines += textwrap.wrap(str(c.get("text", "")), width, initial_indent="     ",
                               subsequent_indent="     ")
        if c.get("quantities"):
            lines += textwrap.wrap("quantities: " + ", ".join(c["quantities"]), width,
                                   initial_indent="     ", subsequent_indent="       ")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def cmd_commitments(args: argparse.Namespace) -> int:
    from framewatch.common import NotFound, UsageError, config_from_args, open_db, print_json

    if args.update or (args.rebuild and args.missing and not args.target):
        from crawler.lock import LockBusy
        from framewatch.pipeline import ledger_line, update_ledger

        config = config_from_args(args, required=False)
        db = open_db(args, config)
        try:
            report = update_ledger(db, show_progress=args.format != "json",
                                   workers=config.settings.workers)
        except LockBusy as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.format == "json":
            print_json(report.to_json())
        else:
            print(ledger_line(report))
        return 1 if report.failures else 0
    if args.rebuild:
        from crawler.ledger import rebuild
        from storage.repo import Repository

        db = open_db(args, config_from_args(args, required=False))
        if args.target and Repository(db).get_source(args.target) is None:
            raise NotFound(f"unknown source {args.target!r} (see `framewatch sources list`)")
        report = rebuild(db, args.target, missing_only=args.missing)
        if args.format == "json":
            print_json(report.to_json())
        else:
            print(f"ledger rebuilt: {report.versions} versions, {report.commitments} "
                  f"commitments, {report.traced} material changes traced"
                  + (f"; failed: {', '.join(report.failures)}" if report.failures else ""))
        return 1 if report.failures else 0
    if not args.target:
        raise UsageError("commitments: name a source id, a version id or a file "
                         "(or --rebuild)")
    found = _items_for(args)
    if found is None:
        raise NotFound(f"{args.target!r} is no file, source id or version id")
    label, items = found
    if args.format == "json":
        print_json({"count": len(items), "commitments": [public_item(c) for c in items]})
    else:
        sys.stdout.write(render_commitments_text(label, items))
    return 0


# ---- diff: commitments of two files -----------------------------------------------------------------

def diff_commitments(old_text: str, new_text: str, account_file: str | None) -> dict[str, Any]:
    """The keys `framewatch diff --format json` adds: each traced commitment with its
    disclosure, and the pair's silent revision rate. The account is the new file's own
    changelog entries plus ``account_file`` (the provider's revision account), if given."""
    from crawler.ledger import extract_json, trace_with_disclosure
    from differ.disclosure import account_for_pair
    from framewatch.common import UsageError

    external: list[str] = []
    if account_file:
        try:
            external.append(Path(account_file).read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            raise UsageError(f"cannot read --account {account_file}: {exc.strerror}") from None
    account = account_for_pair(old_text, new_text, external)
    rows, rate = trace_with_disclosure(extract_json(old_text), extract_json(new_text), account,
                                       old_text, new_text)
    return {"commitments": [{"outcome": r["outcome"], "dims": r["dims"], "old": r["old"],
                             "new": r["new"], "disclosure": r["disclosure"],
                             "announced_by": r["announced_by"], "because": r.get("because"),
                             "material": r.get("material", r["outcome"] != "R")}
                            for r in rows],
            "silent_revision_rate": rate.to_json()}


def render_diff_commitments_text(data: dict[str, Any], width: int = 80) -> str:
    rate = data["silent_revision_rate"]
    moved = [c for c in data["commitments"] if c.get("material", c["outcome"] != "R")]
    out = ["", f"commitments: {len(moved)} material change(s) of {len(data['commitments'])} traced"]
    if rate["strict"] is not None:
        out.append(f"silent revision rate: {rate['strict']:.2f} strict, {rate['lenient']:.2f} "
                   f"lenient ({rate['silent']} of {rate['material']} not identified in the "
                   "provider's account)")
    elif moved:
        out.append("silent revision rate: undefined (no changelog for this pair)")
    for c in moved:
        side = c["new"] or c["old"] or {}
        out.append(_cut(f"  {c['outcome']} [{side.get('codebook')}] {c['disclosure'] or ''} "
                        f"dims {','.join(map(str, c['dims']))}: {' '.join(side.get('text', '').split())}",
                        width))
    return "\n".join(out)


# ---- matrix -----------------------------------------------------------------------------------------------

def cmd_matrix(args: argparse.Namespace) -> int:
    from framewatch.common import config_from_args, open_db, print_json
    from web.app import WebUI
    from web.ledger import COLUMNS, STRENGTH_WORDS, LedgerPages, matrix_json

    config = config_from_args(args, required=False)
    db = open_db(args, config)
    ensure_ledger(db, config)
    ui = WebUI(db)
    pages = LedgerPages(ui)
    rows = pages.matrix_rows()
    if args.format == "json":
        print_json(matrix_json(rows))
        return 0
    if args.format == "html":
        from web.site import render_standalone

        sys.stdout.write(render_standalone(ui, "/matrix"))
        return 0
    if not rows:
        print("no commitments yet — run `framewatch run` (or `framewatch commitments --update`)")
        return 0
    name_w = max(len(r.company) for r in rows)
    print(" " * name_w + "  " + " ".join(f"{c:>4}" for c in COLUMNS))
    for r in rows:
        print(f"{r.company:<{name_w}}  " + " ".join(f"{r.cells[c].count:>4}" for c in COLUMNS))
    print("\ncounts of commitments in the newest versions; strongest per cell: "
          "`--format json` (" + ", ".join(f"{k} {v}" for k, v in STRENGTH_WORDS.items() if k)
          + ")")
    return 0


# ---- site ---------------------------------------------------------------------------------------------------

def cmd_site(args: argparse.Namespace) -> int:
    from framewatch.common import config_from_args, open_db
    from web.site import write_site

    config = config_from_args(args, required=False)
    db = open_db(args, config)
    ensure_ledger(db, config)
    report = write_site(db, Path(args.dir), base_url=args.base_url)
    print(f"site written to {args.dir}: {report.pages} pages, {report.api} JSON files, "
          f"{report.bytes:,} bytes")
    return 0
