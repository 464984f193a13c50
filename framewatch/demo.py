"""`framewatch demo`: see framewatch work in one command, offline, with no configuration.

A small site of framework documents (package data under ``framewatch/data/demo``) is served on
127.0.0.1. A first cycle records them; then the documents are edited the way companies edit
them — a threshold number raised, "will publish" turned into "may share", a PDF quietly
re-uploaded with a changed cadence, a new system card on an index page — and a second cycle
finds each change. The changes are printed word by word, with the Slack and email alerts that
would have been sent, and the web UI serves the result until Ctrl-C (``--no-serve`` stops after
printing). The database is a temporary file, deleted at the end, unless ``--db`` is given.
Everything is the real pipeline (fetch, snapshot, extract, diff, classify, render): only the
web site is a stand-in.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

SITE = "data/demo"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "demo", help="offline demo: a bundled site, two cycles, the changes and alerts, the web UI")
    p.add_argument("--db", default=argparse.SUPPRESS,
                   help="keep the demo's history in this database (default: a temporary one)")
    p.add_argument("--no-serve", action="store_true",
                   help="stop after printing, without starting the web UI")
    p.add_argument("--port", type=int, default=8000,
                   help="web UI port on 127.0.0.1 (default 8000; a free one if it is taken)")
    p.set_defaults(func=cmd_demo)


# ---- the bundled site -----------------------------------------------------------------------

def site_file(name: str) -> str:
    return resources.files("framewatch").joinpath(f"{SITE}/{name}").read_text(encoding="utf-8")


def pdf_bytes(lines: list[str], *, producer: str) -> bytes:
    """A small valid PDF showing `lines` (Helvetica, one page), written by hand so the demo
    needs no PDF library; `producer` changes the bytes without changing the text."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "72 770 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "T*"] if line.strip() else ["T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Producer (" + esc(producer).encode("latin-1") + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def site_pages(edited: bool) -> dict[str, tuple[bytes, str]]:
    """path → (body, content type) of the demo site, before or after the companies' edits."""
    html = "text/html; charset=utf-8"
    policy = site_file("frontier-safety-policy.html")
    cards = site_file("system-cards.html")
    card = site_file("system-card.html")
    pdf_lines = site_file("preparedness-framework.txt").splitlines()
    producer = "Example AI Publishing 1.0"
    models = ["Example-1", "Example-2"]
    if edited:
        # The kinds of edit the corpus documents, made quietly (no changelog entry):
        policy = (policy.replace("within 30 days", "within 90 days")           # a threshold number
                  .replace("We will publish a capability", "We may share a capability")  # weakened
                  .replace("March 3, 2026", "June 9, 2026")                     # volatile, ignored
                  .replace("2026-03-03T09:12:44Z", "2026-06-09T17:40:02Z"))
        cards = cards.replace("<!-- new cards are added here -->",
                              '<li><a class="card" href="/cards/example-3.html">'
                              "Example-3 system card</a></li>")
        models.append("Example-3")
        # Same URL, same "Version 2.0" label, one number changed: a silent re-upload.
        pdf_lines = [line.replace("at least every 6 months", "at least every 12 months")
                     for line in pdf_lines]
        producer = "Example AI Publishing 1.1"
    pages = {
        "/frontier-safety-policy": (policy.encode(), html),
        "/system-cards": (cards.encode(), html),
        "/preparedness-framework.pdf": (pdf_bytes(pdf_lines, producer=producer), "application/pdf"),
    }
    for model in models:
        pages[f"/cards/{model.lower()}.html"] = (card.replace("{model}", model).encode(), html)
    return pages


class DemoSite:
    """The demo site on 127.0.0.1 (a free port), its pages swappable between cycles."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.pages = site_pages(edited=False)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                found = site.pages.get(self.path.split("?", 1)[0])
                if found is None:
                    self.send_error(404)
                    return
                body, ctype = found
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> DemoSite:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def demo_config(site: DemoSite, database: str, base_url: str) -> Any:
    from crawler.config import Config, Settings, SourceConfig

    settings = Settings(database=database, base_url=base_url, allow_private=True, retries=0,
                        connect_timeout=5, read_timeout=10, total_timeout=30, workers=1)
    company = "Example AI (demo)"
    sources = (
        SourceConfig(id="demo-frontier-safety-policy", company=company,
                     title="Frontier Safety Policy", url=f"{site.base}/frontier-safety-policy",
                     select=("main",), ignore=(r"Last updated [A-Za-z]+ \d+, \d{4}",)),
        SourceConfig(id="demo-preparedness-framework", company=company,
                     title="Preparedness Framework (PDF)", kind="pdf",
                     url=f"{site.base}/preparedness-framework.pdf"),
        SourceConfig(id="demo-system-cards", company=company, title="System cards",
                     kind="index", url=f"{site.base}/system-cards", follow="a.card"),
    )
    return Config(settings=settings, sources=sources)


# ---- the demo -----------------------------------------------------------------------------

@contextlib.contextmanager
def demo_database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="framewatch-demo-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'demo.db'}"


def free_port(preferred: int) -> int:
    import socket  # the demo's only use: every command builds this module's parser

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def say(text: str = "") -> None:
    print(text, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from framewatch.common import open_db
    from framewatch.pipeline import run_with_progress, update_ledger
    from framewatch.summary import print_run_summary

    port = free_port(args.port)
    web = f"http://127.0.0.1:{port}"
    for name in ("framewatch", "framewatch.cycle", "storage.db"):
        logging.getLogger(name).setLevel(logging.WARNING)  # the demo narrates instead
    with DemoSite() as site, demo_database(getattr(args, "db", None)) as url:
        config = demo_config(site, url, web)
        db = open_db(argparse.Namespace(db=url), config)
        try:
            say(f"framewatch demo — a stand-in company site on {site.base}, database {url}")
            say("Nothing leaves this machine. Three documents are watched: a framework page, "
                "a PDF and a system-card index.")
            say()
            say("== Day 1: the first cycle records each document")
            report = run_with_progress(config, db, None, notify=False, show_progress=False)
            print_run_summary(report)
            # What `run --ledger` does: the commitments of the first versions, read behind the
            # alerts, so day 2's alerts can say what the changelog leaves out.
            update_ledger(db, show_progress=False)
            say()
            say("== Overnight the company edits its documents, without a changelog:")
            say("   policy page: 'within 30 days' → 'within 90 days'; 'We will publish' → "
                "'We may share'; a new 'Last updated' date (ignored by the source's rule)")
            say("   PDF: re-uploaded at the same URL, still 'Version 2.0', but "
                "'every 6 months' → 'every 12 months'")
            say("   index: a new 'Example-3 system card'")
            site.pages = site_pages(edited=True)
            say()
            say("== Day 2: the second cycle finds and classifies each change")
            report = run_with_progress(config, db, None, notify=False, show_progress=False)
            print_run_summary(report)
            update_ledger(db, show_progress=False)
            show_changes(db, web, [o.change_id for o in report.changes])
            if report.failures:
                return 1
            if args.no_serve:
                say()
                keep = ("" if getattr(args, "db", None) else
                        " To keep it and browse it later: `framewatch demo --no-serve --db "
                        "sqlite:///demo.db && framewatch serve --db sqlite:///demo.db`.")
                say("Done (--no-serve). Without --no-serve the demo also serves the web UI."
                    f"{keep} The real watch list: `framewatch run`.")
                return 0
            return serve(db, port, web)
        finally:
            db.dispose()


def show_changes(db: Any, web: str, change_ids: list[int | None]) -> None:
    from differ import DiffResult
    from differ.render import render_text
    from notifier.alert import build_alert
    from notifier.render import email_subject, email_text, slack_message
    from storage.repo import Repository

    repo = Repository(db)
    changes = [c for c in (repo.get_change(i) for i in change_ids if i is not None) if c]
    order = {"high": 0, "medium": 1, "low": 2, "none": 3}
    changes.sort(key=lambda c: order.get(c.severity, 4))
    for change in changes:
        say()
        say(f"== change {change.id}: {change.source_id}  [{change.severity}]  "
            f"signals: {', '.join(change.signals)}  (`framewatch show c{change.id}`)")
        say(render_text(DiffResult.from_json(change.diff or {}), color=sys.stdout.isatty()))
    if not changes:
        return
    top = changes[0]
    source = repo.get_source(top.source_id)
    version = repo.get_version(top.new_version_id, with_text=False)
    assert source is not None
    alert = build_alert(top, source, version, web)
    say()
    say(f"== The alert for change {top.id}, as a [notify.slack] channel would post it:")
    say(slack_preview(slack_message(alert)))
    say()
    say("== …and as a [notify.email] channel would send it:")
    say(f"Subject: {email_subject(alert)}")
    say()
    say(email_text(alert).rstrip())
    others = [c for c in changes[1:]]
    if others:
        say()
        say("Also alerted: " + "; ".join(f"change {c.id} [{c.severity}] {c.summary}" for c in others))


def slack_preview(message: dict[str, Any]) -> str:
    """Block Kit as plain lines: headers, sections and context text, in order."""
    lines: list[str] = []
    for block in message.get("blocks", []):
        text = block.get("text")
        if isinstance(text, dict):
            lines.append(("# " if block.get("type") == "header" else "") + text.get("text", ""))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and element.get("text"):
                lines.append(element["text"])
        for field in block.get("fields", []) or []:
            if isinstance(field, dict) and field.get("text"):
                lines.append(field["text"])
        if block.get("type") == "divider":
            lines.append("---")
    if not lines and message.get("text"):
        lines.append(message["text"])
    return "\n".join("  │ " + line for text in lines for line in text.splitlines())


def serve(db: Any, port: int, web: str) -> int:
    import uvicorn

    from web.app import create_app

    app = create_app(db, token=None, base_url=web)
    say()
    say(f"== The web UI: open {web}/ (Ctrl-C to stop; the demo database goes with it)")
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False,
                    proxy_headers=False)
    except KeyboardInterrupt:
        pass
    return 0
