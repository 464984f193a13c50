"""`framewatch serve`: run the read-only web UI on uvicorn.

Binds 127.0.0.1 by default. A non-loopback host exposes crawled history (and the machine's
database) to the network, so it is refused unless FRAMEWATCH_WEB_TOKEN is set; with a token
every request must carry it.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import Any

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost — addresses only this machine can reach."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a hostname may resolve anywhere: treat it as exposed


def allowed_hosts(host: str, base_url: str | None) -> set[str] | None:
    """The Host header names the UI answers to: the bound host, loopback names, base_url's
    host. None (any) when bound to every interface: then the token gates each request and
    the machine's own names are not known here."""
    bound = host.strip().strip("[]").lower()
    if bound in ("0.0.0.0", "::", ""):
        return None
    names = {bound, "127.0.0.1", "::1", *LOOPBACK_NAMES}
    if base_url:
        from urllib.parse import urlsplit

        if urlsplit(base_url).hostname:
            names.add(urlsplit(base_url).hostname or "")
    return names


def check_exposure(host: str, token: str | None) -> str | None:
    """Why serving on ``host`` is refused, or None when it is allowed."""
    if is_loopback(host) or token:
        return None
    from web.app import TOKEN_ENV

    return (f"refusing to listen on {host}: that address is reachable from other machines and "
            f"the web UI would be open to anyone. Set {TOKEN_ENV} to a long random secret "
            f"(e.g. `export {TOKEN_ENV}=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')`) "
            "so every request must present it, or bind 127.0.0.1 (the default).")


def cmd_serve(args: argparse.Namespace) -> int:
    from framewatch.common import config_from_args, open_db
    from web.app import create_app, token_from_env

    token = token_from_env()
    problem = check_exposure(args.host, token)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    config = config_from_args(args, required=False)
    db = open_db(args, config, create=False)
    # Permalinks in the feed and API use [settings] base_url (the public address behind a proxy)
    # — except the built-in default, which names port 8000 and would be wrong on any other port;
    # then links are built from the request's own address.
    base_url: str | None = config.settings.base_url if config.path is not None else None
    if base_url == type(config.settings)().base_url:
        base_url = None
    # Writing sources.toml ("mark as noise") only with a config file, and never with --read-only.
    # The server is on loopback or behind the token here (check_exposure refused the rest).
    config_path = config.path if config.path is not None and not args.read_only else None
    from framewatch.web_noise import SourcesFileNoise

    noise = SourcesFileNoise(config_path) if config_path is not None else None
    app = create_app(db, token=token, base_url=base_url, noise=noise,
                     allowed_hosts=allowed_hosts(args.host, base_url))
    import uvicorn

    where = f"http://{args.host}:{args.port}/"
    print(f"framewatch web UI on {where}" + (" (token required)" if token else ""),
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                server_header=False, proxy_headers=False)
    return 0


def register(subparsers: Any) -> None:
    from framewatch.common import add_common

    p = subparsers.add_parser("serve", help="browse the history in a web browser (read-only)")
    add_common(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; any other needs FRAMEWATCH_WEB_TOKEN)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--read-only", action="store_true",
                   help="never offer to write sources.toml (the change page's \"mark as noise\")")
    p.set_defaults(func=cmd_serve)
