"""Which fetcher serves a source: ``fetcher = "http"``, ``"browser"`` or ``"auto"``.

``auto`` fetches with plain HTTP first and renders in the browser only when the plain answer is
blocked, rate-limited, a challenge page (crawler.challenge), or HTML with no text (built by
JavaScript). The cycle holds one browser for all sources that may need it, started on first use.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from crawler.browser import BrowserFetcher, browser_options
from crawler.challenge import challenge_reason
from crawler.fetch import FetchResult
from crawler.fetch_errors import FetchError

if TYPE_CHECKING:
    from crawler.config import Config
    from crawler.extract import ExtractRules

log = logging.getLogger("framewatch.browser")

#: Plain-fetch errors after which ``fetcher = "auto"`` tries the browser.
AUTO_RETRY_KINDS = frozenset({"blocked", "rate_limited"})


def needs_browser(result: FetchResult, rules: ExtractRules | None = None) -> str | None:
    """For ``fetcher = "auto"``: why a plain fetch's answer should be rendered by the browser.

    A challenge page, or an HTML page whose extracted text (with the source's ``select`` /
    ``remove`` rules) is empty or whose ``select`` matches nothing — the signature of a page
    built by JavaScript. None when the plain answer is usable (also for 304, 404/410 and PDFs).
    """
    if result.not_modified or result.gone:
        return None
    from crawler.extract import ExtractError, ExtractRules, detect_format, extract

    try:
        if detect_format(result.body, result.content_type) != "html":
            return None
    except ExtractError:
        return None
    reason = challenge_reason(result.body, result.content_type)
    if reason:
        return reason
    try:
        extracted = extract(result.body, result.content_type, rules or ExtractRules())
    except ExtractError as exc:
        return f"the plain HTML has no text ({exc.kind}); it is probably built by JavaScript"
    except ValueError:
        return None
    if not extracted.select_matched:
        return "the `select` selector matches nothing in the plain HTML"
    return None



@contextlib.asynccontextmanager
async def browser_for_cycle(config: Config,
                            fetchers: Iterable[str]) -> AsyncIterator[BrowserFetcher | None]:
    """One :class:`BrowserFetcher` for a cycle if any source may use it, else None.

    The browser process itself starts only when a page first needs it (``auto`` sources may
    never), and is closed when the cycle ends.
    """
    if not any(f in ("browser", "auto") for f in fetchers):
        yield None
        return
    async with BrowserFetcher(browser_options(config)) as browser:
        yield browser


async def fetch_for_source(browser: BrowserFetcher | None, mode: str, url: str,
                           plain: Callable[[], Awaitable[FetchResult]], *, allow_private: bool,
                           user_agent: str | None, wait_for: str | None = None,
                           rules: ExtractRules | None = None) -> FetchResult:
    """Fetch ``url`` for a source with its ``fetcher`` (``mode``): http, browser or auto.

    ``plain`` performs the ordinary (httpx) fetch. ``auto`` uses it first and falls back to
    the browser on ``blocked`` / ``rate_limited`` or when :func:`needs_browser` says so (judged
    with ``rules`` when given); when the browser fails too, the error says what both fetchers
    saw.
    """
    if mode == "http" or browser is None:
        return await plain()

    async def rendered() -> FetchResult:
        return await browser.fetch(url, wait_for=wait_for, allow_private=allow_private,
                                   user_agent=user_agent)

    if mode == "browser":
        return await rendered()
    try:
        result = await plain()
        reason = needs_browser(result, rules)
    except FetchError as err:
        if err.kind not in AUTO_RETRY_KINDS:
            raise
        reason = f"the plain fetch failed ({err.kind}: {err.message})"
    if reason is None:
        return result
    log.info("%s: trying the browser: %s", url, reason)
    try:
        return await rendered()
    except FetchError as err:
        raise FetchError(err.kind, url, f"{err.message} (fetcher = \"auto\": {reason}, so the "
                         "browser was tried)", http_status=err.http_status,
                         attempts=err.attempts) from err

