"""A typed practice and the journal commands start without numpy, Vosk or sounddevice: on a Pi,
each of them costs a noticeable part of a second at every start."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.files  # a fresh interpreter: this one has imported everything already

LOADED = """
import sys
import assistant.cli.main, assistant.cli.journal, assistant.session.start, assistant.session.runtime
print(" ".join(name for name in ("numpy", "vosk", "sounddevice") if name in sys.modules))
"""


def test_the_command_line_and_a_typed_session_start_without_numpy_or_vosk() -> None:
    found = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == []
