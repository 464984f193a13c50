"""Fetch pages that need a browser: headless Chromium driven by Playwright.

Some documents framewatch watches are built by JavaScript (the raw HTML is an empty shell), and
some company sites answer plain HTTP clients with 403 or a bot challenge. For those a source
sets ``fetcher = "browser"`` (always render) or ``fetcher = "auto"`` (crawler.fetch_strategy: plain HTTP first, the
browser only when the plain answer is blocked, rate-limited with a challenge, empty, or a known
challenge page). The default stays ``"http"``: the browser is optional, installed with
``apt-get install chromium`` and ``pip install 'framewatch[browser]'``; framewatch never
downloads a browser. Its path comes from ``[settings] browser_path``, else the first of
``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``.

What the browser fetcher stores is the rendered DOM (``page.content()``, UTF-8,
``text/html; charset=utf-8``) with the response headers of the main document, as a normal
:class:`crawler.fetch.FetchResult` with ``fetcher="browser"``; extraction is the same as for
plain pages, so versions from both fetchers compare. A non-HTML main document (a PDF behind a
``follow`` link) is stored as the bytes the server sent.

Design choices, each because of a real failure mode:

* **Wait for content, not for time.** After the page loads we wait for a source's ``wait_for``
  CSS selector, or else for network idle (bounded: sites with analytics beacons never go idle,
  and then the DOM as it stands is taken). Everything is inside one deadline
  (``[settings] total_timeout``), so a page that never settles fails with kind ``timeout``
  and the rest of the cycle goes on.
* **Cheap pages.** Images, fonts and media are aborted before they are requested; each page
  gets a fresh browser context (no cookies or storage leak between sources); one Chromium per
  cycle, started on first use only; at most ``concurrency`` (2) pages render at once,
  separately from the plain fetcher's limits, because each renderer costs ~50-100 MB.
* **SSRF guard.** The URL is checked with :func:`crawler.netguard.check_url_allowed` before
  navigating, and for sources without ``allow_private`` every connection the page makes goes
  through :class:`crawler.netguard.GuardProxy`, which connects only to addresses it checked.
* **Errors people can act on.** ``browser_missing`` (says how to install), ``browser_crashed``
  (the browser is started again for the next source), ``timeout``, plus the plain fetcher's
  kinds (``blocked``, ``dns``, ``refused``, ``private_address`` …) where Chromium's network
  error maps onto one.

Identity and site terms (for the README)
----------------------------------------
The browser fetcher says who it is: its User-Agent is Chromium's own (which includes
``HeadlessChrome``) followed by ``framewatch/0.1 (+https://github.com/framewatch/framewatch)``,
so site operators can see in their logs that a monitoring tool visited and where to read about
it. A source may set ``user_agent = "..."`` to send a different User-Agent (to both fetchers),
for sites that refuse anything that names a bot. Use that override sparingly and only where
you are entitled to read the page: framewatch watches public documents once a day, which is
what a person reading them would do, but respect each site's terms of use and robots
directives, prefer an official feed, PDF or archive copy when one exists, and ask the company
for access rather than escalating evasion. framewatch renders pages; it does not solve
CAPTCHAs, and a page that still shows a challenge in the browser fails with kind ``blocked``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler import netguard
from crawler.challenge import challenge_reason
from crawler.config import Settings
from crawler.fetch import FetchResult
from crawler.fetch_errors import FetchError
from crawler.netguard import GuardProxy

if TYPE_CHECKING:  # playwright is an optional extra; imported only when a browser starts
    from playwright.async_api import Browser, Page, Playwright, Response, Route

    from crawler.config import Config

log = logging.getLogger("framewatch.browser")

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Chromium features Playwright 1.5x disables itself; repeated here because our own
#: ``--disable-features`` comes after Playwright's on the command line and must not undo it.
_PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch",
)
#: SpareRendererForSitePerProcess keeps a pre-started renderer for the *default* profile; every
#: page here gets a fresh context, which cannot use it, so it only cost memory and CPU (3
#: renderers per page instead of 2, measured with CDP SystemInfo.getProcessInfo).
_DISABLED_FEATURES = (*_PLAYWRIGHT_DISABLED_FEATURES, "SpareRendererForSitePerProcess")
LAUNCH_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    "--disable-features=" + ",".join(_DISABLED_FEATURES),
)
#: Resource types aborted before they are requested: they never change the text.
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})
UA_SUFFIX = "framewatch/0.1 (+https://github.com/framewatch/framewatch)"
DEFAULT_CONCURRENCY = 2
#: Network idle is waited for at most this long; after it the DOM is taken as it stands.
IDLE_CAP = 10.0
#: The network counts as idle after this long without a request starting or ending.
QUIET = 0.2
#: Node options for Playwright's driver: a 1 MB young generation instead of Node's default
#: 16 MB semi-spaces: 20-30 MB less resident (measured) for a driver that only relays small
#: JSON messages.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"
INSTALL_HINT = (
    "Install a browser and the optional extra: `apt-get install chromium` and "
    "`pip install 'framewatch[browser]'` (framewatch never downloads a browser), or set "
    "[settings] browser_path in sources.toml to a Chromium or Chrome binary."
)


def find_browser(browser_path: str | None = None, url: str = "") -> str:
    """The Chromium executable to launch: ``browser_path`` if given, else the first on PATH.

    Raises a ``browser_missing`` :class:`FetchError` naming what was looked for and how to install one.
    """
    if browser_path:
        path = os.path.expanduser(browser_path)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        found = shutil.which(path)
        if found:
            return found
        raise FetchError("browser_missing", url,
                         f"{url + ': ' if url else ''}[settings] browser_path = {browser_path!r} "
                         f"is not an executable file. {INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise FetchError("browser_missing", url,
                     f"{url + ': ' if url else ''}this source needs a browser, but none of "
                     f"{', '.join(BROWSER_NAMES)} is on PATH. {INSTALL_HINT}")



# --------------------------------------------------------------------------------------------
# The fetcher


@dataclass(frozen=True)
class BrowserOptions:
    """How the browser fetcher behaves; built from ``[settings]`` by :func:`browser_options`."""

    browser_path: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = 60.0  # per page: navigation + waiting for content
    idle_cap: float = IDLE_CAP
    max_bytes: int = Settings.max_bytes
    allow_private: bool = False
    max_launches: int = 3  # per cycle; a browser that keeps crashing is not restarted forever
    launch_args: tuple[str, ...] = LAUNCH_ARGS


def browser_options(config: Config) -> BrowserOptions:
    s = config.settings
    return BrowserOptions(browser_path=s.browser_path, timeout=s.total_timeout,
                          max_bytes=s.max_bytes, allow_private=s.allow_private,
                          concurrency=s.browser_concurrency)


@dataclass
class _PageState:
    """What one page saw: the last main-document response and whether the renderer died."""

    main: Response | None = None
    crashed: bool = False
    proxy: GuardProxy | None = None
    inflight: int = 0  # requests started and not yet finished or failed
    last_activity: float = field(default_factory=time.monotonic)

    def request_started(self, *_: object) -> None:
        self.inflight += 1
        self.last_activity = time.monotonic()

    def request_ended(self, *_: object) -> None:
        self.inflight = max(0, self.inflight - 1)
        self.last_activity = time.monotonic()


class BrowserFetcher:
    """One headless Chromium for a whole cycle, started on the first :meth:`fetch`.

    ``async with BrowserFetcher(options) as browser: await browser.fetch(url)``. Each fetch
    gets a fresh context (cookies, storage) and page; at most ``options.concurrency`` pages
    render at once. If the browser dies it is started again for the next fetch (up to
    ``max_launches`` per cycle).
    """

    def __init__(self, options: BrowserOptions | None = None) -> None:
        self.options = options or BrowserOptions()
        self._slots = asyncio.Semaphore(self.options.concurrency)
        self._launch_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._default_ua: str | None = None
        self._launches = 0
        self._missing: FetchError | None = None

    async def __aenter__(self) -> BrowserFetcher:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    @property
    def launched(self) -> bool:
        """True once a browser process has been started in this cycle."""
        return self._launches > 0

    async def aclose(self) -> None:
        browser, pw = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 10)
        if pw is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pw.stop(), 10)

    # -- launching -----------------------------------------------------------------------------

    async def _ensure_browser(self, url: str) -> Browser:
        async with self._launch_lock:
            if self._missing is not None:  # don't look again for every source
                raise FetchError(self._missing.kind, url, self._missing.message)
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._launches >= self.options.max_launches:
                raise FetchError("browser_crashed", url,
                                 f"{url}: the browser crashed {self._launches} times in this "
                                 "cycle; not starting it again until the next run.")
            try:
                executable = find_browser(self.options.browser_path, url)
                try:
                    from playwright.async_api import async_playwright
                except ImportError as exc:
                    raise FetchError("browser_missing", url,
                                     f"{url}: Playwright for Python is not installed. "
                                     f"{INSTALL_HINT}") from exc
            except FetchError as err:
                self._missing = err
                raise
            self._launches += 1
            if self._playwright is None:
                with _driver_node_options():
                    self._playwright = await async_playwright().start()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable, args=list(self.options.launch_args),
                    headless=True, timeout=30_000)
                self._default_ua = await self._chromium_user_agent(self._browser)
            except Exception as exc:  # noqa: BLE001 - playwright raises its own Error types
                raise FetchError("browser_crashed", url,
                                 f"{url}: the browser at {executable} did not start: "
                                 f"{_first_line(exc)}. Check that it runs: `{executable} "
                                 "--headless --no-sandbox --dump-dom about:blank`.") from exc
            log.info("started %s (Chromium %s)", executable, self._browser.version)
            return self._browser

    @staticmethod
    async def _chromium_user_agent(browser: Browser) -> str:
        page = await browser.new_page()
        try:
            return str(await page.evaluate("navigator.userAgent"))
        finally:
            await page.close()

    def user_agent(self, override: str | None = None) -> str:
        """The User-Agent sent: the override, else Chromium's own plus ``framewatch/0.1``."""
        if override:
            return override
        base = self._default_ua or "Mozilla/5.0 (X11; Linux x86_64) Chromium"
        return f"{base} {UA_SUFFIX}"

    # -- fetching ------------------------------------------------------------------------------

    async def fetch(self, url: str, *, wait_for: str | None = None,
                    allow_private: bool | None = None,
                    user_agent: str | None = None) -> FetchResult:
        """Render ``url`` and return its DOM as a :class:`FetchResult` (``fetcher="browser"``).

        Raises :class:`FetchError`: ``browser_missing``, ``browser_crashed``, ``timeout`` (the
        page or ``wait_for`` did not settle within ``options.timeout``), ``blocked`` (still
        403 or a challenge in the browser), ``private_address``, ``dns``, ``refused`` …
        """
        allow = self.options.allow_private if allow_private is None else allow_private
        await netguard.check_url_allowed(url, allow)  # before any browser work
        async with self._slots:
            browser = await self._ensure_browser(url)
            started = time.monotonic()
            state = _PageState()
            try:
                async with asyncio.timeout(self.options.timeout + 5):  # hard stop over playwright's
                    return await self._render(browser, url, wait_for, allow, user_agent,
                                              state, started)
            except TimeoutError as exc:
                raise FetchError("timeout", url, f"{url}: the browser did not finish within "
                                 f"{self.options.timeout:g} s.") from exc
            except FetchError:
                raise
            except Exception as exc:  # noqa: BLE001 - translate playwright's errors
                raise self._translate(exc, url, state, browser) from exc

    async def _render(self, browser: Browser, url: str, wait_for: str | None, allow: bool,
                      user_agent: str | None, state: _PageState, started: float) -> FetchResult:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        opts = self.options
        deadline = started + opts.timeout
        proxy_settings: dict[str, str] | None = None
        if not allow:
            state.proxy = GuardProxy()
            proxy_settings = {"server": await state.proxy.start()}
        context = await browser.new_context(
            user_agent=self.user_agent(user_agent), proxy=proxy_settings,  # type: ignore[arg-type]
            accept_downloads=False, service_workers="block", java_script_enabled=True)
        page: Page | None = None
        try:
            await context.route("**/*", _abort_heavy)
            page = await context.new_page()
            page.on("crash", lambda _page: setattr(state, "crashed", True))
            page.on("response", lambda r: _track_main(page, r, state))
            page.on("request", state.request_started)
            page.on("requestfinished", state.request_ended)
            page.on("requestfailed", state.request_ended)
            try:
                response = await page.goto(url, wait_until="domcontentloaded",
                                           timeout=_ms_left(deadline))
            except PlaywrightTimeout as exc:
                raise FetchError("timeout", url, f"{url}: the page did not load within "
                                 f"{opts.timeout:g} s (total_timeout).") from exc
            if response is not None and state.main is None:
                state.main = response
            self._refuse_if_proxy_refused(url, state, main_only=True)
            await self._wait_for_content(page, url, wait_for, deadline, state)
            return await self._result(page, url, state, started, deadline)
        finally:
            # The page first: its renderer starts shutting down while the context is torn down.
            with contextlib.suppress(Exception):
                if page is not None:
                    await asyncio.wait_for(page.close(), 5)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(context.close(), 5)
            if state.proxy is not None:
                await state.proxy.close()

    async def _wait_for_content(self, page: Page, url: str, wait_for: str | None,
                                deadline: float, state: _PageState) -> None:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        if wait_for:
            try:
                await page.wait_for_selector(wait_for, state="attached",
                                             timeout=_ms_left(deadline))
            except PlaywrightTimeout as exc:
                raise FetchError(
                    "timeout", url,
                    f"{url}: `wait_for` selector {wait_for!r} did not appear within "
                    f"{self.options.timeout:g} s (total_timeout). The page layout may have "
                    "changed, or the site serves a challenge the browser cannot pass.") from exc
            except PlaywrightError as exc:  # the selector itself: the config, not the browser
                if "selector" not in str(exc).lower() or state.crashed:
                    raise
                raise FetchError(
                    "bad_selector", url,
                    f"{url}: `wait_for` {wait_for!r} is not a valid selector; fix it in "
                    "sources.toml") from None
            return
        if state.main is not None and not _is_html(
                (state.main.headers.get("content-type") or "").split(";", 1)[0].strip().lower()):
            return  # a PDF: nothing to render (its bytes are fetched in _result)
        await _settle(page, state, deadline, self.options.idle_cap)
        body = (await page.content()).encode("utf-8", "replace")
        if challenge_reason(body, "text/html") and _seconds_left(deadline) > 1:
            # A JS challenge usually navigates to the real page after a few seconds.
            with contextlib.suppress(PlaywrightTimeout):
                await page.wait_for_event("framenavigated",
                                          timeout=min(_ms_left(deadline), 15_000))
                await _settle(page, state, deadline, self.options.idle_cap)

    async def _result(self, page: Page, url: str, state: _PageState, started: float,
                      deadline: float) -> FetchResult:
        main = state.main
        if main is None:
            raise FetchError("http_error", url, f"{url}: the browser got no response for the "
                             "page.")
        headers = await main.all_headers()
        if headers.get("x-framewatch-proxy") == "refused":
            self._refuse_if_proxy_refused(url, state, main_only=False)
        status = main.status
        final_url = main.url
        content_type = headers.get("content-type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        if not _is_html(media):
            # A PDF or other document: Chromium swaps the body for its viewer, so fetch the
            # bytes the server sent again through the same context (UA, cookies, guard proxy).
            body = await _document_bytes(page, final_url, deadline)
        else:
            body = (await page.content()).encode("utf-8")
            content_type = "text/html; charset=utf-8"
        if len(body) > self.options.max_bytes:
            raise FetchError("too_large", url, f"{url}: the rendered page is {len(body):,} "
                             f"bytes, more than max_bytes = {self.options.max_bytes:,}.")
        error = _status_error(url, status)
        if error is not None:
            raise error
        gone = status in (404, 410)
        reason = None if gone else challenge_reason(body, content_type)
        if reason:
            raise FetchError("blocked", url, f"{url}: even in the browser the site shows "
                             f"{reason}; framewatch does not solve challenges. Try a "
                             "`wait_for` selector, or watch an archive copy.", http_status=status)
        return FetchResult(
            url=url, final_url=final_url, status_code=status, not_modified=False, body=body,
            content_type=content_type, headers=dict(headers), etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            elapsed_ms=int((time.monotonic() - started) * 1000), attempts=1,
            fetcher="browser", gone=gone)

    def _refuse_if_proxy_refused(self, url: str, state: _PageState, *, main_only: bool) -> None:
        """A navigation the guard proxy stopped becomes the guard's error, not a vague one."""
        if state.proxy is None or not state.proxy.refused:
            return
        main_host = (urlsplit(state.main.url).hostname if state.main is not None else None)
        for refusal in state.proxy.refused:
            if not main_only or refusal.host == main_host:
                hint = f" {netguard.ALLOW_HINT}" if refusal.kind == "private_address" else ""
                raise FetchError(refusal.kind, url,
                                 f"refusing to fetch {url} in the browser: {refusal.reason}."
                                 f"{hint}")

    def _translate(self, exc: BaseException, url: str, state: _PageState,
                   browser: Browser) -> FetchError:
        text = _first_line(exc)
        if state.crashed or "crash" in text.lower():
            return FetchError("browser_crashed", url, f"{url}: the page's renderer crashed "
                              f"({text}); the source fails this time, the others go on.")
        if not browser.is_connected() or "closed" in text.lower():
            return FetchError("browser_crashed", url, f"{url}: the browser died while "
                              f"rendering ({text}); it is started again for the next source.")
        if state.proxy is not None and state.proxy.refused:
            refusal = state.proxy.refused[0]
            hint = f" {netguard.ALLOW_HINT}" if refusal.kind == "private_address" else ""
            return FetchError(refusal.kind, url, f"refusing to fetch {url} in the browser: "
                              f"{refusal.reason}.{hint}")
        match = re.search(r"net::(ERR_[A-Z_]+)", text)
        code = match.group(1) if match else ""
        if code == "ERR_HTTP_RESPONSE_CODE_FAILURE" and state.main is not None:
            error = _status_error(url, state.main.status)  # an error status with no body
            if error is not None:
                return error
        kind = _NET_ERRORS.get(code, "protocol" if code else "browser_crashed")
        return FetchError(kind, url, f"{url}: the browser could not load the page ({code or text}).")


def _status_error(url: str, status: int) -> FetchError | None:
    """The error for a main-document status the browser could not turn into a document."""
    label = f"HTTP {status}"
    if status in (401, 403):
        return FetchError("blocked", url, f"{url} answered {label} even to the browser; the "
                          "site refuses automated visitors. See the `user_agent` note in the "
                          "README, or watch an archive copy instead.", http_status=status)
    if status == 429:
        return FetchError("rate_limited", url, f"{url} answered {label} to the browser; "
                          "check less often.", http_status=status)
    if status >= 500:
        return FetchError("server_error", url, f"{url} answered {label} to the browser; "
                          "usually temporary.", http_status=status)
    if status not in (404, 410) and not 200 <= status < 300:
        return FetchError("http_error", url, f"{url} answered {label}; expected a document.",
                          http_status=status)
    return None


_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "dns", "ERR_NAME_RESOLUTION_FAILED": "dns",
    "ERR_CONNECTION_REFUSED": "refused", "ERR_ADDRESS_UNREACHABLE": "refused",
    "ERR_CONNECTION_FAILED": "refused", "ERR_TUNNEL_CONNECTION_FAILED": "refused",
    "ERR_CONNECTION_RESET": "reset", "ERR_CONNECTION_CLOSED": "reset",
    "ERR_EMPTY_RESPONSE": "reset", "ERR_TIMED_OUT": "timeout", "ERR_CONNECTION_TIMED_OUT": "timeout",
    "ERR_TOO_MANY_REDIRECTS": "too_many_redirects", "ERR_UNSAFE_REDIRECT": "bad_redirect",
    "ERR_INVALID_REDIRECT": "bad_redirect", "ERR_INVALID_URL": "invalid_url",
    "ERR_UNKNOWN_URL_SCHEME": "invalid_url", "ERR_CONTENT_LENGTH_MISMATCH": "truncated",
    "ERR_INCOMPLETE_CHUNKED_ENCODING": "truncated",
    "ERR_CERT_AUTHORITY_INVALID": "tls", "ERR_CERT_COMMON_NAME_INVALID": "tls",
    "ERR_CERT_DATE_INVALID": "tls", "ERR_SSL_PROTOCOL_ERROR": "tls",
}


