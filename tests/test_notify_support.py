"""Shared helpers for the notifier tests (no tests here): a real SMTP server, configs, changes.

Changes are recorded through ``Repository.record_check`` exactly as the cycle records them, with
outbox rows from the real router, and diffs from ``differ.compare`` — never through the fetch
pipeline, so these tests only depend on storage and the differ.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from faultserver import unused_port

from crawler.config import ChannelConfig, Config, Settings
from notifier.routing import make_router
from storage.db import Database, open_database
from storage.records import NewChange, NewCheck, NewVersion, SourceInfo
from storage.repo import Repository

BASE_URL = "http://fw.example.test"

RSP_V1 = """# 4 Capability thresholds

We will pause training when a model reaches ASL-3. We publish results within 6 months.
"""
RSP_V2 = """# 4 Capability thresholds

We may pause training when a model reaches ASL-4. We publish results within 12 months.
"""


def make_config(channels: dict[str, dict[str, Any]], **settings: Any) -> Config:
    settings.setdefault("base_url", BASE_URL)
    return Config(settings=Settings(**settings), channels=tuple(
        ChannelConfig(name=name, kind=opts.get("kind", name), options=dict(opts), line=None)
        for name, opts in channels.items()), path="sources.toml")


def source(source_id: str = "anthropic-rsp", company: str = "Anthropic",
           title: str = "Responsible Scaling Policy") -> SourceInfo:
    return SourceInfo(id=source_id, company=company, title=title,
                      url=f"https://example.org/{source_id}", kind="page", enabled=True,
                      origin="config")


def open_db(url: str) -> Database:
    return open_database(url)


def diff_of(old: str, new: str) -> dict[str, Any]:
    from differ.compare import compare

    return compare(old, new).to_json()


def low_diff() -> dict[str, Any]:
    return {"severity": "low", "categories": [], "seoul": [], "signals": ["reworded"],
            "summary": "Wording changed in 1 Introduction",
            "hunks": [{"section": "1 Introduction", "old": "This page explains our approach.",
                       "new": "This page describes our approach.", "categories": [],
                       "signals": [], "severity": "low"}]}


def record_change(db: Database, config: Config, diff: dict[str, Any], *,
                  src: SourceInfo | None = None, title: str | None = None) -> int:
    """A first version and a changed one of ``src``; returns the change id (outbox rows from the
    config's router, in the change's transaction, as the cycle does)."""
    src = src or source()
    repo = Repository(db)
    if repo.get_source(src.id) is None:
        repo.sync_sources([*repo.list_sources(), src])
    now = datetime.now(UTC)
    latest = repo.latest_version(src.id)
    if latest is None:
        _, latest_id, _ = repo.record_check(
            NewCheck(source_id=src.id, url=src.url, started_at=now, status="ok"),
            version=NewVersion(document_url=src.url, text="v0", text_sha256=_sha("v0"),
                               extractor_version="t", kind="first", fetched_at=now))
    else:
        latest_id = latest.id
    text = f"v{now.timestamp()}"
    change = NewChange(severity=diff["severity"], categories=tuple(diff["categories"]),
                       signals=tuple(diff["signals"]), summary=diff.get("summary", ""),
                       diff=diff, detected_at=now)
    change = NewChange(**{**change.__dict__, "channels": make_router(config)(src, change)})
    _, _, change_id = repo.record_check(
        NewCheck(source_id=src.id, url=src.url, started_at=now, status="ok"),
        version=NewVersion(document_url=src.url, text=text, text_sha256=_sha(text),
                           extractor_version="t", kind="change", fetched_at=now, title=title),
        change=change, previous_version_id=latest_id)
    assert change_id is not None
    return change_id


def record_failure(db: Database, src: SourceInfo, error_kind: str = "timeout",
                   message: str = "timed out after 30 s") -> None:
    repo = Repository(db)
    if repo.get_source(src.id) is None:
        repo.sync_sources([*repo.list_sources(), src])
    repo.record_check(NewCheck(source_id=src.id, url=src.url, started_at=datetime.now(UTC),
                               status="error", error_kind=error_kind, error_message=message),
                      failed=True)


def record_success(db: Database, src: SourceInfo) -> None:
    Repository(db).record_check(NewCheck(source_id=src.id, url=src.url,
                                         started_at=datetime.now(UTC), status="unchanged"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Inbox:
    """aiosmtpd handler: keeps every message, parsed; ``reply`` overrides the DATA answer."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.reply = "250 OK"
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.reply.startswith("250"):
            return self.reply
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@contextmanager
def smtp_server(*, user: str | None = None, password: str | None = None,
                tls_context: Any = None) -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 (optionally with AUTH and STARTTLS)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    inbox = Inbox()
    port = unused_port()
    kwargs: dict[str, Any] = {}
    if user is not None:
        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                          data: Any) -> AuthResult:
            ok = (data.login.decode() == user and data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_require_tls=tls_context is not None,
                      auth_exclude_mechanism=["LOGIN"])  # smtplib's LOGIN stalls on aiosmtpd
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
