"""The documentation and the deployment files say what the code does: README's CLI reference
and API table, docs/deployment.md's systemd units, the container files, shell completion."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from framewatch.cli import build_parser
from framewatch.commands.completion import bash_script
from framewatch.common import subparsers_of

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOYMENT = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
DOCUMENTED_ONCE = {"--config", "--db", "--verbose", "--quiet", "--help", "--format", "--version"}


def cli_reference() -> str:
    start = README.index("## CLI reference")
    return README[start:README.index("\n## ", start + 5)]


def parses(argv: list[str]) -> argparse.Namespace:
    """`argv` (without the program) as the real parser reads it; fails the test on an error."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:
        raise AssertionError(f"does not parse: framewatch {shlex.join(argv)}") from exc


def test_every_command_is_in_the_readme_cli_reference() -> None:
    ref = cli_reference()
    missing = [path for path in subparsers_of(build_parser())
               if not re.search(r"\b" + re.escape(path.split()[-1]) + r"\b", ref)]
    assert missing == []


def test_every_option_is_in_the_readme_cli_reference() -> None:
    ref = cli_reference()
    missing = []
    for path, sub in subparsers_of(build_parser()).items():
        for action in sub._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for opt in action.option_strings:
                if opt.startswith("--") and opt not in DOCUMENTED_ONCE and opt not in ref:
                    missing.append(f"{path} {opt}")
    assert missing == []


def test_readme_lists_every_json_api_endpoint() -> None:
    from web.app import API_ENDPOINTS, create_app

    app = create_app("sqlite://")
    while not hasattr(app, "routes"):  # through the security-header middleware
        app = app.app  # type: ignore[attr-defined]
    routes = {r.path.replace(":int", "") for r in app.routes if getattr(r, "path", "").startswith("/api/")}
    routes -= {"/api/"}
    assert routes == {path for path, _ in API_ENDPOINTS}
    for path in routes:
        assert f"`{path}`" in README, path


def test_api_root_lists_the_endpoints() -> None:
    from starlette.testclient import TestClient

    from web.app import API_ENDPOINTS, create_app

    with TestClient(create_app("sqlite://")) as client:
        response = client.get("/api/")
    assert response.status_code == 200
    assert [e["path"] for e in response.json()["endpoints"]] == [p for p, _ in API_ENDPOINTS]


def exec_starts() -> list[list[str]]:
    lines = re.findall(r"^ExecStart=(\S+)\s+(.*)$", DEPLOYMENT, re.M)
    assert lines, "docs/deployment.md has no ExecStart lines"
    return [shlex.split(args) for program, args in lines if program.endswith("/framewatch")]


@pytest.mark.parametrize("argv", exec_starts(), ids=shlex.join)
def test_each_systemd_exec_start_parses(argv: list[str]) -> None:
    assert parses(argv).func is not None


def cron_commands(text: str) -> list[list[str]]:
    out = []
    for match in re.finditer(r"/opt/framewatch/bin/framewatch ([^\n>]*)", text):
        command = re.sub(r"\$\([^)]*\)", "SUBST", match.group(1))  # $(date +%F): one word
        out.append(shlex.split(command))
    return out


@pytest.mark.parametrize("argv", cron_commands(DEPLOYMENT + README), ids=shlex.join)
def test_each_documented_cron_command_parses(argv: list[str]) -> None:
    assert parses(argv).func is not None


def compose_commands() -> list[list[str]]:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    return [json.loads(m) for m in re.findall(r"^\s*command:\s*(\[.*\])\s*$", text, re.M)]


@pytest.mark.parametrize("argv", compose_commands(), ids=shlex.join)
def test_each_compose_service_command_parses(argv: list[str]) -> None:
    assert argv[0] == "framewatch"
    assert parses(argv[1:]).func is not None


def test_compose_runs_postgres_schedule_and_serve() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    commands = {argv[1] for argv in compose_commands()}
    assert {"schedule", "serve"} <= commands and "image: postgres" in text
    cmd = re.search(r'^CMD (\[.*\])$', (ROOT / "Dockerfile").read_text(), re.M)
    assert cmd is not None and parses(json.loads(cmd.group(1))[1:]).func is not None


def complete(words: list[str]) -> list[str]:
    script = bash_script(build_parser())
    line = " ".join(shlex.quote(w) for w in words)
    probe = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _framewatch; "
             'printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_offers_commands_subcommands_and_options() -> None:
    assert complete(["framewatch", "dem"]) == ["demo"]
    assert complete(["framewatch", "sources", "a"]) == ["add"]
    assert "--no-notify" in complete(["framewatch", "run", "--no"])
    assert complete(["framewatch", "run", "--config", ""]) == []  # a file name: the shell's own
