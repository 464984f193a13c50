""""Mark as noise" on a change page: the web form of `framewatch noise`.

Offered only when the server may write: `framewatch serve` passes a :class:`NoiseRules` over
the sources.toml it read (the server itself is either on loopback or behind
FRAMEWATCH_WEB_TOKEN; `--read-only` turns the form off). Planning and writing the rule is the
crawler's work, wired in by the application shell: this module only holds the form. The POST carries a token bound to the change and to this server process (an HMAC
under a random per-process key), which another site cannot read, so a cross-site form cannot
write a rule. Two steps, like the CLI: the first POST shows the rule and what it removes; only
the second (confirm) writes sources.toml and re-extracts the source (a technical version).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, Protocol
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

MAX_FORM = 16 * 1024


class NoiseRules(Protocol):
    """Turns a noisy change into an ``ignore`` rule of its source."""

    def plan(self, change: Any, pattern: str) -> Any:
        """The edit that would be written (ValueError, with the reason, if it cannot be)."""

    def write(self, plan: Any, db: Any) -> str:
        """Write the planned rule and re-extract the source; a sentence saying what happened."""


class NoiseForms:
    def __init__(self, ui: Any, rules: NoiseRules) -> None:
        self.ui = ui
        self.rules = rules
        self._key = secrets.token_bytes(32)

    def token(self, change_id: int) -> str:
        return hmac.new(self._key, f"noise:{change_id}".encode(), hashlib.sha256).hexdigest()

    async def post(self, request: Request) -> Response:
        change = self.ui.change_or_404(request.path_params["change_id"])
        body = await request.body()
        if len(body) > MAX_FORM:
            raise HTTPException(413, "form too large")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if not hmac.compare_digest(form.get("csrf", "").encode(), self.token(change.id).encode()):
            raise HTTPException(403, "this form has expired or did not come from this server; "
                                     "reload the change page and try again")
        pattern = form.get("pattern", "")
        return await run_in_threadpool(self._handle, request, change, pattern,
                                       form.get("confirm") == "1")

    def _handle(self, request: Request, change: Any, pattern: str, confirm: bool) -> Response:
        context: dict[str, Any] = {"change": change, "pattern": pattern,
                                   "csrf": self.token(change.id), "plan": None, "error": None,
                                   "done": None, "title": f"Mark change {change.id} as noise"}
        try:
            plan = self.rules.plan(change, pattern)
        except ValueError as exc:
            context["error"] = str(exc)
            return self.ui.page(request, "noise.html", status=400, **context)
        context["plan"] = plan
        if not confirm:
            return self.ui.page(request, "noise.html", **context)
        context["done"] = self.rules.write(plan, self.ui.db)
        return self.ui.page(request, "noise.html", **context)
