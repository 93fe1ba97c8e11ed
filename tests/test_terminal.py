"""A typed session at a real terminal: the program in a pseudo-terminal (its standard input,
output and error, and its controlling terminal), typed to line by line as a person does.

With a pipe as standard input the end of input ends the reading thread; at a terminal nothing
ends it, so what the reader does at exit shows only here (issue 16: "Fatal Python error:
_enter_buffered_busy ... Aborted", exit status 134, after every goodbye).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.files

# Run first in the child: it is the leader of a new session (start_new_session), so taking the
# terminal on its standard input makes that its controlling terminal, then it becomes the program.
TAKE_TERMINAL = (
    "import fcntl, os, sys, termios; "
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


class Terminal:
    """`python -m assistant ARGS` on a new pseudo-terminal; what it prints is collected."""

    def __init__(self, *args: str) -> None:
        self.screen = b""
        self._master, slave = os.openpty()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", TAKE_TERMINAL, sys.executable, "-m", "assistant", *args],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                start_new_session=True,
                cwd=ROOT,
            )
        finally:
            os.close(slave)  # the child's copies remain: the end of its output is seen

    def _read(self, timeout: float) -> bool:
        """Collect what is printed within `timeout`; False once the terminal is closed."""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self._master, 4096)
        except OSError:  # EIO: every copy of the terminal's other end is closed
            return False
        self.screen += chunk
        return bool(chunk)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.screen:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                pytest.fail(f"{text!r} did not appear; the terminal shows:\n{self.text()}")

    def type(self, line: str) -> None:
        os.write(self._master, line.encode() + b"\n")

    def finish(self, timeout: float = 30) -> int:
        """Everything printed until the program has ended, and its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(deadline - time.monotonic()):
            pass
        try:
            return self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"the program did not end; the terminal shows:\n{self.text()}")

    def text(self) -> str:
        return self.screen.decode("utf-8", errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self._master)


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Terminal]:
    session = Terminal("vragen", "--text", "--pace", "0", "--journal", str(tmp_path))
    try:
        yield session
    finally:
        session.close()


def test_stop_at_a_terminal_says_goodbye_and_exits_cleanly(practice, content):
    practice.wait_for("Vraag 1 van 10.")
    practice.type("stop")
    status = practice.finish()
    assert any(goodbye in practice.text() for goodbye in content.lines["goodbye"])
    assert "Fatal Python error" not in practice.text()
    assert status == 0, practice.text()


def test_answering_to_the_end_at_a_terminal_exits_cleanly(practice, content, tmp_path):
    for number in range(1, 11):
        practice.wait_for(f"Vraag {number} van 10.")
        practice.type(f"Mijn antwoord op vraag {number}")
        practice.type("ja")
    practice.wait_for(content.line("read_offer"))
    practice.type("nee")
    status = practice.finish()
    assert "Fatal Python error" not in practice.text()
    assert status == 0, practice.text()
    assert len(list(tmp_path.glob("*.md"))) == 1
