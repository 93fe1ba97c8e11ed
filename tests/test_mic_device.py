"""A real audio device: speech played into a PulseAudio null sink comes back through
DeviceMicrophone from the sink's monitor, opened at the device's 44.1 kHz and resampled."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from assistant.audio import AudioChunk, read_wav, rms, split
from assistant.microphone import DeviceMicrophone, MicrophoneError, list_devices, open_microphone
from tests.pulse import PulseServer
from tests.test_listen_helpers import human_clips

LOUD = 300.0  # chunk RMS that is clearly speech, not the null sink's silence


@pytest.fixture
def portaudio(pulse_env: PulseServer) -> Iterator[PulseServer]:
    """PortAudio reads the environment when it starts: restart it on the private server."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    yield pulse_env
    sd._terminate()
    sd._initialize()


def _loud_span(chunks: list[AudioChunk]) -> float:
    loud = [index for index, chunk in enumerate(chunks) if rms(chunk) > LOUD]
    return (loud[-1] - loud[0] + 1) * 0.1 if loud else 0.0


def test_lists_the_input_devices_with_their_rates(portaudio: PulseServer) -> None:
    lines = list_devices()
    assert any("pulse" in line and "44100 Hz" in line for line in lines), lines
    assert any("(default)" in line for line in lines)


def test_speech_played_into_the_sink_is_heard_resampled(portaudio: PulseServer) -> None:
    path, _ = human_clips()[2]
    original = read_wav(path)
    mic = open_microphone("pulse")
    assert isinstance(mic, DeviceMicrophone)
    mic.start()
    try:
        assert mic.device_rate == 44100  # the device's own rate, not the 16 kHz we asked for
        player = subprocess.Popen(["paplay", "--device=mic", str(path)], env=portaudio.env)
        chunks: list[AudioChunk] = []
        deadline = time.monotonic() + original.seconds + 8
        while time.monotonic() < deadline:
            chunk = mic.read(0.5)
            if chunk is not None:
                chunks.append(chunk)
            if player.poll() is not None and chunks and _quiet_for(chunks, 1.0):
                break
        assert player.wait(10) == 0
    finally:
        mic.close()
    assert chunks, "no audio came back from the device"
    assert {c.rate for c in chunks} == {16000}
    assert all(c.frames == 1600 for c in chunks)  # 4410 frames at 44.1 kHz -> 1600 at 16 kHz
    expected = list(split(original, 100))
    assert _loud_span(chunks) == pytest.approx(_loud_span(expected), abs=0.35)
    peak_heard = max(rms(c) for c in chunks)
    peak_sent = max(rms(c) for c in expected)
    assert peak_heard == pytest.approx(peak_sent, rel=0.3)
    assert mic.overflows == 0


def _quiet_for(chunks: list[AudioChunk], seconds: float) -> bool:
    tail = chunks[-round(seconds * 10) :]
    return any(rms(c) > LOUD for c in chunks) and all(rms(c) <= LOUD for c in tail)


def test_a_missing_device_is_a_microphone_error(portaudio: PulseServer) -> None:
    with pytest.raises(MicrophoneError, match="--mic"):
        DeviceMicrophone("a microphone that is not plugged in")
