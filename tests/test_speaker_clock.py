"""ClockSpeaker: no sound, but a segment still takes its time; and make_speaker's choices."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.speaker import ClockSpeaker, FileSpeaker, Segment, make_speaker

pytestmark = pytest.mark.files


@pytest.mark.timed
def test_segments_take_their_real_duration_in_order() -> None:
    speaker = ClockSpeaker()
    started = time.monotonic()
    speaker.play(Segment.pause(0.3, 16000))
    speaker.play(Segment.pause(0.2, 16000))
    assert not speaker.wait(0.1)
    assert speaker.wait(2.0)
    assert 0.45 <= time.monotonic() - started < 0.7


def test_an_idle_clock_is_done_at_once() -> None:
    assert ClockSpeaker().wait(0.0)


def test_stop_ends_at_once_and_wakes_a_waiter() -> None:
    speaker = ClockSpeaker()
    speaker.play(Segment.pause(30.0, 8000))
    finished: list[float] = []

    def waiter() -> None:
        speaker.wait(60.0)
        finished.append(time.monotonic())

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    stopped = time.monotonic()
    speaker.stop()
    thread.join(2.0)
    assert finished and finished[0] - stopped < 0.05
    assert speaker.wait(0.0)


def test_a_segment_after_an_idle_spell_starts_now() -> None:
    speaker = ClockSpeaker()
    time.sleep(0.2)  # idle time is not credited to the next segment
    speaker.play(Segment.pause(0.2, 8000))
    assert not speaker.wait(0.1)


def test_make_speaker_picks_by_target(tmp_path: Path) -> None:
    file_speaker = make_speaker(str(tmp_path / "out.WAV"), tmp_path / "out.json")
    assert isinstance(file_speaker, FileSpeaker)
    file_speaker.close()
    assert isinstance(make_speaker("none"), ClockSpeaker)
    with pytest.raises(UserError, match="timeline"):
        make_speaker("none", tmp_path / "out.json")
