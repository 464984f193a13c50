"""Channels: one small class per kind (slack, email, webhook), registered by name.

A ``[notify.NAME]`` table in sources.toml becomes one :class:`Channel`. The table name is the
default kind (``[notify.slack]`` is a Slack channel); any other name needs ``kind = "…"``
(``[notify.maintainer] kind = "email"``). Options are validated here, once, at the edge; every
problem is a :class:`~storage.errors.ConfigError` naming ``notify.NAME.key``.

Secrets (the Slack webhook URL, SMTP credentials, webhook URL and HMAC secret) are only ever read
from environment variables named by ``*_env`` keys, at send time, and are scrubbed from every
error message (:func:`scrub`) and from httpx's request log.

Every key is declared once, as a :class:`Key` (type, default, bounds, help): the options common
to every channel in :data:`COMMON_SCHEMA`, each kind's own in its class's ``schema``.
Validation reads those declarations — `framewatch sources check` and `framewatch run` call the
same :func:`channel_problems` — and README's key table is tested against them.

The channel named ``maintainer`` hears only about source health; it never gets change alerts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import re
import ssl
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

from differ.model import CATEGORIES, SEVERITIES
from notifier.config import ChannelTable, NotifyConfig
from storage.errors import ConfigError

if TYPE_CHECKING:
    from notifier.alert import Content

log = logging.getLogger(__name__)

MAINTAINER = "maintainer"
"""The channel for source-health notices; never routed change alerts."""

USER_AGENT = "framewatch-notifier/0.1"


class SendError(Exception):
    """One failed send. ``retryable`` errors stay pending; others fail the delivery at once.

    The message is shown in `framewatch deliveries` and logs, so it never holds a secret.
    """

    def __init__(self, message: str, *, retryable: bool = True,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


FRAGMENT = 8  # an echoed run of this many characters of a secret is itself scrubbed


def secret_parts(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret, and for a secret URL its path, query, every path segment and query value:
    servers and gateways echo any of them ("invalid_token: <the last segment>")."""
    out: list[str] = []
    for secret in secrets:
        if not secret:
            continue
        out.append(secret)
        if secret.startswith(("http://", "https://")):
            parts = urlsplit(secret)
            out += [parts.path, parts.query]
            out += [seg for seg in parts.path.split("/")]
            for pair in parts.query.split("&"):
                name, _, value = pair.partition("=")
                out += [value, unquote(value), unquote(name) if not value else ""]
    return tuple(dict.fromkeys(p for p in out if len(p) >= 4))


