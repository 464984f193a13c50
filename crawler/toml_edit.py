"""Small edits to sources.toml as text, so comments and layout survive a tool's change.

Only what the commands need: add one ``ignore`` pattern to one ``[[source]]`` table. The caller
validates the edited text with :func:`crawler.config.parse_config` before writing it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

_TABLE = re.compile(r"^\s*\[")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def source_table_span(lines: list[str], nth: int) -> tuple[int, int]:
    """Line indexes [start, end) of the nth ``[[source]]`` table (end: the next table header)."""
    headers = [i for i, line in enumerate(lines) if re.match(r"^\s*\[\[source\]\]\s*(#.*)?$", line)]
    if nth >= len(headers):
        raise ValueError(f"no [[source]] table number {nth + 1}")
    start = headers[nth]
    end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
    return start, end


def _value_end(lines: list[str], i: int, end: int) -> int:
    """The index after the last line of the value starting on line i (multi-line arrays)."""
    depth = 0
    for j in range(i, end):
        code = re.sub(r"'[^']*'|\"(?:\\.|[^\"\\])*\"|#.*$", "", lines[j])
        depth += code.count("[") - code.count("]")
        if j == i:
            depth -= code.split("=", 1)[0].count("[") - code.split("=", 1)[0].count("]")
        if depth <= 0:
            return j + 1
    return end


def with_ignore(text: str, nth: int, patterns: list[str]) -> str:
    """`text` with the nth source's ``ignore`` set to `patterns` (one line, in place of the old
    key, or after the table's last key)."""
    from crawler.toml_edit import toml_value

    lines = text.splitlines()
    start, end = source_table_span(lines, nth)
    new_line = f"ignore = {toml_value(patterns)}"
    for i in range(start + 1, end):
        m = _KEY.match(lines[i])
        if m and m.group(1) == "ignore":
            stop = _value_end(lines, i, end)
            lines[i:stop] = [new_line]
            break
    else:
        last_key = max((i for i in range(start + 1, end) if _KEY.match(lines[i])), default=start)
        last_key = _value_end(lines, last_key, end) - 1 if last_key > start else start
        lines.insert(last_key + 1, new_line)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def toml_string(value: str) -> str:
    """A TOML string: literal ('…', backslashes as written, for regexes) when it can be."""
    if "'" not in value and not any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    return "[" + ", ".join(toml_string(v) for v in value) + "]"


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so a crash leaves the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:  # mkstemp makes 0600; a new config gets the usual mode under the umask
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
