"""Faults a real device cannot be made to show on demand: a flood of audio the reader cannot
keep up with, overflow flags from the driver, a device that stops. Never fatal, always counted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from assistant.microphone import DeviceMicrophone, MicrophoneError
from assistant.microphone.device import Callback

pytestmark = pytest.mark.pure


class Flags:
    def __init__(self, input_overflow: bool) -> None:
        self.input_overflow = input_overflow


class FloodingStream:
    """Calls the callback `blocks` times as fast as it can, from its own thread like PortAudio,
    each block 100 ms of a 48 kHz stereo device whose samples say which block it was."""

    samplerate = 48000.0
    channels = 2

    def __init__(self, callback: Callback, finished: Callable[[], None], blocks: int) -> None:
        self._callback = callback
        self._finished = finished
        self._blocks = blocks
        self.active = False
        self.done = threading.Event()

    def start(self) -> None:
        self.active = True
        threading.Thread(target=self._flood, daemon=True).start()

    def _flood(self) -> None:
        for block in range(self._blocks):
            frames = np.full((4800, 2), block, dtype="<i2")
            frames[:, 1] = block + 2  # the two channels differ: the mix is their mean
            self._callback(frames.tobytes(), 4800, None, Flags(block % 10 == 0))
        self.done.set()

    def stop(self) -> None:
        self.active = False
        self._finished()

    def close(self) -> None:
        self.active = False


def _flooded(
    blocks: int, queue_seconds: float | None = None
) -> tuple[DeviceMicrophone, FloodingStream]:
    made: list[FloodingStream] = []

    def factory(device: Any, callback: Callback, finished: Callable[[], None]) -> FloodingStream:
        made.append(FloodingStream(callback, finished, blocks))
        return made[0]

    if queue_seconds is None:
        mic = DeviceMicrophone("fake", stream_factory=factory)  # the queue a session has
    else:
        mic = DeviceMicrophone("fake", queue_seconds=queue_seconds, stream_factory=factory)
    mic.start()
    assert made[0].done.wait(10)
    return mic, made[0]


def test_a_flood_keeps_the_newest_audio_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    mic, _stream = _flooded(blocks=500, queue_seconds=1.0)  # room for 10 blocks
    assert mic.device_rate == 48000
    chunks = []
    while (chunk := mic.read(0.05)) is not None:
        chunks.append(chunk)
    assert len(chunks) == 10
    assert mic.dropped == 490
    assert mic.overflows == 490 + 50  # dropped blocks plus one driver flag in ten blocks
    # The newest blocks survived, mixed to mono and resampled from 48 kHz. The resampler's
    # output runs 50 ms (800 frames) behind, and its filter rings a little after each step
    # from one block's value to the next: the middle of each block's part shows its value.
    levels = [round(float(np.median(c.array()[900:1500]))) for c in chunks]
    assert levels == [block + 1 for block in range(490, 500)]
    assert all(c.rate == 16000 and c.frames == 1600 for c in chunks)
    assert any("lost audio" in r.getMessage() for r in caplog.records)
    mic.close()


def test_a_slow_reader_twenty_seconds_behind_loses_nothing() -> None:
    # A slow machine decoding a long answer: the answer comes late, but whole.
    mic, _stream = _flooded(blocks=200)  # 20 s of audio delivered before anything is read
    chunks = []
    while (chunk := mic.read(0.05)) is not None:
        chunks.append(chunk)
    assert len(chunks) == 200
    assert mic.dropped == 0
    levels = [round(float(np.median(c.array()[900:1500]))) for c in chunks]
    assert levels == [block + 1 for block in range(200)]
    mic.close()


def test_losses_are_logged_once_per_episode_not_per_chunk(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    mic, _stream = _flooded(blocks=300, queue_seconds=0.5)
    while mic.read(0.05) is not None:
        pass
    assert len([r for r in caplog.records if "lost audio" in r.getMessage()]) == 1
    mic.close()


def test_a_stream_that_stops_by_itself_is_reported() -> None:
    mic, stream = _flooded(blocks=1, queue_seconds=1.0)
    assert mic.read(0.05) is not None
    stream.stop()  # the device went away: PortAudio ends the stream
    with pytest.raises(MicrophoneError, match="stopped delivering audio"):
        mic.read(0.05)
    mic.close()
    with pytest.raises(MicrophoneError, match="not started"):
        mic.read(0.05)