def _is_html(media: str) -> bool:
    return media in ("", "text/html", "application/xhtml+xml", "text/plain") or "html" in media


async def _document_bytes(page: Page, url: str, deadline: float) -> bytes:
    response = await page.context.request.get(url, max_redirects=0, timeout=_ms_left(deadline))
    try:
        return await response.body()
    finally:
        await response.dispose()


async def _abort_heavy(route: Route) -> None:
    if route.request.resource_type in BLOCKED_RESOURCES:
        await route.abort("blockedbyclient")
    else:
        await route.continue_()


def _track_main(page: Page, response: Response, state: _PageState) -> None:
    """Keep the latest main-frame document response (a challenge may navigate to the page)."""
    request = response.request
    # http(s) only: Chromium's built-in PDF viewer navigates the frame to its own pages.
    if (request.is_navigation_request() and response.frame == page.main_frame
            and response.url.startswith(("http://", "https://"))):
        state.main = response


async def _settle(page: Page, state: _PageState, deadline: float, idle_cap: float) -> None:
    """Wait for the load event, then for the network to be quiet for ``QUIET`` seconds, at most
    ``idle_cap`` seconds in all; a page that never idles is taken as it stands (analytics
    beacons and long polling keep some pages busy forever).

    Our own quiet window instead of Playwright's "networkidle" (fixed at 500 ms) because that
    half second was most of the time per page; content that scripts build later than ``QUIET``
    after the last request needs a ``wait_for`` selector.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    end = time.monotonic() + min(_seconds_left(deadline), idle_cap)
    with contextlib.suppress(PlaywrightTimeout):
        await page.wait_for_load_state("load", timeout=max(1.0, (end - time.monotonic()) * 1000))
    while time.monotonic() < end:
        if state.inflight == 0 and time.monotonic() - state.last_activity >= QUIET:
            return
        await asyncio.sleep(QUIET / 4)


@contextlib.contextmanager
def _driver_node_options() -> Iterator[None]:
    """Start Playwright's Node driver with :data:`DRIVER_NODE_OPTIONS` (it inherits our env).

    Playwright has no option for the driver's flags, so ``NODE_OPTIONS`` is set only while the
    driver is spawned and restored after; a user's own ``NODE_OPTIONS`` is kept and wins.
    """
    before = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = f"{DRIVER_NODE_OPTIONS} {before}" if before else DRIVER_NODE_OPTIONS
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("NODE_OPTIONS", None)
        else:
            os.environ["NODE_OPTIONS"] = before


def _seconds_left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _ms_left(deadline: float) -> float:
    return max(1.0, _seconds_left(deadline) * 1000)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
