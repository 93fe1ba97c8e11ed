"""A real audio device: speech played into a PulseAudio null sink comes back through
DeviceMicrophone from the sink's monitor, opened at the device's 44.1 kHz and resampled."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from assistant.audio import AudioChunk, read_wav, rms, silence, split, write_wav
from assistant.microphone import DeviceMicrophone, MicrophoneError, list_devices, open_microphone
from assistant.recognizer import ListenMode, ListenSettings, Utterance, open_voice_input
from tests.helpers import RATE, espeak, human_clips, ko_model
from tests.pulse import PulseServer

pytestmark = [pytest.mark.pulse, pytest.mark.vosk, pytest.mark.voice]

LOUD = 300.0  # chunk RMS that is clearly speech, not the null sink's silence


@pytest.fixture
def portaudio(portaudio_on_pulse: PulseServer) -> PulseServer:
    return portaudio_on_pulse


def _loud_span(chunks: list[AudioChunk]) -> float:
    loud = [index for index, chunk in enumerate(chunks) if rms(chunk) > LOUD]
    return (loud[-1] - loud[0] + 1) * 0.1 if loud else 0.0


def test_lists_the_input_devices_with_their_rates(portaudio: PulseServer) -> None:
    lines = list_devices()
    assert any("pulse" in line and "44100 Hz" in line for line in lines), lines
    assert any("(default)" in line for line in lines)


def test_speech_played_into_the_sink_is_heard_resampled(portaudio: PulseServer) -> None:
    path = human_clips()[2].path
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


def test_voice_input_on_the_device_hears_commands_only_when_listening(
    portaudio: PulseServer, tmp_path: Path
) -> None:
    """Half-duplex on a real device: a phrase played while 'off' is not heard, one played
    after switching to 'command' is, through the recognition thread and the real engine."""
    first, second = tmp_path / "first.wav", tmp_path / "second.wav"
    write_wav(first, silence(0.3, RATE) + espeak("안녕하세요", "ko") + silence(0.5, RATE))
    write_wav(second, silence(0.3, RATE) + espeak("아니요", "ko") + silence(1.0, RATE))
    voice = open_voice_input(
        DeviceMicrophone("pulse"), ko_model(), ["안녕하세요", "아니요"], ListenSettings()
    )
    try:
        play = ["paplay", "--device=mic"]
        assert subprocess.run([*play, str(first)], env=portaudio.env, timeout=20).returncode == 0
        time.sleep(1.5)  # the device's own latency: let the last of it arrive while off
        voice.set_mode(ListenMode.COMMAND)
        time.sleep(0.5)
        assert subprocess.run([*play, str(second)], env=portaudio.env, timeout=20).returncode == 0
        assert voice.get(10) == Utterance("아니요")
        assert voice.get(1.0) is None
        assert voice.discarded > 1.5 and voice.errors == 0
    finally:
        voice.close()
