"""The cues made in code: lengths, levels, no clicks, and which way the tones go."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.audio import AudioChunk, rms
from assistant.dialog.messages import CueKind
from assistant.voice.cues import BELL_SECONDS, TONE_SECONDS, cue_audio

pytestmark = pytest.mark.pure


def _pitch(chunk: AudioChunk) -> float:
    """Frequency from zero crossings: enough for one clean tone."""
    values = chunk.array().astype(np.float64)
    crossings = np.count_nonzero(np.diff(np.signbit(values)))
    return crossings / 2 / chunk.seconds


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
@pytest.mark.parametrize(
    ("kind", "seconds"),
    [
        (CueKind.BELL, BELL_SECONDS),
        (CueKind.LISTEN_START, TONE_SECONDS),
        (CueKind.LISTEN_STOP, TONE_SECONDS),
    ],
)
def test_cues_have_their_length_and_are_heard(kind: CueKind, seconds: float, rate: int) -> None:
    chunk = cue_audio(kind, rate)
    assert chunk.rate == rate
    assert abs(chunk.seconds - seconds) < 1 / rate + 1e-9
    assert rms(chunk) > 500  # clearly audible...
    assert np.max(np.abs(chunk.array().astype(np.int32))) < 0.35 * 32768  # ...but soft


@pytest.mark.parametrize("kind", list(CueKind))
def test_cues_start_and_end_at_silence_so_they_do_not_click(kind: CueKind) -> None:
    values = np.abs(cue_audio(kind, 22050).array().astype(np.int32))
    assert values[0] < 50 and values[-1] < 50


def test_the_bell_rings_out() -> None:
    chunk = cue_audio(CueKind.BELL, 22050)
    quarter = chunk.frames // 4
    levels = [
        rms(AudioChunk(chunk.samples[2 * i * quarter : 2 * (i + 1) * quarter], 22050))
        for i in range(4)
    ]
    assert levels == sorted(levels, reverse=True)  # each quarter quieter than the one before


def test_listening_starts_rising_and_stops_falling() -> None:
    for kind, rising in ((CueKind.LISTEN_START, True), (CueKind.LISTEN_STOP, False)):
        chunk = cue_audio(kind, 48000)
        half = chunk.frames // 2 * 2
        first = _pitch(AudioChunk(chunk.samples[:half], 48000))
        second = _pitch(AudioChunk(chunk.samples[half:], 48000))
        assert (second > first * 1.15) if rising else (first > second * 1.15)


def test_cues_are_pure() -> None:
    assert cue_audio(CueKind.BELL, 16000) == cue_audio(CueKind.BELL, 16000)
