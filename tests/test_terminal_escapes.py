"""Crawled terminal escapes are dropped from version text and never reach a terminal raw.

A text/plain page carries a window-title OSC (``ESC]0;FAKE: all good BEL``), a clear-screen CSI
(``ESC[2J``) and an OSC 8 hyperlink. The raw snapshot keeps the bytes (evidence); the version
text does not; and `run`, `changes`, `show` and `history` print no control character — not even
for rows stored before extraction dropped them, which are shown escaped.
"""

from __future__ import annotations

import re
from pathlib import Path

from faultserver import FaultServer, Page
from sqlalchemy import select, update
from test_crash_support import run, write_config

from storage.db import open_database
from storage.models import Change, Version
from storage.repo import Repository

HOSTILE = ("Frontier policy.\n"
           "\x1b]0;FAKE: all good\x07We will evaluate every model before release.\n"
           "\x1b[2JSafeguards are reviewed each quarter.\n"
           "See \x1b]8;;http://evil.example/\x1b\\the annex\x1b]8;;\x1b\\ for details.\n"
           "\x9b31mRed\x9b0m text and a bell\x07.\n")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _page(text: str) -> Page:
    return Page(text.encode("utf-8"), content_type="text/plain; charset=utf-8")


def _cli(tmp_path: Path, config: Path, db: str, *args: str) -> str:
    result = run(*args, "--config", str(config), "--db", db, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout + result.stderr


def test_escape_sequences_are_stripped_at_extraction_and_kept_in_the_snapshot(
        tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    with FaultServer() as server:
        server.route("/p", _page(HOSTILE))
        config = write_config(tmp_path, server.base_url, ["/p"])
        out = _cli(tmp_path, config, db, "run")
        server.route("/p", _page(HOSTILE.replace("each quarter", "each year")))
        out += _cli(tmp_path, config, db, "run")
    assert not RAW_CONTROL.search(out)
    database = open_database(db, migrate=False)
    try:
        repo = Repository(database)
        first = repo.history("p")[-1]
        text = repo.version_text(first.id)
        raw, _ = repo.snapshot_bytes(first.snapshot_sha256)
    finally:
        database.dispose()
    assert not RAW_CONTROL.search(text)
    assert "FAKE: all good" not in text  # a window title is not document text
    assert "See the annex for details." in text  # the link's words stay, its target goes
    assert "evil.example" not in text
    assert "Red text and a bell." in text
    assert b"\x1b]0;FAKE: all good\x07" in raw  # the evidence is untouched


def test_history_changes_and_show_escape_control_characters_of_stored_rows(
        tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    with FaultServer() as server:
        server.route("/p", _page("We will evaluate every model.\n"))
        config = write_config(tmp_path, server.base_url, ["/p"])
        _cli(tmp_path, config, db, "run")
        server.route("/p", _page("We may evaluate some models.\n"))
        _cli(tmp_path, config, db, "run")
    database = open_database(db, migrate=False)
    try:  # rows as an older framewatch stored them, escapes and all
        with database.session() as s:
            s.execute(update(Version).values(text=HOSTILE))
            change = s.scalars(select(Change)).one()
            diff = dict(change.diff)
            diff["summary"] = "\x1b]0;FAKE: all good\x07\x1b[2Jnothing changed"
            diff["hunks"] = [dict(h, new="\x1b[2J" + h.get("new", "")) for h in diff["hunks"]]
            change.diff = diff
            change.summary = "\x1b]0;FAKE: all good\x07\x1b[2Jnothing changed"
            version_id = s.scalars(select(Version.id)).first()
    finally:
        database.dispose()
    for args in (("changes",), ("history",), ("history", "p"), ("show", "c1"),
                 ("show", str(version_id))):
        out = _cli(tmp_path, config, db, *args)
        assert not RAW_CONTROL.search(out), (args, out)
    shown = _cli(tmp_path, config, db, "show", str(version_id))
    assert "\\x1b]0;FAKE: all good\\x07" in shown  # visible, not obeyed
    assert "\\x1b[2J" in _cli(tmp_path, config, db, "show", "c1")
