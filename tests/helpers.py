"""Small helpers shared by the tests: running the real CLI, copying the content folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = ROOT / "content" / "nl"


def run_cli(
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 60,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` in a child process, as a user would run it."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd or ROOT,
    )


def copy_content(target: Path) -> Path:
    folder = target / "content"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def answers_script(count: int = 10) -> str:
    """Typed input: `count` answers, each confirmed with 'ja'."""
    return "".join(f"Mijn antwoord op vraag {n}\nja\n" for n in range(1, count + 1))


def start_session(
    *args: str, env: dict[str, str] | None = None, stdin: int | None = subprocess.PIPE
) -> subprocess.Popen[str]:
    """A live `python -m assistant ARGS` whose captions can be watched as they come."""
    full_env = dict(os.environ, PYTHONUNBUFFERED="1")
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=full_env,
    )


class Captions:
    """Collects what a live session prints, in a thread, so a test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str] | None:
        """The first line matching `pattern` (a regular expression), waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if found := re.search(pattern, line):
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():  # out of time, or output ended
                    return None
                self._changed.wait(min(left, 0.5))

    def text(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def join(self, timeout: float = 5) -> None:
        self._thread.join(timeout)
