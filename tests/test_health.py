"""Source health: the maintainer hears once when a source fails, once when it recovers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from faultserver import FaultServer, Page
from test_notify_support import make_config, open_db, record_failure, record_success, source

from notifier.outbox import deliver_pending
from storage import outbox as store
from storage.repo import Repository


@pytest.fixture
def http() -> Any:
    with FaultServer() as server:
        server.route("/maintainer", Page("", status=204, content_type=None))
        server.route("/subscribers", Page("", status=204, content_type=None))
        yield server


def channels(http: FaultServer) -> Any:
    return make_config({
        "subscribers": {"kind": "webhook", "url": http.url("/subscribers"), "min_severity": "none"},
        "maintainer": {"kind": "webhook", "url": http.url("/maintainer")},
    }, health_failures=3)


def notices(http: FaultServer) -> list[dict[str, Any]]:
    return [r.json() for r in http.requests_to("/maintainer")]


def test_maintainer_hears_once_after_three_failures_and_once_on_recovery(
        db_url: str, http: FaultServer) -> None:
    db = open_db(db_url)
    config = channels(http)
    src = source()
    for _ in range(2):
        record_failure(db, src)
        deliver_pending(config, db)
    assert notices(http) == [], "two failures are not yet a health problem"
    record_failure(db, src, "refused", "connection refused")
    report = deliver_pending(config, db)
    for _ in range(3):
        record_failure(db, src)
        deliver_pending(config, db)
    failing = notices(http)
    assert len(failing) == 1, "once, not once per run"
    assert failing[0]["type"] == "source_health" and failing[0]["event"] == "failing"
    assert failing[0]["consecutive_failures"] == 3 and failing[0]["error_kind"] == "refused"
    assert "source anthropic-rsp failing" in str(report)
    record_success(db, src)
    deliver_pending(config, db)
    record_success(db, src)
    deliver_pending(config, db)
    events = [n["event"] for n in notices(http)]
    assert events == ["failing", "recovered"]
    assert http.requests_to("/subscribers") == [], "subscribers never hear about health"
    assert Repository(db).get_source(src.id).health == "ok"  # type: ignore[union-attr]
    db.dispose()


def test_a_select_that_matches_nothing_alerts_the_maintainer_at_once(
        db_url: str, http: FaultServer) -> None:
    db = open_db(db_url)
    config = channels(http)
    record_failure(db, source(), "select_empty",
                   "the `select` selector(s) ['main'] matched nothing")
    deliver_pending(config, db)
    deliver_pending(config, db)
    (notice,) = notices(http)
    assert notice["event"] == "failing" and notice["error_kind"] == "select_empty"
    assert "matched nothing" in notice["error_message"]
    db.dispose()


def test_without_a_maintainer_channel_health_is_tracked_and_logged(
        db_url: str, http: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    db = open_db(db_url)
    config = make_config({"subscribers": {"kind": "webhook", "url": http.url("/subscribers")}})
    src = source()
    for _ in range(3):
        record_failure(db, src)
    with caplog.at_level(logging.WARNING, logger="notifier"):
        deliver_pending(config, db)
    assert Repository(db).get_source(src.id).health == "failing"  # type: ignore[union-attr]
    assert store.listing(db) == []
    assert "[notify.maintainer]" in caplog.text
    db.dispose()


def test_health_notice_reads_well_in_email_and_slack() -> None:
    from datetime import UTC, datetime

    from notifier.alert import HealthNotice
    from notifier.render import email_subject, slack_message

    notice = HealthNotice(event="failing", source_id="anthropic-rsp", company="Anthropic",
                          source_title="Responsible Scaling Policy", url="https://example.org/rsp",
                          consecutive_failures=3, error_kind="timeout",
                          error_message="<!channel> timed out", since=datetime.now(UTC),
                          permalink="http://fw.example.test/sources/anthropic-rsp")
    assert email_subject(notice) == ("[framewatch] source failing · anthropic-rsp · "
                                     "3 failure(s) (timeout)")
    text = str(slack_message(notice))
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
