"""The tests' private PulseAudio servers are stopped by whoever starts them: a server started
again in the same folder, one whose PID file is gone, one that failed to start halfway."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.programs import need_program
from tests.pulse import PulseServer, daemons, pulse_server, start_pulse

pytestmark = pytest.mark.pulse


@pytest.fixture(autouse=True)
def needs_pulseaudio() -> None:
    need_program("pulseaudio", "pactl")


def test_a_server_started_again_in_the_same_folder_is_stopped_too() -> None:
    before = daemons()
    with pulse_server() as server:
        first = daemons(server.runtime_dir)
        assert len(first) == 1 and first <= daemons() - before
        server.stop()
        assert daemons(server.runtime_dir) == set()  # stop returns once the process is gone
        start_pulse(server.runtime_dir)
        second = daemons(server.runtime_dir)
        assert len(second) == 1 and second != first
        assert "speaker" in server.pactl("list", "short", "sinks")
    assert daemons(server.runtime_dir) == set()
    assert daemons() == before


def test_a_server_without_its_pid_file_is_stopped_all_the_same() -> None:
    """`pulseaudio --kill` finds the daemon through its PID file; without it, the daemon must
    still go (it is found by its environment)."""
    with pulse_server() as server:
        (server.runtime_dir / "pulse" / "pid").unlink()
        assert len(daemons(server.runtime_dir)) == 1
    assert daemons(server.runtime_dir) == set()


def test_a_server_that_fails_halfway_through_starting_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[Path] = []

    def refuse(self: PulseServer, *args: str) -> str:
        assert len(daemons(self.runtime_dir)) == 1  # the daemon runs; its set-up then fails
        started.append(self.runtime_dir)
        raise RuntimeError("pactl refused")

    monkeypatch.setattr(PulseServer, "pactl", refuse)
    with pytest.raises(RuntimeError, match="pactl refused"), pulse_server():
        pass
    assert started and daemons(started[0]) == set()
