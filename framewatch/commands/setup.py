"""`framewatch init` and `framewatch sources add`: writing sources.toml for people.

`init` copies the curated list shipped with the package. `sources add` appends one
``[[source]]`` table as text, so the file's comments and layout stay exactly as they were, and
only after the whole new file has passed the same validation `framewatch run` applies (a
duplicate id or URL, a bad selector, a typo in the kind are refused before anything is written).
"""

from __future__ import annotations

import argparse
import re
from importlib import resources
from pathlib import Path
from typing import Any

from crawler.config import ConfigError, default_config_path, parse_config
from crawler.toml_edit import toml_value, write_atomically


def register(subparsers: Any) -> None:
    from framewatch.commands.trial import add_source_options
    from framewatch.common import CONFIG_HELP, add_rule_options

    p = subparsers.add_parser("init", help="write a starter sources.toml with the curated list")
    p.add_argument("path", nargs="?", help="where to write it (default: --config, "
                                           "$FRAMEWATCH_CONFIG or ./sources.toml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_init)

    sources = subparsers.choices["sources"]
    sub = next(a for a in sources._actions if isinstance(a, argparse._SubParsersAction))
    sp = sub.add_parser("add", help="append a validated source to sources.toml "
                                    "(comments are kept; duplicates refused)")
    sp.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
    sp.add_argument("url", help="the http(s) URL to watch")
    sp.add_argument("--company", required=True, help="who publishes it, e.g. \"Anthropic\"")
    sp.add_argument("--title", required=True, help="what it is, e.g. \"Responsible Scaling Policy\"")
    sp.add_argument("--id", dest="source_id", metavar="SLUG",
                    help="the source id (default: made from company and title)")
    add_rule_options(sp)
    add_source_options(sp)
    sp.add_argument("--notes", help="free text kept with the source")
    sp.set_defaults(func=cmd_sources_add)


def starter_text() -> str:
    """The curated sources.toml shipped inside the package."""
    return resources.files("framewatch").joinpath("data/sources.toml").read_text(encoding="utf-8")


def cmd_init(args: argparse.Namespace) -> int:
    from framewatch.common import UsageError

    target = Path(args.path or getattr(args, "config", None) or default_config_path())
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it")
    if not target.parent.exists():
        raise UsageError(f"folder {target.parent} does not exist")
    text = starter_text()
    config = parse_config(text, str(target))
    write_atomically(target, text)
    companies = len({s.company for s in config.sources})
    print(f"wrote {target}: {len(config.sources)} sources from {companies} companies. "
          f"Next: `framewatch run{'' if target.name == 'sources.toml' and target.parent == Path('.') else f' --config {target}'}`"
          " (or `framewatch demo` to see it work offline first)")
    return 0


def slugify(*parts: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")
    return slug[:80].rstrip("-") or "source"


def source_table(fields: dict[str, Any]) -> str:
    lines = ["[[source]]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in fields.items()
              if value not in (None, (), [], "")]
    return "\n".join(lines) + "\n"


def cmd_sources_add(args: argparse.Namespace) -> int:
    from framewatch.commands.trial import source_from_args
    from framewatch.common import UsageError

    path = Path(getattr(args, "config", None) or default_config_path())
    if not path.exists():
        raise ConfigError("the file does not exist (write one with `framewatch init`)",
                          path=str(path))
    text = path.read_text(encoding="utf-8")
    config = parse_config(text, str(path))
    sid = args.source_id or slugify(args.company, args.title)
    source = source_from_args(args, source_id=sid, company=args.company, title=args.title)
    if config.source(sid) is not None:
        raise UsageError(f"{path} already has a source with id {sid!r} (pass --id to choose another)")
    same_url = next((s for s in config.sources if s.url == source.url), None)
    if same_url is not None:
        raise UsageError(f"{path} already watches {source.url} (source {same_url.id!r})")
    table = source_table({
        "id": sid, "company": source.company, "title": source.title, "url": source.url,
        "kind": source.kind if source.kind != "page" else None, "select": list(source.select),
        "remove": list(source.remove), "ignore": list(source.ignore), "follow": source.follow,
        "link_pattern": source.link_pattern,
        "fetcher": source.fetcher if source.fetcher != "http" else None,
        "wait_for": source.wait_for, "allow_private": source.allow_private or None,
        "notes": args.notes})
    new_text = text + ("" if text.endswith("\n") or not text else "\n") + "\n" + table
    parse_config(new_text, str(path))  # the whole file must still be valid: else nothing written
    write_atomically(path, new_text)
    line = new_text.count("\n", 0, len(new_text) - len(table)) + 1
    where = "" if getattr(args, "config", None) is None else f" --config {path}"
    print(f"added source {sid!r} to {path} (line {line}); check it with "
          f"`framewatch run{where} --only {sid}`")
    return 0
