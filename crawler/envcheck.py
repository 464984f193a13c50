"""Secrets named in sources.toml must be in the environment before a cycle starts.

A channel names the variables that hold its secrets (``webhook_url_env = "FRAMEWATCH_SLACK_…"``).
A variable that is not set would only surface at send time, as an alert pending forever; `run`
and `sources check` treat it as the configuration error it is, naming the file, the line, the
key and the variable. The values themselves are never read into messages.
"""

from __future__ import annotations

import os
from pathlib import Path

from crawler.config import Config, ConfigError, _Lines


def missing_secrets(config: Config) -> list[ConfigError]:
    """One error per ``*_env`` key of a ``[notify.*]`` table whose variable is unset or empty."""
    lines = _config_lines(config)
    problems: list[ConfigError] = []
    for channel in config.channels:
        for key, var in sorted(channel.options.items()):
            if not key.endswith("_env") or not isinstance(var, str) or not var:
                continue
            if os.environ.get(var, "").strip():
                continue
            line = lines.key(key, channel.line) if lines is not None else None
            problems.append(ConfigError(
                f"the environment variable {var} is not set (secrets live in the environment, "
                f"never in this file: `export {var}=…` before running framewatch)",
                path=config.path, line=line or channel.line, field=f"notify.{channel.name}.{key}"))
    return problems


class MissingSecrets(ConfigError):
    """Every missing variable at once, one per line, so one edit of the environment fixes all."""

    def __init__(self, problems: list[ConfigError]) -> None:
        Exception.__init__(self, "\n".join(str(p) for p in problems))
        self.path, self.line, self.field = problems[0].path, problems[0].line, problems[0].field
        self.problems = problems


def _config_lines(config: Config) -> _Lines | None:
    if config.path is None:
        return None
    try:
        return _Lines(Path(config.path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
