"""DeviceSpeaker on a real audio device: a private PulseAudio server with a null sink.

Timing through PulseAudio is seconds and is never measured here. Stop latency is measured in
the stream callback itself; the recording of the sink's monitor only shows that the audio
arrived, and that it is the audio that was rendered.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, resample, rms
from assistant.dialog.messages import CueKind, Style
from assistant.speaker import DeviceSpeaker, Segment, SpeakerError, make_speaker
from assistant.voice import Pyttsx3Voice, cue_audio
from tests.pulse import PulseServer

pytestmark = [pytest.mark.pulse, pytest.mark.voice]

RECORD_RATE = 16000


@pytest.fixture
def device(portaudio_on_pulse: PulseServer) -> PulseServer:
    return portaudio_on_pulse


class ObservedSpeaker(DeviceSpeaker):
    """Records, for each callback, when it ran and whether it wrote any sound."""

    def __init__(self) -> None:
        self.blocks: list[tuple[float, bool]] = []
        super().__init__()

    def _callback(self, outdata: np.ndarray, frames: int, times: Any, status: Any) -> None:
        entered = time.monotonic()
        super()._callback(outdata, frames, times, status)
        self.blocks.append((entered, bool(np.any(outdata))))


def _tone(seconds: float, rate: int = 22050) -> AudioChunk:
    t = np.arange(round(seconds * rate)) / rate
    return AudioChunk.from_array(8000 * np.sin(2 * np.pi * 440 * t), rate)


def _steady(speaker: ObservedSpeaker, deadline: float) -> None:
    """Wait until sound flows block after block (PulseAudio stalls at first, for seconds)."""
    while time.monotonic() < deadline:
        recent = speaker.blocks[-8:]
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(recent)]
        if len(recent) == 8 and all(sound for _, sound in recent) and max(gaps) < 0.05:
            return
        time.sleep(0.01)
    pytest.fail("the stream never ran steadily")


def test_stop_silences_the_callback_within_100_ms(device: PulseServer) -> None:
    speaker = ObservedSpeaker()
    try:
        speaker.play(Segment.speech(_tone(20.0), "een lange toon"))
        _steady(speaker, time.monotonic() + 10)
        stopped = time.monotonic()
        speaker.stop()
        time.sleep(0.3)
        after = [(entered, sound) for entered, sound in speaker.blocks if entered >= stopped]
        assert after, "no callback after stop()"
        assert after[0][0] - stopped < 0.1
        assert not any(sound for _, sound in after)  # and it stays silent
        assert speaker.wait(0.0)  # nothing left to play
    finally:
        speaker.close()


def test_wait_returns_at_the_end_of_playback_not_of_queueing(device: PulseServer) -> None:
    speaker = DeviceSpeaker()
    try:
        assert speaker.rate > 0 and speaker.latency >= 0
        speaker.play(Segment.cue(cue_audio(CueKind.LISTEN_START, 22050)))  # wakes the stream
        assert speaker.wait(10.0)
        started = time.monotonic()
        speaker.play(Segment.speech(_tone(1.0), "toon"))
        assert not speaker.wait(0.2)
        assert speaker.wait(10.0)
        assert time.monotonic() - started >= 0.95
    finally:
        speaker.close()
    speaker.close()  # twice is harmless
    with pytest.raises(SpeakerError, match="closed"):
        speaker.play(Segment.pause(0.1, 22050))


def _record(pulse: PulseServer, path: Path) -> subprocess.Popen[bytes]:
    command = ["parec", "-d", "speaker.monitor", "--rate", str(RECORD_RATE), "--channels", "1"]
    command += ["--format", "s16le", "--file-format=wav", str(path)]
    return subprocess.Popen(command, env=pulse.env)


def test_rendered_speech_comes_out_of_the_device(device: PulseServer, tmp_path: Path) -> None:
    voice = Pyttsx3Voice()
    try:
        speech = voice.render("Richt nu je aandacht op je hart.", Style.GUIDE)
    finally:
        voice.close()
    recording = tmp_path / "monitor.wav"
    recorder = _record(device, recording)
    try:
        speaker = make_speaker(None)
        try:
            # A fresh null sink mangles its first second or two on the monitor: a cue and a
            # pause go first, so the speech is recorded once the sink runs steadily.
            speaker.play(Segment.cue(cue_audio(CueKind.LISTEN_START, 22050)))
            speaker.play(Segment.pause(2.0, 22050))
            speaker.play(Segment.speech(speech, "Richt nu je aandacht op je hart."))
            assert speaker.wait(30.0)
            time.sleep(3.0)  # what PulseAudio still holds reaches the monitor
        finally:
            speaker.close()
    finally:
        recorder.terminate()
        recorder.wait(10)
    heard = read_wav(recording)
    assert heard.seconds > speech.seconds

    # Find the rendered speech in the recording: the best match of the two waveforms.
    expected = resample(speech, RECORD_RATE).array().astype(np.float64)
    got = heard.array().astype(np.float64)
    scores = np.correlate(got, expected, mode="valid")
    offset = int(np.argmax(scores))
    window = got[offset : offset + len(expected)]
    match = scores[offset] / (np.linalg.norm(window) * np.linalg.norm(expected) + 1e-9)
    assert match > 0.9, f"best match {match:.2f}"
    assert rms(AudioChunk.from_array(window, RECORD_RATE)) > 0.5 * rms(speech)
    pause = got[max(0, offset - RECORD_RATE) : max(0, offset - RECORD_RATE // 10)]
    assert len(pause) > 0 and np.sqrt(np.mean(pause**2)) < 50  # the pause before it, silent


def test_an_unknown_device_is_a_speaker_error(device: PulseServer) -> None:
    with pytest.raises(SpeakerError, match="no-such-device"):
        DeviceSpeaker("no-such-device")
