"""Values that used to pass `sources check` and then fail every run with the wrong blame:
a port out of range (an 80-line traceback, reported as `internal`), a User-Agent with a line
break (blamed on the server), a `wait_for` selector that is not CSS (reported as
`browser_crashed`). Each is now a configuration error naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_crash_support import run, write_config

CASES = {
    "port out of range": ('url = "http://127.0.0.1:99999/"', "url", "out of range"),
    "user agent with CRLF": ('user_agent = "framewatch\\r\\nX-Injected: 1"', "user_agent",
                             "line break"),
    "bad wait_for": ('fetcher = "browser"\nwait_for = "div[unclosed"', "wait_for",
                     "bad CSS selector"),
}


def _config(tmp_path: Path, extra: str) -> Path:
    config = write_config(tmp_path, "http://127.0.0.1:9", [])
    lines = ['[[source]]', 'id = "p"', 'company = "Example AI"', 'title = "P"', 'kind = "page"']
    if not extra.startswith("url"):
        lines.append('url = "http://127.0.0.1:9/p"')
    lines += extra.split("\n")
    config.write_text(config.read_text() + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("case", sorted(CASES))
def test_sources_check_and_run_report_a_config_error_with_file_line_and_key(
        case: str, tmp_path: Path) -> None:
    extra, key, words = CASES[case]
    config = _config(tmp_path, extra)
    line = next(i for i, text in enumerate(config.read_text().splitlines(), 1)
                if text.startswith(f"{key} ="))
    expected = f"{config}:{line}: source 'p'.{key}: "
    for args in (("sources", "check"), ("run", "--db", f"sqlite:///{tmp_path / 'fw.db'}")):
        result = run(*args, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert expected in result.stderr and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_playwright_engine_selector_is_left_to_the_browser(tmp_path: Path) -> None:
    config = _config(tmp_path, 'fetcher = "browser"\nwait_for = "text=Responsible Scaling"')
    result = run("sources", "check", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_fetcher_reports_an_out_of_range_port_as_invalid_url() -> None:
    """For URLs that come from pages rather than the config (an index's links)."""
    import asyncio

    from crawler.fetch import Fetcher, FetchOptions
    from crawler.fetch_errors import FetchError

    async def fetch() -> FetchError:
        async with Fetcher(FetchOptions(allow_private=True)) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch("http://127.0.0.1:99999/", allow_private=True)
            return caught.value

    error = asyncio.run(fetch())
    assert error.kind == "invalid_url" and "out of range" in error.message
