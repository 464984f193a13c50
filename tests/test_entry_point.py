"""The installed command ends promptly after its work, and nothing it printed or logged is lost:
large outputs through a pipe arrive whole, the exit code is the command's, and a command that
leaves a thread running gets the interpreter's normal exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _framewatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "framewatch", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_an_output_larger_than_a_pipe_arrives_whole(tmp_path: Path) -> None:
    old = "\n\n".join(f"We will evaluate model {n} before deployment." for n in range(600))
    (tmp_path / "a.txt").write_text(old)
    (tmp_path / "b.txt").write_text(old.replace("We will", "We may"))
    for fmt in ("json", "text"):  # one write, and print()'s text then newline
        done = _framewatch("diff", "a.txt", "b.txt", "--format", fmt, cwd=tmp_path)
        normal = subprocess.run(
            [sys.executable, "-c", "import sys; from framewatch.cli import main; sys.exit(main())",
             "diff", "a.txt", "b.txt", "--format", fmt], cwd=tmp_path, capture_output=True,
            text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        assert done.returncode == normal.returncode == 0, done.stderr
        assert len(done.stdout) > 64 * 1024
        assert done.stdout == normal.stdout
        if fmt == "json":
            assert len(json.loads(done.stdout)["hunks"]) > 0


def test_the_exit_code_is_the_commands(tmp_path: Path) -> None:
    done = _framewatch("show", "v1", "--db", f"sqlite:///{tmp_path / 'none.db'}", cwd=tmp_path)
    assert done.returncode == 2 and "error:" in done.stderr


def test_log_lines_written_just_before_the_end_are_kept(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text("[settings]\nallow_private = true\n")
    done = _framewatch("run", "--config", str(config), "--db",
                       f"sqlite:///{tmp_path / 'fw.db'}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "checking 0 source(s)" in done.stderr


def test_a_thread_still_running_gets_the_interpreters_normal_exit(tmp_path: Path) -> None:
    probe = (
        "import threading, time, sys\n"
        "import framewatch.cli as cli\n"
        "def main():\n"
        "    def late():\n"
        "        time.sleep(0.3)\n"
        "        print('thread finished', flush=True)\n"
        "    threading.Thread(target=late).start()\n"
        "    return 5\n"
        "cli.main = main\n"
        "cli.entry()\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 5
    assert "thread finished" in done.stdout


def test_a_profiled_run_still_writes_its_profile(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text("[settings]\nallow_private = true\n")
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(tmp_path / "run.prof"),
                           "-m", "framewatch", "run", "--config", str(config), "--db",
                           f"sqlite:///{tmp_path / 'fw.db'}"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run.prof").stat().st_size > 0
