"""A recording as the microphone: any WAV, resampled, in ~100 ms chunks, paced or not."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import AudioChunk, read_wav, rms
from assistant.errors import UserError
from assistant.microphone import (
    DeviceMicrophone,
    MicrophoneError,
    WavMicrophone,
    open_microphone,
)
from tests.helpers import human_clips

pytestmark = pytest.mark.files


def _write_stereo_24bit(path: Path, mono: AudioChunk, rate: int) -> None:
    """The clip as a 24-bit stereo WAV at another rate, like a recorder app might save it."""
    values = mono.array().astype(np.float64)
    positions = np.arange(round(mono.frames * rate / mono.rate)) * (mono.rate / rate)
    resampled = np.interp(positions, np.arange(mono.frames), values)
    as_int = (resampled * 256).astype("<i4")
    frames = np.stack((as_int, as_int), axis=1).reshape(-1)
    raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in frames)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(3)
        wav.setframerate(rate)
        wav.writeframes(raw)


def _read_all(mic: WavMicrophone) -> list[AudioChunk]:
    mic.start()
    chunks = []
    while (chunk := mic.read(1.0)) is not None:
        chunks.append(chunk)
    return chunks


def test_delivers_the_whole_recording_in_100_ms_chunks_then_ends() -> None:
    path = human_clips()[0].path
    original = read_wav(path)
    mic = WavMicrophone(path, realtime=False)
    assert not mic.ended
    chunks = _read_all(mic)
    assert mic.ended
    assert mic.read(0.1) is None
    assert all(c.rate == 16000 and c.frames == 1600 for c in chunks[:-1])
    assert 0 < chunks[-1].frames <= 1600
    assert b"".join(c.samples for c in chunks) == original.samples
    assert mic.overflows == 0


def test_other_rates_widths_and_channels_come_out_as_16_khz_mono(tmp_path: Path) -> None:
    path = human_clips()[1].path
    original = read_wav(path)
    other = tmp_path / "stereo-44k.wav"
    _write_stereo_24bit(other, original, 44100)
    chunks = _read_all(WavMicrophone(other, realtime=False))
    heard = AudioChunk(b"".join(c.samples for c in chunks), 16000)
    assert abs(heard.seconds - original.seconds) < 0.01
    assert rms(heard) == pytest.approx(rms(original), rel=0.05)
    # Same sound, not just the same length: the waveforms line up.
    a, b = heard.array().astype(float), original.array()[: heard.frames].astype(float)
    assert np.corrcoef(a[: len(b)], b[: len(a)])[0, 1] > 0.95


@pytest.mark.timed
def test_real_time_pacing_takes_as_long_as_the_recording() -> None:
    path = human_clips()[0].path
    mic = WavMicrophone(path, realtime=True)
    began = time.monotonic()
    chunks = _read_all(mic)
    took = time.monotonic() - began
    seconds = sum(c.seconds for c in chunks)
    assert took == pytest.approx(seconds, abs=0.25)


@pytest.mark.timed
def test_real_time_read_times_out_instead_of_waiting_past_the_timeout() -> None:
    path = human_clips()[0].path
    mic = WavMicrophone(path, realtime=True)
    mic.start()
    began = time.monotonic()
    assert mic.read(0.02) is None  # the first 100 ms are not spoken yet
    assert time.monotonic() - began < 0.09
    assert mic.read(1.0) is not None


@pytest.mark.timed
def test_as_fast_as_read_when_not_real_time() -> None:
    path = human_clips()[0].path
    began = time.monotonic()
    _read_all(WavMicrophone(path, realtime=False))
    assert time.monotonic() - began < 0.5


def test_open_microphone_chooses_by_spec(tmp_path: Path) -> None:
    path = human_clips()[0].path
    mic = open_microphone(str(path), realtime=False)
    assert isinstance(mic, WavMicrophone) and not mic.realtime
    with pytest.raises(UserError, match="no such audio file"):
        open_microphone(str(tmp_path / "missing.WAV"))
    not_wav = tmp_path / "noise.wav"
    not_wav.write_bytes(b"not a wav at all")
    with pytest.raises(UserError, match="not a readable WAV"):
        open_microphone(str(not_wav))


def test_an_unknown_device_is_a_microphone_error() -> None:
    with pytest.raises(MicrophoneError, match="hartsverbinding devices"):
        open_microphone("no such microphone anywhere")
    with pytest.raises(MicrophoneError):
        DeviceMicrophone(987)
