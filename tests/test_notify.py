"""Alerts over real protocols on 127.0.0.1: Slack and webhook (HTTP), email (aiosmtpd)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import pytest
from faultserver import FaultServer, Page, Status
from test_notify_support import (
    BASE_URL,
    RSP_V1,
    RSP_V2,
    diff_of,
    low_diff,
    make_config,
    open_db,
    record_change,
    smtp_server,
    source,
)

from framewatch.cli import main
from notifier.alert import AlertHunk, build_alert, word_ops
from notifier.outbox import deliver_pending
from notifier.render import SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, slack_message
from notifier.routing import make_router
from storage import outbox as store
from storage.errors import ConfigError
from storage.records import ChangeInfo, NewChange, VersionInfo

SLACK_ENV = "FW_TEST_SLACK_URL"


@pytest.fixture
def http() -> Any:
    with FaultServer() as server:
        server.route("/slack", Page("ok", content_type="text/plain"))
        server.route("/hook", Page("", status=204, content_type=None))
        yield server


def three_channels(http: FaultServer, smtp_port: int, **slack: Any) -> dict[str, dict[str, Any]]:
    return {
        "slack": {"webhook_url_env": SLACK_ENV, "min_severity": "medium", **slack},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "security": "none",
                  "from": "framewatch@example.org", "to": ["team@example.org"],
                  "min_severity": "high"},
        "webhook": {"url": http.url("/hook"), "min_severity": "low"},
    }


def hostile_diff() -> dict[str, Any]:
    evil = ("<script>alert(1)</script> <!channel> *URGENT* _now_ ~x~ `code` "
            "<https://evil.example|click here> [phish](https://evil.example) & more")
    return {"severity": "high", "categories": ["thresholds"], "seoul": ["II"],
            "signals": ["removed"], "summary": f"Thresholds · removed: {evil}",
            "hunks": [{"section": "4 <b>Thresholds</b> <!here>", "old": f"We will pause. {evil}",
                       "new": "We may pause.", "categories": ["thresholds"],
                       "signals": ["removed"], "severity": "high"}]}


# ---- the main path -----------------------------------------------------------------------------

def test_a_high_change_alerts_every_channel_exactly_once(db_url: str, http: FaultServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SLACK_ENV, http.url("/slack"))
    db = open_db(db_url)
    with smtp_server() as (inbox, port):
        config = make_config(three_channels(http, port))
        change_id = record_change(db, config, diff_of(RSP_V1, RSP_V2))
        first = deliver_pending(config, db)
        second = deliver_pending(config, db)
    assert (first.sent, second.sent) == (3, 0)
    assert len(http.requests_to("/slack")) == 1
    assert len(http.requests_to("/hook")) == 1
    assert len(inbox.messages) == 1
    hook = http.requests_to("/hook")[0].json()
    assert hook["change"]["id"] == change_id
    assert hook["change"]["permalink"] == f"{BASE_URL}/changes/{change_id}"
    assert hook["diff"]["severity"] == "high" and hook["diff"]["hunks"]
    assert hook["source"]["company"] == "Anthropic"
    assert {r.status for r in store.listing(db)} == {"sent"}
    db.dispose()


def test_a_low_change_goes_to_the_daily_digest_only(db_url: str, http: FaultServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SLACK_ENV, http.url("/slack"))
    db = open_db(db_url)
    with smtp_server() as (inbox, port):
        config = make_config(three_channels(http, port, min_severity="low", digest="daily",
                                            digest_below="high")
                             | {"webhook": {"url": http.url("/hook"), "min_severity": "medium"}})
        first_low = record_change(db, config, low_diff())
        second_low = record_change(db, config, low_diff())
        report = deliver_pending(config, db)
        later_low = record_change(db, config, low_diff())
        again = deliver_pending(config, db)
    slack = [r.json() for r in http.requests_to("/slack")]
    assert len(slack) == 1, "one digest message, no immediate alerts"
    digest_text = json.dumps(slack[0])
    assert "digest" in slack[0]["blocks"][0]["text"]["text"]
    assert f"/changes/{first_low}" in digest_text and f"/changes/{second_low}" in digest_text
    assert http.requests_to("/hook") == [] and inbox.messages == []
    assert report.sent == 1
    assert again.sent == 0 and again.held == 1, "a second digest the same day waits"
    assert f"/changes/{later_low}" not in digest_text
    db.dispose()


def test_hostile_page_text_arrives_inert_in_slack_email_and_webhook(
        db_url: str, http: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SLACK_ENV, http.url("/slack"))
    db = open_db(db_url)
    with smtp_server() as (inbox, port):
        config = make_config(three_channels(http, port))
        record_change(db, config, hostile_diff(),
                      title="Evil <img src=x onerror=alert(1)>\r\nBcc: victim@example.org")
        deliver_pending(config, db)
    slack_body = http.requests_to("/slack")[0].body.decode()
    texts = [b["text"]["text"] for b in json.loads(slack_body)["blocks"] if "text" in b]
    texts += [el["text"] for b in json.loads(slack_body)["blocks"] for el in b.get("elements", [])]
    joined = "\n".join(texts)
    assert "<!channel>" not in joined and "<!here>" not in joined
    assert "&lt;!channel&gt;" in joined
    assert "<https://evil.example" not in joined and "<script>" not in joined
    assert "*URGENT*" not in joined and "~x~" not in joined and "`code`" not in joined
    # Our own markup still works: the differ's word diff struck the old words, emphasised the new.
    assert "~will pause. " in joined and "*may pause.*" in joined
    msg = inbox.messages[0]
    html_part = msg.get_body(("html",)).get_content()
    assert "<script>" not in html_part and "<img" not in html_part
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert "<b>Thresholds</b>" not in html_part
    assert msg["Bcc"] is None and "victim" not in str(msg["Subject"])
    assert "<script>alert(1)</script>" in msg.get_body(("plain",)).get_content()
    hook = http.requests_to("/hook")[0].json()
    assert "<!channel>" in hook["diff"]["hunks"][0]["old"], "JSON carries the text, unaltered"
    db.dispose()


def test_slack_message_stays_within_block_and_text_limits() -> None:
    hunks = [{"section": f"§{i} " + "Deep > " * 80, "old": "word " * 1500 + "& < >" * 300,
              "new": "other " * 1500, "categories": ["thresholds"], "signals": ["reworded"],
              "severity": "high"} for i in range(120)]
    diff = {"severity": "high", "categories": ["thresholds"], "seoul": ["II"],
            "signals": ["reworded"], "summary": "x" * 5000, "hunks": hunks}
    alert = _alert(diff)
    message = slack_message(alert, max_hunks=200)
    blocks = message["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    for block in blocks:
        texts = [block["text"]["text"]] if "text" in block else []
        texts += [el["text"] for el in block.get("elements", [])]
        assert all(len(t) <= SLACK_MAX_TEXT for t in texts)
    more = [b for b in blocks if "more hunks" in b.get("text", {}).get("text", "")]
    assert more and "see the full diff" in more[0]["text"]["text"]
    assert f"{BASE_URL}/changes/7" in more[0]["text"]["text"]
    assert len(message["text"]) <= SLACK_MAX_TEXT


def test_alert_shows_struck_old_words_and_emphasised_new_words() -> None:
    ops = word_ops("We will pause at ASL-3.", "We may pause at ASL-4.")
    assert [(o.op, o.text) for o in ops if o.op != "="] == [
        ("-", "will"), ("+", "may"), ("-", "ASL-3."), ("+", "ASL-4.")]
    from notifier.render import email_text, html_hunk, slack_hunk

    hunk = AlertHunk(section="4 Thresholds", old="", new="", ops=ops, severity="high")
    assert "~will~ *may*" in slack_hunk(hunk)
    assert "line-through\">will</del>" in html_hunk(hunk)
    text = email_text(_alert(diff_of(RSP_V1, RSP_V2)))
    assert "[-will-] {+may+}" in text and "Seoul II" in text


# ---- email -------------------------------------------------------------------------------------

def test_email_is_multipart_with_subject_message_id_and_date(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FW_TEST_SMTP_USER", "alerts")
    monkeypatch.setenv("FW_TEST_SMTP_PASSWORD", "s3cret-pass")
    db = open_db(db_url)
    with smtp_server(user="alerts", password="s3cret-pass") as (inbox, port):
        config = make_config({"email": {
            "smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
            "username_env": "FW_TEST_SMTP_USER", "password_env": "FW_TEST_SMTP_PASSWORD",
            "from": "framewatch@example.org", "to": "team@example.org"}})
        change_id = record_change(db, config, diff_of(RSP_V1, RSP_V2))
        report = deliver_pending(config, db)
    assert report.sent == 1
    msg = inbox.messages[0]
    assert msg["Subject"] == ("[framewatch] HIGH · Anthropic Responsible Scaling Policy · "
                              "thresholds weakened")
    assert msg["Message-ID"].startswith(f"<change-{change_id}-email.")
    assert msg["Message-ID"].endswith("@example.org>") and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert "[-will-] {+may+}" in plain and f"{BASE_URL}/changes/{change_id}" in plain
    assert 'style="' in html_part and f'href="{BASE_URL}/changes/{change_id}"' in html_part
    db.dispose()


def test_smtp_temporary_error_stays_pending(db_url: str) -> None:
    db = open_db(db_url)
    with smtp_server() as (inbox, port):
        inbox.reply = "451 4.3.0 try again later"
        config = make_config({"email": {"smtp_host": "127.0.0.1", "smtp_port": port,
                                        "security": "none", "from": "fw@example.org",
                                        "to": "t@example.org"}})
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        report = deliver_pending(config, db)
    (row,) = store.listing(db)
    assert (row.status, row.attempts, report.pending) == ("pending", 1, 1)
    assert "SMTP 451" in (row.last_error or "")
    db.dispose()


# ---- webhook -----------------------------------------------------------------------------------

def test_webhook_is_signed_and_carries_an_idempotency_key(
        db_url: str, http: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FW_TEST_HOOK_SECRET", "hmac-secret-value")
    db = open_db(db_url)
    config = make_config({"webhook": {"url": http.url("/hook"),
                                      "secret_env": "FW_TEST_HOOK_SECRET"}})
    change_id = record_change(db, config, diff_of(RSP_V1, RSP_V2))
    deliver_pending(config, db)
    (request,) = http.requests_to("/hook")
    expected = hmac.new(b"hmac-secret-value", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-framewatch-signature"] == f"sha256={expected}"
    assert request.headers["idempotency-key"] == f"change-{change_id}-webhook"
    assert request.json()["idempotency_key"] == f"change-{change_id}-webhook"
    db.dispose()


# ---- secrets -----------------------------------------------------------------------------------

def test_secrets_never_appear_in_logs_or_error_messages(
        db_url: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    slack_token = "T000-B000-XXXXsecretslacktoken"
    smtp_password = "wrong-but-secret-password"
    with FaultServer() as server:
        # The Slack stand-in fails and echoes the request path (hence the token) in its body.
        server.route(f"/services/{slack_token}",
                     Status(500, f"error for /services/{slack_token}"))
        monkeypatch.setenv(SLACK_ENV, server.url(f"/services/{slack_token}"))
        monkeypatch.setenv("FW_TEST_SMTP_USER", "alerts")
        monkeypatch.setenv("FW_TEST_SMTP_PASSWORD", smtp_password)
        db = open_db(db_url)
        with smtp_server(user="alerts", password="right") as (_inbox, port):
            config = make_config({
                "slack": {"webhook_url_env": SLACK_ENV},
                "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                          "username_env": "FW_TEST_SMTP_USER",
                          "password_env": "FW_TEST_SMTP_PASSWORD",
                          "from": "fw@example.org", "to": "t@example.org"}})
            record_change(db, config, diff_of(RSP_V1, RSP_V2))
            with caplog.at_level(logging.DEBUG):
                logging.getLogger("httpx").setLevel(logging.DEBUG)
                report = deliver_pending(config, db)
    errors = [r.last_error or "" for r in store.listing(db)]
    assert len(errors) == 2 and all(errors)
    everything = caplog.text + "\n".join(errors) + str(report)
    assert slack_token not in everything
    assert smtp_password not in everything
    assert "HTTP 500" in everything and "FW_TEST_SMTP_PASSWORD" in everything
    db.dispose()


# ---- configuration and routing ---------------------------------------------------------------------

def test_unknown_channel_key_is_a_config_error_naming_the_field() -> None:
    config = make_config({"slack": {"webhook_url_env": SLACK_ENV, "min_severty": "high"}})
    with pytest.raises(ConfigError, match=r"notify\.slack\.min_severty: unknown key"):
        make_router(config)


def test_maintainer_table_needs_its_own_kind() -> None:
    config = make_config({"maintainer": {"to": "me@example.org"}})
    with pytest.raises(ConfigError, match=r"notify\.maintainer\.kind"):
        make_router(config)


def test_secrets_must_be_named_by_environment_variables() -> None:
    config = make_config({"slack": {"webhook_url_env": "https://hooks.slack.com/services/X"}})
    with pytest.raises(ConfigError, match=r"notify\.slack\.webhook_url_env: .*environment"):
        make_router(config)


def test_router_applies_severity_company_and_category_filters() -> None:
    config = make_config({
        "slack": {"webhook_url_env": SLACK_ENV, "min_severity": "medium"},
        "webhook": {"url": "http://127.0.0.1:9/hook", "companies": ["openai"],
                    "categories": ["thresholds"]},
        "maintainer": {"kind": "webhook", "url": "http://127.0.0.1:9/m"},
    })
    router = make_router(config)

    def change(severity: str, *categories: str) -> NewChange:
        return NewChange(severity=severity, categories=categories, signals=(), summary="",
                         diff={}, detected_at=_now())

    assert router(source(), change("high", "thresholds")) == ("slack",)
    assert router(source(), change("low")) == ()
    openai = source("openai-pf", company="OpenAI")
    assert router(openai, change("high", "thresholds")) == ("slack", "webhook")
    assert router(openai, change("high", "evaluations")) == ("slack",)


# ---- CLI ---------------------------------------------------------------------------------------------

def test_deliveries_command_lists_pending_and_failed_as_json(
        db_url: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_db(db_url)
    with FaultServer() as server:
        server.route("/hook", Status(503))
        server.route("/bad", Status(400, "bad payload"))
        config = make_config({"webhook": {"url": server.url("/hook")},
                              "strict": {"kind": "webhook", "url": server.url("/bad")}})
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        deliver_pending(config, db)
    db.dispose()
    (tmp_path / "empty.toml").write_text("")
    assert main(["deliveries", "--db", db_url, "--format", "json",
                 "--config", str(tmp_path / "empty.toml")]) == 0
    rows = {r["channel"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["webhook"]["status"] == "pending" and rows["webhook"]["next_attempt_at"]
    assert "HTTP 503" in rows["webhook"]["last_error"]
    assert rows["strict"]["status"] == "failed" and "HTTP 400" in rows["strict"]["last_error"]


def test_notify_test_sends_a_sample_alert(tmp_path: Any, http: FaultServer,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(f'[notify.webhook]\nurl = "{http.url("/hook")}"\n', encoding="utf-8")
    assert main(["notify-test", "webhook", "--config", str(cfg)]) == 0
    assert "sample alert sent" in capsys.readouterr().out
    assert http.requests_to("/hook")[0].json()["change"]["severity"] == "high"
    assert main(["notify-test", "nope", "--config", str(cfg)]) == 2


# ---- helpers -----------------------------------------------------------------------------------------

def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _alert(diff: dict[str, Any]) -> Any:
    change = ChangeInfo(id=7, source_id="anthropic-rsp", old_version_id=1, new_version_id=2,
                        severity=diff["severity"], categories=tuple(diff["categories"]),
                        signals=tuple(diff["signals"]), summary=diff["summary"],
                        detected_at=_now(), diff=diff)
    version = VersionInfo(id=2, source_id="anthropic-rsp", snapshot_sha256=None,
                          document_url="https://example.org/rsp", text_sha256="",
                          extractor_version="t", fetched_at=_now(), kind="change")
    return build_alert(change, source(), version, BASE_URL)


# ---- TLS -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (the channel trusts it through `ca_file`)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_with_login(db_url: str, tls_cert: tuple[str, str], security: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from aiosmtpd.controller import Controller
    from faultserver import unused_port
    from test_notify_support import Inbox

    cert, key = tls_cert
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    monkeypatch.setenv("FW_TEST_SMTP_USER", "alerts")
    monkeypatch.setenv("FW_TEST_SMTP_PASSWORD", "tls-pass")
    inbox, port = Inbox(), unused_port()
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        logins.append(data.login.decode())
        return AuthResult(success=data.password == b"tls-pass", handled=False)

    kwargs: dict[str, Any] = {"authenticator": authenticator, "auth_exclude_mechanism": ["LOGIN"]}
    if security == "starttls":
        kwargs.update(tls_context=ctx, require_starttls=True)
    else:
        kwargs.update(ssl_context=ctx, auth_require_tls=False)  # it is TLS, aiosmtpd cannot tell
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    db = open_db(db_url)
    try:
        config = make_config({"email": {
            "smtp_host": "127.0.0.1", "smtp_port": port, "security": security, "ca_file": cert,
            "username_env": "FW_TEST_SMTP_USER", "password_env": "FW_TEST_SMTP_PASSWORD",
            "from": "fw@example.org", "to": "t@example.org", "timeout": 5}})
        record_change(db, config, diff_of(RSP_V1, RSP_V2))
        report = deliver_pending(config, db)
    finally:
        controller.stop()
        db.dispose()
    assert report.sent == 1 and len(inbox.messages) == 1 and logins == ["alerts"]
