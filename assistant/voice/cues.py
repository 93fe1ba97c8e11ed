"""Soft cues made in code: a bell to open and close the exercise, small tones for listening.

Their loudness is set relative to the speech (assistant/loudness.py), so a cue never stands
out against the voice, whatever the voice: the bell, long and ringing, marks a calm moment
and sits 8 LU below the speech; the listening tones are short signals that must be noticed
with eyes closed, and a sound of 0.18 s is heard as softer than its measured level (hearing
integrates loudness over about 200 ms), so they sit 6 LU below. The listener's volume scales
them like the speech, as they are played (assistant/speaker/volume.py). Free of clicks: every
cue fades in and out.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from assistant.audio import AudioChunk
from assistant.dialog.messages import CueKind
from assistant.loudness import SPEECH_LUFS, normalise_loudness

BELL_SECONDS = 2.5
TONE_SECONDS = 0.18
BELL_LU = -8.0  # loudness relative to the speech
TONE_LU = -6.0

_BELL_PITCH = 528.0
# A struck bowl: inharmonic partials, the higher ones dying away sooner.
_BELL_PARTIALS = ((1.0, 1.0, 1.2), (2.76, 0.45, 0.55), (5.40, 0.22, 0.3), (8.93, 0.1, 0.18))
_TONE_LOW, _TONE_HIGH = 523.25, 784.0  # C5 and G5: a gentle fifth


def cue_offset(kind: CueKind) -> float:
    """How far below the speech loudness the cue sits, in LU (negative)."""
    return BELL_LU if kind is CueKind.BELL else TONE_LU


@lru_cache(maxsize=16)
def cue_audio(kind: CueKind, rate: int) -> AudioChunk:
    """The cue at `rate`, at its loudness below the speech."""
    if kind is CueKind.BELL:
        raw = _bell(rate)
    elif kind is CueKind.LISTEN_START:
        raw = _glide(_TONE_LOW, _TONE_HIGH, rate)
    else:
        raw = _glide(_TONE_HIGH, _TONE_LOW, rate)
    return normalise_loudness(raw, SPEECH_LUFS + cue_offset(kind))


def _times(seconds: float, rate: int) -> np.ndarray:
    return np.arange(round(seconds * rate)) / rate


def _fades(count: int, fade_in: int, fade_out: int) -> np.ndarray:
    envelope = np.ones(count)
    envelope[:fade_in] = np.sin(np.linspace(0.0, np.pi / 2, fade_in)) ** 2
    envelope[count - fade_out :] = np.cos(np.linspace(0.0, np.pi / 2, fade_out)) ** 2
    return envelope


def _bell(rate: int) -> AudioChunk:
    t = _times(BELL_SECONDS, rate)
    wave = np.zeros_like(t)
    for ratio, level, decay in _BELL_PARTIALS:
        wave += level * np.exp(-t / decay) * np.sin(2 * np.pi * _BELL_PITCH * ratio * t)
    wave *= _fades(len(t), round(0.004 * rate), round(0.3 * rate))
    return AudioChunk.from_array(wave * 0.3 * 32767 / max(1e-9, float(np.max(np.abs(wave)))), rate)


def _glide(start_hz: float, end_hz: float, rate: int) -> AudioChunk:
    t = _times(TONE_SECONDS, rate)
    # The frequency moves smoothly; the phase is its running sum, so the glide has no jumps.
    frequency = start_hz + (end_hz - start_hz) * (0.5 - 0.5 * np.cos(np.pi * t / TONE_SECONDS))
    phase = 2 * np.pi * np.cumsum(frequency) / rate
    half = len(t) // 2
    wave = np.sin(phase) * _fades(len(t), half, len(t) - half) * 0.3 * 32767
    return AudioChunk.from_array(wave, rate)