def _fragments(text: str, secret: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are runs of ≥ FRAGMENT characters found in ``secret``."""
    if len(secret) < FRAGMENT:
        return []
    grams = {secret[i:i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}
    spans, i = [], 0
    while i <= len(text) - FRAGMENT:
        if text[i:i + FRAGMENT] in grams:
            j = i + FRAGMENT
            while j < len(text) and text[i:j + 1] in secret:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret, every part of a secret URL (:func:`secret_parts`) and every
    echoed fragment of ≥ 8 characters of a secret replaced by ``***``."""
    for part in sorted(secret_parts(secrets), key=len, reverse=True):
        text = text.replace(part, "***")
    for secret in secrets:
        for start, end in reversed(_fragments(text, secret) if secret else []):
            text = text[:start] + "***" + text[end:]
    return text


class _RedactFilter(logging.Filter):
    """Redacts secrets from httpx/httpcore log records (httpx logs full request URLs)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


@contextmanager
def _redacted_http_logs(secrets: tuple[str, ...]) -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in ("httpx", "httpcore")]
    flt = _RedactFilter(secrets)
    for lg in loggers:
        lg.addFilter(flt)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(flt)


def secret_from_env(var: str, what: str) -> str:
    """The value of ``var``; a retryable SendError naming the variable (never a value) if unset."""
    value = os.environ.get(var, "").strip()
    if not value:
        raise SendError(f"environment variable {var} ({what}) is not set")
    return value


# ---- option parsing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    """One key of a ``[notify.*]`` table, declared once: its type, default, bounds and help.

    ``type``: ``text`` | ``choice`` | ``number`` | ``integer`` | ``flag`` | ``strings`` | ``env``
    (the *name* of an environment variable holding a secret). Validation (`sources check` and
    `run` alike) and the README's key table both come from these declarations."""

    name: str
    type: str
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = False


class _Options:
    """Typed access to one ``[notify.NAME]`` table, with errors that name ``notify.NAME.key``."""

    def __init__(self, cfg: ChannelTable, path: str | None) -> None:
        self.cfg, self.path, self.used = cfg, path, {"kind"}

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.cfg.line_of(key),
                           field=f"notify.{self.cfg.name}.{key}")

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.cfg.options.get(key)

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.get(key)
        if value is None:
            if required:
                raise self.error(key, "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        assert value is not None
        if value not in choices:
            raise self.error(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def number(self, key: str, default: float, *, minimum: float, maximum: float | None = None,
               integer: bool = False) -> float:
        value = self.get(key)
        if value is None:
            return default
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            raise self.error(key, f"must be {'an integer' if integer else 'a number'}, got {value!r}")
        if not math.isfinite(value):  # nan passes every comparison; inf overflows the backoff
            raise self.error(key, f"must be a finite number, got {value!r}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum:g}, got {value!r}")
        if maximum is not None and value > maximum:
            raise self.error(key, f"must be at most {maximum:g}, got {value!r}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, "must be a string or a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def env_name(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise self.error(key, f"{value!r} is not an environment variable name "
                                  "(put the secret in the environment, and its name here)")
        return value

    def read(self, key: Key, default: Any = None) -> Any:
        """The value of ``key`` checked against its declaration (``default`` overrides the
        declared one where it depends on other keys, e.g. the SMTP port on ``security``)."""
        fallback = key.default if default is None else default
        if key.type == "choice":
            return self.choice(key.name, key.choices, fallback)
        if key.type in ("number", "integer"):
            minimum = key.minimum if key.minimum is not None else float("-inf")
            value = self.number(key.name, fallback, minimum=minimum, maximum=key.maximum,
                                integer=key.type == "integer")
            return int(value) if key.type == "integer" else float(value)
        if key.type == "flag":
            return self.flag(key.name, fallback)
        if key.type == "strings":
            return self.strings(key.name)
        if key.type == "env":
            return self.env_name(key.name, required=key.required)
        return self.text(key.name, fallback, required=key.required)

    def reject_secrets(self, known: set[str]) -> None:
        """`webhook_url = "https://hooks…"`: a secret written into the file, where `*_env` names
        the variable that should hold it. Checked before anything else, so it is what is said."""
        for key in self.cfg.options:
            if key not in known and f"{key}_env" in known:
                raise self.error(key, "secrets do not belong in sources.toml: put the value in "
                                      f"an environment variable and name it with `{key}_env`")

    def reject_unknown(self, known: set[str]) -> None:
        self.reject_secrets(known)
        for key in self.cfg.options:
            if key not in known:
                raise self.error(key, f"unknown key (known: {', '.join(sorted(known))})")


@dataclass(frozen=True)
class Routing:
    """Which changes a channel wants (see the module table)."""

    min_severity: str = "low"
    companies: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    digest: str = "off"
    digest_below: str = "high"

    def wants(self, company: str, source_id: str, severity: str,
              categories: tuple[str, ...]) -> bool:
        """Whether a change passes this channel's severity and filters (digest or not)."""
        if SEVERITIES.index(severity) < SEVERITIES.index(self.min_severity):
            return False
        if self.companies and company.casefold() not in {c.casefold() for c in self.companies}:
            return False
        if self.sources and source_id not in self.sources:
            return False
        return not self.categories or bool(set(self.categories) & set(categories))

    def held_for_digest(self, severity: str) -> bool:
        """True when a change of ``severity`` waits for the daily digest."""
        return self.digest == "daily" and (
            SEVERITIES.index(severity) < SEVERITIES.index(self.digest_below))


@dataclass(frozen=True)
class Policy:
    """How hard to try: attempts, backoff, timeout, and what to do after a crash mid-send."""

    max_attempts: int = 8
    retry_backoff: float = 60.0
    timeout: float = 15.0
    resend_interrupted: bool = True
    max_hunks: int = 8


MAX_BACKOFF_SECONDS = 6 * 3600  # the longest wait between two attempts

COMMON_SCHEMA: tuple[Key, ...] = (
    Key("kind", "text", help="`slack`, `email` or `webhook` (default: the table name)"),
    Key("min_severity", "choice", "low", "least severity that alerts (`none` = cosmetic, off "
        "by default)", choices=SEVERITIES),
    Key("companies", "strings", help="only these companies (case-insensitive)"),
    Key("categories", "strings", help="only changes touching one of these categories"),
    Key("sources", "strings", help="only these source ids"),
    Key("digest", "choice", "off", "`daily`: changes below `digest_below` go into one message "
        "a day", choices=("off", "daily")),
    Key("digest_below", "choice", "high", "with `digest = \"daily\"`: what waits for the "
        "digest", choices=SEVERITIES),
    Key("max_hunks", "integer", 8, "hunks shown per alert; the rest: \"N more hunks — see the "
        "full diff\"", minimum=1, maximum=50),
    Key("max_attempts", "integer", 8, "attempts before a delivery is `failed`", minimum=1,
        maximum=1000),
    Key("retry_backoff", "number", 60.0, "seconds before the first retry; doubles per attempt "
        "(max 6 h); a 429's Retry-After wins", minimum=0, maximum=MAX_BACKOFF_SECONDS),
    Key("timeout", "number", 15.0, "seconds per send", minimum=0.1, maximum=3600),
    Key("resend_interrupted", "flag", None, "resend a delivery whose process died mid-send "
        "(default: true for email and webhook, false for slack)"),
)
COMMON = {k.name: k for k in COMMON_SCHEMA}
COMMON_KEYS = set(COMMON)


class Channel(ABC):
    """A destination for alerts. Subclasses set ``kind``, parse their options, and ``send``."""

    kind: ClassVar[str]
    schema: ClassVar[tuple[Key, ...]] = ()  # the kind's own keys (COMMON_SCHEMA: everyone's)
    idempotent: ClassVar[bool] = False  # the receiver can deduplicate by our key

    @classmethod
    def key(cls, name: str) -> Key:
        return next(k for k in cls.schema if k.name == name)

    @classmethod
    def known_keys(cls) -> set[str]:
        return COMMON_KEYS | {k.name for k in cls.schema}

    def __init__(self, name: str, routing: Routing, policy: Policy) -> None:
        self.name, self.routing, self.policy = name, routing, policy

    @classmethod
    def from_config(cls, cfg: ChannelTable, path: str | None = None) -> Channel:
        opts = _Options(cfg, path)
        opts.reject_secrets(cls.known_keys())
        routing = Routing(
            min_severity=opts.read(COMMON["min_severity"]),
            companies=opts.read(COMMON["companies"]),
            categories=opts.read(COMMON["categories"]),
            sources=opts.read(COMMON["sources"]),
            digest=opts.read(COMMON["digest"]),
            digest_below=opts.read(COMMON["digest_below"]),
        )
        for cat in routing.categories:
            if cat not in CATEGORIES:
                raise opts.error("categories", f"{cat!r} is not one of {', '.join(CATEGORIES)}")
        policy = Policy(
            max_attempts=opts.read(COMMON["max_attempts"]),
            retry_backoff=opts.read(COMMON["retry_backoff"]),
            timeout=opts.read(COMMON["timeout"]),
            resend_interrupted=opts.read(COMMON["resend_interrupted"], cls.idempotent),
            max_hunks=opts.read(COMMON["max_hunks"]),
        )
        channel = cls(cfg.name, routing, policy)
        channel.configure(opts)
        opts.reject_unknown(cls.known_keys())
        return channel

    @abstractmethod
    def configure(self, opts: _Options) -> None:
        """Read the kind's own options (names of secrets only; values are read at send time)."""

    @abstractmethod
    def send(self, content: Content, key: str) -> None:
        """Deliver ``content`` once; ``key`` is the delivery's idempotency key. Raises SendError."""

    def describe(self) -> str:
        return f"{self.name} ({self.kind})"


CHANNEL_KINDS: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    CHANNEL_KINDS[cls.kind] = cls
    return cls


# ---- HTTP helpers --------------------------------------------------------------------------------

def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def post_json(url: str, body: bytes, headers: dict[str, str], *, timeout: float,
              secrets: tuple[str, ...], what: str) -> None:
    """POST ``body``; map every failure to a SendError whose message holds no secret.

    5xx, 408, 425, 429 and network errors are retryable (429 honours Retry-After); any other
    non-2xx is permanent: the receiver rejected this message and will reject it again.
    """
    import httpx

    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               **headers}
    try:
        with _redacted_http_logs(secrets), httpx.Client(timeout=timeout,
                                                        follow_redirects=False) as client:
            resp = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise SendError(f"{what}: timed out after {timeout:g} s ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        detail = scrub(str(exc), secrets)[:200]
        raise SendError(f"{what}: {type(exc).__name__}: {detail}") from None
    if 200 <= resp.status_code < 300:
        return
    snippet = scrub(resp.text[:5000], secrets)[:200].strip().replace("\n", " ")
    message = f"{what}: HTTP {resp.status_code}" + (f" {snippet!r}" if snippet else "")
    if resp.status_code >= 500 or resp.status_code in (408, 425, 429):
        raise SendError(message, retry_after=_retry_after(resp.headers.get("retry-after")))
    raise SendError(message, retryable=False)


def _http_url(opts: _Options, key: str, value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise opts.error(key, "must be an http(s) URL")
    return value


# ---- the channels --------------------------------------------------------------------------------

@register
class SlackChannel(Channel):
    """Slack incoming webhook: a Block Kit message (≤ 50 blocks, ≤ 3,000 characters a text)."""

    kind = "slack"
    schema = (Key("webhook_url_env", "env", help="variable holding the incoming-webhook URL",
                  required=True),)
    idempotent = False

    def configure(self, opts: _Options) -> None:
        self.url_env = opts.read(self.key("webhook_url_env"))

    def send(self, content: Content, key: str) -> None:
        from notifier.render import slack_message

        url = secret_from_env(self.url_env or "", "Slack webhook URL")
        if not url.startswith(("https://", "http://")):
            raise SendError(f"{self.url_env} does not hold an http(s) URL", retryable=False)
        body = json.dumps(slack_message(content, max_hunks=self.policy.max_hunks),
                          ensure_ascii=False).encode("utf-8")
        post_json(url, body, {}, timeout=self.policy.timeout, secrets=(url,),
                  what=self.name)


@register
class WebhookChannel(Channel):
    """Generic JSON webhook: the alert (the diff JSON + source metadata), HMAC-signed."""

    kind = "webhook"
    schema = (
        Key("url", "text", help="the endpoint (one of `url`, `url_env` is required)"),
        Key("url_env", "env", help="variable holding the endpoint, when its URL holds a token"),
        Key("secret_env", "env", help="variable holding the HMAC-SHA256 signing secret"),
    )
    idempotent = True

    def configure(self, opts: _Options) -> None:
        url = opts.read(self.key("url"))
        self.url_env = opts.read(self.key("url_env"))
        if (url is None) == (self.url_env is None):
            raise opts.error("url", "give exactly one of `url` and `url_env`")
        self.url = _http_url(opts, "url", url) if url else None
        self.secret_env = opts.read(self.key("secret_env"))

    def send(self, content: Content, key: str) -> None:
        from notifier.render import webhook_payload

        url = self.url or secret_from_env(self.url_env or "", "webhook URL")
        secret = secret_from_env(self.secret_env, "webhook HMAC secret") if self.secret_env else ""
        body = json.dumps(webhook_payload(content, key), ensure_ascii=False,
                          sort_keys=True).encode("utf-8")
        headers = {"Idempotency-Key": key}
        if secret:
            digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            headers["X-Framewatch-Signature"] = f"sha256={digest}"
        secrets = (secret,) + ((url,) if self.url_env else ())
        post_json(url, body, headers, timeout=self.policy.timeout, secrets=secrets,
                  what=self.name)


@register
class EmailChannel(Channel):
    """SMTP with STARTTLS, implicit TLS or none (local relays); multipart text + HTML."""

    kind = "email"
    schema = (
        Key("smtp_host", "text", help="the SMTP server", required=True),
        Key("smtp_port", "integer", None, "587 for starttls, 465 for ssl, 25 for none",
            minimum=1, maximum=65535),
        Key("security", "choice", "starttls", "`starttls`, `ssl` (implicit TLS) or `none`",
            choices=("starttls", "ssl", "none")),
        Key("username_env", "env", help="variable holding the login name (with password_env)"),
        Key("password_env", "env", help="variable holding the password (with username_env)"),
        Key("from", "text", help="the sender address", required=True),
        Key("to", "strings", help="one address or a list (required)"),
        Key("ca_file", "text", help="PEM bundle to trust instead of the system store"),
    )
    idempotent = True

    def configure(self, opts: _Options) -> None:
        self.host = opts.read(self.key("smtp_host")) or ""
        self.security = opts.read(self.key("security"))
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[self.security]
        self.port = opts.read(self.key("smtp_port"), default_port)
        self.username_env = opts.read(self.key("username_env"))
        self.password_env = opts.read(self.key("password_env"))
        if (self.username_env is None) != (self.password_env is None):
            raise opts.error("password_env" if self.username_env else "username_env",
                             "give both `username_env` and `password_env`, or neither")
        sender = opts.read(self.key("from")) or ""
        if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", sender):
            raise opts.error("from", f"{sender!r} is not an email address")
        self.sender = sender
        to = opts.read(self.key("to"))
        if not to:
            raise opts.error("to", "is required (an address or a list of addresses)")
        for addr in to:
            if not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+", addr):
                raise opts.error("to", f"{addr!r} is not an email address")
        self.to = to
        self.ca_file = opts.read(self.key("ca_file"))

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file \
            else ssl.create_default_context()

    def send(self, content: Content, key: str) -> None:
        import smtplib  # here, not at the top: most runs send no email and it costs ~9 ms

        from notifier.render import email_message

        user = password = ""
        if self.username_env and self.password_env:
            user = secret_from_env(self.username_env, "SMTP user name")
            password = secret_from_env(self.password_env, "SMTP password")
        msg = email_message(content, sender=self.sender, to=self.to, key=key,
                            max_hunks=self.policy.max_hunks)
        secrets = (password,)
        where = f"{self.name} via {self.host}:{self.port}"
        try:
            smtp: smtplib.SMTP
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.policy.timeout,
                                        context=self._tls())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.policy.timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self._tls())
                if user:
                    smtp.login(user, password)
                refused = smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"{where}: login refused (SMTP {exc.smtp_code}); check "
                            f"{self.username_env}/{self.password_env}") from None
        except smtplib.SMTPResponseException as exc:
            text = scrub(_smtp_text(exc.smtp_error), secrets)[:200]
            raise SendError(f"{where}: SMTP {exc.smtp_code} {text}",
                            retryable=exc.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"{where}: all recipients refused: {', '.join(exc.recipients)}",
                            retryable=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            text = scrub(str(exc), secrets)[:200]
            raise SendError(f"{where}: {type(exc).__name__}: {text}") from None
        if refused:
            log.warning("%s: some recipients refused: %s", where, ", ".join(refused))


def _smtp_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# ---- building channels from the config -----------------------------------------------------------

def channel_from_config(cfg: ChannelTable, path: str | None = None) -> Channel:
    cls = CHANNEL_KINDS.get(cfg.kind)
    if cls is None:
        field = f"notify.{cfg.name}.kind"
        hint = (" (the maintainer table needs its own kind, e.g. kind = \"email\")"
                if cfg.name == MAINTAINER and "kind" not in cfg.options else "")
        raise ConfigError(f"{cfg.kind!r} is not a channel kind; use one of "
                          f"{', '.join(sorted(CHANNEL_KINDS))}{hint}",
                          path=path, line=cfg.line, field=field)
    return cls.from_config(cfg, path)


def channels_from_config(config: NotifyConfig) -> dict[str, Channel]:
    """Every ``[notify.*]`` table as a validated channel, by name (ConfigError on a bad one)."""
    return {c.name: channel_from_config(c, config.path) for c in config.channels}


def channel_problems(config: NotifyConfig) -> list[ConfigError]:
    """Every bad ``[notify.*]`` table at once (the first problem of each), for `sources check`
    and `run` alike: they validate with this same code, so one never accepts what the other
    rejects."""
    problems = []
    for cfg in config.channels:
        try:
            channel_from_config(cfg, config.path)
        except ConfigError as exc:
            problems.append(exc)
    return problems
