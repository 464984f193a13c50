"""`framewatch try URL`: see what a source would record before adding it to sources.toml.

Also the one place that turns command-line rule options (--select, --remove, --ignore, --kind,
--follow, --fetcher) into a validated source, so `try`, `diff` on URLs and `sources add` reject
a bad selector or pattern with the same one-line message (exit code 2).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from crawler.config import FETCHERS, SOURCE_KINDS, ConfigError, SourceConfig, _check_url


def register(subparsers: Any) -> None:
    from framewatch.common import add_common, add_rule_options

    p = subparsers.add_parser(
        "try", help="fetch a URL once and show the text a source would record (stores nothing)")
    add_common(p)
    p.add_argument("url", help="the http(s) URL to try")
    add_rule_options(p)
    add_source_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for people (default) or one JSON document")
    p.set_defaults(func=cmd_try)


def add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", choices=SOURCE_KINDS, default="page",
                   help="page (default), pdf, follow (a page linking to the document) or index "
                        "(a listing whose links are tracked)")
    p.add_argument("--follow", metavar="CSS",
                   help="kind follow/index: CSS selector of the link(s), e.g. \"a[href$='.pdf']\"")
    p.add_argument("--link-pattern", metavar="REGEX",
                   help="kind follow/index: a regex the link's URL or text must match")
    p.add_argument("--fetcher", choices=FETCHERS, default="http",
                   help="http (default), browser (headless Chromium; needs the browser extra) "
                        "or auto")
    p.add_argument("--wait-for", metavar="CSS", help="browser fetcher: CSS selector to wait for")
    p.add_argument("--allow-private", action="store_true", default=None,
                   help="allow loopback and private addresses (a local test server)")


def rules_problem(select: list[str] | None, remove: list[str] | None,
                  ignore: list[str] | None, follow: str | None = None,
                  link_pattern: str | None = None) -> str | None:
    """The first bad selector or pattern, as one line naming the option; None if all are fine."""
    from crawler.extract import validate_selector

    for option, sels in (("--select", select), ("--remove", remove),
                         ("--follow", [follow] if follow else [])):
        for sel in sels or ():
            problem = validate_selector(sel)
            if problem:
                return f"{option} {sel!r} is not a usable CSS selector: {problem}"
    for option, pats in (("--ignore", ignore), ("--link-pattern", [link_pattern] if link_pattern else [])):
        for pat in pats or ():
            try:
                re.compile(pat)
            except (re.error, OverflowError, RecursionError) as exc:
                return f"{option} {pat!r} is not a valid regular expression: {exc}"
    return None


def source_from_args(args: argparse.Namespace, *, source_id: str = "try", company: str = "-",
                     title: str | None = None) -> SourceConfig:
    """A validated source from the command line; :class:`UsageError` on any mistake."""
    from framewatch.common import UsageError

    try:
        url = _check_url(args.url, {"field": "URL", "path": "command line"})
    except ConfigError as exc:
        raise UsageError(str(exc).removeprefix("command line: ")) from None
    kind = getattr(args, "kind", "page")
    follow = getattr(args, "follow", None)
    link_pattern = getattr(args, "link_pattern", None)
    problem = rules_problem(args.select, args.remove, args.ignore, follow, link_pattern)
    if problem:
        raise UsageError(problem)
    if kind in ("follow", "index") and not follow:
        raise UsageError(f"--kind {kind} needs --follow CSS (the selector of the link"
                         f"{'s' if kind == 'index' else ''} to track)")
    return SourceConfig(
        id=source_id, company=company, title=title or url, url=url, kind=kind,
        select=tuple(args.select or ()), remove=tuple(args.remove or ()),
        ignore=tuple(args.ignore or ()), follow=follow, link_pattern=link_pattern,
        fetcher=getattr(args, "fetcher", "http"), wait_for=getattr(args, "wait_for", None),
        allow_private=getattr(args, "allow_private", None))


def cmd_try(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from crawler.trial import try_source
    from framewatch.common import EXIT_SOURCES_FAILED, EXIT_USAGE, config_from_args, print_json

    source = source_from_args(args)
    settings = config_from_args(args, required=False).settings
    if source.allow_private:
        settings = replace(settings, allow_private=True)
    trial = try_source(source, settings)
    if args.format == "json":
        print_json({
            "url": source.url, "kind": source.kind, "status": trial.status,
            "error_kind": trial.error_kind, "message": trial.message or None,
            "document_url": trial.document_url, "title": trial.title, "text": trial.text,
            "checks": [{"url": c.url, "final_url": c.final_url, "http_status": c.http_status,
                        "status": c.status, "error_kind": c.error_kind} for c in trial.checks],
            "matches": [{"rule": m.rule, "pattern": m.pattern, "count": m.count}
                        for m in trial.matches]})
    else:
        print_trial(trial)
    if trial.error_kind == "select_empty":
        return EXIT_USAGE  # the rule is wrong, not the site
    return 0 if trial.ok else EXIT_SOURCES_FAILED


def print_trial(trial: Any) -> None:
    for c in trial.checks:
        where = f" → {c.final_url}" if c.final_url and c.final_url != c.url else ""
        code = f"HTTP {c.http_status}" if c.http_status else (c.error_kind or c.status)
        print(f"fetched {c.url}{where}: {code}" + (f" ({c.fetcher})" if c.fetcher != "http" else ""))
    for m in trial.matches:
        unit = "match" if m.rule == "ignore" else "element"
        flag = "" if m.count else "   <- matches nothing"
        print(f"{m.rule} {m.pattern!r}: {m.count} {unit}{'es' if unit == 'match' and m.count != 1 else ''}"
              f"{'s' if unit == 'element' and m.count != 1 else ''}{flag}")
    if not trial.ok:
        print(f"error: {trial.message}", file=sys.stderr)
        if trial.error_kind == "select_empty":
            print("hint: try a broader --select (main, article, #content), or none at all to "
                  "see the whole page", file=sys.stderr)
        return
    if trial.source.kind == "follow" and trial.document_url:
        print(f"followed link: {trial.document_url}")
    text = trial.text or ""
    what = "links found" if trial.source.kind == "index" else "extracted text"
    words = len(text.split())
    print(f"--- {what}: {len(text.splitlines())} lines, {words} words"
          + (f", title {trial.title!r}" if trial.title else "") + " ---")
    print(text.rstrip("\n"))
    print("--- nothing was stored; to watch it: framewatch sources add "
          f"{trial.source.url} --company … --title …"
          + "".join(f" --select {s!r}" for s in trial.source.select)
          + "".join(f" --remove {s!r}" for s in trial.source.remove)
          + "".join(f" --ignore {s!r}" for s in trial.source.ignore)
          + (f" --kind {trial.source.kind} --follow {trial.source.follow!r}"
             if trial.source.kind in ("follow", "index") else "")
          + " ---")
